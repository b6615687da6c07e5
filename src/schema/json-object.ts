import { z } from "zod";

/**
 * A JSON object whose fields are not soceval's to check: a source's record as the source returned
 * it. It is checked as an object and kept as parsed. `z.record(z.string(), z.unknown())` accepts
 * the same values but rebuilds each one through a schema per key and per value, which made it
 * the largest part of validating a case (bench/README.md).
 */
export const JsonObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  "expected an object",
);
