import { POLICY_KINDS } from "../schema/finding.js";
import type { Store } from "../store/db.js";
import type { Estimate, TrapFindingRow, ViolationRow } from "./report-schema.js";
import { proportion } from "./stats/proportion.js";

const KINDS = `[${POLICY_KINDS.map((k) => `'${k}'`).join(", ")}]`;

/**
 * Policy-violation findings per agent by kind and severity, most frequent first: `findings` counts
 * findings (every epoch's), `cases` the distinct cases with at least one (a case once, however many
 * of its epochs had it).
 */
export async function violationsByKind(store: Store, runId: string): Promise<Map<string, ViolationRow[]>> {
  const rows = await store.query<ViolationRow & { agent: string }>(
    `SELECT agent, kind, coalesce(severity, 'unknown') AS severity, count(*) AS findings,
       count(DISTINCT case_id) AS cases
     FROM findings WHERE run_id = ? AND list_contains(${KINDS}, kind)
     GROUP BY ALL ORDER BY agent, findings DESC, kind, severity`,
    [runId],
  );
  return groupByAgent(rows, ({ agent: _, ...r }) => r);
}

/** `violation_rate.<kind>` for every policy kind, zero-filled, per agent. */
export async function violationRates(store: Store, runId: string): Promise<Map<string, Record<string, Estimate>>> {
  const rows = await store.query<{ agent: string; kind: string; x: number; n: number; epochs: number }>(
    `WITH d AS (SELECT agent, count(*) AS n, count(DISTINCT epoch) AS epochs FROM case_results WHERE run_id = ? GROUP BY agent),
          k AS (SELECT agent, kind, count(DISTINCT (case_id, epoch)) AS x FROM findings WHERE run_id = ? GROUP BY ALL)
     SELECT d.agent, kinds.kind, coalesce(k.x, 0) AS x, d.n, d.epochs
     FROM d CROSS JOIN (SELECT unnest(${KINDS}) AS kind) kinds
     LEFT JOIN k ON k.agent = d.agent AND k.kind = kinds.kind
     ORDER BY d.agent, kinds.kind`,
    [runId, runId],
  );
  const out = new Map<string, Record<string, Estimate>>();
  for (const r of rows) {
    const m = out.get(r.agent) ?? {};
    m[`violation_rate.${r.kind}`] = proportion(r.x, r.n, r.n / Math.max(1, r.epochs));
    out.set(r.agent, m);
  }
  return out;
}

/** Which findings each trap tag produced: the failure modes by trap. */
export async function findingsByTrap(store: Store, runId: string): Promise<Map<string, TrapFindingRow[]>> {
  const rows = await store.query<TrapFindingRow & { agent: string }>(
    `SELECT f.agent, t.tag, f.kind, count(*) AS findings
     FROM findings f
     JOIN (SELECT case_id, agent, epoch, unnest(list_distinct(list_filter(tags, x -> starts_with(x, 'trap:')))) AS tag
           FROM case_results WHERE run_id = ?) t
       ON f.case_id = t.case_id AND f.agent = t.agent AND f.epoch = t.epoch
     WHERE f.run_id = ?
     GROUP BY ALL ORDER BY f.agent, t.tag, findings DESC, f.kind`,
    [runId, runId],
  );
  return groupByAgent(rows, ({ agent: _, ...r }) => r);
}

export function groupByAgent<R extends { agent: string }, T>(rows: R[], map: (r: R) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.agent) ?? [];
    list.push(map(r));
    out.set(r.agent, list);
  }
  return out;
}
