import { existsSync } from "node:fs";
import { InputError } from "../io/errors.js";
import { gitRevision } from "../io/git.js";
import { readJsonl } from "../io/jsonl.js";
import { sameUpToLineEndings } from "../io/line-ending-hash.js";
import { type AgentConfig, Case, Transcript, type Workflow } from "../schema/index.js";
import { type Row, type Store, sqlString } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";
import { stepsQuery } from "../store/steps-sql.js";
import { table } from "../store/tables.js";
import { loadSuite, loadWorkflow } from "../workflow/load.js";
import { scoreTranscript } from "./score.js";

export type RescoreOutcome = {
  runId: string;
  transcripts: number;
  changes: RescoreChanges;
};

/**
 * What a rescore changed, row for row: findings that went or came (by kind and severity: a
 * severity that changed counts as one of each), findings raised on the same case, step and
 * evidence whose text alone changed, and the investigations whose scored result differs, by
 * column. Also what the run records of the rescore.
 */
export type RescoreChanges = {
  findings_removed: Record<string, number>;
  findings_added: Record<string, number>;
  findings_reworded: Record<string, number>;
  results_changed: number;
  columns_changed: Record<string, number>;
};

type RunRow = {
  run_id: string;
  kind: string;
  suite_path: string | null;
  workflow: string;
  dataset: string;
  dataset_hash: string;
};

function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** The workflow and each agent's tool scope, as the run recorded them. */
async function runContext(
  store: Store,
  run: RunRow,
): Promise<{ workflow: Workflow; scopes: Map<string, AgentConfig["tools"]> }> {
  const agents = await store.query<{ agent: string; config: unknown }>(
    "SELECT agent, config::VARCHAR AS config FROM run_agents WHERE run_id = ?",
    [run.run_id],
  );
  const configs = agents.map((a) => ({
    agent: a.agent,
    config: (parseJson(a.config) ?? {}) as Record<string, unknown>,
  }));
  let workflow: Workflow;
  if (run.suite_path) {
    if (!existsSync(run.suite_path))
      throw new InputError(
        `${run.suite_path}: not found; run ${run.run_id} recorded this suite path relative to the directory it ran in`,
      );
    workflow = loadSuite(run.suite_path).workflow;
  } else {
    const file = configs.map((c) => c.config.workflow_file).find((f) => typeof f === "string");
    if (typeof file !== "string")
      throw new InputError(`run ${run.run_id}: the store does not say which workflow it used`);
    workflow = loadWorkflow(file);
  }
  if (workflow.id !== run.workflow)
    throw new InputError(
      `run ${run.run_id} scored workflow "${run.workflow}", but its files now define "${workflow.id}"`,
    );
  const scopes = new Map<string, AgentConfig["tools"]>();
  for (const { agent, config } of configs)
    scopes.set(agent, Array.isArray(config.tools) ? (config.tools as string[]) : "all");
  return { workflow, scopes };
}

// `seq` (a finding's place in its transcript's list) is left out: a finding raised or dropped ahead
// of the others moves every one after it, and those are the same findings, not gone and come
const FINDING = "case_id, agent, epoch, scorer, kind, severity, detail, evidence_id, action, step";
// the same finding in other words: a scorer that now says more about it, not one that changed its
// mind. Only a finding anchored to a step, an evidence id or an action can be told apart from another
// without its text (a fabricated indicator is named in the text alone: there, other text is another finding)
const FINDING_WITHOUT_TEXT = FINDING.replace(
  " detail,",
  " CASE WHEN evidence_id IS NULL AND action IS NULL AND step IS NULL THEN detail END AS detail,",
);
const RESULT_KEY = ["case_id", "agent", "epoch"];

/**
 * The new rows wait in temporary tables, which live only as long as this connection: a rescore
 * killed half-way leaves no row behind for `soceval query`, the DuckDB CLI or a later merge to
 * count (staged under a scratch run id in the stored tables, a kill left them there).
 */
const staged = (name: string) => `rescore_staged_${name}`;
const STAGED_TABLES = ["case_results", "findings"] as const;

/** A run's stored rows of `name`, as a query's FROM. */
const storedRows = (name: string, runId: string) => `(SELECT * FROM ${name} WHERE run_id = ${sqlString(runId)})`;

