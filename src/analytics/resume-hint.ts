import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { shellWord } from "../io/shell.js";
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

/**
 * An import (`soceval score`) has no --resume: the command that scores its transcripts again, from
 * what the run recorded (workflow, dataset, transcripts file, agent, tool scope); null when it lacks any.
 */
export async function scoreAgainCommand(store: Store, runId: string): Promise<string | null> {
  const [a] = await store.query<{ agent: string; config: string | null; dataset: string | null }>(
    "SELECT a.agent, a.config::VARCHAR AS config, r.dataset FROM run_agents a JOIN runs r USING (run_id) WHERE run_id = ?",
    [runId],
  );
  if (!a?.config || !a.dataset) return null;
  const c = JSON.parse(a.config) as { workflow_file?: unknown; transcripts?: unknown; tools?: unknown };
  if (typeof c.workflow_file !== "string" || typeof c.transcripts !== "string") return null;
  const tools = Array.isArray(c.tools) ? ` --tools ${c.tools.map((t) => shellWord(String(t))).join(" ")}` : "";
  const db = storeFlag(store.path);
  return (
    `soceval score --workflow ${shellWord(c.workflow_file)} --dataset ${shellWord(a.dataset)} ` +
    `--transcripts ${shellWord(c.transcripts)} --agent ${shellWord(a.agent)}${tools}${db ? ` ${db}` : ""}`
  );
}
