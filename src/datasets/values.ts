import type { Entity } from "../schema/index.js";

/** What toIsoTime accepts, for "is not a time" messages. */
export const TIME_FORMATS =
  "expected ISO-8601 such as 2024-07-04T22:35:00Z, or epoch seconds (10 digits) or milliseconds (13 digits)";

/**
 * The epoch numbers read as times: 10 digits of seconds or 13 of milliseconds (2001 to 2286).
 * Outside them a number is more likely something else: 20240704 or 20240704223500 (a date written
 * without separators) would read as August 1970 or the year 2611, and microseconds or nanoseconds
 * as a year beyond 50,000, each a time no alert history has.
 */
const EPOCH_SECONDS = [1e9, 1e10] as const;
const EPOCH_MS = [1e12, 1e13] as const;

// date, optional time (T or space), optional fraction, optional zone (Z, UTC, +hh:mm, +hhmm, +hh)
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An ISO-8601 UTC time from what exports actually contain: ISO strings, `2024-07-04 22:35:00.746663+00:00`
 * (Sentinel/KQL), zone-less timestamps (taken as UTC), or epoch seconds/milliseconds (EPOCH_*). Undefined when
 * unparseable. Nothing else is guessed: `07/04/2024 10:35 PM` (day or month first? which zone?) is
 * refused rather than read in the importing machine's local zone, and `2024-02-30` is refused rather
 * than rolled over to March 1st, as Date.parse would.
 */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === "number") {
    const within = ([low, high]: readonly [number, number]) => value >= low && value < high;
    if (within(EPOCH_SECONDS)) return new Date(value * 1000).toISOString();
    if (within(EPOCH_MS)) return new Date(value).toISOString();
    return undefined;
  }
  if (typeof value !== "string") return undefined;
  const s = value.trim();
  if (s === "") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(s)) return toIsoTime(Number(s));
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = m.slice(1, 7).map((x) => (x === undefined ? undefined : Number(x)));
  // sub-millisecond digits are cut, not rounded, so a time never moves into the next second
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const t = Date.UTC(y!, mo! - 1, d!, h, mi, sec, ms);
  const back = new Date(t);
  // Date.UTC rolls 30 February over into March; a calendar date that does not exist is not a time
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  const offset = zoneMinutes(m[8]);
  return offset === undefined ? undefined : new Date(t - offset * 60_000).toISOString();
}

/**
 * A time field of an exported record: undefined when it is absent (the caller may fall back to
 * another field), `bad` called when it holds something that is not a time. A value that is there
 * but unreadable is never replaced by another field's time: that would move the evidence silently.
 */
export function timeField(value: unknown, bad: (msg: string) => never): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  // .NET's DateTime.MinValue: how Microsoft exports (Sentinel's entities among them) write "no time"
  if (typeof value === "string" && /^0001-01-01[T ]00:00:00(\.0+)?Z?$/.test(value.trim())) return undefined;
  return toIsoTime(value) ?? bad(`${JSON.stringify(value)} is not a time (${TIME_FORMATS})`);
}

/** Minutes east of UTC for `Z`, `UTC`, `+02:00`, `-0530`, `+02`; a zone-less time in a SOC export is UTC by convention. */
function zoneMinutes(zone: string | undefined): number | undefined {
  if (!zone || /^(z|utc)$/i.test(zone)) return 0;
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const hours = Number(z[2]);
  const minutes = Number(z[3] ?? 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (z[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
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