/** Findings of `a` that `b` lacks (as a multiset, compared on `columns`), counted by "kind (severity)". */
async function findingsOnlyIn(store: Store, a: string, b: string, columns = FINDING_WITHOUT_TEXT) {
  const rows = await store.query<{ k: string; n: number }>(
    `SELECT kind || ' (' || severity || ')' AS k, count(*)::INTEGER AS n FROM (
       SELECT ${columns} FROM ${a} EXCEPT ALL SELECT ${columns} FROM ${b})
     GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.n])) as Record<string, number>;
}

/** Findings of `a` that `b` holds in other words only: the full rows that differ, less those that went. */
function reworded(differ: Record<string, number>, removed: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(differ)) if (n - (removed[k] ?? 0) > 0) out[k] = n - (removed[k] ?? 0);
  return out;
}

/** Every difference between the stored scoring of `runId` and the new one, staged. */
async function changesBetween(store: Store, runId: string): Promise<RescoreChanges> {
  const columns = table("case_results")
    .columns.map(([c]) => c)
    .filter((c) => c !== "run_id" && !RESULT_KEY.includes(c));
  const on = RESULT_KEY.map((k) => `o.${k} = n.${k}`).join(" AND ");
  const [row] = await store.query<Record<string, number>>(
    `SELECT count(*) FILTER (WHERE ${columns.map((c) => `o.${c} IS DISTINCT FROM n.${c}`).join(" OR ")})::INTEGER AS any_column,
            ${columns.map((c) => `count(*) FILTER (WHERE o.${c} IS DISTINCT FROM n.${c})::INTEGER AS "${c}"`).join(", ")}
     FROM ${storedRows("case_results", runId)} o JOIN ${staged("case_results")} n ON ${on}`,
  );
  const columnsChanged = Object.fromEntries(columns.filter((c) => (row?.[c] ?? 0) > 0).map((c) => [c, row![c]!]));
  const [old, now] = [storedRows("findings", runId), staged("findings")];
  const removed = await findingsOnlyIn(store, old, now);
  return {
    findings_removed: removed,
    findings_added: await findingsOnlyIn(store, now, old),
    findings_reworded: reworded(await findingsOnlyIn(store, old, now, FINDING), removed),
    results_changed: row?.any_column ?? 0,
    columns_changed: columnsChanged,
  };
}

/**
 * Re-score a stored run with the current scorers — no model is called. New rows are staged in
 * temporary tables, then one transaction swaps them in: a reader sees the old results or the new,
 * never a mix, and a crash leaves the store as it was.
 */
export async function rescoreRun(store: Store, runArg: string, batchSize = 500): Promise<RescoreOutcome> {
  const runId = await resolveRunId(store, runArg);
  const [run] = await store.query<RunRow>(
    "SELECT run_id, kind, suite_path, workflow, dataset, dataset_hash FROM runs WHERE run_id = ?",
    [runId],
  );
  if (!run) throw new InputError(`--run: no run "${runArg}" in ${store.path}`);
  const { workflow, scopes } = await runContext(store, run);
  // the file checked out with other line endings since (git's core.autocrlf) holds the same cases
  if (!(await sameUpToLineEndings(run.dataset, run.dataset_hash)))
    throw new InputError(`${run.dataset}: changed since run ${runId}; rescoring needs the cases it was run on`);

  // the cases the run stored, in order; each batch's transcripts are read when the dataset reaches
  // them, so memory holds a batch (all of a 40,000-case run's, parsed at once, took ~970 MB)
  const pending = new Set(
    (
      await store.query<{ case_id: string }>(
        "SELECT DISTINCT case_id FROM transcripts WHERE run_id = ? ORDER BY case_id",
        [runId],
      )
    ).map((r) => r.case_id),
  );

  // an earlier soceval staged under this scratch run id in the stored tables, where a kill left them
  for (const name of STAGED_TABLES) await store.run(`DELETE FROM ${name} WHERE run_id = ?`, [`${runId}~rescore`]);
  const dropStaged = async () => {
    for (const name of STAGED_TABLES) await store.run(`DROP TABLE IF EXISTS temp.${staged(name)}`);
  };
  for (const name of STAGED_TABLES)
    await store.run(
      `CREATE OR REPLACE TEMP TABLE ${staged(name)} (${table(name)
        .columns.map(([c, type]) => `${c} ${type}`)
        .join(", ")})`,
    );
  let transcripts = 0;
  let changes: RescoreChanges;
  try {
    transcripts = await stage(store, run.dataset, pending, runId, batchSize, (c, t) =>
      scoreTranscript({
        case: c,
        transcript: t,
        workflow,
        agent: { name: t.agent, tools: scopes.get(t.agent) ?? "all" },
      }),
    );
    if (pending.size > 0)
      throw new InputError(`${run.dataset}: has no case ${[...pending][0]} that run ${runId} stored`);
    changes = await changesBetween(store, runId);
    await swapIn(store, runId, changes);
  } finally {
    await dropStaged().catch(() => {});
  }
  return { runId, transcripts, changes };
}

/**
 * Score every stored transcript whose case the dataset holds, `batchSize` cases at a time in the
 * dataset's order; rows land in the staging tables. Each case leaves `pending` once scored.
 */
async function stage(
  store: Store,
  dataset: string,
  pending: Set<string>,
  runId: string,
  batchSize: number,
  score: (c: Case, t: Transcript) => ReturnType<typeof scoreTranscript>,
): Promise<number> {
  let n = 0;
  let cases: Case[] = [];
  const flush = async () => {
    const batch: { case_results: Row[]; findings: Row[] } = { case_results: [], findings: [] };
    const stored = await storedTranscripts(store, runId, cases);
    for (const c of cases)
      for (const t of stored.get(c.id) ?? []) {
        const { result, findings } = score(c, t);
        const key = { run_id: runId, case_id: t.case_id, agent: t.agent, epoch: t.epoch };
        batch.case_results.push({ ...result, run_id: runId });
        findings.forEach((f, seq) => {
          batch.findings.push({ ...key, seq, ...f });
        });
        n++;
      }
    await store.appendBatch(batch, staged);
    cases = [];
  };
  for await (const { value: c } of readJsonl(dataset, Case)) {
    // a case the run did not store, or one the dataset lists again, is not scored twice
    if (!pending.delete(c.id)) continue;
    cases.push(c);
    if (cases.length >= batchSize) await flush();
  }
  if (cases.length > 0) await flush();
  return n;
}

/** The run's stored transcripts of these cases, by case, each in agent and epoch order. */
async function storedTranscripts(store: Store, runId: string, cases: Case[]): Promise<Map<string, Transcript[]>> {
  const ids = cases.map((c) => c.id).join("\u0000");
  const these = "run_id = ? AND case_id IN (SELECT unnest(string_split(?, chr(0))))";
  const rows = await store.query<Row>(
    `SELECT t.case_id, t.agent, t.epoch, t.output::VARCHAR AS output, t.error, s.steps::VARCHAR AS steps
     FROM (SELECT * FROM transcripts WHERE ${these}) t
     LEFT JOIN (${stepsQuery(these)}) s USING (run_id, case_id, agent, epoch)
     ORDER BY t.case_id, t.agent, t.epoch`,
    [runId, ids, runId, ids, runId, ids],
  );
  const byCase = new Map<string, Transcript[]>();
  for (const r of rows) {
    const t = Transcript.parse({ ...r, output: parseJson(r.output) ?? null, steps: parseJson(r.steps) ?? [] });
    const list = byCase.get(t.case_id) ?? [];
    list.push(t);
    byCase.set(t.case_id, list);
  }
  return byCase;
}

/** The new rows replace the old, and the run records the rescore, in one transaction. */
async function swapIn(store: Store, runId: string, changes: RescoreChanges): Promise<void> {
  const [prior] = await store.query<{ r: string | null }>("SELECT rescores::VARCHAR AS r FROM runs WHERE run_id = ?", [
    runId,
  ]);
  const rescores = [
    ...((prior?.r ? JSON.parse(prior.r) : []) as unknown[]),
    {
      at: new Date().toISOString(),
      git_revision: gitRevision(),
      findings_removed: sum(changes.findings_removed),
      findings_added: sum(changes.findings_added),
      findings_reworded: sum(changes.findings_reworded),
      results_changed: changes.results_changed,
    },
  ];
  await store.run("BEGIN TRANSACTION");
  try {
    for (const name of STAGED_TABLES) {
      const cols = table(name)
        .columns.map(([c]) => c)
        .join(", ");
      await store.run(`DELETE FROM ${name} WHERE run_id = ?`, [runId]);
      await store.run(`INSERT INTO ${name} (${cols}) SELECT ${cols} FROM ${staged(name)}`);
    }
    await store.run("UPDATE runs SET rescores = ?::JSON WHERE run_id = ?", [JSON.stringify(rescores), runId]);
    await store.run("COMMIT");
  } catch (e) {
    await store.run("ROLLBACK").catch(() => {});
    throw e;
  }
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
