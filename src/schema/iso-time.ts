import { z } from "zod";

// date, hh:mm, optional seconds and fraction, and a zone: Z or ±hh:mm (±hhmm)
const ISO_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/;

/**
 * A case's times (the alert's, each evidence record's). The sandbox filters evidence by time window
 * and reports order by them: "yesterday", a US-style date or a time without a zone would compare
 * as nothing, or as the replaying machine's local time, so they are refused where they are read.
 */
export const IsoTime = z
  .string()
  .regex(ISO_TIME, { error: "expected an ISO-8601 time with a zone, e.g. 2025-01-06T07:01:34Z or …+02:00" });
