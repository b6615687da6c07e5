import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../workflow/load.js";
import { loadAnswersYaml } from "./answers.js";
import { type CheckReport, checkReadiness } from "./check.js";
import { loadMatrix } from "./matrix.js";
import { loadTelemetry } from "./telemetry.js";

const FIX = "test/fixtures/readiness";
const matrix = loadMatrix(`${FIX}/matrix.yaml`);
const workflowFile = `${FIX}/workflow.yaml`;
const workflow = loadWorkflow(workflowFile);
const mid = loadAnswersYaml(`${FIX}/mid.yaml`, matrix);
const tmp = () => mkdtempSync(join(tmpdir(), "soceval-check-"));

function check(opts: { telemetry?: string; dataset?: string; answers?: typeof mid } = {}): Promise<CheckReport> {
  return checkReadiness({
    matrix,
    telemetry: loadTelemetry(opts.telemetry ?? `${FIX}/telemetry-clean.yaml`),
    answers: opts.answers ?? mid,
    workflow,
    workflowFile,
    dataset: opts.dataset ?? `${FIX}/cases.jsonl`,
  });
}

const problems = (r: CheckReport) => r.findings.filter((f) => f.severity === "problem").map((f) => [f.check, f.source]);

/** The fixture cases, edited case by case. */
function dataset(edit: (c: Record<string, unknown>, i: number) => void): string {
  const lines = readFileSync(`${FIX}/cases.jsonl`, "utf8").trim().split("\n");
  const file = join(tmp(), "cases.jsonl");
  const edited = lines.map((l, i) => {
    const c = JSON.parse(l) as Record<string, unknown>;
    edit(c, i);
    return JSON.stringify(c);
  });
  writeFileSync(file, `${edited.join("\n")}\n`);
  return file;
}

