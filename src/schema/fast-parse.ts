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

/**
 * `reuse`: a value already exactly as zod would return it (a strict object's keys all known and in
 * the shape's order, nothing to fill in, every part likewise) is returned itself rather than copied.
 * Structurally the same answer; only for a value the caller owns, such as a fresh JSON.parse result,
 * since the answer then shares it. `generate: false` (tests) builds the parser without generated
 * code, as where code generation is disabled.
 */
export type FastOptions = { reuse?: boolean; generate?: boolean };
type Mode = { reuse: boolean; gen: boolean };

const compiled = [0, 1, 2, 3].map(() => new WeakMap<object, Parse | null>());

/** `schema.safeParse(value, params)`, with the compiled fast path tried first. */
export function safeParseFast<S extends z.ZodType>(
  schema: S,
  value: unknown,
  params?: Parameters<S["safeParse"]>[1],
  options?: FastOptions,
): z.ZodSafeParseResult<z.output<S>> {
  const fast = fastParser(schema, options);
  if (fast) {
    const out = fast(value);
    if (out !== GIVE_UP) return { success: true, data: out as z.output<S> };
  }
  return schema.safeParse(value, params);
}

/** The compiled parser of a schema, or null when it uses a construct outside the subset. */
export function fastParser(schema: z.ZodType, options: FastOptions = {}): ((v: unknown) => unknown) | null {
  const mode: Mode = { reuse: options.reuse === true, gen: options.generate !== false };
  const cache = compiled[(mode.reuse ? 1 : 0) + (mode.gen ? 2 : 0)]!;
  let p = cache.get(schema);
  if (p === undefined) {
    p = compile(schema as unknown as AnySchema, mode);
    cache.set(schema, p);
  }
  return p;
}

/** Exposed for tests: whether a compiled parser's answer means "ask zod". */
export function gaveUp(v: unknown): boolean {
  return v === GIVE_UP;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function compile(schema: AnySchema, mode: Mode): Parse | null {
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
      const p = compile(inner, mode);
      if (!p) return null;
      return (v) => (v === undefined ? undefined : p(v));
    }
    case "default": {
      const p = compile(def.innerType as AnySchema, mode);
      if (!p || checks.length) return null;
      // zod's own getter: a fresh (shallow-cloned) default value each time, as zod hands out
      return (v) => {
        if (v === undefined) return def.defaultValue;
        const r = p(v);
        return r === undefined ? def.defaultValue : r;
      };
    }
    case "array": {
      const p = compile(def.element as AnySchema, mode);
      if (!p || checks.length) return null;
      const reuse = mode.reuse;
      return (v) => {
        if (!Array.isArray(v)) return GIVE_UP;
        let out: unknown[] | null = null;
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          const r = p(x);
          if (r === GIVE_UP) return GIVE_UP;
          if (out) out[i] = r;
          else if (r !== x || !reuse || !(i in v)) {
            // the first element that differs (or a hole): from here on, a copy
            out = v.slice(0, i);
            out[i] = r;
          }
        }
        return out ?? (reuse ? v : []);
      };
    }
    case "object":
      return checks.length ? null : objectParser(def, mode);
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
function objectParser(def: any, mode: Mode): Parse | null {
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
    const p = compile(s, mode);
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
  // only a strict object can be kept as it is: a stripping one may hold keys to drop
  const reuse = mode.reuse && strict;
  return (mode.gen ? generated(fields, strict, reuse) : null) ?? interpreted(fields, strict, reuse);
}

type CompiledField = { key: string; how: Field; p: Parse; plain?: "string" | "boolean" };

/**
 * The object's parser as straight-line code (as zod's own JIT does): each key read by name, so
 * every property load is monomorphic. Null where code cannot be generated at run time
 * (`--disallow-code-generation-from-strings`).
 */
function generated(fields: CompiledField[], strict: boolean, reuse: boolean): Parse | null {
  const lit = (k: string) => JSON.stringify(k);
  const body: string[] = [`if (typeof v !== "object" || v === null || Array.isArray(v)) return G;`];
  if (strict) {
    // every key known; with reuse, also whether they come in the shape's order, and how many
    const cases = fields.map((f, i) => `case ${lit(f.key)}: ${reuse ? `at = ${i}; ` : ""}break;`).join(" ");
    if (reuse) body.push("let last = -1, ordered = true, own = 0, at;");
    body.push(
      `for (const k in v) { switch (k) { ${cases} default: return G; }${reuse ? " if (at <= last) ordered = false; last = at; own++;" : ""} }`,
    );
  }
  body.push("let taken = 0, same = true;");
  fields.forEach((f, i) => {
    const K = lit(f.key);
    const parse = f.plain
      ? `const r${i} = v[${K}]; if (typeof r${i} !== "${f.plain}") return G;`
      : `const r${i} = p${i}(v[${K}]); if (r${i} === G) return G;`;
    const note = reuse ? ` taken++; if (r${i} !== v[${K}]) same = false;` : "";
    if (f.how === Field.Required) body.push(`if (!(${K} in v)) return G;`, `${parse}${note}`);
    else if (f.how === Field.Optional)
      body.push(`const h${i} = ${K} in v; let r${i}; if (h${i}) { ${parse.replace(`const r${i}`, `r${i}`)}${note} }`);
    else body.push(`${parse}${note}`);
  });
  // kept: the same keys (each one seen in the input is taken, so equal counts mean equal sets), in
  // the same order, with the same values
  if (reuse) body.push("if (ordered && same && taken === own) return v;");
  body.push("const out = {};");
  fields.forEach((f, i) => {
    const set = `out[${lit(f.key)}] = r${i};`;
    body.push(f.how === Field.Optional ? `if (h${i}) ${set}` : set);
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

function interpreted(fields: CompiledField[], strict: boolean, reuse: boolean): Parse {
  const index = new Map(fields.map((f, i) => [f.key, i]));
  return (v) => {
    if (!isObject(v)) return GIVE_UP;
    let ordered = true;
    let own = 0;
    if (strict) {
      let last = -1;
      for (const k in v) {
        const at = index.get(k);
        if (at === undefined) return GIVE_UP;
        if (at <= last) ordered = false;
        last = at;
        own++;
      }
    }
    const out: Record<string, unknown> = {};
    let taken = 0;
    let same = true;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const present = f.key in v;
      if (f.how === Field.Optional && !present) continue;
      if (f.how === Field.Required && !present) return GIVE_UP;
      const r = f.p(v[f.key]);
      if (r === GIVE_UP) return GIVE_UP;
      out[f.key] = r;
      taken++;
      if (r !== v[f.key]) same = false;
    }
    return reuse && ordered && same && taken === own ? v : out;
  };
}
