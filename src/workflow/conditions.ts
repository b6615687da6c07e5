import type { Alert, Condition, EvidenceRecord, When } from "../schema/index.js";

/**
 * What a condition is evaluated over. The playbook agent passes only the evidence it gathered;
 * scorers pass the whole case (ground truth: "did a human-only condition hold?").
 */
export type Facts = {
  alert: Alert;
  evidence: readonly EvidenceRecord[];
  missing: ReadonlySet<string>;
};

export function getPath(obj: unknown, path: string | undefined): unknown {
  if (!path) return obj;
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** Tests one value against the condition's operators; every operator given must hold. */
function valueMatches(c: Condition, v: unknown): boolean {
  if (c.exists !== undefined && (v !== undefined && v !== null) !== c.exists) return false;
  if (c.equals !== undefined && !(Array.isArray(v) ? v.some((x) => same(x, c.equals)) : same(v, c.equals)))
    return false;
  if (c.not_equals !== undefined && same(v, c.not_equals)) return false;
  if (c.in && !c.in.some((x) => (Array.isArray(v) ? v.some((y) => same(y, x)) : same(v, x)))) return false;
  if (c.not_in?.some((x) => same(v, x))) return false;
  if (c.gte !== undefined && !(typeof v === "number" && v >= c.gte)) return false;
  if (c.lte !== undefined && !(typeof v === "number" && v <= c.lte)) return false;
  if (c.contains === undefined && c.matches === undefined) return true;
  // text tests only: serialising every value up front made each rule evaluation allocate
  const text = typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v);
  if (c.contains !== undefined && !text.toLowerCase().includes(c.contains.toLowerCase())) return false;
  if (c.matches !== undefined && !regex(c.matches).test(text)) return false;
  return true;
}

const regexes = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let r = regexes.get(source);
  if (!r) {
    r = new RegExp(source, "i");
    regexes.set(source, r);
  }
  return r;
}

export function holds(c: Condition, f: Facts): boolean {
  if (c.missing !== undefined) {
    if (!c.source) return false;
    return f.missing.has(c.source) === c.missing;
  }
  if (c.sensitivity) {
    const rank = { confidential: 1, secret: 2 } as const;
    return f.evidence.some(
      (e) => e.sensitivity && e.sensitivity in rank && rank[e.sensitivity as keyof typeof rank] >= rank[c.sensitivity!],
    );
  }
  if (c.alert !== undefined) return valueMatches(c, getPath(f.alert, c.alert));
  if (c.entity !== undefined) {
    const values = f.alert.entities.filter((e) => e.type === c.entity).map((e) => e.value);
    return values.length > 0 ? values.some((v) => valueMatches(c, v)) : c.exists === false;
  }
  if (c.source !== undefined) {
    const records = f.evidence.filter((e) => e.source === c.source);
    if (c.field === undefined && c.exists !== undefined) return records.length > 0 === c.exists;
    return records.some((r) => valueMatches(c, getPath(r.data, c.field)));
  }
  return false;
}

export function whenHolds(w: When, f: Facts): boolean {
  if (w.all && !w.all.every((c) => holds(c, f))) return false;
  if (w.any && !w.any.some((c) => holds(c, f))) return false;
  if (w.none?.some((c) => holds(c, f))) return false;
  return true;
}

/** Records that made a condition true, so a rule can cite exactly what decided it. */
export function matchingRecords(w: When, f: Facts): EvidenceRecord[] {
  const conds = [...(w.all ?? []), ...(w.any ?? [])];
  const out = new Map<string, EvidenceRecord>();
  for (const c of conds) {
    if (!c.source || c.missing !== undefined) continue;
    for (const r of f.evidence) {
      if (r.source !== c.source) continue;
      if (c.field === undefined && c.exists !== undefined ? c.exists : valueMatches(c, getPath(r.data, c.field)))
        out.set(r.id, r);
    }
  }
  return [...out.values()];
}
