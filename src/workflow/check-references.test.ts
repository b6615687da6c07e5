import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertPathProblem } from "./check-references.js";
import { loadWorkflow } from "./load.js";

// the mini fixture, edited one mistake at a time; each must be refused as file:line: field: message
const MINI = readFileSync("test/fixtures/mini/workflow.yaml", "utf8");
const dir = mkdtempSync(join(tmpdir(), "soceval-check-refs-"));
let n = 0;

function load(edit: (text: string) => string): () => unknown {
  const text = edit(MINI);
  expect(text).not.toBe(MINI);
  const file = join(dir, `w${n++}.yaml`);
  writeFileSync(file, text);
  return () => loadWorkflow(file);
}

const COND = "{ source: ti.ip, field: verdict, equals: malicious }"; // line 61: decision_rules[0].when.all[0]
const AT = "61: decision_rules[0].when.all[0]";
const cond = (c: string) => (t: string) => t.replace(COND, c);
const RAISES = "    - { reason: low_confidence, below: 0.6 }\n"; // line 43: approval_policy.raise[1]
const raise = (line: string) => (t: string) => t.replace(RAISES, `${RAISES}    - ${line}\n`);
const refuses = (edit: (t: string) => string, message: string) => expect(load(edit)).toThrow(`.yaml:${message}`);

describe("conditions: one subject and a test, nothing ignored", () => {
  it.each([
    ["{}", `${AT}: an empty condition: give a subject (source, alert or entity) and a test, or sensitivity`],
    ["{ field: verdict, equals: malicious }", `${AT}: no subject: a condition tests one of source, alert or entity`],
    [
      "{ alert: severity, source: ti.ip, field: verdict, equals: high }",
      `${AT}.source: one subject per condition, not alert and source: source is ignored (use two conditions)`,
    ],
    ["{ entity: ip, source: ti.ip, equals: x }", `${AT}.source: one subject per condition, not entity and source`],
    [
      "{ alert: severity, field: x, equals: high }",
      `${AT}.field: field is read only with source and is ignored with alert`,
    ],
    ["{ entity: ip, field: x, equals: y }", `${AT}.field: field is read only with source and is ignored with entity`],
    [
      "{ source: ti.ip, field: verdict }",
      `${AT}: no test: add one of equals, not_equals, in, not_in, gte, lte, contains, matches, exists (without one it holds whenever a record of ti.ip was gathered, whatever its field)`,
    ],
    [
      "{ alert: severity }",
      `${AT}: no test: add one of equals, not_equals, in, not_in, gte, lte, contains, matches, exists (without one it always holds)`,
    ],
    ["{ entity: ip }", `${AT}: no test: add one of`],
    ["{ source: ti.ip }", `${AT}: no test: add one of`],
    ["{ missing: true }", `${AT}.missing: missing needs the source it is about (source: …)`],
    [
      "{ source: ti.ip, field: verdict, missing: true }",
      `${AT}.field: a missing test reads only source; field is ignored`,
    ],
    [
      "{ source: ti.ip, missing: true, equals: x }",
      `${AT}.equals: a missing test reads only source; equals is ignored`,
    ],
    [
      "{ source: ti.ip, sensitivity: secret }",
      `${AT}.source: a sensitivity test looks at every gathered record and takes nothing else; source is ignored`,
    ],
    [
      "{ source: ti.ip, exists: true, equals: malicious }",
      `${AT}.equals: exists without field tests only whether a record of ti.ip was gathered; equals is ignored (add field)`,
    ],
    ["{ source: ti.ip, field: verdict, in: [] }", `${AT}.in: an empty in list never matches: list at least one value`],
  ])("refuses %s", (c, message) => refuses(cond(c), message));

  it.each([
    "{ source: ti.ip, missing: true }",
    "{ source: ti.ip, missing: false }",
    "{ sensitivity: confidential }",
    "{ source: ti.ip, exists: false }",
    "{ source: ti.ip, field: verdict, exists: true }",
    "{ entity: ip, exists: false }",
    '{ entity: ip, matches: "^203\\\\." }',
    "{ alert: severity, in: [high, critical] }",
    "{ alert: raw.any.path.below, contains: x }",
    "{ alert: entities.0.type, equals: account }",
    "{ alert: entities, contains: adm- }",
    "{ source: ti.ip, field: verdict, not_in: [] }",
  ])("accepts %s", (c) => {
    expect(load(cond(c))).not.toThrow();
  });

  it("refuses a when that holds for every case; an empty list beside a real one, or any: [] (a rule switched off), is fine", () => {
    const always =
      "no conditions: list at least one under all, any or none (a when without one holds for every case; `any: []` switches a rule off)";
    refuses((t) => t.replace(/when:\n {6}all:\n.*\n.*\n/, "when: {}\n"), `59: decision_rules[0].when: ${always}`);
    refuses(
      (t) => t.replace('when: { any: [{ entity: account, matches: "^adm-" }] }', "when: { all: [], none: [] }"),
      `52: negative_playbook.human_only[0].when: ${always}`,
    );
    expect(load((t) => t.replace("      all:\n", "      any: []\n      none: []\n      all:\n"))).not.toThrow();
    expect(
      load((t) => t.replace('when: { any: [{ entity: account, matches: "^adm-" }] }', "when: { any: [] }")),
    ).not.toThrow();
  });
});

