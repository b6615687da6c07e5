import { InputError } from "../io/errors.js";
import { repeatedKeyProblem } from "../io/json-keys.js";
import { keepLongIntegers } from "../io/json-numbers.js";
import type { Entity } from "../schema/index.js";
import type { CellSpec, EntitySpec } from "./mapping.js";
import { TIME_FORMATS, toIsoTime } from "./values.js";

/** Where a cell was read, so every conversion error reads `file:line: column: message`. */
export type CellOrigin = { file: string; line: number };

function fail(o: CellOrigin, column: string, msg: string): never {
  throw new InputError(`${o.file}:${o.line}: ${column}: ${msg}`, o.file, o.line);
}

function lookup(map: Record<string, unknown>, value: string, o: CellOrigin, column: string): unknown {
  if (Object.hasOwn(map, value)) return map[value];
  const lower = value.toLowerCase();
  for (const [k, v] of Object.entries(map)) if (k.toLowerCase() === lower) return v;
  if (Object.hasOwn(map, "*")) return map["*"];
  const known = Object.keys(map).slice(0, 8).join(", ");
  return fail(
    o,
    column,
    `value "${value}" is not in the mapping's map (${known}${Object.keys(map).length > 8 ? ", …" : ""})`,
  );
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function convert(value: string, spec: CellSpec, o: CellOrigin, column: string): unknown {
  const mapped = spec.map ? lookup(spec.map, value, o, column) : value;
  // a map may yield typed YAML values (true, 3, null) — those are final
  if (typeof mapped !== "string") return mapped ?? undefined;
  switch (spec.type) {
    case "number": {
      // decimal notation only: Number() also reads "0x1F" as 31 and "0b10" as 2, a value no export means
      const t = mapped.trim();
      const n = DECIMAL.test(t) ? Number(t) : Number.NaN;
      if (!Number.isFinite(n)) return fail(o, column, `"${mapped}" is not a number`);
      // an integer past 2^53 − 1 (a 64-bit id) kept as its digits: as a number it would be a neighbour
      return /^[+-]?\d+$/.test(t) && !Number.isSafeInteger(n) ? t.replace(/^\+/, "") : n;
    }
    case "boolean": {
      const b = { true: true, false: false, yes: true, no: false, y: true, n: false, "1": true, "0": false }[
        mapped.trim().toLowerCase()
      ];
      return b ?? fail(o, column, `"${mapped}" is not a boolean (true/false, yes/no, 1/0)`);
    }
    case "time":
      return toIsoTime(mapped) ?? fail(o, column, `"${mapped}" is not a time (${TIME_FORMATS})`);
    default:
      return mapped;
  }
}

function entitiesFrom(specs: EntitySpec[], row: Record<string, string>, o: CellOrigin): Entity[] {
  const out: Entity[] = [];
  for (const e of specs) {
    const raw = row[e.column] ?? "";
    const parts = e.split ? raw.split(e.split) : [raw];
    for (const p of parts) {
      const v = p.trim();
      if (!v) continue;
      const value = e.map ? lookup(e.map, v, o, e.column) : v;
      if (value === null || value === undefined) continue;
      out.push({ type: e.type, value: String(value) });
    }
  }
  return out;
}

/** The value one mapping cell gives for one row; undefined leaves the field unset. */
export function cellValue(spec: CellSpec, row: Record<string, string>, o: CellOrigin): unknown {
  if (spec.const !== undefined) return spec.const;
  if (spec.row) return { ...row };
  if (spec.columns) return Object.fromEntries(spec.columns.map((c) => [c, row[c] ?? ""]));
  if (spec.entities) return entitiesFrom(spec.entities, row, o);
  const column = spec.column!;
  const raw = row[column] ?? "";
  if (raw.trim() === "") return spec.default;
  if (spec.type === "json") {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return fail(o, column, `cell is not JSON (${(e as Error).message})`);
    }
    // JSON.parse would keep the last of two equal keys without a word
    const problem = repeatedKeyProblem(raw);
    // a 64-bit id (an EventRecordID) kept as its digits, not rounded to a neighbour by JSON.parse
    return problem ? fail(o, column, `${problem.text} in the cell's JSON`) : keepLongIntegers(raw, value);
  }
  if (spec.split)
    return raw
      .split(spec.split)
      .map((v) => v.trim())
      .filter((v) => v !== "")
      .map((v) => convert(v, spec, o, column))
      .filter((v) => v !== undefined);
  return convert(raw.trim(), spec, o, column);
}
