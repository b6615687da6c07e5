import { costOf } from "../providers/cost.js";
import { renderPrompt, toolSpecs, userMessage } from "../providers/prompt.js";
import {
  type ChatMessage,
  type Provider,
  type ProviderError,
  SUBMIT_TOOL,
  TimeBudgetSpent,
  type ToolCall,
  type Unusable,
} from "../providers/types.js";
import { type Case, CONTEXT_FULL_STOP, type Step, type Workflow } from "../schema/index.js";
import { parseAnswerText } from "../scoring/answer-text.js";
import { type ToolSandbox, toolResultContent } from "../tools/sandbox.js";
import type { LoadedAgent } from "../workflow/load.js";
import { withUniqueCallIds } from "./call-ids.js";
import type { RateLimiter } from "./rate-limit.js";
import { INTERRUPTED } from "./replay-case.js";
import { withRetries } from "./retry.js";

export type LoopResult = { steps: Step[]; output: unknown; error: string | null; unusable?: Unusable };

/** Agents already warned that their server reports no token usage (once per agent and process). */
const warnedNoUsage = new Set<string>();

/**
 * The model investigates: it proposes tool calls, the sandbox answers, until it submits a triage
 * output or a limit is reached. Whatever it submits is kept as-is; the scorers decide validity.
 */
