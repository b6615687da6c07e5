import { InputError, RuntimeFailure } from "../io/errors.js";
import { CREDIT_SPENT } from "../providers/errors.js";
import { changedOf, recordingsFileOf } from "../providers/replay.js";
import type { Unusable } from "../providers/types.js";

/** A fresh run stopped because its model was never reachable: removed whole, exit 3. */
export class ProviderUnreachable extends RuntimeFailure {}

/** A fresh run stopped because its replay agent matched none of its recordings: removed whole, exit 2. */
export class RecordingsMissed extends InputError {}

/**
 * Why a run stops when an agent's first `n` cases all found its model unusable, and what to do:
 * a wrong address or key is the model side (exit 3); a replay agent that matches none of its
 * recordings is its own configuration (exit 2). `resumeId` null: a fresh run, which stores nothing.
 */
export function unusableStop(
  why: Unusable,
  agent: string,
  n: number,
  error: string | null,
  resumeId: string | null,
  suiteFile: string,
): ProviderUnreachable | RecordingsMissed {
  const first = (all: string) => (n === 1 ? "its first case" : `the first ${n} cases ${all}`);
  if (why === "not recorded") {
    const file = recordingsFileOf(error ?? "") ?? "its recordings file";
    // the first case's request against its recorded one: the part that changed, where the file can tell
    const changed = changedOf(error ?? "");
    return new RecordingsMissed(
      `agent "${agent}" has no recorded answer for its requests: ${first("all")} found none in ${file}, so its ` +
        "requests are not the recorded ones (the prompt template, tools, model, temperature or max_tokens changed " +
        `since they were recorded${changed ? `; in the first case, what changed: ${changed}` : ""}). ` +
        `${resumeId === null ? "Nothing was stored. " : `Run ${resumeId} is kept. `}` +
        `Record them with the live agent (soceval run ${suiteFile} --agent <live agent> --record ${file}), ` +
        "commit the recordings and run this again",
    );
  }
  const refused = why === "refused";
  const fix = error?.includes(CREDIT_SPENT)
    ? "add credit or raise the account's quota (or name another account's key in api_key_env)"
    : "check the API key (api_key_env), the model name and the address";
  return new ProviderUnreachable(
    (refused
      ? `agent "${agent}" cannot use its model: ${n === 1 ? "its first case was" : `the first ${n} cases were all`} refused by the server `
      : `agent "${agent}" cannot reach its model: ${first("all")} failed to connect `) +
      `(${error}). ` +
      (resumeId === null
        ? `Nothing was stored; ${refused ? fix : "start the server or fix its address"}, then run again`
        : `Run ${resumeId} is kept; once the model answers, continue it with --resume --retry-failed`),
  );
}
