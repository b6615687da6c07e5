import { describe, expect, it } from "vitest";
import { editedMini, refusal } from "../../test/helpers/mini-workflow.js";
import { loadWorkflow } from "./load.js";

describe("a workflow that contradicts itself is refused when it loads", () => {
  it("a riskier action needing less approval than a safer one", () => {
    const file = editedMini([
      "by_risk: { low: none, medium: analyst, high: lead }",
      "by_risk: { low: lead, medium: lead, high: analyst }",
    ]);
    expect(refusal(file)).toBe(
      ":40: approval_policy.by_risk.high: high risk needs analyst, less approval than medium risk (lead): a riskier action may not need less",
    );
    // equal levels are a policy, not a contradiction
    expect(() => loadWorkflow(editedMini(["high: lead }", "high: analyst }"]))).not.toThrow();
  });

  it("a raise to none, which can never raise anything", () => {
    const file = editedMini(["{ reason: irreversible, raise_to: ciso }", "{ reason: irreversible, raise_to: none }"]);
    expect(refusal(file)).toBe(
      ":42: approval_policy.raise[0].raise_to: raise_to none never raises anything (none is the lowest approval): name the approval irreversible should require, or leave raise_to out for one level up",
    );
  });

  it("an action carried out by a read tool: every call the playbook makes to it would count as carrying the action out", () => {
    const file = editedMini(["tool: disable_account, target: account", "tool: get_signins, target: account"]);
    expect(refusal(file)).toBe(
      ":38: actions[2].tool: get_signins is a read tool: an action's tool is the respond tool that would carry it out (scope: respond), or leave tool out",
    );
  });

  it("a tool parameter filtered by an entity and by time: the sandbox reads only the entity", () => {
    const file = editedMini([
      "since: { description: earliest time, time: since }",
      "since: { description: earliest time, time: since, entity: account }",
    ]);
    expect(refusal(file)).toBe(
      ":14: tools[0].input.since.time: a parameter filters by entity or by time, not both: the sandbox would match its value against account entities and ignore time (declare two parameters)",
    );
  });

  it("a tool slower than its own timeout: every real call would time out", () => {
    expect(refusal(editedMini(["latency_ms: 150", "latency_ms: 4000"]))).toBe(
      ":16: tools[0].latency_ms: 4000 ms is longer than timeout_ms (3000 ms): every real call would time out; raise timeout_ms or lower latency_ms",
    );
    // against the default timeout (5000 ms) when the tool gives none
    expect(refusal(editedMini(["latency_ms: 80", "latency_ms: 9000"]))).toMatch(
      /tools\[1\]\.latency_ms: 9000 ms is longer than timeout_ms \(5000 ms\)/,
    );
  });
});

describe("a rule recommends only catalogued actions", () => {
  it("a forbidden action is named as forbidden, with its line; any other unknown one with the catalogue", () => {
    const forbidden = editedMini([
      "{ action: revoke_sessions, target_entity: account }",
      "{ action: delete_account, target_entity: account }",
    ]);
    expect(refusal(forbidden)).toBe(
      ':66: decision_rules[0].actions[0].action: "delete_account" is a forbidden action (negative_playbook.forbidden_actions[0], line 46): a rule may only recommend catalogued actions',
    );
    const typo = editedMini([
      "{ action: revoke_sessions, target_entity: account }",
      "{ action: revoke_session, target_entity: account }",
    ]);
    expect(refusal(typo)).toBe(
      ':66: decision_rules[0].actions[0].action: unknown action "revoke_session" (catalogued: add_case_note, revoke_sessions, disable_account)',
    );
  });
});