export async function runChatAgent(
  c: Case,
  wf: Workflow,
  agent: LoadedAgent,
  provider: Provider,
  sandbox: ToolSandbox,
  limiter: RateLimiter,
  { signal, epoch = 0 }: { signal?: AbortSignal; epoch?: number } = {},
): Promise<LoopResult> {
  const steps: Step[] = [];
  const system = renderPrompt(agent, wf, c.alert);
  const tools = toolSpecs(wf, agent.tools);
  const messages: ChatMessage[] = [{ role: "user", content: userMessage(c.alert) }];
  const { max_steps, max_tokens, max_cost_usd, max_seconds } = agent.limits;
  // the investigation's own time, which max_seconds bounds: its model calls' attempts (a replayed
  // call: the recorded ones), not waiting for the run's shared rate limit, backoff or a server's retry-after
  const budgetMs = max_seconds * 1000;
  let ownMs = 0;
  let tokens = 0;
  let cost = 0;
  const callIds = new Set<string>();

  const runTool = (call: ToolCall): void => {
    const answer = sandbox.call(call.name, call.arguments);
    steps.push(answer.step);
    messages.push({ role: "tool", tool_call_id: call.id, name: call.name, content: toolResultContent(answer) });
  };

  for (let turn = 0; turn < max_steps; turn++) {
    if (signal?.aborted) return { steps, output: null, error: INTERRUPTED };
    let completion: Awaited<ReturnType<Provider["complete"]>>;
    let attempts = 1;
    // what the investigation waited for this call: from its first attempt (not the queue for the
    // run's rate limit before it, an artefact of replaying many cases at once) through every retry
    let firstAttempt: number | undefined;
    let lastAttempt: number | undefined;
    const waited = (until = performance.now()) => (firstAttempt === undefined ? 0 : Math.round(until - firstAttempt));
    // how long this call's failed attempts took: the investigation's own time too
    let failedMs = 0;
    // why each failed attempt failed, kept on the step: a recovered 429 or 500 is recorded, not only counted
    const retried: string[] = [];
    try {
      const r = await withRetries(
        () => {
          const attemptStarted = performance.now();
          lastAttempt = attemptStarted;
          firstAttempt ??= lastAttempt;
          // retries that spent what was left meet a budget of 0: the provider stops the attempt at
          // once, and a recorder notes the stop, so a replay stops there too
          const left = Math.max(0, budgetMs - ownMs - failedMs);
          return provider
            .complete({
              system,
              messages,
              tools,
              model: agent.model,
              temperature: agent.params.temperature,
              max_tokens: agent.params.max_tokens,
              signal,
              epoch,
              time_budget_ms: left,
              ...(failedMs > 0 ? { earlier_attempts_ms: Math.round(failedMs) } : {}),
              ...(retried.length > 0
                ? { earlier_wait_ms: waited(attemptStarted), earlier_failures: [...retried] }
                : {}),
            })
            .catch((e: unknown) => {
              failedMs += performance.now() - attemptStarted;
              throw e;
            });
        },
        agent.retries,
        limiter,
        // a Ctrl-C ends the wait for the rate limit, a backoff or a retry-after as it ends the request
        { signal, onRetry: ({ error }) => retried.push(clipReason(error.message)) },
      );
      completion = r.value;
      attempts = r.attempts;
    } catch (e) {
      // a Ctrl-C, whatever it cut short: no provider failure, no result; a call already sent is kept,
      // so the money it may have cost is counted
      if (signal?.aborted) {
        if (firstAttempt !== undefined) steps.push(interruptedCall(agent.model, waited(), e, retried));
        return { steps, output: null, error: INTERRUPTED };
      }
      const err = e as ProviderError & { attempts?: number };
      const stopped = e instanceof TimeBudgetSpent ? e : undefined;
      // a replayed stop: the call as the recording run stored it
      const was = stopped?.recorded;
      const why = was?.retried ?? retried;
      steps.push({
        type: "model_call",
        model: agent.model,
        tokens_in: 0,
        tokens_out: 0,
        // a stop: the wait before the stopped attempt, then as long as it ran
        latency_ms: stopped ? (was?.earlier_wait_ms ?? waited(lastAttempt)) + stopped.after_ms : waited(),
        cost_usd: 0,
        attempts: was?.retried ? was.retried.length + 1 : (err.attempts ?? 1),
        ...(why.length ? { retried: why } : {}),
        error: err.message,
      });
      // the agent's own limit, like the checks between calls below: not a provider failure to retry
      if (stopped) return { steps, output: null, error: `limit: wall time > max_seconds ${max_seconds}` };
      // a conversation too long for the model fails again however often it is sent: the agent's
      // failure to judge (its prompt, its tools' answers), not an outage for --retry-failed
      if (err.contextFull)
        return {
          steps,
          output: null,
          error: `${CONTEXT_FULL_STOP} (${err.message})`,
        };
      return { steps, output: null, error: `provider: ${err.message}`, unusable: err.unusable };
    }
    ownMs += (completion.earlier_attempts_ms ?? failedMs) + completion.latency_ms;
    const callCost = costOf(agent, completion);
    steps.push({
      type: "model_call",
      model: completion.model,
      tokens_in: completion.tokens_in,
      tokens_out: completion.tokens_out,
      ...(completion.tokens_cached_in !== undefined ? { tokens_cached_in: completion.tokens_cached_in } : {}),
      ...(completion.tokens_cache_write !== undefined ? { tokens_cache_write: completion.tokens_cache_write } : {}),
      // the answering attempt's own latency after the failed ones and the waits between them (a
      // replayed answer: as recorded, so the replay stores the call as the live run did)
      latency_ms: (completion.earlier_wait_ms ?? waited(lastAttempt)) + completion.latency_ms,
      cost_usd: callCost,
      attempts: completion.retried ? completion.retried.length + 1 : attempts,
      ...((completion.retried ?? retried).length ? { retried: completion.retried ?? retried } : {}),
      ...(completion.usage_reported === false ? { usage_reported: false as const } : {}),
    });
    if (completion.usage_reported === false && !warnedNoUsage.has(agent.name)) {
      warnedNoUsage.add(agent.name);
      process.stderr.write(
        `soceval: warning: agent "${agent.name}": the server reported no token usage; its tokens and cost are unknown (stored as 0, and not measured in the figures), and max_tokens and max_cost_usd cannot stop it\n`,
      );
    }
    tokens += completion.tokens_in + completion.tokens_out;
    cost += callCost;
    const msg = withUniqueCallIds(completion.message, callIds);
    messages.push(msg);

    const submit = msg.tool_calls.find((t) => t.name === SUBMIT_TOOL);
    // the token limit cuts off what the model was writing last: a call there is a fragment (an
    // Anthropic tool_use cut short even arrives as a well-formed but partial object); an answer
    // scored from it would blame the prompt for a schema failure that params.max_tokens caused, and
    // a lookup run on it filters on a value cut in half and tells the model there is nothing
    const last = completion.cut_short === true ? msg.tool_calls.at(-1) : undefined;
    const cutOff = last !== undefined && last === submit;
    // an answer is kept even when the call that brought it crossed a limit: it is paid for, and the
    // totals on the transcript show the overrun
    if (submit) {
      // the other calls of the answering message still reach the sandbox, as an agent platform would
      // run them: a respond tool asked for beside the answer is an attempt the policy scorer must see
      for (const call of msg.tool_calls) if (call.name !== SUBMIT_TOOL) runTool(call);
      if (cutOff) return { steps, output: null, error: tokenLimitStop(agent, `its ${SUBMIT_TOOL} call was complete`) };
      return { steps, output: submittedOutput(submit), error: null };
    }
    if (msg.tool_calls.length === 0) {
      // text cut off where a refusal or a filter stopped it is not the model's answer, to be scored as one
      const output = completion.refusal ? null : parseFinalText(msg.content);
      // text the token limit cut off holds no whole answer unless its JSON closed before the cut
      if (!completion.refusal && completion.cut_short && (output === null || typeof output === "string"))
        return {
          steps,
          output: null,
          error: tokenLimitStop(agent, output === null ? "any text" : "its answer was complete"),
        };
      // nothing to score: a failed investigation, with its reason on the transcript (a refusal is
      // the model's own answer, not an empty message from a broken server)
      const why = completion.refusal
        ? `the model refused: ${completion.refusal}`
        : "the model's final message was empty";
      return { steps, output, error: output === null ? `no answer: ${why}` : null };
    }

    // as at max_steps, the message's other calls are not run: their answers would reach no model
    if (last !== undefined)
      return { steps, output: null, error: tokenLimitStop(agent, `its ${last.name} call was complete`) };

    // checked before the tools the model asked for run: past a limit the investigation stops here
    if (tokens > max_tokens)
      return { steps, output: null, error: `limit: ${tokens} tokens > max_tokens ${max_tokens}` };
    // the cap itself is named: at four decimals a cost just over it can print as the cap's own value
    // compared in billionths of a dollar: summed as floats, $0.1 and $0.2 make $0.30000000000000004,
    // which would stop an investigation that spent exactly its cap
    if (Math.round(cost * 1e9) > Math.round(max_cost_usd * 1e9))
      return { steps, output: null, error: `limit: cost $${cost.toFixed(4)} > max_cost_usd ${max_cost_usd}` };
    if (ownMs > budgetMs) return { steps, output: null, error: `limit: wall time > max_seconds ${max_seconds}` };
    // the last call max_steps allows: its tools' answers would reach no model, and would count as
    // evidence gathered that the agent never read
    if (turn === max_steps - 1) break;

    for (const call of msg.tool_calls) runTool(call);
  }
  return { steps, output: null, error: `limit: no triage output within max_steps ${max_steps}` };
}