describe("readiness check", () => {
  it("refuses, at its line, a dataset run refuses: a case counted twice would skew every share", async () => {
    const lines = readFileSync(`${FIX}/cases.jsonl`, "utf8").trim().split("\n");
    const file = join(tmp(), "cases.jsonl");
    writeFileSync(file, `${[...lines, lines[0]!].join("\n")}\n`);
    const id = (JSON.parse(lines[0]!) as { id: string }).id;
    await expect(check({ dataset: file })).rejects.toThrow(
      `${file}:${lines.length + 1}: id: duplicate case id "${id}" (first on line 1)`,
    );
    const twice = dataset((c, i) => {
      const evidence = c.evidence as { id: string }[];
      if (i === 1) evidence.push({ ...evidence[0]! });
    });
    await expect(check({ dataset: twice })).rejects.toThrow(
      /cases\.jsonl:2: evidence\[\d+\]\.id: duplicate evidence id "s1"/,
    );
  });

  it("passes when every source the tools read is reachable, fresh and present in history", async () => {
    const r = await check();
    expect(problems(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.cases).toBe(10);
    const travel = r.sources.find((s) => s.source === "hr.travel")!;
    // 4 of 10 cases hold a travel record; none lists it unavailable
    expect(travel).toMatchObject({ scope: "read", required: false, applicable: 10, present: 4, present_share: 0.4 });
    expect(travel.unavailable_share).toBe(0);
    expect(r.sources.find((s) => s.source === "directory.users")).toMatchObject({ scope: "respond", present: 0 });
  });

  it("flags a source the telemetry matrix says is unavailable, and the answers' API claim it contradicts", async () => {
    const r = await check({ telemetry: `${FIX}/telemetry.yaml` });
    expect(r.ok).toBe(false);
    expect(problems(r)).toEqual([
      ["no_api", "hr.travel"],
      ["api_claim", undefined],
    ]);
    expect(r.findings.find((f) => f.check === "no_api")!.message).toContain("marked unavailable");
    expect(r.api_claim).toEqual({ answer: "5/5 (all)", claimed_share: 1, actual_share: 0.5 });
    // history has travel records the live system cannot give a tool: worth saying, not a failure
    expect(r.findings.some((f) => f.severity === "note" && f.check === "history_without_api")).toBe(true);
  });

  it("holds an API-coverage answer to what its level means, not to its nominal share: 'about half' of 2 sources is 1", async () => {
    const at = (q_api: number) =>
      check({ telemetry: `${FIX}/telemetry.yaml`, answers: { ...mid, answers: { ...mid.answers, q_api } } });
    const claims = async (q_api: number) => (await at(q_api)).findings.find((f) => f.check === "api_claim")?.message;
    // 1 of 2 read sources has an API (50%)
    expect(await claims(2)).toBeUndefined();
    expect(await claims(3)).toBeUndefined();
    expect(await claims(4)).toBe(
      "the answers say q_api = 4/5 (most), but the telemetry matrix gives a tool API access to 1 of 2 sources (50%); that answer needs more than 50%",
    );
    expect(await claims(5)).toMatch(/1 of 2 sources \(50%\); that answer needs every source$/);
  });

  it("does not call 'most' an over-claim when 7 of the identity workflow's 10 sources have an API", async () => {
    const m = loadMatrix();
    const answers = loadAnswersYaml("readiness/answers/identity-suspicious-login.yaml", m);
    expect(answers.answers.evidence_api_access).toBe(4);
    // the bundled telemetry with two more identity sources reachable by scheduled export only
    const text = readFileSync("readiness/telemetry.yaml", "utf8").replace(
      /(sources: \[idp\.(sessions|audit)\][\s\S]*?api: )read_only/g,
      "$1export_only",
    );
    const telemetry = join(tmp(), "t.yaml");
    writeFileSync(telemetry, text);
    const r = await checkReadiness({
      matrix: m,
      telemetry: loadTelemetry(telemetry),
      answers,
      workflow: loadWorkflow("suites/identity-suspicious-login/workflow.yaml"),
      workflowFile: "suites/identity-suspicious-login/workflow.yaml",
      dataset: "datasets/identity-suspicious-login/cases.jsonl",
    });
    expect(r.api_claim.actual_share).toBeCloseTo(0.7);
    expect(r.findings.filter((f) => f.check === "no_api").map((f) => f.source)).toEqual(
      expect.arrayContaining(["idp.sessions", "idp.audit"]),
    );
    expect(r.findings.map((f) => f.check)).not.toContain("api_claim");
  });

  it("flags evidence that is staler than the answers need on a required step", async () => {
    const answers = { ...mid, answers: { ...mid.answers, q_fresh: "15m" } };
    const dir = tmp();
    const telemetry = join(dir, "t.yaml");
    writeFileSync(
      telemetry,
      readFileSync(`${FIX}/telemetry-clean.yaml`, "utf8").replace("freshness: 15m", "freshness: 1h"),
    );
    const r = await check({ telemetry, answers });
    expect(problems(r)).toEqual([["stale", "idp.signins"]]);
    expect(r.findings[0]!.message).toContain("arrives up to 1h late; the answers need 15m");
  });

  it("flags a source that is often unavailable in history, and one the history never holds", async () => {
    const flaky = dataset((c, i) => {
      if (i < 3) c.unavailable = ["idp.signins"];
      c.evidence = (c.evidence as { source: string }[]).filter((e) => e.source !== "hr.travel");
    });
    const r = await check({ dataset: flaky });
    expect(problems(r)).toEqual([
      ["often_unavailable", "idp.signins"],
      ["never_in_history", "hr.travel"],
    ]);
    expect(r.sources.find((s) => s.source === "idp.signins")!.unavailable_share).toBeCloseTo(0.3);
  });

  it("judges a source that only some alerts call by those alerts: a hash look-up failing in a quarter of the mails with attachments is often unavailable", async () => {
    const m = loadMatrix();
    const lines = readFileSync("datasets/phishing-triage/cases.jsonl", "utf8").trim().split("\n");
    let flaky = 0;
    const edited = lines.map((l) => {
      const c = JSON.parse(l) as {
        evidence: { id: string; source: string }[];
        unavailable?: string[];
        label?: { required_evidence: string[] };
      };
      if (flaky < 20 && c.evidence.some((e) => e.source === "intel.file_reputation")) {
        const gone = c.evidence.filter((e) => e.source === "intel.file_reputation").map((e) => e.id);
        c.evidence = c.evidence.filter((e) => e.source !== "intel.file_reputation");
        // a required record the case no longer holds is a case run refuses
        if (c.label) c.label.required_evidence = c.label.required_evidence.filter((id) => !gone.includes(id));
        c.unavailable = [...(c.unavailable ?? []), "intel.file_reputation"];
        flaky++;
      }
      return JSON.stringify(c);
    });
    const file = join(tmp(), "cases.jsonl");
    writeFileSync(file, `${edited.join("\n")}\n`);
    const r = await checkReadiness({
      matrix: m,
      telemetry: loadTelemetry(),
      answers: loadAnswersYaml("readiness/answers/phishing-triage.yaml", m),
      workflow: loadWorkflow("suites/phishing-triage/workflow.yaml"),
      workflowFile: "suites/phishing-triage/workflow.yaml",
      dataset: file,
    });
    const hash = r.sources.find((s) => s.source === "intel.file_reputation")!;
    expect(hash.applicable).toBeLessThan(r.cases / 2);
    expect(hash.unavailable).toBe(20);
    expect(hash.unavailable_share).toBeCloseTo(20 / hash.applicable);
    expect(problems(r)).toContainEqual(["often_unavailable", "intel.file_reputation"]);
    expect(r.findings.find((f) => f.check === "often_unavailable")!.message).toBe(
      `intel.file_reputation: unavailable in ${Math.round(2000 / hash.applicable)}% of the ${hash.applicable} cases where the playbook would read it (more than 10%)`,
    );
  });

  it("warns about a required source no case of the history ever calls, instead of saying nothing", async () => {
    // no alert carries the account both look-ups need
    const accountless = dataset((c) => {
      const alert = c.alert as { entities: { type: string }[] };
      alert.entities = alert.entities.filter((e) => e.type !== "account");
    });
    const r = await check({ dataset: accountless });
    expect(r.sources.filter((s) => s.scope === "read").map((s) => [s.source, s.applicable])).toEqual([
      ["idp.signins", 0],
      ["hr.travel", 0],
    ]);
    const never = r.findings.filter((f) => f.check === "never_applicable");
    expect(never.map((f) => [f.source, f.severity])).toEqual([
      ["idp.signins", "warning"],
      ["hr.travel", "note"],
    ]);
    expect(never[0]!.message).toBe(
      "idp.signins: the playbook would read it in none of the 10 cases (no alert carries what its tool needs): the history cannot show it works",
    );
  });

  it("flags a dataset with no case of the workflow", async () => {
    const other = dataset((c) => {
      c.workflow = "something-else";
    });
    const r = await check({ dataset: other });
    expect(problems(r)).toEqual([["no_history", undefined]]);
    expect(r.findings[0]!.message).toContain("(10 cases of other workflows)");
  });
});
