import { ITEM_RATIOS, MEANS, PROPORTIONS, QUANTILES, TOTALS } from "./catalogue.js";
import { type Estimate, mean, point, proportion } from "./stats/proportion.js";

type ProportionKey = (typeof PROPORTIONS)[number]["key"];

/** Numerator and denominator counts of the given proportions over case_results rows. */
export function proportionCounts(keys: readonly string[] = PROPORTIONS.map((p) => p.key)): string[] {
  return PROPORTIONS.filter((p) => keys.includes(p.key)).flatMap((p) => [
    `count_if(${p.den}) AS "${p.key}__n"`,
    `count_if((${p.den}) AND (${p.num})) AS "${p.key}__x"`,
  ]);
}

/** Second stage: re-add counts from a pre-aggregated table (the counts are sums, so they compose). */
export function summedCounts(keys: readonly ProportionKey[]): string[] {
  return [
    `sum(rows__n)::BIGINT AS rows__n`,
    `count(DISTINCT epoch) AS epochs__n`,
    ...keys.flatMap((k) => [`sum("${k}__n")::BIGINT AS "${k}__n"`, `sum("${k}__x")::BIGINT AS "${k}__x"`]),
  ];
}

/**
 * The aggregate select list of the per-agent headline: every metric's numerator and denominator,
 * means, quantiles and totals, computed by DuckDB in one scan. Columns `<metric>__x` / `<metric>__n`.
 */
export function aggregateSelect(): string {
  const cols = ["count(*) AS rows__n", "count(DISTINCT epoch) AS epochs__n"];
  cols.push(...proportionCounts());
  for (const r of ITEM_RATIOS) {
    cols.push(`coalesce(sum(${r.num}), 0)::DOUBLE AS "${r.key}__x"`);
    cols.push(`coalesce(sum(${r.den}), 0)::DOUBLE AS "${r.key}__n"`);
  }
  for (const m of MEANS) {
    cols.push(`avg(${m.expr})::DOUBLE AS "${m.key}__mean"`);
    cols.push(`stddev_samp(${m.expr})::DOUBLE AS "${m.key}__sd"`);
    cols.push(`count(${m.expr}) AS "${m.key}__n"`);
  }
  for (const q of QUANTILES) {
    cols.push(`quantile_cont(${q.expr}, [0.5, 0.95]) AS "${q.key}__q"`);
    cols.push(`count(${q.expr}) AS "${q.key}__n"`);
  }
  for (const t of TOTALS) {
    cols.push(`sum(${t.expr})::DOUBLE AS "${t.key}__sum"`);
    cols.push(`count(${t.expr}) AS "${t.key}__n"`);
  }
  return cols.join(",\n  ");
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const nullable = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Estimates from one aggregate row; only the listed keys when `keys` is given. */
export function estimatesFrom(row: Record<string, unknown>, keys?: readonly string[]): Record<string, Estimate> {
  const want = (k: string) => !keys || keys.includes(k);
  const out: Record<string, Estimate> = {};
  // Every interval counts cases, not case×epoch rows: repeated epochs of one case are not
  // independent, so each n stands for n / epochs independent observations.
  const epochs = Math.max(1, num(row.epochs__n));
  for (const p of PROPORTIONS) {
    if (!want(p.key) || !(`${p.key}__n` in row)) continue;
    const n = num(row[`${p.key}__n`]);
    out[p.key] = proportion(num(row[`${p.key}__x`]), n, n / epochs);
  }
  for (const r of ITEM_RATIOS) {
    if (!want(r.key) || !(`${r.key}__n` in row)) continue;
    const n = num(row[`${r.key}__n`]);
    out[r.key] = proportion(num(row[`${r.key}__x`]), n, n / epochs);
  }
  for (const m of MEANS) {
    if (!want(m.key) || !(`${m.key}__n` in row)) continue;
    const clip: [number, number] = m.unit === "rate" ? [0, 1] : [0, Number.POSITIVE_INFINITY];
    const n = num(row[`${m.key}__n`]);
    out[m.key] = mean(nullable(row[`${m.key}__mean`]), nullable(row[`${m.key}__sd`]), n, clip, n / epochs);
  }
  for (const q of QUANTILES) {
    if (!(`${q.key}__n` in row)) continue;
    const qs = (row[`${q.key}__q`] as (number | null)[] | null) ?? [null, null];
    (["p50", "p95"] as const).forEach((p, i) => {
      const key = `${q.key}_${p}_ms`;
      if (want(key)) out[key] = point(nullable(qs[i]), num(row[`${q.key}__n`]));
    });
  }
  for (const t of TOTALS) {
    if (!want(t.key) || !(`${t.key}__n` in row)) continue;
    // per case: the epochs' sum over the epochs (exact when every case ran every epoch, as `cases` is)
    const per = t.per_case ? epochs : 1;
    out[t.key] = point(num(row[`${t.key}__sum`]) / per, Math.round(num(row[`${t.key}__n`]) / per));
  }
  return out;
}
