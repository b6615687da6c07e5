import { importGaps } from "../analytics/provider-failures.js";
import { clip, mdCell } from "../report/format.js";
import type { FlippedCase, GateVerdict } from "./verdict-schema.js";

/**
 * Markdown text from attacker-controlled alert fields must not become links, HTML or table cells:
 * the reports' escaping (mdCell: punctuation escaped, links defanged, bidi controls shown), on at
 * most 160 characters, cut before escaping so no escape is cut in half.
 */
const md = (s: string | null) => mdCell(clip((s ?? "").replace(/\s+/g, " "), 160).text);
const num = (x: number | null) => (x === null ? "—" : Number(x.toPrecision(3)).toString());
const STATUS = { pass: "✅ PASS", fail: "❌ FAIL", infra_failure: "⚠️ CANNOT JUDGE (infrastructure)" } as const;

/** A pull-request comment: the verdict, each rule, then the cases that flipped — short by design. */
export function toMarkdown(v: GateVerdict, suiteName: string, maxCases = 10): string {
  const out: string[] = [];
  out.push(`### soceval gate — ${md(suiteName)}: ${STATUS[v.status]}`);
  out.push("");
  out.push(
    `Candidate \`${v.candidate.agent}\` (run \`${v.candidate.run_id}\`) vs baseline ${v.baseline.name ? `**${md(v.baseline.name)}** ` : ""}\`${v.baseline.agent}\` (run \`${v.baseline.run_id}\`), ${v.paired_cases} paired cases.`,
  );
  if (v.status === "infra_failure")
    out.push(
      "",
      `${unanswered(v.infra)} (${(v.infra.rate * 100).toFixed(1)}% > ${(v.infra.threshold * 100).toFixed(1)}%): too many to judge the change.`,
    );
  out.push("", "| rule | baseline | candidate | Δ [95% CI] | result |", "|---|---|---|---|---|");
  for (const r of v.rules)
    out.push(
      `| ${r.rule} | ${num(r.baseline)} | ${num(r.candidate)} | ${r.diff === null ? r.detail : `${num(r.diff)} [${num(r.lower)}, ${num(r.upper)}]`} | ${r.pass ? "pass" : "**FAIL**"} |`,
    );
  const list = (title: string, xs: FlippedCase[]) => {
    if (xs.length === 0) return;
    out.push("", `**${title}** (${xs.length})`, "");
    for (const x of xs.slice(0, maxCases)) {
      const why = x.why[0] ? ` — ${x.why[0].kind}: ${md(x.why[0].detail)}` : "";
      out.push(
        `- \`${x.case_id}\` ${md(x.title)}: analyst ${x.label_verdict ?? "unlabeled"}, ${x.baseline_verdict ?? "no output"} → ${x.candidate_verdict ?? "no output"}${why}`,
      );
    }
    if (xs.length > maxCases)
      out.push(`- … ${xs.length - maxCases} more (every case: write the verdict with --json or --junit)`);
  };
  list("Right → wrong", v.regressed);
  list("Wrong → right", v.improved);
  if (v.flaky.length)
    out.push(
      "",
      `**Flaky** (${v.flaky.length}, not counted as regressions; the candidate's epochs right): ${v.flaky
        .slice(0, maxCases)
        .map((f) => `\`${f.case_id}\` (${f.epochs_right}/${f.epochs})`)
        .join(", ")}`,
    );
  return `${out.join("\n")}\n`;
}

/** The candidate's investigations without an answer; an imported run's missing transcripts are named apart. */
function unanswered(infra: GateVerdict["infra"]): string {
  if (infra.missing === 0) return `The provider failed on ${infra.failed} of ${infra.investigations} investigations`;
  return `${infra.failed} of ${infra.investigations} investigations have no answer (${importGaps(infra)})`;
}
