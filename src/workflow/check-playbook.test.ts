import { describe, expect, it } from "vitest";
import { editedMini, refusal } from "../../test/helpers/mini-workflow.js";
import { loadWorkflow } from "./load.js";

const SIGNINS = "  - { tool: get_signins, required: true, input: { user: account } }";
const IP = "  - { tool: get_ip_reputation, input: { ip: ip } }";

describe("a playbook step is a call the sandbox would answer", () => {
  it("a respond tool is refused: shadow mode never executes it", () => {
    const file = editedMini([SIGNINS, "  - { tool: disable_account, required: true, input: { user: account } }"]);
    expect(refusal(file)).toBe(
      ":54: playbook[0].tool: disable_account is a respond tool: shadow mode never executes it, so this step would be denied on every case",
    );
  });

  it("an input the tool does not take, listing what it does take", () => {
    const file = editedMini([SIGNINS, "  - { tool: get_signins, required: true, input: { usr: account } }"]);
    expect(refusal(file)).toBe(':54: playbook[0].input.usr: get_signins has no parameter "usr" (it has: user, since)');
  });

  it("an entity type no part of the workflow uses: a typo that would leave the input out on every case", () => {
    const file = editedMini([IP, "  - { tool: get_ip_reputation, input: { ip: ipp } }"]);
    expect(refusal(file)).toBe(
      ':55: playbook[1].input.ip: "ipp" is neither a literal ("=ipp") nor an entity type this workflow uses (account, ip)',
    );
  });

  it("an entity type named anywhere in the workflow is accepted: a condition's entity, an action's target", () => {
    // "host" appears only in the human-only condition
    const inCondition = editedMini(
      ['{ entity: account, matches: "^adm-" }', '{ entity: host, matches: "^dc-" }'],
      [IP, "  - { tool: get_ip_reputation, input: { ip: host } }"],
    );
    expect(() => loadWorkflow(inCondition)).not.toThrow();
    // "src_ip" appears only as a catalogue action's target
    const asTarget = editedMini(
      ["reversible: true, target: account }", "reversible: true, target: src_ip }"],
      ["{ action: revoke_sessions, target_entity: account }", "{ action: revoke_sessions, target_entity: src_ip }"],
      [IP, "  - { tool: get_ip_reputation, input: { ip: src_ip } }"],
    );
    expect(() => loadWorkflow(asTarget)).not.toThrow();
  });

  it("a literal is accepted, whatever its text; an empty one is refused for a required parameter", () => {
    expect(() =>
      loadWorkflow(editedMini([IP, '  - { tool: get_ip_reputation, input: { ip: "=192.0.2.7" } }'])),
    ).not.toThrow();
    const empty = editedMini([SIGNINS, '  - { tool: get_signins, required: true, input: { user: "=" } }']);
    expect(refusal(empty)).toBe(
      ':54: playbook[0].input.user: "=" passes an empty value, and get_signins requires "user"',
    );
  });

  it("a literal time bound the sandbox cannot read is refused; an ISO-8601 one is accepted", () => {
    const since = (v: string) =>
      editedMini([SIGNINS, `  - { tool: get_signins, required: true, input: { user: account, since: "${v}" } }`]);
    expect(() => loadWorkflow(since("=2026-01-01"))).not.toThrow();
    expect(() => loadWorkflow(since("=2026-01-01 08:00:00"))).not.toThrow();
    expect(refusal(since("=-24h"))).toBe(
      ':54: playbook[0].input.since: "-24h" is not an ISO-8601 time (e.g. "=2026-03-01T00:00:00Z"): the sandbox would refuse every call, as a query API refuses a bound it cannot read',
    );
  });

  it("a required parameter the step does not give", () => {
    const other = editedMini([SIGNINS, '  - { tool: get_signins, required: true, input: { since: "=2026-01-01" } }']);
    expect(refusal(other)).toBe(
      ':54: playbook[0].input: get_signins requires "user", which this step does not give: the sandbox would refuse every call',
    );
    // no input at all: the step's own line
    const none = editedMini([SIGNINS, "  - { tool: get_signins, required: true }"]);
    expect(refusal(none)).toBe(
      ':54: playbook[0].input: get_signins requires "user", which this step does not give: the sandbox would refuse every call',
    );
  });

  it("a number parameter: a playbook input is always text, which the sandbox refuses for a number", () => {
    const file = editedMini(
      [
        "      ip: { description: IPv4 address, entity: ip }",
        "      ip: { description: IPv4 address, entity: ip }\n      days: { type: number, description: look-back }",
      ],
      [IP, '  - { tool: get_ip_reputation, input: { ip: ip, days: "=7" } }'],
    );
    expect(refusal(file)).toBe(
      ':56: playbook[1].input.days: get_ip_reputation\'s "days" is a number, but the playbook passes every input as text: the sandbox would refuse the call',
    );
  });

  it("a step with an unknown tool is still reported as one", () => {
    const file = editedMini([IP, "  - { tool: get_ip_reputaton, input: { ipp: ip } }"]);
    expect(refusal(file)).toBe(
      ':55: playbook[1].tool: unknown tool "get_ip_reputaton" (tools: get_signins, get_ip_reputation, disable_account)',
    );
    // the evidence source's name where its tool's belongs
    const bySource = editedMini([IP, "  - { tool: ti.ip, input: { ip: ip } }"]);
    expect(refusal(bySource)).toBe(
      ':55: playbook[1].tool: unknown tool "ti.ip": that is the evidence source get_ip_reputation reads',
    );
  });
});
