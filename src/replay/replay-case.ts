import { crossCheckCase } from "../datasets/checks.js";
import { parseJsonLine } from "../io/jsonl.js";
import { runPlaybook } from "../providers/playbook.js";
import type { Provider, Unusable } from "../providers/types.js";
import { Case } from "../schema/index.js";
import { scoreTranscript } from "../scoring/score.js";
import type { ScoredTranscript } from "../store/encode.js";
import { ToolSandbox } from "../tools/sandbox.js";
import type { LoadedAgent, LoadedSuite } from "../workflow/load.js";
import { investigationSignal } from "./investigation-signal.js";
import type { RateLimiter } from "./rate-limit.js";

/** The error of an investigation a Ctrl-C cut short: no result, and replayed whole by `--resume`. */
export const INTERRUPTED = "interrupted";

/** A model agent's provider and its rate limiter; the playbook agent has neither. */
export type AgentDriver = { provider: Provider; limiter: RateLimiter } | null;

/**
 * One (case, agent, epoch) in shadow mode: a fresh sandbox over the case's evidence, the agent's
 * investigation, then every scorer. An unexpected failure costs this case only, recorded as its error.
 */
export async function replayCase(
  c: Case,
  ls: LoadedSuite,
  agent: LoadedAgent,
  epoch: number,
  driver: AgentDriver,
  /** a Ctrl-C: a model agent's investigation stops at once, its error "interrupted" */
  signal?: AbortSignal,
): Promise<ScoredTranscript> {
  const started = new Date();
  const t0 = performance.now();
  const sandbox = new ToolSandbox(c, ls.workflow, {
    scope: agent.tools,
    faults: ls.suite.faults,
    seed: ls.suite.seed,
    epoch,
  });
  let steps: ScoredTranscript["transcript"]["steps"] = [];
  let output: unknown = null;
  let error: string | null = null;
  let unusable: Unusable | undefined;
  const stop = driver && signal ? investigationSignal(signal) : undefined;
  try {
    // the chat loop (and its prompt templating) loads only for model agents, never in a replay worker
    const r = driver
      ? await (await import("./agent-loop.js")).runChatAgent(
          c,
          ls.workflow,
          agent,
          driver.provider,
          sandbox,
          driver.limiter,
          { epoch, signal: stop?.signal },
        )
      : { ...runPlaybook(c, ls.workflow, agent, sandbox), error: null, unusable: undefined };
    steps = r.steps;
    output = r.output;
    error = r.error;
    unusable = r.unusable;
  } catch (e) {
    error = `internal: ${(e as Error).message}`;
  } finally {
    stop?.done();
  }
  const transcript = { case_id: c.id, agent: agent.name, epoch, steps, output, error };
  const scored = scoreTranscript({
    case: c,
    transcript,
    workflow: ls.workflow,
    agent: { name: agent.name, tools: agent.tools },
  });
  return { case: c, transcript, ...scored, started_at: started, wall_ms: performance.now() - t0, unusable };
}

/**
 * One dataset line as a case this suite can replay, or the input error naming file, line and
 * field (malformed JSON, a schema error, what `dataset validate` refuses beyond the schema, a case
 * labeled for another workflow); null when blank.
 */
export function caseOfLine(ls: LoadedSuite, line: number, text: string): { case: Case } | { error: string } | null {
  const parsed = parseJsonLine(ls.datasetFile, line, text, Case);
  if (!parsed || "error" in parsed) return parsed;
  const c = parsed.value;
  const problems = crossCheckCase(c);
  if (problems.length) return { error: `${ls.datasetFile}:${line}: ${problems[0]}` };
  if (c.workflow !== ls.workflow.id)
    return {
      error: `${ls.datasetFile}:${line}: workflow: case ${c.id} is for workflow "${c.workflow}", the suite replays "${ls.workflow.id}"`,
    };
  return { case: c };
}

export function storedKey(caseId: string, agent: string, epoch: number): string {
  return `${caseId}\u0000${agent}\u0000${epoch}`;
}

/** The agent of a storedKey. */
export function agentOfKey(key: string): string {
  return key.split("\u0000")[1]!;
}
