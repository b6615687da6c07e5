import { createReadStream } from "node:fs";
import { InputError } from "../io/errors.js";
import { repeatedKeyProblem } from "../io/json-keys.js";
import { keepLongIntegers } from "../io/json-numbers.js";
import { NotUtf8, notUtf8Error, utf8Text } from "../io/utf8-text.js";

export type JsonValue = { line: number; value: unknown };

/**
 * Stream the objects of a JSON file, whatever its layout: JSONL, concatenated objects, or one
 * top-level array of objects (what most exporters write). Each object comes with the line it starts
 * on; nothing but the object being read is held in memory.
 */
export async function* readJsonObjects(file: string): AsyncGenerator<JsonValue, void, undefined> {
  const bytes = createReadStream(file, { highWaterMark: 256 * 1024 });
  const stream = bytes.pipe(utf8Text());
  bytes.on("error", (e) => stream.destroy(e));
  let line = 1;
  let mode: "unknown" | "array" | "objects" | "closed" = "unknown";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let startLine = 0;
  let partial = "";
  const fail = (msg: string, at = line): never => {
    throw new InputError(`${file}:${at}: malformed JSON: ${msg}`, file, at);
  };
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = chunk;
      start = depth > 0 ? 0 : -1;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]!;
        if (ch === "\n") line++;
        if (depth > 0) {
          if (inString) {
            if (escaped) escaped = false;
            else if (ch === "\\") escaped = true;
            else if (ch === '"') inString = false;
            continue;
          }
          if (ch === '"') inString = true;
          else if (ch === "{" || ch === "[") depth++;
          else if (ch === "}" || ch === "]") {
            depth--;
            if (depth === 0) {
              const body = partial + text.slice(start, i + 1);
              partial = "";
              let value: unknown;
              try {
                value = JSON.parse(body);
              } catch (e) {
                fail((e as Error).message, startLine + linesBefore(body, (e as Error).message));
              }
              // JSON.parse keeps the last of two equal keys: an export's field must not change silently
              const problem = repeatedKeyProblem(body);
              if (problem) {
                const at = startLine + problem.line;
                throw new InputError(`${file}:${at}: ${problem.text}`, file, at);
              }
              // a 64-bit id kept as its digits, not rounded to a neighbour by JSON.parse
              yield { line: startLine, value: keepLongIntegers(body, value) };
            }
          }
          continue;
        }
        if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n" || ch === "\ufeff") continue;
        if (mode === "unknown" && ch === "[") {
          mode = "array";
          continue;
        }
        if (mode === "array" && ch === ",") continue;
        if (mode === "array" && ch === "]") {
          mode = "closed";
          continue;
        }
        if (ch === "{" && mode !== "closed") {
          if (mode === "unknown") mode = "objects";
          depth = 1;
          start = i;
          startLine = line;
          continue;
        }
        fail(`unexpected "${ch}" where an object should start`);
      }
      if (depth > 0) partial += text.slice(start);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    if (e instanceof NotUtf8) throw await notUtf8Error(file);
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  } finally {
    stream.destroy();
    bytes.destroy();
  }
  if (depth > 0) fail("the file ends inside an object", startLine);
  if (mode === "array") fail("the top-level array is not closed");
}

/**
 * How many lines of a pretty-printed object come before the place JSON.parse names ("… at position
 * 123"), so the error points at the line to fix, not the line the object starts on.
 */
function linesBefore(body: string, message: string): number {
  const at = /at position (\d+)/.exec(message);
  if (!at) return 0;
  let n = 0;
  for (let i = body.indexOf("\n"); i !== -1 && i < Number(at[1]); i = body.indexOf("\n", i + 1)) n++;
  return n;
}
