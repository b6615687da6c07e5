import type { Store } from "../store/db.js";

// what compare and the gate both hold two runs to: compare notes a difference, the gate refuses it

/**
 * What else decides what a run measured, beside its dataset: the seed and the injected faults
 * (which tool calls fail), the epochs, and whether it replayed every case (`--limit`, a shard).
 * `null` (or `undefined` for the limit) where a run does not say: imported and merged runs.
 */
export type ReplaySetup = {
  seed: number | null;
  epochs: number | null;
  faults: unknown[] | null;
  limit: number | null | undefined;
  shard: string | null;
};

export async function runSetup(store: Store, runId: string): Promise<ReplaySetup> {
  const [r] = await store.query<{
    seed: number | null;
    epochs: number | null;
    shard: string | null;
    cfg: string | null;
    kind: string;
  }>("SELECT seed, epochs, shard, replay_config::VARCHAR AS cfg, kind FROM runs WHERE run_id = ?", [runId]);
  const cfg = r?.cfg ? (JSON.parse(r.cfg) as { faults?: unknown[]; limit?: number | null }) : null;
  const replayed = r?.kind === "replay";
  return {
    seed: replayed ? (r?.seed ?? null) : null,
    epochs: r?.epochs ?? null,
    faults: cfg?.faults ?? null,
    limit: cfg ? (cfg.limit ?? null) : undefined,
    shard: r?.shard ?? null,
  };
}

/** Each way two replays' setups differ, worded "epochs 1, <other> 3"; empty when they match. */
export function setupDifferences(b: ReplaySetup, candName: string, c: ReplaySetup): string[] {
  const diffs: string[] = [];
  if (b.seed !== null && c.seed !== null && b.seed !== c.seed) diffs.push(`seed ${b.seed}, ${candName} ${c.seed}`);
  if (b.faults !== null && c.faults !== null && JSON.stringify(b.faults) !== JSON.stringify(c.faults))
    diffs.push("other injected faults");
  if (b.epochs !== null && c.epochs !== null && b.epochs !== c.epochs)
    diffs.push(`epochs ${b.epochs}, ${candName} ${c.epochs}`);
  if (b.limit !== undefined && c.limit !== undefined && b.limit !== c.limit)
    diffs.push(`--limit ${b.limit ?? "none"}, ${candName} ${c.limit ?? "none"}`);
  if (b.shard !== c.shard)
    diffs.push(`shard ${b.shard ?? "none (every case)"}, ${candName} ${c.shard ?? "none (every case)"}`);
  return diffs;
}
