import { z } from "zod";
import { loadYaml } from "../io/yaml.js";
import { Case, EvidenceRecord } from "../schema/index.js";

const CellType = z.enum(["string", "number", "boolean", "time", "json"]);

const ValueMap = z
  .record(z.string(), z.unknown())
  .describe('cell value → case value; matched exactly, then ignoring case; "*" catches the rest; null = leave unset');

export const EntitySpec = z.strictObject({
  type: z.string().min(1).describe("our entity type: account, host, ip, domain, url, email, file_hash, process, …"),
  column: z.string().describe("column holding the value"),
  split: z.string().min(1).optional().describe("the cell holds several values separated by this"),
  map: ValueMap.optional(),
});

/**
 * How one case field is filled. Exactly one source: `column` (rename; optionally split, mapped and
 * converted), `const`, `columns` (an object of several columns), `row` (the whole row) or
 * `entities` (entity list from columns). A bare string is shorthand for `{column: <string>}`.
 */
export const CellSpec = z.preprocess(
  (v) => (typeof v === "string" ? { column: v } : v),
  z
    .strictObject({
      column: z.string().optional(),
      const: z.unknown().optional(),
      columns: z.array(z.string()).min(1).optional(),
      row: z.literal(true).optional(),
      entities: z.array(EntitySpec).min(1).optional(),
      type: CellType.default("string").describe("json parses the cell; time normalizes to ISO-8601 UTC"),
      split: z.string().min(1).optional().describe("split the cell into a list on this delimiter"),
      map: ValueMap.optional(),
      default: z.unknown().optional().describe("value when the cell is empty"),
    })
    .superRefine((s, ctx) => {
      const sources = (["column", "const", "columns", "row", "entities"] as const).filter((k) => s[k] !== undefined);
      if (sources.length !== 1)
        ctx.addIssue({
          code: "custom",
          message: `give exactly one of column, const, columns, row, entities (found ${sources.join(", ") || "none"})`,
        });
      if (s.type === "json" && (s.split || s.map))
        ctx.addIssue({ code: "custom", message: "a json cell cannot also be split or mapped" });
    }),
);

/** The mapped fields that are times in the case format: always read as `type: time`. */
const TIME_FIELDS = [
  ["case", "alert.time"],
  ["evidence", "time"],
] as const;

/** Evidence fields the importer fills when the mapping does not: ev-<n>, the alert's time, {}. */
const EVIDENCE_FILLED = ["id", "time", "data"];

/** One issue per thing that needs them: `label.verdict and label.escalate are not mapped, …`. */
function unmappedIssues(ctx: z.RefinementCtx, section: string, missing: Unmapped[]): void {
  for (const owner of new Set(missing.map((u) => u.owner))) {
    const paths = missing.filter((u) => u.owner === owner).map((u) => u.path);
    const list = paths.length > 1 ? `${paths.slice(0, -1).join(", ")} and ${paths.at(-1)} are` : `${paths[0]} is`;
    ctx.addIssue({
      code: "custom",
      path: [section],
      message: `${list} not mapped, and every ${owner} needs ${paths.length > 1 ? "them (give each" : "it (give it"} a column or a const)`,
    });
  }
}

type Unmapped = { path: string; owner: string };

/**
 * The required fields of `schema` that no mapped path fills: otherwise the first CSV row reported
 * them missing, blaming the export for the mapping. An optional object (label) must be whole only
 * once the mapping fills part of it (its fields are then owned by it: "every label needs"); a
 * mapped parent (`alert: {column: x, type: json}`) fills everything below it.
 */
