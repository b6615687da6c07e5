import { z } from "zod";

/**
 * A fast path for zod's `safeParse` on valid input, compiled from the schema's own definition so
 * the schema stays the one description of what is accepted.
 *
 * It understands a small subset of zod (objects, strict or stripping; strings with length and regex
 * checks; enums; booleans; finite numbers with bounds; arrays; optional; default; unknown; custom)
 * and builds the same output zod would: new objects with keys in the shape's order, defaults filled,
 * everything else kept as parsed. Anything it is not sure of (a value zod would refuse, or a schema
 * part it does not model) makes it give up, and zod parses the value itself: every refusal, and
 * every error message, is zod's own. A schema that uses a construct outside the subset is never
 * fast-pathed at all.
 *
 * Why: a run validates every case (13 KB of evidence each) and scores every triage output; zod's
 * general machinery (a payload and an issue list per field, checks run through arrays of check
 * objects) cost more than the rest of the validation by several times (bench/README.md).
 */

/** Returned by a compiled parser when it cannot vouch for the value: zod decides instead. */
const GIVE_UP: unique symbol = Symbol("give up");
type Parse = (v: unknown) => unknown;

// biome-ignore lint/suspicious/noExplicitAny: zod's internal definitions are walked as plain data
type AnySchema = { _zod: { def: any; optin?: string; optout?: string; values?: Set<unknown> } };

const compiled = new WeakMap<object, Parse | null>();
const compiledInterpreted = new WeakMap<object, Parse | null>();

/** `schema.safeParse(value, params)`, with the compiled fast path tried first. */
export function safeParseFast<S extends z.ZodType>(
  schema: S,
  value: unknown,
  params?: Parameters<S["safeParse"]>[1],
): z.ZodSafeParseResult<z.output<S>> {
  const fast = fastParser(schema);
  if (fast) {
    const out = fast(value);
    if (out !== GIVE_UP) return { success: true, data: out as z.output<S> };
  }
  return schema.safeParse(value, params);
}

/**
 * The compiled parser of a schema, or null when it uses a construct outside the subset.
 * `generate: false` (tests) builds it without generated code, as where code generation is disabled.
 */
export function fastParser(schema: z.ZodType, generate = true): ((v: unknown) => unknown) | null {
  const cache = generate ? compiled : compiledInterpreted;
  let p = cache.get(schema);
  if (p === undefined) {
    p = compile(schema as unknown as AnySchema, generate);
    cache.set(schema, p);
  }
  return p;
}

/** Exposed for tests: whether a compiled parser's answer means "ask zod". */
export function gaveUp(v: unknown): boolean {
  return v === GIVE_UP;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function compile(schema: AnySchema, gen: boolean): Parse | null {
  const def = schema._zod.def;
  const checks: { _zod: { def: Record<string, unknown> } }[] = def.checks ?? [];
  switch (def.type) {
    case "string":
      return def.coerce ? null : stringParser(checks);
    case "boolean":
      if (def.coerce || checks.length) return null;
      return (v) => (typeof v === "boolean" ? v : GIVE_UP);
    case "number":
      return def.coerce ? null : numberParser(checks);
    case "enum": {
      const values = schema._zod.values;
      if (!values || checks.length) return null;
      return (v) => (values.has(v) ? v : GIVE_UP);
    }
    case "unknown":
    case "any":
      return checks.length ? null : (v) => v;
    case "custom": {
      // a custom schema is its own check: the value passes as it is when the function says so
      const fn = def.fn as (v: unknown) => unknown;
      if (typeof fn !== "function" || checks.length || def.when) return null;
      return (v) => {
        const r = fn(v);
        return r && !(r instanceof Promise) ? v : GIVE_UP;
      };
    }
    case "optional": {
      const inner = def.innerType as AnySchema;
      if (inner._zod.optin === "defaulted" || checks.length) return null;
      const p = compile(inner, gen);
      if (!p) return null;
      return (v) => (v === undefined ? undefined : p(v));
    }
    case "default": {
      const p = compile(def.innerType as AnySchema, gen);
      if (!p || checks.length) return null;
      // zod's own getter: a fresh (shallow-cloned) default value each time, as zod hands out
      return (v) => {
        if (v === undefined) return def.defaultValue;
        const r = p(v);
        return r === undefined ? def.defaultValue : r;
      };
    }
    case "array": {
      const p = compile(def.element as AnySchema, gen);
      if (!p || checks.length) return null;
      return (v) => {
        if (!Array.isArray(v)) return GIVE_UP;
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const r = p(v[i]);
          if (r === GIVE_UP) return GIVE_UP;
          out[i] = r;
        }
        return out;
      };
    }
    case "object":
      return checks.length ? null : objectParser(def, gen);
    default:
      return null;
  }
}

// zod gives length checks a default guard (run only on values with a length), true for any string
const LENGTH_GUARD = (z.string().min(1)._zod.def.checks![0]!._zod.def as { when?: unknown }).when;

/** zod's count for min_length: UTF-16 units, less one per surrogate pair (util.codePointLength). */
function codePoints(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length - 1; i++)
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  return count;
}

