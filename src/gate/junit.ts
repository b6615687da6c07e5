import { answerLabel } from "../schema/output-status.js";
import type { FlippedCase, GateVerdict } from "./verdict-schema.js";

const esc = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // XML 1.0 forbids most control characters; alert text may carry them
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 299)}…` : s);

/**
 * JUnit XML as CI systems read it: one testsuite of gate rules, one of cases (a test case per case
 * for the candidate agent); failures carry the findings that explain them, flaky cases are skipped.
 */
export function toJUnit(v: GateVerdict, suiteName: string): string {
  const ruleCases = v.rules.map((r) => {
    const body = r.pass
      ? ""
      : `<failure message="${esc(r.detail)}" type="gate_rule">${esc(r.description)}: ${esc(r.detail)}</failure>`;
    return `    <testcase classname="${esc(`${suiteName}.gate`)}" name="${esc(r.rule)}" time="0">${body}</testcase>`;
  });
  const caseCases = v.cases.map((c) => {
    const name = `${c.case_id} [${v.candidate.agent}]`;
    const findings = c.findings.map((f) => `${f.severity} ${f.kind}: ${f.detail}`).join("\n");
    let body = "";
    if (c.outcome === "failed") {
      // the error itself (a provider's answer, a limit) as the message CI shows first
      const why = c.findings.find((f) => f.kind === "agent_error")?.detail;
      body = `<error message="${esc(why ? clip(why) : "no triage output")}" type="agent_failure">${esc(findings)}</error>`;
    } else if (c.outcome === "flaky") {
      const f = v.flaky.find((x) => x.case_id === c.case_id);
      // a failed margin's interval counts its epochs: the case stays skipped, but names the margin
      // whose list (summary, --json) holds it, so that rule's failure traces to it here too
      const failed = new Set(v.rules.filter((r) => !r.pass).map((r) => r.rule));
      const margins = v.worse_on_margin
        .filter((w) => failed.has(`margin:${w.metric}`) && w.cases.some((x) => x.case_id === c.case_id))
        .map((w) => w.metric);
      const worse = margins.length ? `; worse on the failed margin ${margins.join(", ")} in most epochs` : "";
      body = `<skipped message="${esc(`flaky: right in ${f?.epochs_right} of ${f?.epochs} epochs of ${f?.agent}${worse}`)}"/>`;
    } else if (c.outcome !== "ok")
      body = `<failure message="${esc(failureMessage(v, c.case_id, c.outcome))}" type="${c.outcome}">${esc(`${c.title ?? ""}\n${findings}`)}</failure>`;
    return `    <testcase classname="${esc(`${suiteName}.cases`)}" name="${esc(name)}" time="0">${body}</testcase>`;
  });
  const count = (xs: string[], tag: string) =>
    xs.filter((x) => x.includes(`<${tag} `) || x.includes(`<${tag}>`)).length;
  const suite = (name: string, xs: string[]) =>
    `  <testsuite name="${esc(name)}" tests="${xs.length}" failures="${count(xs, "failure")}" errors="${count(xs, "error")}" skipped="${count(xs, "skipped")}" time="0">\n${xs.join("\n")}\n  </testsuite>`;
  const all = [...ruleCases, ...caseCases];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(`soceval gate ${suiteName}`)}" tests="${all.length}" failures="${count(all, "failure")}" errors="${count(all, "error")}" skipped="${count(all, "skipped")}" time="0">`,
    suite(`${suiteName} gate rules`, ruleCases),
    suite(`${suiteName} cases (${v.candidate.agent})`, caseCases),
    "</testsuites>",
    "",
  ].join("\n");
}

/**
 * What CI shows first for a case: the outcome and the verdicts behind it ("regressed: analyst
 * true_positive; baseline true_positive → candidate false_positive"), so a reviewer sees the flip
 * without opening the file.
 */
function failureMessage(v: GateVerdict, caseId: string, outcome: string): string {
  const has = (xs: FlippedCase[]) => xs.some((x) => x.case_id === caseId);
  // a case worse on a failed margin is named by the margins it counts against
  const failed = new Set(v.rules.filter((r) => !r.pass).map((r) => r.rule));
  const margins = v.worse_on_margin.filter((w) => failed.has(`margin:${w.metric}`) && has(w.cases));
  const list =
    outcome === "new_critical_miss"
      ? v.new_critical_miss
      : outcome === "new_high_violation"
        ? v.new_high_violation
        : outcome === "worse_on_margin"
          ? (margins[0]?.cases ?? [])
          : v.regressed;
  const f = list.find((x) => x.case_id === caseId);
  const what =
    outcome === "worse_on_margin" ? `worse on ${margins.map((w) => w.metric).join(", ")}` : outcome.replace(/_/g, " ");
  if (!f) return what;
  // an answer that failed the schema has no verdict either, on either side: the summary's words
  return `${what}: analyst ${f.label_verdict ?? "unlabeled"}; baseline ${answerLabel(f.baseline_verdict, f.baseline_output_status)} → candidate ${answerLabel(f.candidate_verdict, f.candidate_output_status)}`;
}

/**
 * JUnit XML for a gate that judged nothing (its input refused, or it could not run): one erroring
 * test case with the reason, so a CI system reads this run's outcome, never a report an earlier
 * gate left at the same path.
 */
export function notJudgedJUnit(reason: string, exitCode: number): string {
  const message = `gate did not judge (exit ${exitCode}): ${reason}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="soceval gate" tests="1" failures="0" errors="1">',
    '  <testsuite name="soceval gate" tests="1" failures="0" errors="1">',
    `    <testcase classname="soceval.gate" name="gate" time="0"><error message="${esc(clip(message))}" type="not_judged">${esc(message)}</error></testcase>`,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
