import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadYaml } from "../io/yaml.js";
import { Suite } from "../schema/suite.js";
import { type Store, storeFlag } from "../store/db.js";
import type { RunInfo } from "./report-schema.js";

/** What of the run's own row a resume must repeat, beyond RunInfo. */
export type ResumeRow = { shard: string | null; replay_config?: string | null };

/**
 * The flags after `soceval run <suite>` that continue this run with `--resume`. A resume is refused
 * unless its agents, epochs, --limit and shard are the run's, so each that differs from what the
 * suite file gives without flags is spelled out — all of them when the suite no longer loads.
 */
export function resumeFlags(run: RunInfo, row: ResumeRow | undefined, db: string): string {
  let suite: Suite | null = null;
  try {
    if (run.suite_path && existsSync(resolve(run.suite_path))) suite = loadYaml(resolve(run.suite_path), Suite);
  } catch {
    // a suite that no longer loads: every flag is named below
  }
  const limit = row?.replay_config
    ? ((JSON.parse(row.replay_config) as { limit?: number | null }).limit ?? null)
    : null;
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const flags: string[] = [];
  // the suite's default agents; without default_agents it is its first agent, whose name is in its own file
  if (run.agents.length > 0 && !(suite?.default_agents && sameSet(suite.default_agents, run.agents)))
    flags.push(`--agent ${run.agents.join(" ")}`);
  if (run.epochs !== null && run.epochs !== (suite?.epochs ?? null)) flags.push(`--epochs ${run.epochs}`);
  if (limit !== null && limit !== (suite?.limit ?? null)) flags.push(`--limit ${limit}`);
  if (row?.shard) flags.push(`--shard ${row.shard}`);
  if (storeFlag(db)) flags.push(storeFlag(db));
  return flags.join(" ");
}

/**
 * What follows `soceval run <suite>` to continue stored run `runId`: `--resume <id>`, then `extra`
 * (`--retry-failed`), then the flags the resume must repeat. `info`: the run's, when in hand.
 */
export async function resumeArgs(store: Store, runId: string, info: RunInfo, extra = ""): Promise<string> {
  const [row] = await store.query<ResumeRow>("SELECT * FROM runs WHERE run_id = ?", [runId]);
  const flags = resumeFlags(info, row, store.path);
  return [`--resume ${runId}`, extra, flags].filter(Boolean).join(" ");
}
