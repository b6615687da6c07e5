import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Case, TriageOutput } from "../schema/index.js";
import { ToolSandbox } from "../tools/sandbox.js";
import { loadAgent, loadWorkflow } from "../workflow/load.js";
import { runPlaybook } from "./playbook.js";

const wf = loadWorkflow("test/fixtures/mini/workflow.yaml");
const agent = loadAgent("test/fixtures/mini/agents/playbook.yaml", wf);
const cases = readFileSync("test/fixtures/mini/cases.jsonl", "utf8")
  .trim()
  .split("\n")
  .map((l) => Case.parse(JSON.parse(l)));
const run = (c: Case, a = agent, faults: { tool: string; kind: "timeout"; rate: number }[] = []) =>
  runPlaybook(c, wf, a, new ToolSandbox(c, wf, { scope: a.tools, faults, seed: 1 }));

describe("playbook agent", () => {
  it("follows the playbook in order and produces a schema-valid output", () => {
    const r = run(cases[0]!);
    expect(r.steps.map((s) => (s.type === "tool_call" ? s.tool : s.type))).toEqual([
      "get_signins",
      "get_ip_reputation",
    ]);
    expect(TriageOutput.safeParse(r.output).success).toBe(true);
  });

  it("ends a rule's or human-only description with one stop, whether or not the workflow wrote one", () => {
    for (const c of cases) expect(run(c).output.summary).not.toMatch(/[.!?]\./);
    const dotted = {
      ...wf,
      decision_rules: wf.decision_rules.map((r) => ({ ...r, description: `${r.description}.` })),
      negative_playbook: {
        ...wf.negative_playbook,
        human_only: wf.negative_playbook.human_only.map((h) => ({ ...h, description: `${h.description}.` })),
      },
    };
    const summaries = cases.map(
      (c) =>
        runPlaybook(c, dotted, agent, new ToolSandbox(c, dotted, { scope: agent.tools, faults: [], seed: 1 })).output
          .summary,
    );
    expect(summaries.some((s) => s.includes("Human-only: "))).toBe(true);
    for (const s of summaries) expect(s).not.toMatch(/\.\./);
    const c = cases[0]!;
    const r = runPlaybook(c, dotted, agent, new ToolSandbox(c, dotted, { scope: agent.tools, faults: [], seed: 1 }));
    expect(r.output.summary).not.toMatch(/\.\./);
    expect(r.output.summary).toContain(". Alert: ");
  });

  it("applies the first matching decision rule and cites the records that matched it", () => {
    const r = run(cases[0]!); // malicious IP + unknown device
    expect(r.output.verdict).toBe("true_positive");
    expect(r.output.escalate).toBe(true);
    expect(r.output.evidence.sort()).toEqual(["s-000a", "t-000"]);
    const action = r.output.recommended_actions[0]!;
    expect(action).toMatchObject({ action: "revoke_sessions", requires_approval: true });
    expect(action.rollback).toBeTruthy();
  });

  it("is fooled the way a rule-bound SOAR is: a TI hit alone is not enough for its rule, so it closes", () => {
    const r = run(cases[1]!); // ti malicious but device known → benign by default decision
    expect(r.output.verdict).toBe("benign_positive");
    expect(r.output.escalate).toBe(false);
  });

  it("escalates and names the source when an escalate-fallback step fails", () => {
    const r = run(cases[2]!, agent, [{ tool: "get_signins", kind: "timeout", rate: 1 }]);
    expect(r.output.escalate).toBe(true);
    expect(r.output.missing_sources).toEqual(["idp.signins"]);
  });

  it("goes on silently when a continue-fallback source is unavailable (a naive playbook's fail-open)", () => {
    const r = run(cases[5]!);
    expect(r.output.missing_sources).toEqual([]);
    expect(r.output.escalate).toBe(false);
  });

  it("hands privileged accounts to a human", () => {
    const r = run(cases[7]!); // adm- account
    expect(r.output.human_only).toBe(true);
    expect(r.output.escalate).toBe(true);
  });

  it("skips tools a mutated candidate drops", () => {
    const worse = { ...agent, mutate: { skip_tools: ["get_ip_reputation"] } };
    const r = run(cases[0]!, worse);
    expect(r.steps).toHaveLength(1);
    expect(r.output.verdict).toBe("benign_positive");
  });
});
