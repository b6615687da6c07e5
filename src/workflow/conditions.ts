import { type Alert, type Condition, type EvidenceRecord, MATCHES_FLAGS, type When } from "../schema/index.js";

/**
 * What a condition is evaluated over. The playbook agent passes only the evidence it gathered;
 * scorers pass the whole case (ground truth: "did a human-only condition hold?").
 */
export type Facts = {
  alert: Alert;
  evidence: readonly EvidenceRecord[];
  missing: ReadonlySet<string>;
};

// paths come from workflow conditions: a handful of distinct strings, split once each
const splitPaths = new Map<string, string[]>();

export function getPath(obj: unknown, path: string | undefined): unknown {
  if (!path) return obj;
  let parts = splitPaths.get(path);
  if (!parts) {
    parts = path.split(".");
    splitPaths.set(path, parts);
  }
  let cur: unknown = obj;
  for (const part of parts) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/**
 * A condition copied into one fixed shape, once per condition object. Parsed conditions each
 * carry only the keys they use, so reading them directly made these hot checks megamorphic.
 * The lower-cased copies spare re-lowering the operand for every value tested.
 */
type Plan = Condition & { equalsLower: string | undefined; containsLower: string | undefined };

// every operator the schema has, so each plan gets every key in the same order; a key added to
// Condition without being listed here fails the type check instead of being silently dropped
const EVERY_KEY: { [K in keyof Required<Condition>]: undefined } = {
  source: undefined,
  alert: undefined,
  entity: undefined,
  field: undefined,
  equals: undefined,
  not_equals: undefined,
  in: undefined,
  not_in: undefined,
  gte: undefined,
  lte: undefined,
  contains: undefined,
  matches: undefined,
  exists: undefined,
  missing: undefined,
  sensitivity: undefined,
};

const plans = new WeakMap<Condition, Plan>();
function planOf(c: Condition): Plan {
  let p = plans.get(c);
  if (!p) {
    p = {
      ...EVERY_KEY,
      ...c,
      equalsLower: typeof c.equals === "string" ? c.equals.toLowerCase() : undefined,
      containsLower: c.contains?.toLowerCase(),
    };
    plans.set(c, p);
  }
  return p;
}

type WhenPlan = { all: Plan[] | undefined; any: Plan[] | undefined; none: Plan[] | undefined };
const whenPlans = new WeakMap<When, WhenPlan>();
function whenPlanOf(w: When): WhenPlan {
  let p = whenPlans.get(w);
  if (!p) {
    p = { all: w.all?.map(planOf), any: w.any?.map(planOf), none: w.none?.map(planOf) };
    whenPlans.set(w, p);
  }
  return p;
}

function sameAsEquals(p: Plan, x: unknown): boolean {
  if (p.equalsLower !== undefined) return typeof x === "string" && x.toLowerCase() === p.equalsLower;
  return x === p.equals;
}

/** Tests one value against the condition's operators; every operator given must hold. */
function valueMatches(c: Plan, v: unknown): boolean {
  if (c.exists !== undefined && (v !== undefined && v !== null) !== c.exists) return false;
  if (c.equals !== undefined) {
    if (Array.isArray(v)) {
      let some = false;
      for (const x of v)
        if (sameAsEquals(c, x)) {
          some = true;
          break;
        }
      if (!some) return false;
    } else if (!sameAsEquals(c, v)) return false;
  }
  if (c.not_equals !== undefined && same(v, c.not_equals)) return false;
  if (c.in && !c.in.some((x) => (Array.isArray(v) ? v.some((y) => same(y, x)) : same(v, x)))) return false;
  if (c.not_in?.some((x) => same(v, x))) return false;
  if (c.gte !== undefined && !(typeof v === "number" && v >= c.gte)) return false;
  if (c.lte !== undefined && !(typeof v === "number" && v <= c.lte)) return false;
  if (c.contains === undefined && c.matches === undefined) return true;
  // text tests only: serialising every value up front made each rule evaluation allocate
  const text = typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v);
  if (c.containsLower !== undefined && !text.toLowerCase().includes(c.containsLower)) return false;
  if (c.matches !== undefined && !regex(c.matches).test(text)) return false;
  return true;
}

const regexes = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let r = regexes.get(source);
  if (!r) {
    r = new RegExp(source, MATCHES_FLAGS);
    regexes.set(source, r);
  }
  return r;
}

export function holds(c: Condition, f: Facts): boolean {
  return planHolds(planOf(c), f);
}

function planHolds(c: Plan, f: Facts): boolean {
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
  // plain loops: this runs for every rule on every case, and filter/some allocated each time
  if (c.entity !== undefined) {
    let any = false;
    for (const e of f.alert.entities) {
      if (e.type !== c.entity) continue;
      any = true;
      if (valueMatches(c, e.value)) return true;
    }
    return any ? false : c.exists === false;
  }
  if (c.source !== undefined) {
    if (c.field === undefined && c.exists !== undefined) {
      let any = false;
      for (const e of f.evidence)
        if (e.source === c.source) {
          any = true;
          break;
        }
      return any === c.exists;
    }
    for (const r of f.evidence) if (r.source === c.source && valueMatches(c, getPath(r.data, c.field))) return true;
    return false;
  }
  return false;
}

export function whenHolds(w: When, f: Facts): boolean {
  const p = whenPlanOf(w);
  if (p.all) for (const c of p.all) if (!planHolds(c, f)) return false;
  if (p.any) {
    let some = false;
    for (const c of p.any)
      if (planHolds(c, f)) {
        some = true;
        break;
      }
    if (!some) return false;
  }
  if (p.none) for (const c of p.none) if (planHolds(c, f)) return false;
  return true;
}

/** Records that made a condition true, so a rule can cite exactly what decided it. */
export function matchingRecords(w: When, f: Facts): EvidenceRecord[] {
  const p = whenPlanOf(w);
  const conds = [...(p.all ?? []), ...(p.any ?? [])];
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
