import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { InputError } from "./errors.js";

/**
 * Lines of a file, streamed in large chunks and split with indexOf: several times faster than
 * readline on big JSONL files, and never holds more than one chunk plus one line in memory.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  const decoder = new StringDecoder("utf8");
  let rest = "";
  try {
    for await (const chunk of stream) {
      const text = rest + decoder.write(chunk as Buffer);
      let start = 0;
      for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
        yield text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new InputError(`${file}: cannot read (${code})`, file);
    throw e;
  }
  rest += decoder.end();
  if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}
