import { describe, expect, it } from "vitest";
import { editedMini, refusal } from "../../test/helpers/mini-workflow.js";
import { loadWorkflow } from "./load.js";

const IP_STEP = ["  - { tool: get_ip_reputation, input: { ip: ip } }\n", ""] as [string, string];
const TI_TEST = [
  "{ source: ti.ip, field: verdict, equals: malicious }",
  "{ source: idp.signins, field: country, equals: RU }",
] as [string, string];

describe("decision rules read only what the playbook's steps gather", () => {
  it("a condition on a source no step gathers: the playbook agent never sees its records", () => {
    expect(refusal(editedMini(IP_STEP))).toBe(
      ":60: decision_rules[0].when.all[0].source: no playbook step gathers ti.ip (read by get_ip_reputation, which no step calls): " +
        "the playbook agent applies decision rules to what its steps gathered, so this test never sees a record of it; " +
        "add a step, or use a gathered source (idp.signins)",
    );
  });

  it("a cite of a source no step gathers: the rule would cite nothing", () => {
    const file = editedMini(IP_STEP, TI_TEST, ["cite: [idp.signins]", "cite: [ti.ip]"]);
    expect(refusal(file)).toMatch(
      /^:\d+: default_decision\.cite\[0\]: no playbook step gathers ti\.ip .* so this cites nothing;/,
    );
  });

  it("human-only conditions and approval raises are not held to the steps: the scorers judge them on the whole case", () => {
    // with the rule on ti.ip moved to sign-ins, nothing but the (ungathered) ti.ip in insufficient_alone remains
    expect(() => loadWorkflow(editedMini(IP_STEP, TI_TEST))).not.toThrow();
    const humanOnTi = editedMini(IP_STEP, TI_TEST, [
      '{ entity: account, matches: "^adm-" }',
      "{ source: ti.ip, field: verdict, equals: malicious }",
    ]);
    expect(() => loadWorkflow(humanOnTi)).not.toThrow();
  });
});

describe("a rule's action is aimed at what the catalogue says it applies to", () => {
  it("a target_entity other than the action's catalogued target", () => {
    const file = editedMini([
      "{ action: revoke_sessions, target_entity: account }",
      "{ action: revoke_sessions, target_entity: ip }",
    ]);
    expect(refusal(file)).toBe(
      ":66: decision_rules[0].actions[0].target_entity: revoke_sessions applies to account entities (actions[1].target, line 37): this rule would recommend it on the alert's ip",
    );
  });

  it("an action the catalogue gives no target may be aimed anywhere", () => {
    const file = editedMini([
      "{ action: revoke_sessions, target_entity: account }",
      "{ action: add_case_note, target_entity: ip }",
    ]);
    expect(() => loadWorkflow(file)).not.toThrow();
  });
});

describe("a rule that closes cases cites what it rests on", () => {
  it("a default decision closing without escalation and citing nothing: every case it closes is an unsupported suppression", () => {
    expect(refusal(editedMini(["cite: [idp.signins]", "cite: []"]))).toBe(
      ":70: default_decision.cite: this rule closes cases as benign_positive without escalating but cites nothing (no cite, no source test under all or any): every case it closes would be an unsupported_suppression finding; list the sources it rests on under cite",
    );
  });

  it("escalating, or a source test under all or any, is enough", () => {
    expect(() =>
      loadWorkflow(
        editedMini(
          ["cite: [idp.signins]", "cite: []"],
          ["  escalate: false\n  confidence: 0.6", "  escalate: true\n  confidence: 0.6"],
        ),
      ),
    ).not.toThrow();
    // the TP rule tests sources: made a closing rule with no cite, its matched records are cited
    const closing = editedMini([
      "    verdict: true_positive\n    escalate: true",
      "    verdict: false_positive\n    escalate: false",
    ]);
    expect(() => loadWorkflow(closing)).not.toThrow();
  });
});
