/**
 * A transcript's steps, rebuilt from `tool_calls` and `model_calls` (each row keeps its `step`
 * position): the steps are stored once, as rows users can query, and never again as a JSON copy.
 * json_merge_patch drops NULL fields, so a rebuilt step is exactly the transcript format's step.
 */
const TOOL_STEP = `json_merge_patch('{}', json_object('type', 'tool_call', 'tool', tool, 'input', input,
  'status', status, 'evidence_ids', evidence_ids, 'latency_ms', latency_ms, 'scope', scope, 'time', time,
  'note', note, 'audit_event', audit_event))`;
const MODEL_STEP = `json_merge_patch('{}', json_object('type', 'model_call', 'model', model,
  'tokens_in', tokens_in, 'tokens_out', tokens_out, 'latency_ms', latency_ms, 'cost_usd', cost_usd,
  'attempts', attempts, 'error', error, 'tokens_cached_in', tokens_cached_in,
  'tokens_cache_write', tokens_cache_write, 'retried', retried, 'usage_reported', usage_reported))`;

/**
 * `(run_id, case_id, agent, epoch, steps JSON)` per transcript with at least one step, for the
 * tool and model calls that satisfy `where` (SQL over their own columns; bind its parameters twice).
 */
export function stepsQuery(where = "true"): string {
  return `SELECT run_id, case_id, agent, epoch, to_json(list(s ORDER BY step)) AS steps FROM (
    SELECT run_id, case_id, agent, epoch, step, ${TOOL_STEP} AS s FROM tool_calls WHERE ${where}
    UNION ALL
    SELECT run_id, case_id, agent, epoch, step, ${MODEL_STEP} AS s FROM model_calls WHERE ${where}
  ) GROUP BY run_id, case_id, agent, epoch`;
}

/** The view users query for whole transcripts' steps. */
export const TRANSCRIPT_STEPS_VIEW = `CREATE OR REPLACE VIEW transcript_steps AS ${stepsQuery()}`;
