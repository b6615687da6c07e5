import { InputError } from "../io/errors.js";
import type { Store } from "./db.js";

/** `latest` (the newest run by start time) or an exact run id → the stored run id. */
export async function resolveRunId(store: Store, ref: string): Promise<string> {
  if (ref === "latest") {
    const rows = await store.query<{ run_id: string }>(
      "SELECT run_id FROM runs ORDER BY started_at DESC NULLS LAST, run_id DESC LIMIT 1",
    );
    if (rows.length === 0)
      throw new InputError(`${store.path}: no runs stored yet (run \`soceval run <suite>\` first)`);
    return rows[0]!.run_id;
  }
  const rows = await store.query<{ run_id: string }>("SELECT run_id FROM runs WHERE run_id = ?", [ref]);
  if (rows.length === 0) {
    const near = await store.query<{ run_id: string }>(
      "SELECT run_id FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id LIMIT 2",
      [ref],
    );
    if (near.length === 1) return near[0]!.run_id;
    throw new InputError(
      `${store.path}: --run: no run "${ref}" (try \`soceval query "select run_id, suite from runs"\`)`,
    );
  }
  return ref;
}
