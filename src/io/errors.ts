import type { z } from "zod";

/** Bad input: the CLI prints `message` on one line and exits 2. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** The run itself failed (infrastructure, not the user's files): exit 3. */
export class RuntimeFailure extends Error {
  override name = "RuntimeFailure";
}

/** `a.b[2].c` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(root)";
}

/** The first issue of a zod error, phrased as `field: message`, naming unknown keys. */
export function describeIssue(issue: z.core.$ZodIssue): { path: (string | number)[]; text: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    return {
      path: [...path, keys[0] as string],
      text: `${formatPath([...path, keys[0] as string])}: unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `"${k}"`).join(", ")}`,
    };
  }
  return { path, text: `${formatPath(path)}: ${issue.message}` };
}
