/**
 * The DuckDB tables. Column names are a public contract: users query them by name, and
 * `case_results` mirrors the CaseResult zod schema column for column.
 */
export type ColumnType = "VARCHAR" | "VARCHAR[]" | "JSON" | "INTEGER" | "BIGINT" | "DOUBLE" | "BOOLEAN" | "TIMESTAMP";
/**
 * `key` is a PRIMARY KEY. Per-case tables declare `unique` instead: DuckDB re-serialises every
 * primary-key index at each checkpoint, which made storing a run quadratic in its size; the run
 * writer checks these keys once, when the run finishes (RunWriter.finish).
 */
export type Table = { name: string; columns: [string, ColumnType][]; key?: string[]; unique?: string[] };

const KEY: [string, ColumnType][] = [
  ["run_id", "VARCHAR"],
  ["case_id", "VARCHAR"],
  ["agent", "VARCHAR"],
  ["epoch", "INTEGER"],
];

const MODEL_CALL_COLUMNS: [string, ColumnType][] = [
  ...KEY,
  ["seq", "INTEGER"],
  ["step", "INTEGER"],
  ["model", "VARCHAR"],
  ["tokens_in", "BIGINT"],
  ["tokens_out", "BIGINT"],
  ["latency_ms", "DOUBLE"],
  ["cost_usd", "DOUBLE"],
  ["attempts", "INTEGER"],
  ["error", "VARCHAR"],
  // last, so older stores can add them: of tokens_in, those read from / written to the prompt cache
  ["tokens_cached_in", "BIGINT"],
  ["tokens_cache_write", "BIGINT"],
  // why the attempts before the last failed: a recovered provider error is recorded, not only counted
  ["retried", "VARCHAR[]"],
  // false when the server's answer carried no token usage: the call's 0 tokens and $0 are unknown
  ["usage_reported", "BOOLEAN"],
];