describe("approval raises: what each reason reads", () => {
  it.each([
    [
      "{ reason: asset_criticality, raise_to: lead }",
      "44: approval_policy.raise[2].when: asset_criticality raises only when its condition holds: add when (all/any/none), or the raise never applies",
    ],
    [
      "{ reason: data_sensitivity }",
      "44: approval_policy.raise[2].when: data_sensitivity raises only when its condition holds",
    ],
    [
      "{ reason: asset_criticality, below: 0.5, when: { any: [{ entity: account, matches: ^adm- }] } }",
      "44: approval_policy.raise[2].below: below is ignored for asset_criticality; only low_confidence takes below",
    ],
    [
      "{ reason: irreversible, below: 0.5 }",
      "44: approval_policy.raise[2].below: below is ignored for irreversible; only low_confidence takes below",
    ],
    [
      "{ reason: low_confidence, when: { any: [{ sensitivity: secret }] } }",
      "44: approval_policy.raise[2].when: when is ignored for low_confidence (it compares the confidence with below)",
    ],
    [
      "{ reason: irreversible, when: { any: [{ sensitivity: secret }] } }",
      "44: approval_policy.raise[2].when: when is ignored for irreversible",
    ],
  ])("refuses %s", (r, message) => refuses(raise(r), message));

  it("accepts each reason with what it reads", () => {
    expect(
      load(raise("{ reason: data_sensitivity, when: { any: [{ sensitivity: secret }] }, raise_to: ciso }")),
    ).not.toThrow();
    expect(load(raise("{ reason: low_confidence }"))).not.toThrow();
  });
});

describe("a test an alert field's values can never pass", () => {
  it.each([
    [
      "{ alert: severity, in: [high, p1] }",
      `${AT}.in: alert severity is one of informational, low, medium, high, critical; "p1" is none of them, so it never matches`,
    ],
    [
      "{ alert: severity, not_equals: sev1 }",
      `${AT}.not_equals: alert severity is one of informational, low, medium, high, critical; "sev1" is none of them, so the test always holds`,
    ],
    ["{ alert: title, gte: 3 }", `${AT}.gte: alert title is text: gte compares numbers, so it never holds`],
  ])("refuses %s", (c, message) => refuses(cond(c), message));

  it("accepts the options in any case, and anything below raw", () => {
    expect(load(cond("{ alert: severity, in: [High, CRITICAL] }"))).not.toThrow();
    expect(load(cond("{ alert: raw.score, gte: 3 }"))).not.toThrow();
  });
});

