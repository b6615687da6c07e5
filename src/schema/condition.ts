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

const ConditionFields = z.strictObject({
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
});
type Fields = z.infer<typeof ConditionFields>;
type Key = keyof Fields;

/** What a subject (source, alert, entity) is compared with; `missing` and `sensitivity` are tests of their own. */
const TESTS = ["equals", "not_equals", "in", "not_in", "gte", "lte", "contains", "matches", "exists"] as const;

/**
 * What the evaluator would silently ignore in one condition, or a condition that holds whatever the
 * case. Mirrors `planHolds` in src/workflow/conditions.ts: `missing` comes first and reads only
 * `source`; then `sensitivity`, which reads nothing else; then the first of alert, entity, source,
 * whose value every test given must pass. A subject with no test passes anything.
 */
export function conditionProblem(c: Fields): { key?: Key; message: string } | undefined {
  const given = (Object.keys(c) as Key[]).filter((k) => c[k] !== undefined);
  if (given.length === 0)
    return { message: "an empty condition: give a subject (source, alert or entity) and a test, or sensitivity" };
  if (c.missing !== undefined) {
    if (c.source === undefined) return { key: "missing", message: "missing needs the source it is about (source: …)" };
    const extra = given.find((k) => k !== "source" && k !== "missing");
    if (extra)
      return { key: extra, message: `a missing test reads only source; ${extra} is ignored (use a second condition)` };
    return undefined;
  }
  if (c.sensitivity !== undefined) {
    const extra = given.find((k) => k !== "sensitivity");
    if (extra)
      return {
        key: extra,
        message: `a sensitivity test looks at every gathered record and takes nothing else; ${extra} is ignored`,
      };
    return undefined;
  }
  // the evaluator reads alert, then entity, then source: a later subject is the one ignored
  const order = (["alert", "entity", "source"] as const).filter((k) => c[k] !== undefined);
  if (order.length === 0)
    return {
      message: "no subject: a condition tests one of source, alert or entity (or is a sensitivity or missing test)",
    };
  if (order.length > 1)
    return {
      key: order[1],
      message: `one subject per condition, not ${order.join(" and ")}: ${order[1]} is ignored (use two conditions)`,
    };
  const subject = order[0]!;
  if (subject !== "source" && c.field !== undefined)
    return {
      key: "field",
      message:
        subject === "alert"
          ? "field is read only with source and is ignored with alert; put the whole path in alert (alert: raw.x)"
          : "field is read only with source and is ignored with entity (an entity's value is its text)",
    };
  const tests = TESTS.filter((k) => c[k] !== undefined);
  if (tests.length === 0) {
    const holds =
      subject === "alert"
        ? "it always holds"
        : subject === "entity"
          ? `it holds whenever the alert has a "${c.entity}" entity`
          : `it holds whenever a record of ${c.source} was gathered${c.field !== undefined ? ", whatever its field" : ""}`;
    return { message: `no test: add one of ${TESTS.join(", ")} (without one ${holds})` };
  }
  if (subject === "source" && c.field === undefined && c.exists !== undefined) {
    const extra = tests.find((k) => k !== "exists");
    if (extra)
      return {
        key: extra,
        message: `exists without field tests only whether a record of ${c.source} was gathered; ${extra} is ignored (add field)`,
      };
  }
  if (c.in?.length === 0) return { key: "in", message: "an empty in list never matches: list at least one value" };
  return undefined;
}

/**
 * One test over a case: over evidence records of a source (any record must match), over an alert
 * field, or over sources that were unavailable/failed. Decision rules, human-only conditions and
 * approval raisers all use this one small language so a SOC engineer learns it once.
 */
export const Condition = ConditionFields.superRefine((c, ctx) => {
  const p = conditionProblem(c);
  if (p) ctx.addIssue({ code: "custom", path: p.key ? [p.key] : [], message: p.message });
}).describe("a single test; combine them with all/any/none");

const LISTS = ["all", "any", "none"] as const;

/** all: every condition holds; any: at least one does; none: no condition does. */
export const When = z
  .strictObject({
    all: z.array(Condition).optional(),
    any: z.array(Condition).optional(),
    none: z.array(Condition).optional(),
  })
  .superRefine((w, ctx) => {
    // only a when that holds for every case is refused: an empty all/none beside another list is
    // vacuous and harmless, and `any: []` never holds, which is how a rule is switched off
    const tests = LISTS.some((k) => (w[k]?.length ?? 0) > 0);
    if (!tests && w.any === undefined)
      ctx.addIssue({
        code: "custom",
        path: [],
        message:
          "no conditions: list at least one under all, any or none (a when without one holds for every case; `any: []` switches a rule off)",
      });
  });

export type Condition = z.infer<typeof Condition>;
export type When = z.infer<typeof When>;
