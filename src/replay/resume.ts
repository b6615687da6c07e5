import { InputError } from "../io/errors.js";
import { lineEndingHashes, sameCasesForms } from "../io/line-ending-hash.js";
import type { Store } from "../store/db.js";
import type { ReplayConfig, RunMeta } from "../store/run-writer.js";

type StoredRun = {
  run_id: string;
  status: string;
  suite: string;
  suite_path: string | null;
  dataset_hash: string;
  agent_hashes: string;
  seed: number;
  epochs: number;
  shard: string | null;
  replay_config: string | null;
};

/**
 * The run `--resume` continues: the one named, or the newest unfinished run of this suite with
 * these agents on this dataset (finished ones too when failures are to be retried). Either way the
 * stored run must have been made exactly as this command would make it, or the resumed run would
 * mix two configurations under one id: each difference is named. A suite is known by its name and
 * what it decides (agents, prompts, workflow, dataset, faults, seed), not by where its file is: a
 * CI retry on another runner finds the checkout at another path.
 */
export async function findResumable(
  store: Store,
  meta: RunMeta,
  resume: boolean | string,
  finishedToo: boolean,
): Promise<string> {
  const named = typeof resume === "string" && resume !== "latest";
  const rows = await store.query<StoredRun>(
    `SELECT run_id, status, suite, suite_path, dataset_hash, agent_hashes::VARCHAR AS agent_hashes, seed, epochs, shard,
            replay_config::VARCHAR AS replay_config
     FROM runs WHERE kind = 'replay' AND ${named ? "run_id = ?" : "suite = ? AND (status <> 'finished' OR ?)"}
     ORDER BY started_at DESC`,
    named ? [resume] : [meta.suite, finishedToo],
  );
  if (named && !rows[0]) throw new InputError(`--resume: no run "${resume}" in ${store.path}`);
  // the dataset checked out again with other line endings (git's core.autocrlf) holds the same cases
  const sameCases = rows.some((r) => r.dataset_hash !== meta.dataset_hash)
    ? sameCasesForms(await lineEndingHashes(meta.dataset))
    : new Set([meta.dataset_hash]);
  const match = rows.find((r) => resumeDifferences(r, meta, sameCases).length === 0);
  if (match) return match.run_id;
  const closest = rows[0];
  if (!closest)
    throw new InputError(
      `--resume: no ${finishedToo ? "" : "unfinished "}run of ${meta.suite_path} in ${store.path}${
        finishedToo ? "" : await failedFinishedRun(store, meta)
      }`,
    );
  throw new InputError(
    `--resume: run ${closest.run_id} was made differently: ${resumeDifferences(closest, meta, sameCases).join("; ")}. ` +
      "Resume with the command that started it, or start a new run",
  );
}

/**
 * A plain --resume looks only at unfinished runs; a finished one whose investigations the provider
 * cut short is what --retry-failed is for, so the refusal says so, with the run and how many.
 */
async function failedFinishedRun(store: Store, meta: RunMeta): Promise<string> {
  const [row] = await store.query<{ run_id: string; failed: number }>(
    `SELECT r.run_id, (SELECT count(*) FROM transcripts t WHERE t.run_id = r.run_id
              AND starts_with(t.error, 'provider:'))::INTEGER AS failed
     FROM runs r WHERE r.kind = 'replay' AND r.suite = ? AND r.status = 'finished'
     ORDER BY r.started_at DESC LIMIT 1`,
    [meta.suite],
  );
  if (!row || row.failed === 0) return "";
  return (
    `; its newest run, ${row.run_id}, finished with ${row.failed} investigation${row.failed === 1 ? "" : "s"} ` +
    "the provider failed: add --retry-failed to replay those"
  );
}

/** How a stored run differs from what this command would replay; empty when a resume may continue it. */
function resumeDifferences(r: StoredRun, meta: RunMeta, sameCases: Set<string>): string[] {
  const out: string[] = [];
  const was = (what: string, stored: unknown, now: unknown) => out.push(`${what} ${fmt(stored)}, now ${fmt(now)}`);
  if (r.suite !== meta.suite) was("suite", r.suite, meta.suite);
  if (!sameCases.has(r.dataset_hash)) out.push(`made on another version of ${meta.dataset}`);
  const stored = JSON.parse(r.agent_hashes) as Record<string, string>;
  const now = Object.fromEntries(meta.agents.map((a) => [a.name, a.hash]));
  const names = (o: Record<string, string>) => Object.keys(o).sort().join(", ");
  if (names(stored) !== names(now)) was("agents", names(stored), names(now));
  else {
    const changed = Object.keys(now).filter((a) => stored[a] !== now[a]);
    // an agent's hash covers its file, its prompt and the workflow it runs (workflow.yaml): any of them
    if (changed.length > 0)
      out.push(`agent configuration (its file, prompt or the workflow) changed since (${changed.join(", ")})`);
  }
  if ((r.shard ?? null) !== meta.shard) was("shard", r.shard ?? "none", meta.shard ?? "none");
  if (r.epochs !== meta.epochs) was("epochs", r.epochs, meta.epochs);
  if (r.seed !== meta.seed) was("seed", r.seed, meta.seed);
  // runs stored before replay_config existed cannot be checked on these two
  if (r.replay_config && meta.replay_config) {
    const cfg = JSON.parse(r.replay_config) as ReplayConfig;
    if (JSON.stringify(cfg.faults) !== JSON.stringify(meta.replay_config.faults))
      out.push("the suite's faults changed");
    if (cfg.limit !== meta.replay_config.limit) was("limit", cfg.limit ?? "none", meta.replay_config.limit ?? "none");
    // epoch 0 draws as it always did: only a multi-epoch run with faults would mix two kinds of draw
    if (r.epochs > 1 && cfg.faults.length > 0 && cfg.fault_draws !== meta.replay_config.fault_draws)
      out.push("it was made by an earlier soceval, whose epochs all drew the same faults");
  }
  return out;
}

const fmt = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
