import { InputError } from "../io/errors.js";
import type { Store } from "./db.js";
import { resolveRunId } from "./run-ref.js";
import { RUN_TABLES } from "./tables.js";

/**
 * Delete whole runs (every table's rows), all in one transaction. A run a baseline names is
 * refused: the gate would lose what it compares against; `baseline` moves or removes it first.
 */
export async function deleteRuns(store: Store, refs: string[]): Promise<string[]> {
  const ids = [...new Set(await Promise.all(refs.map((r) => resolveRunId(store, r))))];
  const held = await store.query<{ name: string; run_id: string }>(
    `SELECT DISTINCT name, run_id FROM baselines WHERE run_id IN (${ids.map(() => "?").join(", ")}) ORDER BY name`,
    ids,
  );
  if (held.length > 0)
    throw new InputError(
      `run ${held[0]!.run_id} is baseline "${held[0]!.name}": bless another run as that baseline, or remove it ` +
        `(soceval baseline delete --name ${held[0]!.name}), first; nothing was deleted`,
    );
  await store.run("BEGIN TRANSACTION");
  try {
    for (const t of RUN_TABLES)
      await store.run(`DELETE FROM ${t} WHERE run_id IN (${ids.map(() => "?").join(", ")})`, ids);
    await store.run("COMMIT");
  } catch (e) {
    await store.run("ROLLBACK").catch(() => {});
    throw e;
  }
  return ids;
}
