import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { InputError } from "./errors.js";
import { fileSha256 } from "./hash.js";

const CR = 13;
const LF = 10;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A file's sha256 (`bytes`) and the one it would have with LF line endings (each CR before an LF
 * dropped) and with CRLF ones (a CR before each bare LF), each without and with a leading
 * byte-order mark (Notepad's, on saving): the only bytes a checkout with git's core.autocrlf or a
 * Windows editor changes, and which no reader of these files keeps. A dataset's hash is its bytes;
 * these tell "another version" from "the same cases, other line endings", whichever of the two
 * files is on this machine.
 */
export type LineEndingHashes = { bytes: string; lf: string; crlf: string; bomLf: string; bomCrlf: string };

export async function lineEndingHashes(file: string): Promise<LineEndingHashes> {
  const bytes = createHash("sha256");
  const lf = createHash("sha256");
  const crlf = createHash("sha256");
  const bomLf = createHash("sha256").update(BOM);
  const bomCrlf = createHash("sha256").update(BOM);
  const both = (b: Buffer) => {
    for (const h of [lf, crlf, bomLf, bomCrlf]) h.update(b);
  };
  // a CR that ended the last chunk: whether it is a line ending depends on the next chunk's first byte
  let heldCr = false;
  let first = true;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      let buf = chunk as Buffer;
      bytes.update(buf);
      if (first && buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
      first = false;
      if (heldCr) buf = Buffer.concat([Buffer.from([CR]), buf]);
      heldCr = buf.length > 0 && buf[buf.length - 1] === CR;
      if (heldCr) buf = buf.subarray(0, -1);
      let start = 0;
      for (let nl = buf.indexOf(LF, start); nl !== -1; nl = buf.indexOf(LF, start)) {
        both(buf.subarray(start, nl > start && buf[nl - 1] === CR ? nl - 1 : nl));
        lf.update("\n");
        bomLf.update("\n");
        crlf.update("\r\n");
        bomCrlf.update("\r\n");
        start = nl + 1;
      }
      both(buf.subarray(start));
    }
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  if (heldCr) both(Buffer.from([CR]));
  return {
    bytes: bytes.digest("hex"),
    lf: lf.digest("hex"),
    crlf: crlf.digest("hex"),
    bomLf: bomLf.digest("hex"),
    bomCrlf: bomCrlf.digest("hex"),
  };
}

/** Every hash the same cases take under another line ending or byte-order mark. */
export function sameCasesForms(h: LineEndingHashes): Set<string> {
  return new Set([h.bytes, h.lf, h.crlf, h.bomLf, h.bomCrlf]);
}

/**
 * Whether `file` holds the bytes that hashed to `hash` up to its line endings: the same cases (a
 * JSONL line's CR is no part of its JSON) whichever way git checked the file out. One read when
 * the bytes are the same.
 */
export async function sameUpToLineEndings(file: string, hash: string): Promise<boolean> {
  if ((await fileSha256(file)) === hash) return true;
  return sameCasesForms(await lineEndingHashes(file)).has(hash);
}