function unmapped(schema: z.ZodType, mapped: string[], filled: string[], owner: string, prefix = ""): Unmapped[] {
  const s = unwrap(schema);
  if (!(s instanceof z.ZodObject)) return [];
  const out: Unmapped[] = [];
  for (const [key, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
    const path = prefix + key;
    if (mapped.includes(path) || filled.includes(path)) continue;
    const below = mapped.some((p) => p.startsWith(`${path}.`));
    const required = !field.safeParse(undefined).success;
    if (below || (required && unwrap(field) instanceof z.ZodObject))
      out.push(...unmapped(field, mapped, filled, required ? owner : path, `${path}.`));
    else if (required) out.push({ path, owner });
  }
  return out;
}

/** `required` is not an evidence field: a true value adds the record's id to label.required_evidence. */
const EVIDENCE_EXTRA = ["required"];

export const CsvMapping = z
  .strictObject({
    description: z.string().optional(),
    delimiter: z.string().min(1).optional().describe("field delimiter; detected from the header when absent"),
    quote: z.string().length(1).optional().describe('quote character (default ")'),
    group_by: z
      .string()
      .optional()
      .describe("rows sharing this column's value form one case (one row per evidence item); rows must be contiguous"),
    case: z.record(z.string(), CellSpec).describe("case field path (alert.title, label.verdict, …) → cell"),
    evidence: z
      .record(z.string(), CellSpec)
      .optional()
      .describe("evidence field path (id, source, time, data, data.x, entities, required) → cell, for every row"),
  })
  .superRefine((m, ctx) => {
    for (const path of Object.keys(m.case))
      if (!isFieldPath(Case, path.split(".")))
        ctx.addIssue({ code: "custom", path: ["case", path], message: `"${path}" is not a case field` });
    for (const path of Object.keys(m.evidence ?? {}))
      if (!EVIDENCE_EXTRA.includes(path) && !isFieldPath(EvidenceRecord, path.split(".")))
        ctx.addIssue({ code: "custom", path: ["evidence", path], message: `"${path}" is not an evidence field` });
    unmappedIssues(ctx, "case", unmapped(Case, Object.keys(m.case), m.group_by ? ["id"] : [], "case"));
    if (m.evidence)
      unmappedIssues(
        ctx,
        "evidence",
        unmapped(EvidenceRecord, Object.keys(m.evidence), EVIDENCE_FILLED, "evidence record"),
      );
    for (const [section, fields, schema] of [
      ["case", m.case, Case],
      ["evidence", m.evidence ?? {}, EvidenceRecord],
    ] as const)
      for (const [path, spec] of Object.entries(fields)) checkValues(ctx, [section, path], spec, schema);
    for (const [section, path] of TIME_FIELDS) {
      const spec = (section === "case" ? m.case : m.evidence)?.[path];
      if (spec?.column && spec.type !== "string" && spec.type !== "time")
        ctx.addIssue({
          code: "custom",
          path: [section, path, "type"],
          message: `${path} is a time: type must be time (found ${spec.type})`,
        });
    }
  })
  // the case format's times are ISO-8601 UTC; a time column copied as text would carry the export's
  // own format (07/04/2024 10:35 PM) into the dataset unchecked, so it is always read as a time
  .transform((m) => {
    for (const [section, path] of TIME_FIELDS) {
      const spec = (section === "case" ? m.case : m.evidence)?.[path];
      if (spec?.column) spec.type = "time";
    }
    return m;
  });

export type CellSpec = z.infer<typeof CellSpec>;
export type EntitySpec = z.infer<typeof EntitySpec>;
export type CsvMapping = z.infer<typeof CsvMapping>;

/**
 * A `const`, or a `map` target, for a field with a closed set of values (a severity, a verdict, a
 * boolean) is checked when the mapping loads, at its own line: otherwise a typo there surfaced
 * only as an error on the first CSV row that reached it, blamed on that row.
 */
function checkValues(ctx: z.RefinementCtx, at: [string, string], spec: CellSpec, root: z.ZodType): void {
  let target = fieldSchema(root, at[1].split("."));
  if (target instanceof z.ZodArray && spec.split) target = unwrap(target.element as z.ZodType);
  // a const is the value itself, so any plain field type can judge it; map targets only where the
  // set of values is closed
  const closed = target instanceof z.ZodEnum || target instanceof z.ZodBoolean || target instanceof z.ZodLiteral;
  const plain = closed || target instanceof z.ZodString || target instanceof z.ZodNumber;
  if (!plain) return;
  const check = (v: unknown, path: (string | number)[]) => {
    if (v === null || v === undefined || target!.safeParse(v).success) return;
    const allowed = target instanceof z.ZodEnum ? ` (one of ${target.options.join(", ")})` : "";
    ctx.addIssue({
      code: "custom",
      path: [...at, ...path],
      message: `${JSON.stringify(v)} is not a value of ${at[1]}${allowed}`,
    });
  };
  if (spec.const !== undefined) check(spec.const, ["const"]);
  if (closed) for (const [k, v] of Object.entries(spec.map ?? {})) check(v, ["map", k]);
  // a cell read as text where the case wants a number (analyst_minutes without type: number) fails on
  // every row, blamed on the export; a map may turn a cell into any value, so it is left to the rows
  // (a time field's type has its own check below)
  const time = TIME_FIELDS.some(([section, path]) => section === at[0] && path === at[1]);
  if (spec.column !== undefined && !spec.map && !time) {
    const made =
      spec.type === "number" ? "number" : spec.type === "boolean" ? "boolean" : spec.type === "json" ? null : "text";
    const wanted =
      target instanceof z.ZodNumber
        ? "number"
        : target instanceof z.ZodBoolean
          ? "boolean"
          : target instanceof z.ZodLiteral
            ? null
            : "text";
    if (made && wanted && made !== wanted)
      ctx.addIssue({
        code: "custom",
        path: [...at],
        message:
          `${at[1]} takes ${wanted === "text" ? "text" : `a ${wanted}`}, but the column is read as ${made === "text" ? "text" : `a ${made}`}` +
          (wanted === "text" ? ": leave type out" : `: give it type: ${wanted}, or a map`),
      });
  }
}

function unwrap(s: z.ZodType): z.ZodType {
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)
    s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * Where a path leads in a schema: the field's schema, "free-form" once it passes below an object
 * of any keys (data, raw), or undefined when no such field exists.
 */
function walk(schema: z.ZodType, parts: string[]): z.ZodType | "free-form" | undefined {
  let s = unwrap(schema);
  for (const part of parts) {
    if (s instanceof z.ZodRecord || s instanceof z.ZodUnknown || s instanceof z.ZodCustom) return "free-form";
    if (!(s instanceof z.ZodObject)) return undefined;
    const next = (s.shape as Record<string, z.ZodType>)[part];
    if (!next) return undefined;
    s = unwrap(next);
  }
  return s;
}

/** The schema of the field a path names, or undefined (below a free-form object, or no such field). */
function fieldSchema(schema: z.ZodType, parts: string[]): z.ZodType | undefined {
  const s = walk(schema, parts);
  return s === "free-form" ? undefined : s;
}

/** A path is valid if it names a field of the schema; below a free-form object (data, raw) anything goes. */
function isFieldPath(schema: z.ZodType, parts: string[]): boolean {
  return walk(schema, parts) !== undefined;
}

export function loadMapping(file: string): CsvMapping {
  return loadYaml(file, CsvMapping);
}

/** Every column a mapping reads, with the mapping key that reads it (for a missing-column error). */
export function referencedColumns(m: CsvMapping): Map<string, string> {
  const cols = new Map<string, string>();
  const add = (col: string, where: string) => {
    if (!cols.has(col)) cols.set(col, where);
  };
  if (m.group_by) add(m.group_by, "group_by");
  for (const [section, fields] of [
    ["case", m.case],
    ["evidence", m.evidence ?? {}],
  ] as const)
    for (const [path, spec] of Object.entries(fields)) {
      const where = `${section}.${path}`;
      if (spec.column) add(spec.column, where);
      for (const c of spec.columns ?? []) add(c, where);
      for (const e of spec.entities ?? []) add(e.column, where);
    }
  return cols;
}
