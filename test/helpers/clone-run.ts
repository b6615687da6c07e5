import type { Store } from "../../src/store/db.js";

/** Copy every row of a stored run under another run id: a second run with identical per-case results. */
export async function cloneRun(store: Store, from: string, to: string): Promise<void> {
  const tables = await store.query<{ table_name: string }>(
    `SELECT DISTINCT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_name)
     WHERE c.column_name = 'run_id' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'baselines' ORDER BY 1`,
  );
  for (const { table_name: t } of tables)
    await store.run(`INSERT INTO "${t}" SELECT * REPLACE (? AS run_id) FROM "${t}" WHERE run_id = ?`, [to, from]);
}

/** cloneRun, with each case's results repeated as epochs 1 … epochs − 1 of identical rows. */
export async function cloneRunWithEpochs(store: Store, from: string, to: string, epochs: number): Promise<void> {
  await cloneRun(store, from, to);
  for (let e = 1; e < epochs; e++)
    await store.run(
      `INSERT INTO case_results SELECT * REPLACE (${e} AS epoch) FROM case_results WHERE run_id = ? AND epoch = 0`,
      [to],
    );
}
