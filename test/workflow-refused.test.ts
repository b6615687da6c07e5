import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

// A workflow or fault list that could only mislead a run: `soceval run` refuses it on load with
// file:line: field, exit 2, and no store file at all (the --db is new each time).
const dir = mkdtempSync(join(tmpdir(), "soceval-workflow-refused-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const MINI = readFileSync(join(dir, "workflow.yaml"), "utf8");

/** Run a suite over the mini workflow with one edit (and suite lines appended); exit 2, no store. */
async function refused(name: string, edit: [string, string] | null, suiteTail = ""): Promise<string> {
  if (edit) expect(MINI).toContain(edit[0]);
  writeFileSync(join(dir, `${name}.workflow.yaml`), edit ? MINI.replace(edit[0], edit[1]) : MINI);
  writeFileSync(
    join(dir, `${name}.suite.yaml`),
    `name: ${name}\nworkflow: ${name}.workflow.yaml\ndataset: cases.jsonl\nagents: [agents/playbook.yaml]\n${suiteTail}`,
  );
  const db = join(dir, `${name}.duckdb`);
  const r = await soceval(["run", `${name}.suite.yaml`, "--db", db, "--quiet"], dir);
  expect(r.status, r.stderr).toBe(2);
  expect(existsSync(db)).toBe(false);
  expect(existsSync(`${db}.wal`)).toBe(false);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  return r.stderr;
}

describe("soceval run refuses a workflow that declares a name twice", () => {
  it("a second tool of one name: the sandbox and the playbook would each use a different one", async () => {
    const err = await refused("dup-tool", ["  - name: disable_account", "  - name: get_signins"]);
    expect(err).toContain(
      'dup-tool.workflow.yaml:28: tools[2].name: "get_signins" is already declared (tools[0], line 8)',
    );
  });

  it("a second decision rule id, as the default decision's id", async () => {
    const err = await refused("dup-rule", ["  id: default\n", "  id: bad-ip-and-new-device\n"]);
    expect(err).toContain(
      'dup-rule.workflow.yaml:68: default_decision.id: "bad-ip-and-new-device" is already declared (decision_rules[0], line 57)',
    );
  });
});

describe("soceval run refuses a playbook step the sandbox could never answer as written", () => {
  it("a mistyped entity type, which would leave the input out on every case", async () => {
    const err = await refused("step-entity", ["input: { ip: ip }", "input: { ip: ipp }"]);
    expect(err).toContain(
      'step-entity.workflow.yaml:55: playbook[1].input.ip: "ipp" is neither a literal ("=ipp") nor an entity type this workflow uses (account, ip)',
    );
  });

  it("a respond tool as a step", async () => {
    const err = await refused("step-respond", [
      "{ tool: get_signins, required: true",
      "{ tool: disable_account, required: true",
    ]);
    expect(err).toContain("step-respond.workflow.yaml:54: playbook[0].tool: disable_account is a respond tool");
  });
});

describe("soceval run refuses a fault list that does not do what it says", () => {
  it("a second fault of one kind on one tool", async () => {
    const err = await refused(
      "dup-fault",
      null,
      "faults:\n  - { tool: get_signins, kind: timeout, rate: 0.1 }\n  - { tool: get_signins, kind: timeout, rate: 0.2 }\n",
    );
    expect(err).toContain(
      "dup-fault.suite.yaml:7: faults[1]: a second timeout fault on get_signins (faults[0], line 6): the two draw the same numbers",
    );
  });

  it("a fault on a respond tool", async () => {
    const err = await refused("respond-fault", null, "faults:\n  - { tool: disable_account, kind: error, rate: 1 }\n");
    expect(err).toContain(
      "respond-fault.suite.yaml:6: faults[0].tool: disable_account is a respond tool: never executed in shadow mode, so the fault can never fire",
    );
  });
});

describe("soceval run refuses an action or approval policy that contradicts itself", () => {
  it("an action whose tool is a read tool (the playbook's own look-ups would count as carrying it out)", async () => {
    const err = await refused("action-read-tool", [
      "tool: disable_account, target: account",
      "tool: get_signins, target: account",
    ]);
    expect(err).toContain("action-read-tool.workflow.yaml:38: actions[2].tool: get_signins is a read tool");
  });

  it("high risk needing less approval than medium", async () => {
    const err = await refused("risk-inverted", ["high: lead }", "high: none }"]);
    expect(err).toContain(
      "risk-inverted.workflow.yaml:40: approval_policy.by_risk.high: high risk needs none, less approval than medium risk (analyst)",
    );
  });
});

describe("soceval run refuses a decision rule the playbook agent could never apply", () => {
  it("a rule testing a source no playbook step gathers", async () => {
    const err = await refused("rule-ungathered", ["  - { tool: get_ip_reputation, input: { ip: ip } }\n", ""]);
    expect(err).toContain(
      "rule-ungathered.workflow.yaml:60: decision_rules[0].when.all[0].source: no playbook step gathers ti.ip (read by get_ip_reputation, which no step calls)",
    );
  });
});
