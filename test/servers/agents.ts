import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Alert, Workflow } from "../../src/schema/index.js";
import { type LoadedAgent, loadAgent, loadWorkflow } from "../../src/workflow/load.js";

/** The mini fixture workflow and its model agent, pointed wherever a test needs. */
export const MINI = resolve(import.meta.dirname, "../fixtures/mini");
export const miniWorkflow: Workflow = loadWorkflow(resolve(MINI, "workflow.yaml"));

export const TEST_KEY_ENV = "SOCEVAL_TEST_PROVIDER_KEY";
export const TEST_KEY = "sk-test-loopback-only";
export const testEnv: NodeJS.ProcessEnv = { [TEST_KEY_ENV]: TEST_KEY };

export function testAgent(overrides: Partial<LoadedAgent> = {}): LoadedAgent {
  const base = loadAgent(resolve(MINI, "agents/gpt.yaml"), miniWorkflow);
  return {
    ...base,
    api_key_env: TEST_KEY_ENV,
    params: { temperature: 0, max_tokens: 1000 },
    retries: { max_attempts: 3, base_delay_ms: 5, timeout_ms: 2000 },
    ...overrides,
  };
}

/** Synthetic alert (test data). */
export const testAlert: Alert = {
  title: "Risky sign-in for user0@corp.example",
  rule: "idp-risk",
  source: "idp",
  severity: "medium",
  time: "2026-03-01T10:00:00Z",
  entities: [
    { type: "account", value: "user0@corp.example" },
    { type: "ip", value: "203.0.113.10" },
  ],
  description: "risky sign-in",
};

/** A valid triage output, as a model would submit it. */
export const submitted = {
  verdict: "true_positive",
  confidence: 0.8,
  escalate: true,
  summary: "Sign-in from 203.0.113.10 on an unknown device",
  hypotheses: [{ kind: "malicious", explanation: "new device and bad IP", evidence: ["s-000a"] }],
  recommended_actions: [
    {
      action: "revoke_sessions",
      target: "user0@corp.example",
      requires_approval: true,
      rationale: "contain",
      evidence: ["s-000a"],
      rollback: "sessions can be re-established by the user",
    },
  ],
  evidence: ["s-000a"],
  missing_sources: [],
  human_only: false,
};

/** A closing answer with nothing cited: what a model that finds the sign-in routine submits. */
export const routineClose = {
  verdict: "benign_positive",
  confidence: 0.7,
  escalate: false,
  summary: "Sign-in looks routine.",
  hypotheses: [],
  recommended_actions: [],
  evidence: [],
  missing_sources: [],
  human_only: false,
};

/** Points the mini fixture's gpt-test agent, in a copy of the fixture at `dir`, at a loopback server. */
export function pointGptAt(dir: string, url: string): void {
  const file = join(dir, "agents/gpt.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("http://127.0.0.1:9/v1", url));
}
