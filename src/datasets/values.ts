import type { Entity } from "../schema/index.js";

/**
 * An ISO-8601 UTC time from what exports actually contain: ISO strings, `2024-07-04 22:35:00.746663+00:00`
 * (Sentinel/KQL), zone-less timestamps (taken as UTC), or epoch seconds/milliseconds. Undefined when
 * unparseable.
 */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) {
    // below 1e11 the number can only be seconds (1e11 ms is 1973; 1e11 s is year 5138)
    const ms = Math.abs(value) < 1e11 ? value * 1000 : value;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (typeof value !== "string") return undefined;
  const s = value.trim();
  if (s === "") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(s)) return toIsoTime(Number(s));
  let iso = s.replace(/^(\d{4}-\d{2}-\d{2})[ T]/, "$1T");
  // trim sub-millisecond digits, which Date.parse rejects on some inputs
  iso = iso.replace(/(\.\d{3})\d+/, "$1");
  // a zone-less timestamp in a SOC export is UTC by convention
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(iso)) iso += "Z";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Set `a.b.c` in `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

export function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const p of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}

/** Append entities not already present (same type, same value ignoring case). */
export function addEntities(into: Entity[], more: Iterable<Entity>): Entity[] {
  const seen = new Set(into.map((e) => `${e.type}\u0000${e.value.toLowerCase()}`));
  for (const e of more) {
    if (!e.value) continue;
    const key = `${e.type}\u0000${e.value.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    into.push(e);
  }
  return into;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim() === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}
