import type { z } from "zod";
import { InputError } from "../io/errors.js";
import { readLines } from "../io/lines.js";

/**
 * `score` reads two JSONL files whose flags are easy to swap. A case given as a transcript is refused
 * as a transcript with "unknown fields id, workflow, alert… (a typo?)", which points at the wrong
 * mistake. When the refused line is, whole, a valid line of the other file, the refusal says so;
 * any other error is returned as it is.
 */
export async function swappedFiles(e: unknown, file: string, other: z.ZodType, saying: string): Promise<unknown> {
  if (!(e instanceof InputError) || e.file !== file || e.line === undefined) return e;
  let n = 0;
  try {
    for await (const text of readLines(file)) {
      if (++n < e.line) continue;
      const json: unknown = JSON.parse(text);
      if (other.safeParse(json).success)
        return new InputError(`${file}:${e.line}: ${saying} (are --dataset and --transcripts swapped?)`, file, e.line);
      break;
    }
  } catch {
    // a line that is not JSON, or a file that cannot be read again: the refusal as it was
  }
  return e;
}
