import { ISO_DATE_PATTERN } from "../schema/iso-time.js";

/**
 * A point in time to the nanosecond: `ms` as Date counts it, `ns` the nanoseconds past that
 * millisecond. Entra sign-ins and Windows events carry 7 fraction digits; compared as milliseconds
 * alone, a record 100 ns after an `until` bound would be returned as if inside it.
 */
export type Instant = { ms: number; ns: number };

// An ISO-8601 date, or date-time with optional seconds and fraction and an optional zone (Z, ±hh:mm,
// ±hhmm, as a case's own times allow). Without a zone it is UTC, as EDR and SIEM query languages
// read it: Date.parse would read it in the replaying machine's zone.
const BOUND = new RegExp(
  `^${ISO_DATE_PATTERN}(?:[Tt ]([01]\\d|2[0-3]):([0-5]\\d)(?::([0-5]\\d)(?:\\.(\\d{1,9}))?)?` +
    "([Zz]|[+-](?:0\\d|1[0-3]):?[0-5]\\d|[+-]14:?00)?)?$",
);

/**
 * The instant an ISO-8601 time names, or null for anything else: `03/01/2026 08:00` or `1 Mar 2026`
 * (which Date.parse reads in the machine's zone, so the same call would return other records on
 * another machine), `yesterday`, `24h`, a date that does not exist. A date alone is its midnight UTC.
 */
export function parseInstant(text: string): Instant | null {
  const m = BOUND.exec(text);
  if (!m) return null;
  const [, date, hh = "00", mm = "00", ss = "00", fraction = "", zone = "Z"] = m;
  const digits = fraction.padEnd(9, "0");
  const offset = /^[Zz]$/.test(zone) ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  // the one form ECMAScript defines exactly, whatever the machine
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}.${digits.slice(0, 3)}${offset}`);
  return Number.isNaN(ms) ? null : { ms, ns: Number(digits.slice(3)) };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareInstants(a: Instant, b: Instant): number {
  return a.ms - b.ms || a.ns - b.ns;
}
