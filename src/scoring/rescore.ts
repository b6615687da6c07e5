import { existsSync } from "node:fs";
import { InputError } from "../io/errors.js";
import { fileSha256 } from "../io/hash.js";
import { readJsonl } from "../io/jsonl.js";
import { type AgentConfig, Case, Transcript, type Workflow } from "../schema/index.js";
import type { Row, Store } from "../store/db.js";
import { resolveRunId } from "../store/run-ref.js";
import { stepsQuery } from "../store/steps-sql.js";
import { loadSuite, loadWorkflow } from "../workflow/load.js";
import { scoreTranscript } from "./score.js";

export type RescoreOutcome = {
  runId: string;
  transcripts: number;
  before: Record<string, number>;
  after: Record<string, number>;
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

async function countsByKind(store: Store, runId: string): Promise<Record<string, number>> {
  const rows = await store.query<{ kind: string; n: number }>(
    "SELECT kind, count(*) AS n FROM findings WHERE run_id = ? GROUP BY kind ORDER BY kind",
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/**
 * Re-score a stored run with the current scorers — no model is called. New rows are staged under
 * a scratch run id, then one transaction swaps them in: a reader sees the old results or the new,
 * never a mix, and a crash leaves the stored run as it was.
 */
export async function rescoreRun(store: Store, runArg: string, batchSize = 500): Promise<RescoreOutcome> {
  const runId = await resolveRunId(store, runArg);
  const [run] = await store.query<RunRow>(
    "SELECT run_id, kind, suite_path, workflow, dataset, dataset_hash FROM runs WHERE run_id = ?",
    [runId],
  );
  if (!run) throw new InputError(`--run: no run "${runArg}" in ${store.path}`);
  const { workflow, scopes } = await runContext(store, run);
  if ((await fileSha256(run.dataset)) !== run.dataset_hash)
    throw new InputError(`${run.dataset}: changed since run ${runId}; rescoring needs the cases it was run on`);

  const stored = await store.query<Row>(
    `SELECT t.case_id, t.agent, t.epoch, t.output::VARCHAR AS output, t.error, s.steps::VARCHAR AS steps
     FROM transcripts t LEFT JOIN (${stepsQuery("run_id = ?")}) s USING (run_id, case_id, agent, epoch)
     WHERE t.run_id = ? ORDER BY t.case_id, t.agent, t.epoch`,
    [runId, runId, runId],
  );
  const byCase = new Map<string, Transcript[]>();
  for (const r of stored) {
    const t = Transcript.parse({ ...r, output: parseJson(r.output) ?? null, steps: parseJson(r.steps) ?? [] });
    const list = byCase.get(t.case_id) ?? [];
    list.push(t);
    byCase.set(t.case_id, list);
  }

  const scratch = `${runId}~rescore`;
  const dropScratch = async () => {
    await store.run("DELETE FROM case_results WHERE run_id = ?", [scratch]);
    await store.run("DELETE FROM findings WHERE run_id = ?", [scratch]);
  };
  await dropScratch(); // left over if an earlier rescore was killed
  const before = await countsByKind(store, runId);
  let transcripts = 0;
  try {
    transcripts = await stage(store, run.dataset, byCase, scratch, batchSize, (c, t) =>
      scoreTranscript({
        case: c,
        transcript: t,
        workflow,
        agent: { name: t.agent, tools: scopes.get(t.agent) ?? "all" },
      }),
    );
    if (byCase.size > 0)
      throw new InputError(`${run.dataset}: has no case ${[...byCase.keys()][0]} that run ${runId} stored`);
    await swapIn(store, runId, scratch);
  } catch (e) {
    await dropScratch().catch(() => {});
    throw e;
  }
  return { runId, transcripts, before, after: await countsByKind(store, runId) };
}

/** Score every stored transcript whose case the dataset holds; rows land under the scratch run id. */
async function stage(
  store: Store,
  dataset: string,
  byCase: Map<string, Transcript[]>,
  scratch: string,
  batchSize: number,
  score: (c: Case, t: Transcript) => ReturnType<typeof scoreTranscript>,
): Promise<number> {
  let batch: { case_results: Row[]; findings: Row[] } = { case_results: [], findings: [] };
  let n = 0;
  for await (const { value: c } of readJsonl(dataset, Case)) {
    const list = byCase.get(c.id);
    if (!list) continue;
    byCase.delete(c.id);
    for (const t of list) {
      const { result, findings } = score(c, t);
      const key = { run_id: scratch, case_id: t.case_id, agent: t.agent, epoch: t.epoch };
      batch.case_results.push({ ...result, run_id: scratch });
      findings.forEach((f, seq) => {
        batch.findings.push({ ...key, seq, ...f });
      });
      n++;
    }
    if (batch.case_results.length >= batchSize) {
      await store.appendBatch(batch);
      batch = { case_results: [], findings: [] };
    }
  }
  await store.appendBatch(batch);
  return n;
}

async function swapIn(store: Store, runId: string, scratch: string): Promise<void> {
  await store.run("BEGIN TRANSACTION");
  try {
    for (const table of ["case_results", "findings"]) {
      await store.run(`DELETE FROM ${table} WHERE run_id = ?`, [runId]);
      await store.run(`UPDATE ${table} SET run_id = ? WHERE run_id = ?`, [runId, scratch]);
    }
    await store.run("COMMIT");
  } catch (e) {
    await store.run("ROLLBACK").catch(() => {});
    throw e;
  }
}
