import { importGaps } from "../analytics/provider-failures.js";
import { shellWord } from "../io/shell.js";
import { clip, mdCell, mdCode } from "../report/format.js";
import { answerLabel } from "../schema/output-status.js";
import { apart } from "./apart.js";
import { TOO_WIDE } from "./evaluate.js";
import type { FlippedCase, GateVerdict, RuleResult } from "./verdict-schema.js";

/**
 * Markdown text from attacker-controlled alert fields must not become links, HTML or table cells:
 * the reports' escaping (mdCell: punctuation escaped, links defanged, bidi controls shown), on at
 * most 160 characters, cut before escaping so no escape is cut in half.
 */
const md = (s: string | null) => mdCell(clip((s ?? "").replace(/\s+/g, " "), 160).text);
const num = (x: number | null) => (x === null ? "—" : Number(x.toPrecision(3)).toString());
const STATUS = { pass: "✅ PASS", fail: "❌ FAIL", infra_failure: "⚠️ CANNOT JUDGE (infrastructure)" } as const;

/**
 * The number a rule is judged on beside its threshold, printed apart (`apart`): a limit's or budget's
 * candidate value, a margin's unfavourable end (the lower end where the threshold is a drop below zero).
 */
function judged(r: RuleResult): { value: string; threshold: string } | null {
  if (r.threshold === null) return null;
  const margin = r.rule.startsWith("margin:");
  const v = margin ? (r.threshold < 0 ? r.lower : r.upper) : r.candidate;
  if (v === null || !(margin || r.rule.startsWith("limit:") || r.rule.startsWith("budget:"))) return null;
  const [value, threshold] = apart(margin ? Math.abs(v) : v, Math.abs(r.threshold));
  return { value: margin && v < 0 ? `-${value}` : value, threshold };
}

/** What a rule allows, from its verdict row: a margin's drop, a limit's or budget's maximum, a count's zero. */
function allowed(r: RuleResult): string {
  if (r.threshold === null) return "—";
  const t = judged(r)?.threshold ?? num(Math.abs(r.threshold));
  if (r.rule.startsWith("margin:")) return `drop ≤ ${t}`;
  if (r.rule.startsWith("limit:") || r.rule.startsWith("budget:")) return `≤ ${t}`;
  return num(r.threshold);
}

/** A rule's change: Δ with its paired interval, or the rule's own words where it has no interval. */
function change(r: RuleResult): string {
  if (r.diff === null || (r.lower === null && r.upper === null)) return md(r.detail);
  const worst = judged(r)?.value;
  const lower = worst !== undefined && r.threshold! < 0 ? worst : num(r.lower);
  const upper = worst !== undefined && r.threshold! > 0 ? worst : num(r.upper);
  return `${num(r.diff)} [${lower}, ${upper}]`;
}

/**
 * A pull-request comment: the verdict, each rule with what it allows, then the cases behind the
 * failed rules and how to open one — short by design (`maxCases` per list).
 */
