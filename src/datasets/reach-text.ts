import { printable } from "../io/printable.js";
import { type EvidenceReach, OUT_OF_REACH_SHARE, reachIsAlarming, recordsBeyondReach } from "./reach.js";

const pct = (n: number, of: number) => `${of ? ((100 * n) / of).toFixed(1) : "0.0"}%`;
const s = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * What a dataset holds that the workflow's tools cannot return, one warning per kind, each ending
 * "(warning)"; none when every record, required record and unavailable source is in reach and
 * every tool's source occurs in the data. Lists longer than `shown` are cut (the run's one-screen
 * warning; `dataset validate --workflow` shows them whole).
 */
export function reachWarnings(r: EvidenceReach, shown = Number.POSITIVE_INFINITY): string[] {
  const list = (items: string[]) =>
    items.length <= shown ? items.join(", ") : `${items.slice(0, shown).join(", ")} and ${items.length - shown} more`;
  const out: string[] = [];
  const wf = `workflow ${r.workflow}`;
  const other = Object.entries(r.other_workflows);
  if (other.length > 0) {
    const n = other.reduce((sum, [, k]) => sum + k, 0);
    out.push(
      `${s(n, "case")} of other workflows (${list(other.map(([id, k]) => `${id}: ${k}`))}) ${n === 1 ? "is" : "are"} left ` +
        `out of these counts: a suite of ${wf} refuses them; import with --workflow, or split the file by workflow (warning)`,
    );
  }
  // with no case of the workflow there is nothing to hold against its tools
  if (r.cases === 0) return out.map(printable);
  if (r.records_out_of_reach > 0) {
    const sources = Object.entries(r.unread_sources).map(
      ([src, c]) => `${src} (${s(c.records, "record")} in ${s(c.cases, "case")})`,
    );
    out.push(
      `${r.records_out_of_reach} of ${s(r.evidence_records, "evidence record")} (${pct(r.records_out_of_reach, r.evidence_records)}) ` +
        `are in sources no tool of ${wf} reads, so no agent ever sees them` +
        (r.cases_blind && !r.records_filtered_out
          ? `; ${r.cases_blind} of ${s(r.cases, "case")} hold no record a tool can return`
          : "") +
        `: ${list(sources)} (warning)`,
    );
  }
  if (r.records_filtered_out > 0) {
    const sources = Object.entries(r.filtered_sources).map(([src, c]) => {
      const needs = Object.entries(c.needs).map(([tool, types]) => `${tool} requires ${types.join(" and ")}`);
      return `${src} (${s(c.records, "record")} in ${s(c.cases, "case")}; ${needs.join(", ")})`;
    });
    out.push(
      `${r.records_filtered_out} of ${s(r.evidence_records, "evidence record")} (${pct(r.records_filtered_out, r.evidence_records)}) ` +
        `lack an entity of the type each tool of ${wf} reading their source requires, so no call returns them` +
        (r.cases_blind ? `; ${r.cases_blind} of ${s(r.cases, "case")} hold no record a tool can return` : "") +
        `: ${list(sources)}; give the records that entity, or make the input optional (warning)`,
    );
  }
  const req = r.required_out_of_reach;
  if (req.cases > 0) {
    const sources = Object.entries(req.sources).map(([src, c]) => `${src} (${c.records})`);
    out.push(
      `${s(req.cases, "case")} need${req.cases === 1 ? "s" : ""} required evidence no tool of ${wf} can return ` +
        `(${s(req.records, "record")}: ${list(sources)}): they cannot be investigated fully, and missed context ` +
        "counts every such record as not gathered (warning)",
    );
  }
  const unavailable = Object.entries(r.unread_unavailable);
  if (unavailable.length > 0)
    out.push(
      `cases list as unavailable sources no tool of ${wf} reads, so no tool call ever reports them down: ` +
        `${list(unavailable.map(([src, n]) => `${src} (${s(n, "case")})`))} (warning)`,
    );
  const unused = Object.entries(r.unused_tool_sources);
  if (unused.length > 0)
    out.push(
      `no case holds a record of (or lists as unavailable) the sources of these tools of ${wf}, so they return ` +
        `nothing: ${list(unused.map(([src, tools]) => `${src} (${tools.join(", ")})`))} (warning)`,
    );
  // source and workflow names are the dataset's own text, printed on a terminal: escapes shown, not obeyed
  return out.map(printable);
}

/**
 * What `soceval run` says on stderr when the cases it reads first show the workflow's tools cannot
 * return much of their evidence (reachIsAlarming): the whole account before the replay, so a team
 * can stop it before paying a model to answer blind, and one line after the figures it is about.
 * Both "" otherwise.
 */
export function runReachWarning(
  sample: { reach: EvidenceReach; whole: boolean; workflow?: string[] },
  dataset: string,
  workflowFile: string,
): { start: string; end: string } {
  const r = sample.reach;
  const wf = workflowDataWarning(sample.workflow ?? [], dataset, workflowFile);
  if (!reachIsAlarming(r)) return wf;
  const where = sample.whole
    ? `in the ${s(r.cases, "case")} of ${dataset}`
    : `in the first ${r.cases} cases of ${dataset}`;
  const lines = reachWarnings(r, 8).map((w) => `soceval: ${where}: ${w.replace(/ \(warning\)$/, "")}\n`);
  const start =
    lines.join("") +
    "soceval: the run goes on, but its figures measure agents that never saw that evidence; give the workflow tools " +
    `for those sources, or import the data under the sources its tools read. Every case: soceval dataset validate ${dataset} --workflow ${workflowFile}\n`;
  const what = [
    recordsBeyondReach(r) / Math.max(1, r.evidence_records) >= OUT_OF_REACH_SHARE
      ? `${pct(recordsBeyondReach(r), r.evidence_records)} of the evidence records`
      : "",
    r.required_out_of_reach.cases ? `required evidence of ${s(r.required_out_of_reach.cases, "case")}` : "",
  ].filter(Boolean);
  const end =
    `soceval: warning: ${what.join(" and ")} ${where} ${what.length > 1 || !what[0]?.startsWith("required") ? "are" : "is"} ` +
    "out of the workflow's tools' reach (see the start of the run): the figures above do not measure a full investigation\n";
  return { start: start + wf.start, end: end + wf.end };
}

/**
 * The run's word on what the sampled cases show wrong in the workflow (a condition field no record
 * has, a playbook input no alert fills or no record matches, a rule that decides no case): the playbook's verdicts, and the
 * human-only and approval findings of every agent, would rest on tests that do not do what they say.
 */
function workflowDataWarning(lines: string[], dataset: string, workflowFile: string): { start: string; end: string } {
  if (lines.length === 0) return { start: "", end: "" };
  const start =
    lines.map((w) => `soceval: ${w.replace(/ \(warning\)$/, "")}\n`).join("") +
    "soceval: the run goes on, but what rests on those (the playbook agent's verdicts; human-only and approval findings for every agent) is not measured as written. Every case: " +
    `soceval dataset validate ${dataset} --workflow ${workflowFile}\n`;
  const end = `soceval: warning: ${lines.length === 1 ? "1 condition, playbook step or decision rule" : `${lines.length} conditions, playbook steps or decision rules`} of ${workflowFile} ${lines.length === 1 ? "does" : "do"} not fit the dataset (see the start of the run): the figures above do not measure it as written\n`;
  return { start, end };
}
