import { z } from "zod";

// A calendar date (month lengths in the pattern; 29 February in years divisible by 4, so 1900 and
// 2100 pass as leap years), hh:mm, optional seconds and fraction, and a zone: Z or ±hh:mm (±hhmm)
// up to ±14:00, as real zones are. One pattern, no refinement: it runs on every evidence record.
export const ISO_DATE_PATTERN =
  "(\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))" +
  "|\\d\\d(?:[02468][048]|[13579][26])-02-29)";
const ISO_TIME = new RegExp(
  `^${ISO_DATE_PATTERN}T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,9})?)?(Z|[+-](0\\d|1[0-3]):?[0-5]\\d|[+-]14:?00)$`,
);

/**
 * A case's times (the alert's, each evidence record's). The sandbox filters evidence by time window
 * and reports order by them: "yesterday", a US-style date or a time without a zone would compare
 * as nothing, or as the replaying machine's local time, so they are refused where they are read.
 */
export const IsoTime = z.string().regex(ISO_TIME, {
  error: "expected an ISO-8601 time with a zone on a date that exists, e.g. 2025-01-06T07:01:34Z or …+02:00",
});
