/**
 * An object keyed by data: a tag, an evidence source, a workflow id from a dataset. A plain `{}`
 * inherits from Object.prototype, so a key named "__proto__" reached the prototype itself (a count
 * written there gave every object in the process a `records` field) and "constructor" or
 * "toString" read back a function instead of nothing. One without a prototype holds every key as
 * its own, and JSON.stringify, Object.entries and `in` treat it as any object.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** dict() filled from entries, in their order. */
export function dictOf<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const d = dict<T>();
  for (const [k, v] of entries) d[k] = v;
  return d;
}