export function toMarkdown(
  v: GateVerdict,
  suiteName: string,
  opts: { maxCases?: number; db?: string; retry?: string; note?: string | null; verdictFile?: string } = {},
): string {
  const maxCases = opts.maxCases ?? 10;
  const out: string[] = [];
  out.push(`### soceval gate — ${md(suiteName)}: ${STATUS[v.status]}`);
  out.push("");
  out.push(
    `Candidate \`${v.candidate.agent}\` (run \`${v.candidate.run_id}\`) vs baseline ${v.baseline.name ? `**${md(v.baseline.name)}** ` : ""}\`${v.baseline.agent}\` (run \`${v.baseline.run_id}\`), ${v.paired_cases} paired cases.`,
  );
  if (opts.note) out.push("", `> ${mdCell(opts.note)}`);
  // a pull request edits its suite's gate: block and is judged by it: a reviewer must see that
  if (v.rules_loosened.length > 0)
    out.push(
      "",
      `> **These rules are looser than those the baseline was run under:** ${v.rules_loosened.map(md).join("; ")}. Review the suite's \`gate:\` block change before trusting this verdict.`,
    );
  if (v.status === "infra_failure")
    out.push(
      "",
      `${unanswered(v.infra)} (${(v.infra.rate * 100).toFixed(1)}% > ${(v.infra.threshold * 100).toFixed(1)}%): too many to judge the change.`,
    );
  // what the failures say, from the first failed case: an outage, a key, a limit read differently
  const firstFailed = v.cases.find((c) => c.outcome === "failed" && c.findings.some((f) => f.kind === "agent_error"));
  if (v.status === "infra_failure" && firstFailed)
    out.push(
      "",
      `First: ${mdCode(firstFailed.case_id)} — ${md(firstFailed.findings.find((f) => f.kind === "agent_error")!.detail)}`,
    );
  if (v.status === "infra_failure" && opts.retry) out.push("", opts.retry);
  out.push("", "| rule | baseline | candidate | Δ [95% CI] | allowed | result |", "|---|---|---|---|---|---|");
  for (const r of v.rules)
    out.push(
      `| ${r.rule} | ${num(r.baseline)} | ${r.rule.startsWith("margin:") ? num(r.candidate) : (judged(r)?.value ?? num(r.candidate))} | ${change(r)} | ${allowed(r)} | ${r.pass ? "pass" : r.detail.includes(TOO_WIDE) ? `**FAIL**: too few cases to show it${r.cases_needed ? ` (needs about ${r.cases_needed})` : ""}` : "**FAIL**"} |`,
    );
  const list = (title: string, xs: FlippedCase[]) => {
    if (xs.length === 0) return;
    out.push("", `**${title}** (${xs.length})`, "");
    for (const x of xs.slice(0, maxCases)) {
      const why = x.why[0] ? ` — ${x.why[0].kind}: ${md(x.why[0].detail)}` : "";
      out.push(
        `- ${mdCode(x.case_id)} ${md(x.title)}: analyst ${x.label_verdict ?? "unlabeled"}, ${answerLabel(x.baseline_verdict, x.baseline_output_status)} → ${answerLabel(x.candidate_verdict, x.candidate_output_status)}${why}`,
      );
    }
    if (xs.length > maxCases)
      out.push(
        `- … ${xs.length - maxCases} more (every case: ${opts.verdictFile ? `in ${md(opts.verdictFile)}` : "write the verdict with --json or --junit"})`,
      );
  };
  // the gate cannot judge: a flip to no answer is the outage, not the agent; only answered flips are
  // listed, an answer that failed the schema among them (the agent's doing, with no verdict either)
  const infra = v.status === "infra_failure";
  const answered = infra ? v.regressed.filter((x) => x.candidate_output_status !== "none") : v.regressed;
  if (infra) {
    const unjudged = v.regressed.length - answered.length;
    list("Right → wrong, where the candidate answered", answered);
    if (unjudged > 0) out.push("", `**Right → no answer** (${unjudged}): not listed; the failures above are why.`);
  } else list("Right → wrong", v.regressed);
  // the cases behind a failed count rule; those listed above by id only
  const shown = new Set(answered.slice(0, maxCases).map((x) => x.case_id));
  const ids = (title: string, xs: FlippedCase[]) => {
    if (xs.length === 0) return;
    const cell = (x: FlippedCase) =>
      `${mdCode(x.case_id)}${x.why[0] && !shown.has(x.case_id) ? ` (${x.why[0].kind})` : ""}`;
    out.push(
      "",
      `**${title}** (${xs.length}): ${xs.slice(0, maxCases).map(cell).join(", ")}${xs.length > maxCases ? `, … ${xs.length - maxCases} more` : ""}`,
    );
  };
  ids("New critical misses", v.new_critical_miss);
  ids("New high-severity violations", v.new_high_violation);
  // the cases behind a failed margin's Δ; a margin whose cases are a list above, exactly, says which
  // (a part of one would leave the reader to guess which of its cases are not the margin's)
  const sameCases = (xs: FlippedCase[], ys: FlippedCase[]) =>
    xs.length === ys.length && xs.every((x) => ys.some((y) => y.case_id === x.case_id));
  for (const w of v.worse_on_margin) {
    if (v.rules.find((r) => r.rule === `margin:${w.metric}`)?.pass !== false || w.cases.length === 0) continue;
    // where the outage left no answer, the list above is the count of them, not the cases
    const same = sameCases(w.cases, answered)
      ? "the right → wrong cases above"
      : sameCases(w.cases, v.regressed)
        ? `the right → ${answered.some((x) => w.cases.some((c) => c.case_id === x.case_id)) ? "wrong and right → " : ""}no answer cases above`
        : sameCases(w.cases, v.new_critical_miss)
          ? "the new critical misses above"
          : null;
    if (same) out.push("", `**Worse on ${w.metric}** (${w.cases.length}): ${same}`);
    else ids(`Worse on ${w.metric}`, w.cases);
  }
  list("Wrong → right", v.improved);
  if (v.flaky.length)
    out.push(
      "",
      `**Flaky** (${v.flaky.length}, not counted as regressions; the candidate's epochs right): ${v.flaky
        .slice(0, maxCases)
        .map((f) => `${mdCode(f.case_id)} (${f.epochs_right}/${f.epochs})`)
        .join(", ")}${v.flaky.length > maxCases ? `, … ${v.flaky.length - maxCases} more` : ""}`,
    );
  const db = opts.db ? ` --db ${shellWord(opts.db)}` : "";
  const cand = `--run ${v.candidate.run_id} --agent ${shellWord(v.candidate.agent)}${db}`;
  if (v.regressed.length + v.new_critical_miss.length + v.new_high_violation.length + v.improved.length > 0)
    out.push("", `One case's whole investigation (alert, steps, answer, findings): \`soceval show <case> ${cand}\``);
  // every figure above back to its cases: a side's rate, and the paired differences case by case
  out.push(
    "",
    `The cases behind a rate: \`soceval cases ${cand} --rate <metric>\` (the baseline's: \`--run ${v.baseline.run_id} --agent ${shellWord(v.baseline.agent)}\`); ` +
      `both sides paired: \`soceval compare --runs ${v.baseline.run_id} ${v.candidate.run_id} --agents ${shellWord(v.baseline.agent)} ${shellWord(v.candidate.agent)}${db}\``,
  );
  return `${out.join("\n")}\n`;
}

/** The candidate's investigations without an answer; an imported run's missing transcripts are named apart. */
function unanswered(infra: GateVerdict["infra"]): string {
  if (infra.missing === 0) return `The provider failed on ${infra.failed} of ${infra.investigations} investigations`;
  return `${infra.failed} of ${infra.investigations} investigations have no answer (${importGaps(infra)})`;
}
