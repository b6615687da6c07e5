import { resolveRunId } from "../analytics/run.js";
import { InputError } from "../io/errors.js";
import type { Store } from "../store/db.js";
import { refuseUnfinished } from "./unfinished.js";

export type BaselineRow = {
  name: string;
  run_id: string;
  suite: string;
  agent: string;
  agent_hash: string;
  dataset_hash: string;
};

/**
 * Bless a run as the accepted state of its agents: `main` then means "what this configuration did
 * on this dataset version". Re-blessing a name replaces the agents blessed, and only those: blessing
 * the playbook's run as `main` dropped the model agent's row, and the model's gate then compared it
 * with the playbook, the name's only agent.
 */
export async function blessBaseline(
  store: Store,
  runRef: string,
  name: string,
  agents?: string[],
): Promise<BaselineRow[]> {
  // `--name "main "` would be a second baseline beside main, and the gate's `--baseline main` would go
  // on judging against the old one without a word; a control character would rewrite the terminal
  if (name.trim() === "" || name !== name.trim() || /\p{Cc}/u.test(name))
    throw new InputError(
      `--name: ${JSON.stringify(name)}: a baseline name is not empty and has no spaces around it nor control characters`,
    );
  const runId = await resolveRunId(store, runRef);
  const rows = await store.query<BaselineRow>(
    `SELECT ? AS name, r.run_id, r.suite, a.agent, a.agent_hash, r.dataset_hash
     FROM runs r JOIN run_agents a USING (run_id) WHERE r.run_id = ? ORDER BY a.agent`,
    [name, runId],
  );
  const chosen = agents?.length ? rows.filter((r) => agents.includes(r.agent)) : rows;
  for (const a of agents ?? [])
    if (!rows.some((r) => r.agent === a))
      throw new InputError(`--agent: run ${runId} has no agent "${a}" (has ${rows.map((r) => r.agent).join(", ")})`);
  if (chosen.length === 0) throw new InputError(`run ${runId} has no agents to bless`);
  await refuseUnfinished(store, runId, "only a finished run can be a baseline");
  await store.run("BEGIN TRANSACTION");
  try {
    await store.run(`DELETE FROM baselines WHERE name = ? AND agent IN (${chosen.map(() => "?").join(", ")})`, [
      name,
      ...chosen.map((r) => r.agent),
    ]);
    for (const r of chosen)
      await store.run("INSERT INTO baselines VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)", [
        r.name,
        r.run_id,
        r.suite,
        r.agent,
        r.agent_hash,
        r.dataset_hash,
      ]);
    await store.run("COMMIT");
  } catch (e) {
    await store.run("ROLLBACK");
    throw e;
  }
  return chosen;
}

export async function findBaseline(store: Store, name: string): Promise<BaselineRow[]> {
  const rows = await store.query<BaselineRow>(
    "SELECT name, run_id, suite, agent, agent_hash, dataset_hash FROM baselines WHERE name = ? ORDER BY agent",
    [name],
  );
  if (rows.length === 0) {
    const known = await store.query<{ name: string }>("SELECT DISTINCT name FROM baselines ORDER BY name");
    throw new InputError(
      `--baseline: no baseline named "${name}" in ${store.path}${known.length ? ` (known: ${known.map((k) => k.name).join(", ")})` : ""}; create one with \`soceval baseline bless --run <id> --name ${name}\``,
    );
  }
  return rows;
}

/**
 * Remove a named baseline (or only some of its agents), so the run it named can be deleted and the
 * gate no longer compares against it. The runs themselves stay. Returns the rows removed.
 */
export async function deleteBaseline(store: Store, name: string, agents?: string[]): Promise<BaselineRow[]> {
  const rows = await store.query<BaselineRow>(
    "SELECT name, run_id, suite, agent, agent_hash, dataset_hash FROM baselines WHERE name = ? ORDER BY agent",
    [name],
  );
  if (rows.length === 0) {
    const names = await store.query<{ name: string }>("SELECT DISTINCT name FROM baselines ORDER BY name");
    throw new InputError(
      `--name: no baseline "${name}" in ${store.path}${names.length ? ` (it has: ${names.map((n) => n.name).join(", ")})` : ""}`,
    );
  }
  for (const a of agents ?? [])
    if (!rows.some((r) => r.agent === a))
      throw new InputError(
        `--agent: baseline "${name}" has no agent "${a}" (has ${rows.map((r) => r.agent).join(", ")})`,
      );
  const chosen = agents?.length ? rows.filter((r) => agents.includes(r.agent)) : rows;
  await store.run(`DELETE FROM baselines WHERE name = ? AND agent IN (${chosen.map(() => "?").join(", ")})`, [
    name,
    ...chosen.map((r) => r.agent),
  ]);
  return chosen;
}