function stringParser(checks: { _zod: { def: Record<string, unknown> } }[]): Parse | null {
  let min = 0;
  const patterns: RegExp[] = [];
  for (const c of checks) {
    const d = c._zod.def;
    if (d.check === "min_length" && typeof d.minimum === "number" && (d.when === undefined || d.when === LENGTH_GUARD))
      min = Math.max(min, d.minimum);
    else if (d.check === "string_format" && d.format === "regex" && d.pattern instanceof RegExp && d.when === undefined)
      patterns.push(d.pattern);
    else return null;
  }
  // fewer units than the floor never reach it, twice the floor always does; between, count as zod does
  const longEnough = (v: string) => v.length >= 2 * min || (v.length >= min && codePoints(v) >= min);
  if (patterns.length === 0) return (v) => (typeof v === "string" && longEnough(v) ? v : GIVE_UP);
  return (v) => {
    if (typeof v !== "string" || !longEnough(v)) return GIVE_UP;
    for (const re of patterns) {
      re.lastIndex = 0;
      if (!re.test(v)) return GIVE_UP;
    }
    return v;
  };
}

function numberParser(checks: { _zod: { def: Record<string, unknown> } }[]): Parse | null {
  let lo = Number.NEGATIVE_INFINITY;
  let loIncl = true;
  let hi = Number.POSITIVE_INFINITY;
  let hiIncl = true;
  for (const c of checks) {
    const d = c._zod.def;
    if (d.when || typeof d.value !== "number") return null;
    if (d.check === "greater_than") {
      if (d.value > lo || (d.value === lo && !d.inclusive)) {
        lo = d.value;
        loIncl = d.inclusive === true;
      }
    } else if (d.check === "less_than") {
      if (d.value < hi || (d.value === hi && !d.inclusive)) {
        hi = d.value;
        hiIncl = d.inclusive === true;
      }
    } else return null;
  }
  return (v) => {
    if (typeof v !== "number" || !Number.isFinite(v)) return GIVE_UP;
    if (loIncl ? v < lo : v <= lo) return GIVE_UP;
    if (hiIncl ? v > hi : v >= hi) return GIVE_UP;
    return v;
  };
}

/** How an object field is taken, mirroring zod's object parser (schemas.js, $ZodObjectJIT). */
enum Field {
  /** must be present: absent is an issue even when the value schema accepts undefined */
  Required = 0,
  /** copied only when present */
  Optional = 1,
  /** always written: the value schema fills it in when absent */
  Defaulted = 2,
}

// biome-ignore lint/suspicious/noExplicitAny: zod's object definition
function objectParser(def: any, gen: boolean): Parse | null {
  const catchall = def.catchall as AnySchema | undefined;
  // strict (never) refuses unknown keys; none at all strips them; anything else is not modelled
  const strict = catchall !== undefined;
  if (strict && catchall._zod.def.type !== "never") return null;
  const shape = def.shape as Record<string, AnySchema>;
  const keys = Object.keys(shape);
  if (Object.getOwnPropertySymbols(shape).length) return null;
  const fields: CompiledField[] = [];
  for (const key of keys) {
    if (key === "__proto__") return null;
    const s = shape[key]!;
    const p = compile(s, gen);
    if (!p) return null;
    const { optin, optout } = s._zod;
    let how: Field;
    if (optin === undefined) how = Field.Required;
    else if (optin === "optional" && optout === "optional") how = Field.Optional;
    else if (optin === "defaulted" && optout === undefined) how = Field.Defaulted;
    else return null;
    const d = s._zod.def;
    const plain =
      d.checks?.length || d.coerce ? undefined : d.type === "string" || d.type === "boolean" ? d.type : undefined;
    fields.push({ key, how, p, plain });
  }
  return (gen ? generated(fields, strict) : null) ?? interpreted(fields, strict);
}

type CompiledField = { key: string; how: Field; p: Parse; plain?: "string" | "boolean" };

/**
 * The object's parser as straight-line code (as zod's own JIT does): each key read by name, so
 * every property load is monomorphic. Null where code cannot be generated at run time
 * (`--disallow-code-generation-from-strings`).
 */
function generated(fields: CompiledField[], strict: boolean): Parse | null {
  const lit = (k: string) => JSON.stringify(k);
  const body: string[] = [`if (typeof v !== "object" || v === null || Array.isArray(v)) return G;`];
  if (strict)
    body.push(
      `for (const k in v) switch (k) { ${fields.map((f) => `case ${lit(f.key)}:`).join(" ")} break; default: return G; }`,
    );
  body.push("const out = {};", "let r;");
  fields.forEach((f, i) => {
    const K = lit(f.key);
    const take = f.plain
      ? `r = v[${K}]; if (typeof r !== "${f.plain}") return G; out[${K}] = r;`
      : `r = p${i}(v[${K}]); if (r === G) return G; out[${K}] = r;`;
    if (f.how === Field.Required) body.push(`if (!(${K} in v)) return G;`, take);
    else if (f.how === Field.Optional) body.push(`if (${K} in v) { ${take} }`);
    else body.push(take);
  });
  body.push("return out;");
  try {
    // code generated from the schema's own keys, each escaped as a JSON string literal
    const make = new Function("G", ...fields.map((_, i) => `p${i}`), `return function (v) {\n${body.join("\n")}\n};`);
    return make(GIVE_UP, ...fields.map((f) => f.p)) as Parse;
  } catch {
    return null;
  }
}

function interpreted(fields: CompiledField[], strict: boolean): Parse {
  const known = new Set(fields.map((f) => f.key));
  return (v) => {
    if (!isObject(v)) return GIVE_UP;
    if (strict) for (const k in v) if (!known.has(k)) return GIVE_UP;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const present = f.key in v;
      if (f.how === Field.Optional && !present) continue;
      if (f.how === Field.Required && !present) return GIVE_UP;
      const r = f.p(v[f.key]);
      if (r === GIVE_UP) return GIVE_UP;
      out[f.key] = r;
    }
    return out;
  };
}
