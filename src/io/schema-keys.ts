import type { z } from "zod";

type AnySchema = z.core.$ZodType;
type Def = {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  keyType?: AnySchema;
  entries?: Record<string, string | number>;
  options?: AnySchema[];
  shape?: Record<string, AnySchema>;
};

const defOf = (s: AnySchema) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Through the wrappers that do not change what fields an object takes (optional, default, a refinement's pipe…). */
function unwrap(s: AnySchema): AnySchema {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    const inner = d.innerType ?? (d.type === "pipe" ? d.in : undefined);
    if (!inner) return s;
    s = inner;
  }
  return s;
}

/**
 * The field names the object at `path` of `schema` accepts, for suggesting the one a typo meant;
 * [] where the path does not lead to an object the schema describes.
 */
export function fieldsAt(schema: AnySchema, path: readonly (string | number)[]): string[] {
  let at = [schema];
  for (const seg of path) at = at.flatMap((s) => step(s, seg));
  const keys = new Set<string>();
  for (const o of at.flatMap(leaves)) {
    const d = defOf(o);
    if (d.type === "object" && d.shape) for (const k of Object.keys(d.shape)) keys.add(k);
    // a record keyed by an enum (exit_criteria by phase) takes exactly the enum's values
    const key = d.type === "record" && d.keyType ? defOf(unwrap(d.keyType)) : null;
    if (key?.type === "enum" && key.entries) for (const k of Object.values(key.entries)) keys.add(String(k));
  }
  return [...keys];
}

/** A union's members (unwrapped), or the schema itself. */
function leaves(s: AnySchema): AnySchema[] {
  const u = unwrap(s);
  const d = defOf(u);
  return d.type === "union" && d.options ? d.options.flatMap(leaves) : [u];
}

/** What the value at `seg` inside a value of `s` is described by. */
function step(s: AnySchema, seg: string | number): AnySchema[] {
  return leaves(s).flatMap((u) => {
    const d = defOf(u);
    if (typeof seg === "number" && d.type === "array" && d.element) return [d.element];
    if (typeof seg === "string" && d.type === "object" && d.shape?.[seg]) return [d.shape[seg]!];
    if (typeof seg === "string" && d.type === "record" && d.valueType) return [d.valueType];
    return [];
  });
}
