import { isUtf8 } from "node:buffer";
import { Transform } from "node:stream";
import { InputError } from "./errors.js";
import { readLines } from "./lines.js";

/** Raised by the decoder below; the reader then finds the line the byte is on. */
export class NotUtf8 extends Error {}

/**
 * The file's bytes as text, refusing bytes that are not UTF-8: a lenient decode turns a Latin-1
 * export's `é` into U+FFFD, changing an account or host name in the cases without a word. The
 * decoder carries a character cut between two chunks over to the next; a leading BOM is dropped.
 */
export function utf8Text(): Transform {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const decode = (bytes: Buffer | undefined, stream: boolean): string | NotUtf8 => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      return new NotUtf8();
    }
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      const text = decode(chunk, true);
      if (text instanceof NotUtf8) done(text);
      else done(null, text || undefined);
    },
    flush(done) {
      const text = decode(undefined, false);
      if (text instanceof NotUtf8) done(text);
      else done(null, text || undefined);
    },
  });
}

/** The InputError for a file that is not UTF-8, with the line and column of its first bad byte. */
export async function notUtf8Error(file: string): Promise<InputError> {
  try {
    // the JSONL line reader refuses the first line holding a byte that is not UTF-8, by physical line
    for await (const _ of readLines(file));
  } catch (e) {
    if (e instanceof InputError) return e;
  }
  return new InputError(`${file}: not UTF-8 text; save the file as UTF-8`, file);
}

/**
 * A whole file's bytes as text, or the InputError naming the line and column of the first byte that
 * is not UTF-8 (byte 0x0A never occurs inside a multi-byte character, so lines split exactly).
 */
export function utf8OrRefuse(file: string, bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString("utf8");
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    const nl = bytes.indexOf(10, start);
    const end = nl === -1 ? bytes.length : nl;
    const text = bytes.toString("utf8", start, end);
    if (!isUtf8(bytes.subarray(start, end)))
      throw new InputError(
        `${file}:${line}: not UTF-8 text (a byte that is not UTF-8 at column ${text.indexOf("\uFFFD") + 1}); save the file as UTF-8`,
        file,
        line,
      );
    if (nl === -1) break;
    start = nl + 1;
  }
  throw new InputError(`${file}: not UTF-8 text; save the file as UTF-8`, file);
}