export const TABLES: Table[] = [
  {
    name: "runs",
    columns: [
      ["run_id", "VARCHAR"],
      ["suite", "VARCHAR"],
      ["suite_path", "VARCHAR"],
      ["workflow", "VARCHAR"],
      ["workflow_version", "VARCHAR"],
      ["dataset", "VARCHAR"],
      ["dataset_hash", "VARCHAR"],
      ["agents", "VARCHAR[]"],
      ["agent_hashes", "JSON"],
      ["git_revision", "VARCHAR"],
      ["seed", "INTEGER"],
      ["epochs", "INTEGER"],
      ["shard", "VARCHAR"],
      ["kind", "VARCHAR"], // replay (soceval run) or imported (soceval score)
      ["started_at", "TIMESTAMP"],
      ["finished_at", "TIMESTAMP"],
      ["status", "VARCHAR"], // running | finished | interrupted | failed
      ["cases_total", "INTEGER"],
      // a run made by `soceval runs merge`: [{shard, run_id, file}] of the shard runs it holds; last,
      // so older stores can add it
      ["merged_from", "JSON"],
      // what else decides which cases replay and how (the suite's faults, --limit): a resume must match
      ["replay_config", "JSON"],
      // the exit criteria per phase when the run was made (the suite's, defaults elsewhere), so a
      // report judges it by the bar it was run against even after the suite file changes
      ["exit_criteria", "JSON"],
      // each `soceval rescore` of the run: [{at, git_revision, findings_removed, findings_added, findings_reworded,
      // results_changed}], so a number can be traced to the scorers that produced it
      ["rescores", "JSON"],
      // the gate rules in force when the run was made (the suite's gate block, or the defaults), so a
      // gate against it as a baseline can say when a change loosens them (gate/loosened.ts)
      ["gate_rules", "JSON"],
    ],
    key: ["run_id"],
  },
  {
    name: "run_agents",
    columns: [
      ["run_id", "VARCHAR"],
      ["agent", "VARCHAR"],
      ["agent_hash", "VARCHAR"],
      ["provider", "VARCHAR"],
      ["model", "VARCHAR"],
      ["config", "JSON"],
    ],
    key: ["run_id", "agent"],
  },
  {
    name: "cases",
    columns: [
      ["run_id", "VARCHAR"],
      ["case_id", "VARCHAR"],
      ["workflow", "VARCHAR"],
      ["incident_id", "VARCHAR"],
      ["tags", "VARCHAR[]"],
      ["alert", "JSON"],
      ["label", "JSON"],
      ["unavailable", "VARCHAR[]"],
      ["evidence_sources", "VARCHAR[]"],
    ],
    unique: ["run_id", "case_id"],
  },
  {
    name: "transcripts",
    columns: [...KEY, ["output", "JSON"], ["error", "VARCHAR"], ["started_at", "TIMESTAMP"], ["wall_ms", "DOUBLE"]],
    unique: ["run_id", "case_id", "agent", "epoch"],
  },
  {
    name: "tool_calls",
    columns: [
      ...KEY,
      ["seq", "INTEGER"], // nth tool call of the transcript
      ["step", "INTEGER"], // position among all its steps (tool and model calls)
      ["tool", "VARCHAR"],
      ["source", "VARCHAR"],
      ["scope", "VARCHAR"],
      ["input", "JSON"],
      ["status", "VARCHAR"],
      ["evidence_ids", "VARCHAR[]"],
      ["latency_ms", "DOUBLE"],
      ["time", "VARCHAR"],
      ["note", "VARCHAR"],
      ["audit_event", "VARCHAR"],
    ],
  },
  {
    name: "model_calls",
    columns: MODEL_CALL_COLUMNS,
  },
  {
    // model calls of investigations `run --resume --retry-failed` replayed, or a Ctrl-C cut short: the
    // money was spent, so the run's cost keeps them, apart from the investigations that now stand
    name: "replaced_model_calls",
    columns: [...MODEL_CALL_COLUMNS, ["replaced_at", "TIMESTAMP"]],
  },
  {
    name: "findings",
    columns: [
      ...KEY,
      ["seq", "INTEGER"],
      ["scorer", "VARCHAR"],
      ["kind", "VARCHAR"],
      ["severity", "VARCHAR"],
      ["detail", "VARCHAR"],
      ["evidence_id", "VARCHAR"],
      ["action", "VARCHAR"],
      ["step", "INTEGER"], // the tool call it is about (tool_calls.step); last, so older stores can add it
    ],
  },
  {
    name: "case_results",
    columns: [
      ...KEY,
      ["workflow", "VARCHAR"],
      ["incident_id", "VARCHAR"],
      ["tags", "VARCHAR[]"],
      ["alert_severity", "VARCHAR"],
      ["label_verdict", "VARCHAR"],
      ["label_escalate", "BOOLEAN"],
      ["verdict", "VARCHAR"],
      ["escalate", "BOOLEAN"],
      ["confidence", "DOUBLE"],
      ["human_only", "BOOLEAN"],
      ["agree", "BOOLEAN"],
      ["escalation_match", "BOOLEAN"],
      ["critical_miss", "BOOLEAN"],
      ["hallucinated", "BOOLEAN"],
      ["hallucination_count", "INTEGER"],
      ["missed_context", "BOOLEAN"],
      ["required_total", "INTEGER"],
      ["required_gathered", "INTEGER"],
      ["required_cited", "INTEGER"],
      ["policy_violations", "INTEGER"],
      ["high_severity_violations", "INTEGER"],
      ["schema_valid", "BOOLEAN"],
      ["failed", "BOOLEAN"],
      ["tool_calls", "INTEGER"],
      ["tool_errors", "INTEGER"],
      ["playbook_completed", "BOOLEAN"],
      ["audit_completeness", "DOUBLE"],
      ["time_to_triage_ms", "DOUBLE"],
      ["time_to_first_required_ms", "DOUBLE"],
      ["tokens_in", "BIGINT"],
      ["tokens_out", "BIGINT"],
      ["cost_usd", "DOUBLE"],
      ["fp_closed", "BOOLEAN"],
      ["analyst_minutes", "DOUBLE"],
      ["minutes_saved", "DOUBLE"],
      // which audit items audit_completeness lacks; last, so older stores can add it (NULL there)
      ["audit_missing", "VARCHAR[]"],
    ],
    unique: ["run_id", "case_id", "agent", "epoch"],
  },
  {
    name: "baselines",
    columns: [
      ["name", "VARCHAR"],
      ["run_id", "VARCHAR"],
      ["suite", "VARCHAR"],
      ["agent", "VARCHAR"],
      ["agent_hash", "VARCHAR"],
      ["dataset_hash", "VARCHAR"],
      ["created_at", "TIMESTAMP"],
    ],
    key: ["name", "agent"],
  },
  {
    // one row per candidate each time `soceval readiness score` stores it; the report reads the newest per workflow
    name: "readiness_results",
    columns: [
      ["candidate", "VARCHAR"],
      ["workflow", "VARCHAR"],
      ["scored_at", "TIMESTAMP"],
      ["overall", "DOUBLE"],
      ["areas", "JSON"],
      ["blockers", "VARCHAR[]"],
      ["recommended_phase", "VARCHAR"],
      ["max_automation", "VARCHAR"],
      ["answers_file", "VARCHAR"],
      ["answers_hash", "VARCHAR"],
      // the matrix's title of each gate in blockers, in the same order: a report names what blocks
      // a workflow, and the matrix it was scored against (--matrix) may not be at hand then
      ["blocker_titles", "VARCHAR[]"],
    ],
  },
];

/** Tables whose rows belong to one run (keyed by run_id); a baseline only points at a run. */
export const RUN_TABLES = TABLES.filter((t) => t.name !== "baselines" && t.columns.some(([c]) => c === "run_id")).map(
  (t) => t.name,
);

export function ddl(t: Table): string {
  const cols = t.columns.map(([n, ty]) => `${n} ${ty}`).join(", ");
  const key = t.key ? `, PRIMARY KEY (${t.key.join(", ")})` : "";
  return `CREATE TABLE IF NOT EXISTS ${t.name} (${cols}${key})`;
}

export function table(name: string): Table {
  const t = TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
}
