import { AUDIT_ITEMS } from "../../scorers/audit-items.js";
import { ITEM_RATIOS } from "./catalogue.js";
import type { CasesBehind } from "./report-schema.js";

type Side = NonNullable<CasesBehind["item_counts"]>;
type ItemRatioKey = (typeof ITEM_RATIOS)[number]["key"] | "audit_completeness";
type Words = { one: string; many: string; happened: string; short: [one: string, many: string] };

/**
 * The item ratios, which of their items count against them and what those items are called. A ratio
 * of items has no investigation that counts whole: the investigations to read are the ones holding
 * at least one such item, and each says how many.
 */
const ITEMS: Record<ItemRatioKey, { side: Side } & Words> = {
  // recall is a rate of successes: the required items it does not count are the misses
  context_recall: {
    side: "complement",
    one: "required item",
    many: "required items",
    happened: "not gathered",
    short: ["item", "items"],
  },
  tool_error_rate: {
    side: "numerator",
    one: "tool call",
    many: "tool calls",
    happened: "failed",
    short: ["call", "calls"],
  },
  // a mean of per-investigation shares, each of the same six items: so a ratio of items too, the
  // items it does not count being the missing ones, and 1 − missing ÷ (6 × n) is exactly the mean
  audit_completeness: {
    side: "complement",
    one: "audit item",
    many: "audit items",
    happened: "missing",
    short: ["item", "items"],
  },
};

/**
 * Audit completeness as items: a row's missing items are read off its stored completeness (k ÷ 6,
 * so exact after rounding), which is what the report averages, so the sum reconciles with its mean
 * in any store, one scored before audit_missing was recorded too. A row without a value holds no
 * items, as avg() skips it.
 */
function auditItemsSql(): ReturnType<typeof itemsSql> {
  const n = AUDIT_ITEMS.length;
  const items = `coalesce(round((1 - audit_completeness) * ${n}), 0)::BIGINT`;
  return {
    side: "complement",
    items,
    total: `CASE WHEN audit_completeness IS NULL THEN 0 ELSE ${n} END`,
    against: `(${items}) > 0`,
  };
}

/** All items of `n` investigations (or of `n` items, for a ratio already over items). */
export function itemsOf(key: string, n: number): number {
  return key === "audit_completeness" ? n * AUDIT_ITEMS.length : n;
}

/**
 * SQL over one case_results row (columns unqualified): its items against the ratio and all its
 * items. NULL counts as 0, as the report's sum() skips it, so summed over a run the two are exactly
 * the report's (n − x or x) and n.
 */
export function itemsSql(key: string): { side: Side; items: string; total: string; against: string } {
  if (key === "audit_completeness") return auditItemsSql();
  const r = ITEM_RATIOS.find((m) => m.key === key);
  if (!r) throw new Error(`cases behind: ${key} is not an item ratio`);
  const { side } = ITEMS[r.key];
  const num = `coalesce(${r.num}, 0)`;
  const total = `coalesce(${r.den}, 0)`;
  const items = side === "numerator" ? num : `${total} - ${num}`;
  return { side, items, total, against: `(${items}) > 0` };
}

function words(key: string): Words {
  const w = ITEMS[key as ItemRatioKey];
  if (!w) throw new Error(`cases behind: ${key} is not an item ratio`);
  return w;
}

/** The ratio's items, for a count of n: "tool calls", "1 tool call"'s "tool call". */
export function itemNoun(key: string, n: number): string {
  const w = words(key);
  return n === 1 ? w.one : w.many;
}

/** What the items against the ratio are: "required items not gathered". */
export function itemsNoun(key: string, n = 2): string {
  return `${itemNoun(key, n)} ${words(key).happened}`;
}

/** "2 of 5 required items not gathered", "1 of 8 tool calls failed". */
export function itemsText(key: string, items: number, total: number): string {
  return `${items} of ${total} ${itemsNoun(key, total)}`;
}

/** A count beside a case id, where the rate's row already says what the items are: "2 calls". */
export function itemsShort(key: string, n: number): string {
  const [one, many] = words(key).short;
  return `${n} ${n === 1 ? one : many}`;
}
