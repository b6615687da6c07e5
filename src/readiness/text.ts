import Table from "cli-table3";
import type { CheckReport } from "./check.js";
import type { CandidateResult, ReadinessDoc } from "./result.js";
import { shownRank, stepGain, TIE_NOTE } from "./view.js";

const plain = () => (process.stdout.isTTY ? {} : { head: [], border: [] });
const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);

/** The ranking as a terminal table: what `readiness score --out` prints beside the file it writes. */
export function rankingText(doc: ReadinessDoc): string {
  const t = new Table({
    head: ["#", "candidate", "workflow", "overall", "status", "start in", "automation"],
    style: plain(),
  });
  for (const c of doc.candidates)
    t.push([
      shownRank(c),
      c.candidate,
      c.workflow,
      c.overall.toFixed(1),
      c.blocked
        ? `BLOCKED (${c.blockers.map((b) => b.gate).join(", ")})`
        : c.recommended_phase === "readiness"
          ? "not ready"
          : "ready",
      c.recommended_phase,
      c.max_automation,
    ]);
  return `${t.toString()}\n${doc.candidates.some((c) => c.tie) ? `${TIE_NOTE}\n` : ""}`;
}

/** One candidate after the questionnaire: score, blockers and the steps that would raise it most. */
export function candidateText(c: CandidateResult): string {
  const lines = [
    `${c.candidate} (${c.workflow}): overall ${c.overall.toFixed(1)}/100${c.blocked ? ", BLOCKED" : ""}`,
    `  start in: ${c.recommended_phase}; highest automation the answers support: ${c.max_automation}`,
    ...c.areas.map((a) => `  ${a.name.padEnd(22)} ${a.score.toFixed(1).padStart(5)}`),
    ...c.blockers.map((b) => `  blocker: ${b.blocker}`),
  ];
  if (c.next_steps.length) lines.push("  next steps:");
  for (const s of c.next_steps) lines.push(`    ${stepGain(s, c.blockers.length)}  ${s.step}`);
  return `${lines.join("\n")}\n`;
}

export function checkText(r: CheckReport): string {
  const head = [
    `readiness check: ${r.candidate} (${r.workflow})`,
    `  answers ${r.answers_file} · workflow ${r.workflow_file} · telemetry ${r.telemetry_file}`,
    `  dataset ${r.dataset}: ${r.cases} cases of this workflow; evidence must be fresh within ${r.freshness_needed}`,
    `  API access claimed: ${r.api_claim.answer}; telemetry: ${pct(r.api_claim.actual_share)} of the sources the tools read`,
  ];
  const t = new Table({
    head: ["source", "scope", "req", "system", "api", "status", "credentials", "fresh", "present", "unavailable"],
    style: plain(),
  });
  for (const s of r.sources)
    t.push([
      s.source,
      s.scope,
      s.required ? "yes" : "",
      s.system ?? "(not in telemetry)",
      s.api ?? "—",
      s.status ?? "—",
      s.permissions ?? "—",
      s.freshness ?? "—",
      s.scope === "read" ? `${pct(s.present_share)} of ${s.applicable}` : "",
      // of the same applicable cases as present, whose count each column prints
      s.scope === "read" ? `${pct(s.unavailable_share)} of ${s.applicable}` : "",
    ]);
  const findings = r.findings.map((f) => `  ${f.severity.toUpperCase().padEnd(8)} ${f.message}`);
  const problems = r.findings.filter((f) => f.severity === "problem").length;
  const verdict = r.ok
    ? "  OK: no problems (warnings and notes do not fail the check)"
    : `  ${problems} problem${problems === 1 ? "" : "s"}: the answers do not hold against the telemetry matrix and the case history`;
  return `${[...head, t.toString(), ...findings, verdict].join("\n")}\n`;
}
