import { describe, expect, it } from "vitest";
import { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { ToolSandbox, toolResultContent } from "./sandbox.js";

// the bundled identity workflow: get_password_resets reads idp.audit, where temporary access passes are
const wf = loadWorkflow("suites/identity-suspicious-login/workflow.yaml");
const user = "alice@corp.example";
const audit = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  source: "idp.audit",
  time: "2026-03-01T08:00:00Z",
  entities: [{ type: "account", value: user }],
  data: { event: "temporary_access_pass_issued", pass: "Tap-8842-xQ" },
  ...extra,
});
const c = Case.parse({
  id: "tr-1",
  workflow: "identity-suspicious-login",
  alert: { title: "t", rule: "r", source: "entra", severity: "low", time: "2026-03-01T08:00:00Z" },
  evidence: [audit("tap", { sensitivity: "secret" }), audit("plain")],
});

describe("a tool result as the model reads it", () => {
  it("carries a record's sensitivity, which the prompts tell the agent to respect; a record without one is unchanged", () => {
    const a = new ToolSandbox(c, wf, { scope: "all", faults: [], seed: 1 }).call("get_password_resets", {
      account: user,
    });
    const records = JSON.parse(toolResultContent(a)).records as Record<string, unknown>[];
    expect(records.map((r) => [r.id, r.sensitivity])).toEqual([
      ["tap", "secret"],
      ["plain", undefined],
    ]);
    expect(Object.keys(records[1]!)).toEqual(["id", "source", "time", "entities", "data"]);
  });
});