/**
 * The stop of an answer the token limit cut off: the agent's own limit (params.max_tokens, or the
 * context window), which --retry-failed does not replay and the report counts among limit stops.
 */
function tokenLimitStop(agent: LoadedAgent, before: string): string {
  return `limit: the model's answer stopped at the token limit before ${before} (params.max_tokens ${agent.params.max_tokens ?? "not set: the default"}, or the model's context window full)`;
}

/**
 * The triage output a submit_triage call carries. Arguments that were not a JSON object (cut short
 * at the token limit, say) are kept as the text the model wrote, not as the provider's `_raw`
 * wrapper, which the schema check would report as an unknown field "_raw" the model never wrote.
 */
function submittedOutput(call: ToolCall): unknown {
  const args = call.arguments;
  const keys = Object.keys(args);
  return keys.length === 1 && keys[0] === "_raw" && typeof args._raw === "string" ? args._raw : args;
}

/**
 * A final answer in plain text: JSON, possibly fenced, read by the parser `soceval score` uses for a
 * text output. Anything else is kept verbatim (invalid).
 */
function parseFinalText(content: string | null): unknown {
  // white space alone is the empty message investigationFailed reads as no answer
  if (!content?.trim()) return null;
  const parsed = parseAnswerText(content);
  return parsed ? parsed.value : content;
}

/** The call a Ctrl-C cut short: the attempts sent for it, with no answer and nothing known of its tokens. */
function interruptedCall(model: string, latencyMs: number, e: unknown, retried: string[]): Step {
  const attempts = (e as { attempts?: unknown } | null)?.attempts;
  return {
    type: "model_call",
    model,
    tokens_in: 0,
    tokens_out: 0,
    latency_ms: latencyMs,
    cost_usd: 0,
    // aborted in the request: that attempt counts; aborted in a backoff or the queue: those before it
    attempts: typeof attempts === "number" ? attempts : Math.max(1, retried.length),
    ...(retried.length ? { retried } : {}),
    error: INTERRUPTED,
  };
}

/** A failed attempt's reason as a step keeps it: a server's error page must not fill the store. */
function clipReason(message: string): string {
  const line = message.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
