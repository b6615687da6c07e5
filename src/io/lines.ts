import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { InputError } from "./errors.js";

const NL = 10;
const CR = 13;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Lines of a file, streamed in large chunks and split with indexOf: several times faster than
 * readline on big JSONL files, and never holds more than one chunk plus one line in memory.
 * Splitting the bytes rather than decoded text skips a whole-chunk decode and string concat; byte
 * 0x0A never occurs inside a multi-byte UTF-8 sequence, so decoding line by line is exact.
 * A UTF-8 byte-order mark at the start of the file (Windows tools write one) is not part of line 1;
 * it is looked for in the first chunk only, so the split loop is unchanged.
 * Bytes that are not UTF-8 (a Latin-1 export, a cut file) are refused with their line, never
 * decoded to U+FFFD: that would change an id or an indicator without a word.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  let line = 0;
  for await (const bytes of readLineBytes(file)) yield decodeLine(file, ++line, bytes);
}

/**
 * The same lines undecoded, without a trailing CR: a view into the read buffer, for a reader that
 * hands them on as bytes (the replay's workers decode them, with decodeLine).
 */
export async function* readLineBytes(file: string, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Buffer> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  // the unterminated tail of earlier chunks; usually a single piece
  let rest: Buffer[] = [];
  let restBytes = 0;
  // lines handed on so far: the number of the one a too-long tail belongs to
  let lines = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      if (first) {
        first = false;
        if (chunk.length >= 3 && chunk.compare(BOM, 0, 3, 0, 3) === 0) start = 3;
      }
      let nl = chunk.indexOf(NL);
      if (nl !== -1 && rest.length > 0) {
        rest.push(chunk.subarray(0, nl));
        const joined = Buffer.concat(rest);
        lines++;
        yield withoutCr(joined, 0, joined.length);
        rest = [];
        restBytes = 0;
        start = nl + 1;
        nl = chunk.indexOf(NL, start);
      }
      for (; nl !== -1; nl = chunk.indexOf(NL, start)) {
        lines++;
        yield withoutCr(chunk, start, nl);
        start = nl + 1;
      }
      if (start < chunk.length) {
        rest.push(start === 0 ? chunk : chunk.subarray(start));
        restBytes += chunk.length - start;
        if (restBytes > maxLineBytes) throw tooLong(file, lines + 1, maxLineBytes);
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new InputError(`${file}: cannot read (${code})`, file);
    throw e;
  }
  if (rest.length > 0) {
    const last = Buffer.concat(rest);
    if (last.length > 0) yield withoutCr(last, 0, last.length);
  }
}

/**
 * The longest line soceval reads: one JS string holds at most 2^29 − 24 characters, and a line is
 * one JSON value. Refused at its line (bad input), not left to fail as "Cannot create a string
 * longer than 0x1fffffe8 characters" (a runtime failure), and before the rest of it is read.
 */
export const MAX_LINE_BYTES = 0x1fffffe8;

function tooLong(file: string, line: number, max: number): InputError {
  const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
  return new InputError(
    `${file}:${line}: a line longer than ${max >= 1048576 ? mb(max) : `${max} bytes`}, more than one JSON value soceval can read; one case, record or transcript per line`,
    file,
    line,
  );
}

function withoutCr(buf: Buffer, start: number, end: number): Buffer {
  return buf.subarray(start, end > start && buf[end - 1] === CR ? end - 1 : end);
}

/** Whether a line's bytes hold nothing but white space (as `/\S/` finds none in its text). */
export function isBlankLine(bytes: Uint8Array): boolean {
  let wide = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c < 128) return false;
    wide = true;
  }
  // only a line of non-ASCII bytes alone can still be blank (U+00A0, U+3000): decoded to tell
  return !wide || !/\S/.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"));
}

/** A line's bytes decoded; bytes that are not UTF-8 are refused with the line's number. */
export function decodeLine(file: string, line: number, bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const text = buf.toString("utf8");
  // only a line that decoded to U+FFFD can hold bad bytes (a real U+FFFD is valid UTF-8)
  if (text.includes("\uFFFD") && !isUtf8(buf))
    throw new InputError(
      `${file}:${line}: not UTF-8 text (a byte that is not UTF-8 at column ${text.indexOf("\uFFFD") + 1}); save the file as UTF-8`,
      file,
      line,
    );
  return text;
}
