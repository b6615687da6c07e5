import type { EncodedRow } from "./encode.js";
import type { ColumnType } from "./tables.js";

const NULL = 0;
const TEXT = 1;
const NUMBER = 2;
const FALSE = 3;
const TRUE = 4;
const LIST = 5;

const utf8 = new TextEncoder();

/** One investigation's rows in a frame, from byte `at`: `counts[k]` rows of CASE_TABLES[k] (encode.ts). */
export type FramedTranscript = { case_id: string; failed: boolean; at: number; counts: number[] };

/**
 * Rows written as bytes: what a replay worker hands the writer. A transferred buffer crosses
 * threads without a copy and its text never becomes strings in the writer's JS heap: it goes into
 * DuckDB's vectors from views of the buffer (chunk-append.ts). Cloned rows of strings cost the
 * writer's heap ~70 MB at 10,000 cases, garbage V8 collects late (bench/README.md, seventeenth
 * session). Each value is a tag byte, then: text as a u32 byte length and UTF-8; a number as a
 * float64; a list as a u32 count and that many texts. A value is converted for its column here,
 * in the worker: a time to microseconds, a list from its JSON.
 */
export class FrameWriter {
  private bytes = new Uint8Array(1 << 16);
  private view = new DataView(this.bytes.buffer);
  pos = 0;

  /** One encoded row (encode.ts), its values in `types`' order. */
  row(types: readonly ColumnType[], row: EncodedRow): void {
    for (let i = 0; i < types.length; i++) this.value(types[i]!, row[i] ?? null);
  }

  private value(type: ColumnType, v: string | number | boolean | null): void {
    if (v === null) this.tag(NULL);
    else if (type === "VARCHAR" || type === "JSON") this.text(String(v));
    else if (type === "VARCHAR[]") {
      const items = JSON.parse(String(v)) as string[];
      this.tag(LIST);
      this.u32(items.length);
      for (const s of items) this.text(String(s));
    } else if (type === "BOOLEAN") this.tag(v ? TRUE : FALSE);
    else if (type === "TIMESTAMP") this.number(timeMicros(v));
    else if (type === "BIGINT") this.number(Math.round(Number(v)));
    else this.number(Number(v));
  }

  /** The bytes written, in a buffer of their own to transfer; the writer starts over. */
  take(): Uint8Array {
    const out = this.bytes.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  private tag(t: number): void {
    this.room(1);
    this.bytes[this.pos++] = t;
  }

  private u32(n: number): void {
    this.room(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
  }

  private number(n: number): void {
    this.room(9);
    this.bytes[this.pos++] = NUMBER;
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
  }

  private text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.room(5 + s.length * 3);
    this.bytes[this.pos++] = TEXT;
    const { written } = utf8.encodeInto(s, this.bytes.subarray(this.pos + 4));
    this.view.setUint32(this.pos, written, true);
    this.pos += 4 + written;
  }

  private room(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

/** Reads a FrameWriter's values back in order, from `pos`. */
export class FrameReader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The next value's kind (FRAME). */
  tag(): number {
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    const n = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return n;
  }
  f64(): number {
    const n = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return n;
  }
  /** A text's bytes (after its tag), as a view into the frame. */
  textBytes(): Uint8Array {
    const n = this.u32();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Past one value of any kind, tag included. */
  skip(): void {
    const t = this.tag();
    if (t === TEXT) {
      const n = this.u32(); // read before `pos` is: `pos += u32()` would add to the old position
      this.pos += n;
    } else if (t === NUMBER) this.pos += 8;
    else if (t === LIST) for (let n = this.u32(); n > 0; n--) this.skip();
  }
}

/** The tag byte of each kind of value. */
export const FRAME = { NULL, TEXT, NUMBER, FALSE, TRUE, LIST } as const;

/**
 * A TIMESTAMP column takes microseconds since the epoch, from ISO-8601 text; text without a zone
 * is UTC, as DuckDB reads it, never the machine's local time.
 */
export function timeMicros(v: string | number | boolean): number {
  const s = String(v);
  const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(s) ? s : `${s.replace(" ", "T")}Z`);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${s}`);
  return ms * 1000;
}
