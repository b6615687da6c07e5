import { z } from "zod";

// date, hh:mm, optional seconds and fraction, and a zone: Z or ±hh:mm (±hhmm) up to ±14:00, as real zones are
const ISO_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](0\d|1[0-3]):?[0-5]\d|[+-]14:?00)$/;

/** 30 February and 31 April match the pattern; Date would roll them into March or May. */
function dayExists(t: string): boolean {
  const y = Number(t.slice(0, 4));
  const m = Number(t.slice(5, 7));
  const d = Number(t.slice(8, 10));
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * A case's times (the alert's, each evidence record's). The sandbox filters evidence by time window
 * and reports order by them: "yesterday", a US-style date or a time without a zone would compare
 * as nothing, or as the replaying machine's local time, so they are refused where they are read.
 */
export const IsoTime = z
  .string()
  .regex(ISO_TIME, { error: "expected an ISO-8601 time with a zone, e.g. 2025-01-06T07:01:34Z or …+02:00" })
  .refine(dayExists, { error: "no such date: the day is past the end of its month" });