describe("sources, alert paths and entity types a workflow names must exist", () => {
  const SOURCES = "(sources: idp.signins, ti.ip)";
  it("a condition's source must be read by a tool (a respond tool's system is not a source)", () => {
    refuses(
      cond("{ source: ti.ipp, field: verdict, equals: malicious }"),
      `${AT}.source: no tool reads source "ti.ipp" ${SOURCES}`,
    );
    refuses(
      cond("{ source: idp.accounts, exists: true }"),
      `${AT}.source: no tool reads source "idp.accounts" ${SOURCES}`,
    );
    refuses(cond("{ source: ti.iq, missing: true }"), `${AT}.source: no tool reads source "ti.iq"`);
    // a tool's name where its source belongs: the message names the source to write
    refuses(
      cond("{ source: get_ip_reputation, field: verdict, equals: malicious }"),
      `${AT}.source: "get_ip_reputation" is a tool, not an evidence source: name the source it reads, "ti.ip"`,
    );
    refuses(
      (t) => t.replace("cite: [idp.signins]", "cite: [get_signins]"),
      '70: default_decision.cite[0]: "get_signins" is a tool, not an evidence source: name the source it reads, "idp.signins"',
    );
    refuses(
      (t) => t.replace('{ entity: account, matches: "^adm-" }', "{ source: idp.signin, field: x, exists: true }"),
      `52: negative_playbook.human_only[0].when.any[0].source: no tool reads source "idp.signin" ${SOURCES}`,
    );
    refuses(
      raise("{ reason: asset_criticality, when: { none: [{ source: tiip, field: x, equals: y }] } }"),
      `44: approval_policy.raise[2].when.none[0].source: no tool reads source "tiip" ${SOURCES}`,
    );
  });

  it("cite and insufficient_alone name read sources", () => {
    refuses(
      (t) => t.replace("cite: [idp.signins]", "cite: [idp.signins, idp.signin]"),
      `70: default_decision.cite[1]: no tool reads source "idp.signin" ${SOURCES}`,
    );
    refuses(
      (t) =>
        t.replace(
          "    actions: [{ action: revoke_sessions",
          "    cite: [ti_ip]\n    actions: [{ action: revoke_sessions",
        ),
      `66: decision_rules[0].cite[0]: no tool reads source "ti_ip" ${SOURCES}`,
    );
    refuses(
      (t) => t.replace("{ source: ti.ip, reason: a single", "{ source: ti-ip, reason: a single"),
      `48: negative_playbook.insufficient_alone[0].source: no tool reads source "ti-ip" ${SOURCES}`,
    );
  });

  it("an alert path names a field of the alert", () => {
    refuses(
      cond("{ alert: severty, equals: high }"),
      `${AT}.alert: the alert has no field "severty" (fields: title, rule, source, severity, time, entities, description, raw; any path below raw)`,
    );
    expect(alertPathProblem("severity.level")).toBe('severity is a single value and has no field "level"');
    expect(alertPathProblem("entities.type")).toBe(
      "entities is a list: give an index (entities.0.type) or test the list as a whole",
    );
    expect(alertPathProblem("entities.0.typ")).toBe('entities.0 has no field "typ" (fields: type, value)');
    expect(alertPathProblem("")).toContain('the alert has no field ""');
    for (const ok of ["title", "raw", "raw.a.b.c", "entities", "entities.3", "entities.0.value", "description"])
      expect(alertPathProblem(ok), ok).toBeUndefined();
  });

  it("a rule action's target_entity is an entity type the workflow uses elsewhere", () => {
    refuses(
      (t) => t.replace("target_entity: account }", "target_entity: acount }"),
      '66: decision_rules[0].actions[0].target_entity: no tool input, catalogue target, playbook step or condition uses entity type "acount" (entity types: account, ip)',
    );
    // an entity type only a condition tests is still one the workflow uses
    expect(
      load((t) =>
        t
          .replace("target_entity: account }", "target_entity: device }")
          // the catalogue aims revoke_sessions at account: left without a target, it may be aimed anywhere
          .replace("reversible: true, target: account }", "reversible: true }")
          .replace(COND, "{ entity: device, exists: true }"),
      ),
    ).not.toThrow();
  });
});

describe("the bundled workflows and fixtures load unchanged", () => {
  it.each([
    "suites/phishing-triage/workflow.yaml",
    "suites/identity-suspicious-login/workflow.yaml",
    "suites/endpoint-investigation/workflow.yaml",
    "suites/cloud-alert-enrichment/workflow.yaml",
    "test/fixtures/mini/workflow.yaml",
    "test/fixtures/readiness/workflow.yaml",
  ])("%s", (file) => {
    expect(() => loadWorkflow(file)).not.toThrow();
  });
});
