import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editedMini } from "../../test/helpers/mini-workflow.js";
import { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { ReachCounter, reachIsAlarming, readSources } from "./reach.js";
import { sampleReach } from "./reach-sample.js";
import { reachWarnings, runReachWarning } from "./reach-text.js";
import { datasetStats } from "./stats.js";
import { validateDataset } from "./validate.js";

// the mini workflow reads idp.signins and ti.ip; its respond tool names idp.accounts
const WF = loadWorkflow("test/fixtures/mini/workflow.yaml");
const MINI = readFileSync("test/fixtures/mini/cases.jsonl", "utf8")
  .trim()
  .split("\n")
  .map((l) => Case.parse(JSON.parse(l)));
const copy = (i: number): Case => structuredClone(MINI[i]!);

/** A case whose records all moved to `source`, e.g. an import that names sources after its SIEM. */
function moved(i: number, source: string): Case {
  const c = copy(i);
  for (const e of c.evidence) e.source = source;
  return c;
}

function reachOf(cases: Case[]) {
  const counter = new ReachCounter(WF);
  for (const c of cases) counter.add(c);
  return counter.result();
}

describe("evidence reach: what a workflow's tools can return of a dataset", () => {
  it("reads only read tools: a respond tool's source is never returned in shadow mode", () => {
    expect([...readSources(WF).keys()].sort()).toEqual(["idp.signins", "ti.ip"]);
  });

  it("counts records, cases, required records and unavailable sources no tool reads", () => {
    const inReach = copy(0);
    const blind = moved(1, "sentinel.entity.host");
    const respond = moved(2, "idp.accounts");
    const partly = copy(3);
    partly.evidence[0]!.source = "sentinel.extended_properties";
    partly.unavailable = ["sentinel.extended_properties", "ti.ip"];
    const r = reachOf([inReach, blind, respond, partly]);
    const records = [inReach, blind, respond, partly].reduce((n, c) => n + c.evidence.length, 0);
    expect(r.cases).toBe(4);
    expect(r.evidence_records).toBe(records);
    expect(r.records_out_of_reach).toBe(blind.evidence.length + respond.evidence.length + 1);
    expect(r.cases_blind).toBe(2);
    expect(r.unread_sources).toEqual({
      "sentinel.entity.host": { records: blind.evidence.length, cases: 1 },
      "idp.accounts": { records: respond.evidence.length, cases: 1 },
      "sentinel.extended_properties": { records: 1, cases: 1 },
    });
    expect(r.unread_unavailable).toEqual({ "sentinel.extended_properties": 1 });
    const required = (c: Case) => c.label!.required_evidence.length;
    const partlyRequired = partly.label!.required_evidence.includes(partly.evidence[0]!.id) ? 1 : 0;
    expect(r.required_out_of_reach.records).toBe(required(blind) + required(respond) + partlyRequired);
    expect(r.required_out_of_reach.cases).toBe(2 + partlyRequired);
    // every read tool's source occurs in the in-reach case
    expect(r.unused_tool_sources).toEqual({});
  });

  it("names the tools whose source no case holds", () => {
    const r = reachOf([moved(0, "ocsf.resources"), moved(1, "ocsf.resources")]);
    expect(r.unused_tool_sources).toEqual({ "idp.signins": ["get_signins"], "ti.ip": ["get_ip_reputation"] });
    expect(r.cases_blind).toBe(2);
    const lines = reachWarnings(r);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      `${r.evidence_records} of ${r.evidence_records} evidence records (100.0%) are in sources no tool of workflow mini reads, ` +
        `so no agent ever sees them; 2 of 2 cases hold no record a tool can return: ocsf.resources (${r.evidence_records} records in 2 cases) (warning)`,
    );
    expect(lines[1]).toMatch(
      /^2 cases need required evidence no tool of workflow mini can return \(\d+ records: ocsf\.resources/,
    );
    expect(lines[2]).toContain(
      "so they return nothing: idp.signins (get_signins), ti.ip (get_ip_reputation) (warning)",
    );
  });

  it("counts only the cases of the workflow: a suite of it refuses the others", () => {
    const other = moved(1, "email.headers");
    other.workflow = "phishing-triage";
    const r = reachOf([copy(0), other, { ...moved(2, "edr.process_tree"), workflow: "endpoint-investigation" }]);
    expect(r.cases).toBe(1);
    expect(r.records_out_of_reach).toBe(0);
    expect(r.other_workflows).toEqual({ "endpoint-investigation": 1, "phishing-triage": 1 });
    expect(reachWarnings(r)).toEqual([
      "2 cases of other workflows (endpoint-investigation: 1, phishing-triage: 1) are left out of these counts: a suite " +
        "of workflow mini refuses them; import with --workflow, or split the file by workflow (warning)",
    ]);
    // none of the workflow's own: nothing else to say, not "no case holds a record" of every tool
    expect(reachWarnings(reachOf([other]))).toHaveLength(1);
  });

  it("counts records of a read source that lack the entity its tool requires: the sandbox never returns them", () => {
    // get_signins requires `user`, matched against account entities; ti.ip's tool requires nothing
    const renamed = copy(0);
    const signins = renamed.evidence.filter((e) => e.source === "idp.signins");
    expect(signins.length).toBeGreaterThan(0);
    for (const e of signins) e.entities = e.entities.map((x) => (x.type === "account" ? { ...x, type: "user" } : x));
    renamed.label!.required_evidence = [signins[0]!.id];
    const r = reachOf([renamed, copy(1)]);
    expect(r.records_out_of_reach).toBe(0);
    expect(r.records_filtered_out).toBe(signins.length);
    expect(r.filtered_sources).toEqual({
      "idp.signins": { records: signins.length, cases: 1, needs: { get_signins: ["account"] } },
    });
    expect(r.required_out_of_reach).toEqual({
      cases: 1,
      records: 1,
      sources: { "idp.signins": { records: 1, cases: 1 } },
    });
    expect(reachIsAlarming(r)).toBe(true);
    const lines = reachWarnings(r);
    expect(lines[0]).toBe(
      `${signins.length} of ${r.evidence_records} evidence records (${((100 * signins.length) / r.evidence_records).toFixed(1)}%) ` +
        "lack an entity of the type each tool of workflow mini reading their source requires, so no call returns them: " +
        `idp.signins (${signins.length} record${signins.length === 1 ? "" : "s"} in 1 case; get_signins requires account); ` +
        "give the records that entity, or make the input optional (warning)",
    );
    expect(lines[1]).toMatch(
      /^1 case needs required evidence no tool of workflow mini can return \(1 record: idp\.signins/,
    );
    // a record of a source only an optional-entity tool reads is always returnable: ti.ip's records have no account
    expect(reachOf(MINI).records_filtered_out).toBe(0);
  });

  it("nothing to say of a dataset wholly in reach", () => {
    const r = reachOf(MINI);
    expect(r.records_out_of_reach).toBe(0);
    expect(reachWarnings(r)).toEqual([]);
    expect(reachIsAlarming(r)).toBe(false);
  });

  it("alarms a run at a quarter of the records out of reach, or at any required record", () => {
    // cases with no required evidence, so only the share decides
    const bare = (i: number, sources: string[]): Case => {
      const c = copy(i);
      c.evidence = sources.map((source, j) => ({ ...c.evidence[0]!, id: `r${i}-${j}`, source }));
      c.label!.required_evidence = [];
      return c;
    };
    const fifth = reachOf([bare(0, ["idp.signins", "idp.signins", "ti.ip", "ti.ip", "siem.raw"])]);
    expect(fifth.records_out_of_reach / fifth.evidence_records).toBe(0.2);
    expect(reachIsAlarming(fifth)).toBe(false);
    const quarter = reachOf([bare(0, ["idp.signins", "ti.ip", "ti.ip", "siem.raw"])]);
    expect(reachIsAlarming(quarter)).toBe(true);
    const needed = bare(1, ["idp.signins", "ti.ip", "ti.ip", "ti.ip", "ti.ip", "ti.ip", "ti.ip", "ti.ip", "siem.raw"]);
    needed.label!.required_evidence = [needed.evidence.at(-1)!.id];
    const required = reachOf([needed]);
    expect(required.records_out_of_reach / required.evidence_records).toBeLessThan(0.25);
    expect(reachIsAlarming(required)).toBe(true);
  });
});

describe("the reach in validate, stats and a run's sample", () => {
  const dir = mkdtempSync(join(tmpdir(), "soceval-reach-"));
  const file = join(dir, "cases.jsonl");
  const cases = [moved(0, "sentinel.alert"), moved(1, "sentinel.alert"), copy(2)];
  writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
  const out = cases[0]!.evidence.length + cases[1]!.evidence.length;

  it("validate counts the valid cases against the workflow; without one, nothing", async () => {
    const s = await validateDataset(file, () => {}, { workflow: WF });
    expect(s.reach?.records_out_of_reach).toBe(out);
    expect(s.reach?.cases_blind).toBe(2);
    expect((await validateDataset(file, () => {})).reach).toBeUndefined();
  });

  it("stats carries the same reach", async () => {
    const s = await datasetStats(file, { workflow: WF });
    expect(s.reach).toEqual((await validateDataset(file, () => {}, { workflow: WF })).reach);
    expect((await datasetStats(file)).reach).toBeUndefined();
  });

  it("a run samples the first cases only, and says how many it read", async () => {
    const first = await sampleReach(file, WF, 2);
    expect(first?.whole).toBe(false);
    expect(first?.reach.cases).toBe(2);
    expect(first?.reach.records_out_of_reach).toBe(out);
    const warned = runReachWarning(first!, file, "workflow.yaml");
    expect(warned.start).toContain(
      `soceval: in the first 2 cases of ${file}: ${out} of ${out} evidence records (100.0%)`,
    );
    expect(warned.start).toContain(`soceval dataset validate ${file} --workflow workflow.yaml`);
    expect(warned.end).toBe(
      `soceval: warning: 100.0% of the evidence records and required evidence of 2 cases in the first 2 cases of ${file} ` +
        "are out of the workflow's tools' reach (see the start of the run): the figures above do not measure a full investigation\n",
    );
    const all = await sampleReach(file, WF);
    expect(all?.whole).toBe(true);
    expect(runReachWarning(all!, file, "w.yaml").start).toContain(`soceval: in the 3 cases of ${file}:`);
  });

  it("a run also says what the sampled cases show wrong in the workflow, at the workflow's lines, before and after", async () => {
    const wfFile = editedMini(["field: device_known, equals: false", "field: device_knwn, equals: false"]);
    const wf = loadWorkflow(wfFile);
    const minis = join(dir, "mini.jsonl");
    writeFileSync(minis, readFileSync("test/fixtures/mini/cases.jsonl"));
    const sample = await sampleReach(minis, wf, 10, wfFile);
    expect(sample?.workflow).toEqual([
      expect.stringMatching(
        /:62: decision_rules\[0\]\.when\.all\[1\]\.field: no record of idp\.signins in the first 10 cases of .*mini\.jsonl has a field "device_knwn"/,
      ),
    ]);
    const warned = runReachWarning(sample!, minis, wfFile);
    expect(warned.start).toContain(
      `soceval: ${wfFile}:62: decision_rules[0].when.all[1].field: no record of idp.signins`,
    );
    expect(warned.start).toContain(`Every case: soceval dataset validate ${minis} --workflow ${wfFile}\n`);
    expect(warned.end).toBe(
      `soceval: warning: 1 condition, playbook step or decision rule of ${wfFile} does not fit the dataset (see the start of the run): the figures above do not measure it as written\n`,
    );
    // without the workflow's file (or with a workflow that fits) the run says nothing of it
    expect((await sampleReach(minis, wf, 10))?.workflow).toEqual([]);
    expect(
      runReachWarning((await sampleReach(minis, WF, 10, "test/fixtures/mini/workflow.yaml"))!, minis, "w.yaml"),
    ).toEqual({
      start: "",
      end: "",
    });
  });
  it("the sample reads a 64-bit id as the replay does, as text, so a number test on it is named as never holding", async () => {
    const wfFile = editedMini(["field: device_known, equals: false", "field: event, gte: 3"]);
    const wf = loadWorkflow(wfFile);
    const minis = join(dir, "mini-long.jsonl");
    const text = readFileSync("test/fixtures/mini/cases.jsonl", "utf8");
    writeFileSync(
      minis,
      text.replaceAll('"device_known": false', '"device_known": false, "event": 12345678901234567891'),
    );
    const sample = await sampleReach(minis, wf, 10, wfFile);
    const never =
      /:62: decision_rules\[0\]\.when\.all\[1\]\.gte: gte 3 compares a number, but every event of idp\.signins .* is text \("12345678901234567891"\).*never holds/;
    expect(sample?.workflow).toEqual([expect.stringMatching(never)]);
    // a huge number where the case wants one is read as the replay reads it, a number: the case counts
    const minutes = join(dir, "mini-minutes.jsonl");
    writeFileSync(
      minutes,
      `${text.split("\n")[0]!.replace('"analyst_minutes": 12', '"analyst_minutes": 12345678901234567891')}\n`,
    );
    expect((await sampleReach(minutes, wf, 10))?.reach.cases).toBe(1);
    const validated = await validateDataset(minis, () => {}, { workflow: wf, workflowFile: wfFile });
    expect(validated.workflowWarnings).toContainEqual(expect.stringMatching(never));
  });
});
