import { z } from "zod";

/** How the evaluator compiles `matches` (src/workflow/conditions.ts); the schema compiles it the same way. */
export const MATCHES_FLAGS = "i";

/** The first line of why `source` does not compile as a `matches` pattern, or undefined if it does. */
export function regexError(source: string): string | undefined {
  try {
    new RegExp(source, MATCHES_FLAGS);
    return undefined;
  } catch (e) {
    const line = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
    // V8: "Invalid regular expression: /<source>/<flags>: <reason>"; the pattern is on the line already
    const prefix = `Invalid regular expression: /${source}/${MATCHES_FLAGS}: `;
    return line.startsWith(prefix) ? line.slice(prefix.length) : line;
  }
}

/**
 * One test over a case: over evidence records of a source (any record must match), over an alert
 * field, or over sources that were unavailable/failed. Decision rules, human-only conditions and
 * approval raisers all use this one small language so a SOC engineer learns it once.
 */
export const Condition = z
  .strictObject({
    source: z.string().optional().describe("evidence source; the test holds if any record of it matches"),
    alert: z.string().optional().describe("alert field path instead of evidence, e.g. severity or rule"),
    entity: z.string().optional().describe("test the values of alert entities of this type"),
    field: z.string().optional().describe("dot path inside the record's data"),
    equals: z.unknown().optional(),
    not_equals: z.unknown().optional(),
    in: z.array(z.unknown()).optional(),
    not_in: z.array(z.unknown()).optional(),
    gte: z.number().optional(),
    lte: z.number().optional(),
    contains: z.string().optional().describe("case-insensitive substring"),
    matches: z
      .string()
      .superRefine((m, ctx) => {
        // found when the workflow loads, not when the first case reaches the rule
        const err = regexError(m);
        if (err) ctx.addIssue({ code: "custom", message: `invalid regular expression (${err})` });
      })
      .optional()
      .describe("regular expression, case-insensitive"),
    exists: z.boolean().optional().describe("a record of the source (or the field) exists"),
    missing: z.boolean().optional().describe("the source was unavailable or failed for this case"),
    sensitivity: z.enum(["confidential", "secret"]).optional().describe("a record at this sensitivity exists"),
  })
  .describe("a single test; combine them with all/any/none");

export const When = z.strictObject({
  all: z.array(Condition).optional(),
  any: z.array(Condition).optional(),
  none: z.array(Condition).optional(),
});

export type Condition = z.infer<typeof Condition>;
export type When = z.infer<typeof When>;
