import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

// workflow conditions `soceval run` must refuse when the workflow loads: exit 2, file:line: field,
// and no store, instead of failing (or quietly mis-deciding) cases once they reach the condition
const dir = mkdtempSync(join(tmpdir(), "soceval-conditions-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const WORKFLOW = readFileSync(join(dir, "workflow.yaml"), "utf8");
const SUITE = readFileSync(join(dir, "suite.yaml"), "utf8");

/** Writes a workflow edited by `edit` (the edit must change it) and a suite replaying it. */
function variant(name: string, edit: (text: string) => string): string {
  const text = edit(WORKFLOW);
  expect(text, name).not.toBe(WORKFLOW);
  writeFileSync(join(dir, `${name}.workflow.yaml`), text);
  writeFileSync(
    join(dir, `${name}.suite.yaml`),
    SUITE.replace("workflow: workflow.yaml", `workflow: ${name}.workflow.yaml`),
  );
  return `${name}.suite.yaml`;
}

async function refused(name: string, edit: (text: string) => string, message: string): Promise<void> {
  const suite = variant(name, edit);
  const db = join(dir, `${name}.duckdb`);
  const r = await soceval(["run", suite, "--db", db, "--quiet"], dir);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toContain(`${name}.workflow.yaml:${message}`);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(existsSync(db), "no store is made").toBe(false);
}

const RULE = "{ source: ti.ip, field: verdict, equals: malicious }";
const HUMAN = '{ entity: account, matches: "^adm-" }';
const RAISES = "    - { reason: low_confidence, below: 0.6 }\n";
const raise = (line: string) => (t: string) => t.replace(RAISES, `${RAISES}    - ${line}\n`);

describe("an invalid regular expression in matches is refused when the workflow loads", () => {
  it("in a decision rule", async () => {
    await refused(
      "regex-rule",
      (t) => t.replace(RULE, '{ source: ti.ip, field: verdict, matches: "mal(icious" }'),
      "61: decision_rules[0].when.all[0].matches: invalid regular expression (Unterminated group)",
    );
  });

  it("in a human-only condition", async () => {
    await refused(
      "regex-human",
      (t) => t.replace(HUMAN, '{ entity: account, matches: "^adm-[" }'),
      "52: negative_playbook.human_only[0].when.any[0].matches: invalid regular expression (Unterminated character class)",
    );
  });

  it("in an approval raise", async () => {
    await refused(
      "regex-raise",
      raise('{ reason: asset_criticality, when: { any: [{ source: idp.signins, field: country, matches: "*NL" }] } }'),
      "44: approval_policy.raise[2].when.any[0].matches: invalid regular expression (Nothing to repeat)",
    );
  });

  it("as the evaluator compiles it: a pattern valid without the u flag is accepted", async () => {
    const suite = variant("regex-ok", (t) => t.replace(HUMAN, '{ entity: account, matches: "^adm-\\\\-{" }'));
    const r = await soceval(["run", suite, "--db", join(dir, "regex-ok.duckdb"), "--quiet"], dir);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("conditions and names that would silently change what a rule decides are refused when the workflow loads", () => {
  it("a condition source no tool reads", async () => {
    await refused(
      "source-typo",
      (t) => t.replace(RULE, "{ source: ti.ipp, field: verdict, equals: malicious }"),
      '61: decision_rules[0].when.all[0].source: no tool reads source "ti.ipp" (sources: idp.signins, ti.ip)',
    );
  });

  it("a condition with no test, which would hold whenever the source was gathered", async () => {
    await refused(
      "no-test",
      (t) => t.replace(RULE, "{ source: ti.ip, field: verdict }"),
      "61: decision_rules[0].when.all[0]: no test: add one of equals, not_equals, in, not_in, gte, lte, contains, matches, exists",
    );
  });

  it("a condition with two subjects, one of which would be ignored", async () => {
    await refused(
      "two-subjects",
      (t) => t.replace(RULE, "{ alert: severity, source: ti.ip, equals: high }"),
      "61: decision_rules[0].when.all[0].source: one subject per condition, not alert and source: source is ignored",
    );
  });

  it("an empty when, which would hold for every case", async () => {
    await refused(
      "when-empty",
      (t) => t.replace('when: { any: [{ entity: account, matches: "^adm-" }] }', "when: {}"),
      "52: negative_playbook.human_only[0].when: no conditions: list at least one under all, any or none",
    );
  });

  it("an alert path the alert does not have", async () => {
    await refused(
      "alert-typo",
      (t) => t.replace(RULE, "{ alert: severty, equals: high }"),
      '61: decision_rules[0].when.all[0].alert: the alert has no field "severty"',
    );
  });

  it("an asset_criticality raise without when, which would never apply", async () => {
    await refused(
      "raise-no-when",
      raise("{ reason: asset_criticality, raise_to: lead }"),
      "44: approval_policy.raise[2].when: asset_criticality raises only when its condition holds",
    );
  });

  it("a cite or target_entity naming nothing the workflow has", async () => {
    await refused(
      "cite-typo",
      (t) => t.replace("cite: [idp.signins]", "cite: [idp.signin]"),
      '70: default_decision.cite[0]: no tool reads source "idp.signin"',
    );
    await refused(
      "target-typo",
      (t) => t.replace("target_entity: account }", "target_entity: acount }"),
      '66: decision_rules[0].actions[0].target_entity: no tool input, catalogue target, playbook step or condition uses entity type "acount"',
    );
  });
});
