import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { z } from "zod";
import { describeIssue, InputError } from "./errors.js";

export type LineResult<T> = { line: number; value: T } | { line: number; error: string };

/**
 * Stream a JSONL file line by line, validating each against `schema`. Yields errors as values so
 * `dataset validate` can report them all; `readJsonl` below throws on the first.
 */
export async function* scanJsonl<S extends z.ZodType>(file: string, schema: S): AsyncGenerator<LineResult<z.infer<S>>> {
  const stream = createReadStream(file, { encoding: "utf8" });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  try {
    await opened;
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      yield { line, error: `${file}:${line}: malformed JSON: ${(e as Error).message}` };
      continue;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) yield { line, value: parsed.data };
    else yield { line, error: `${file}:${line}: ${describeIssue(parsed.error.issues[0]!).text}` };
  }
}

/** Stream valid records; the first bad line throws an InputError naming file, line and field. */
export async function* readJsonl<S extends z.ZodType>(
  file: string,
  schema: S,
): AsyncGenerator<{ line: number; value: z.infer<S> }> {
  for await (const r of scanJsonl(file, schema)) {
    if ("error" in r) throw new InputError(r.error, file, r.line);
    yield r;
  }
}
