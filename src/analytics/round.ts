/**
 * Round every number in a report document to 6 significant digits: floating-point sums in a
 * parallel database differ in the last bits between runs, and a stable document must not.
 */
export function round<T>(doc: T): T {
  return walk(doc) as T;
}

/** Case content (alert, label, output, tool input) is shown as stored, never rounded. */
const VERBATIM = new Set(["alert", "label", "output", "input"]);

function walk(v: unknown): unknown {
  if (typeof v === "number") return Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;
  if (Array.isArray(v)) return v.map(walk);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = VERBATIM.has(k) ? x : walk(x);
    return out;
  }
  return v;
}
