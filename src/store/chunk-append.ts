import { type DuckDBAppender, DuckDBDataChunk } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import type { EncodedRow } from "./encode.js";
import { FRAME, type FrameReader, timeMicros } from "./row-frame.js";
import type { ColumnType } from "./tables.js";

type Vector = ReturnType<typeof duckdb.data_chunk_get_vector>;
type Numbers = Int32Array | Float64Array | BigInt64Array | Uint8Array;

/**
 * Rows of one table, gathered column by column into a DuckDB data chunk (2,048 rows) that goes to
 * the appender whole. Numbers, booleans, times, NULLs and list offsets are written into plain
 * typed arrays and copied into the chunk with one call per column; only strings cost a call each.
 * Through the appender's per-value calls, a `tool_calls` row cost sixteen calls and a list literal
 * that DuckDB parsed on its own; this way storing a run takes ~0.25 s less CPU per 10,000 cases
 * (bench/README.md, sixth session). node-api's own column writers convert value by value, so the
 * vectors are written through node-bindings, node-api's native layer.
 */
export class ChunkAppender {
  private readonly size = duckdb.vector_size();
  private readonly chunk: DuckDBDataChunk;
  private vectors: Vector[];
  private readonly numbers: (Numbers | null)[];
  private readonly nulls: Uint8Array[];
  private readonly hasNull: boolean[];
  private readonly listEntries: BigUint64Array[];
  private readonly listChildren: number[];
  private rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly ColumnType[],
  ) {
    // the appender's own column types (JSON included), so the chunk goes in without a cast
    this.chunk = DuckDBDataChunk.create(types.map((_, i) => appender.columnType(i)));
    this.numbers = types.map((t) => {
      if (t === "INTEGER") return new Int32Array(this.size);
      if (t === "DOUBLE") return new Float64Array(this.size);
      if (t === "BIGINT" || t === "TIMESTAMP") return new BigInt64Array(this.size);
      if (t === "BOOLEAN") return new Uint8Array(this.size);
      return null;
    });
    this.nulls = types.map(() => new Uint8Array(this.size / 8).fill(255));
    this.hasNull = types.map(() => false);
    this.listEntries = types.map((t) => new BigUint64Array(t === "VARCHAR[]" ? this.size * 2 : 0));
    this.listChildren = types.map(() => 0);
    this.vectors = this.lookUpVectors();
  }

  /**
   * One row read from a frame (row-frame.ts), its values already converted for their columns in
   * the worker; text goes in from views of the frame, never as JS strings.
   */
  addFrom(r: FrameReader): void {
    const n = this.rows;
    for (let i = 0; i < this.types.length; i++) {
      const tag = r.tag();
      if (tag === FRAME.NULL) this.markNull(i, n);
      else if (tag === FRAME.TEXT) duckdb.vector_assign_string_element_len(this.vectors[i]!, n, r.textBytes());
      else if (tag === FRAME.LIST) {
        const count = r.u32();
        const [child, at] = this.listSlot(i, n, count);
        for (let k = 0; k < count; k++) {
          r.tag();
          duckdb.vector_assign_string_element_len(child, at + k, r.textBytes());
        }
      } else {
        const v = tag === FRAME.NUMBER ? r.f64() : tag === FRAME.TRUE ? 1 : 0;
        const type = this.types[i];
        if (type === "TIMESTAMP" || type === "BIGINT") (this.numbers[i] as BigInt64Array)[n] = BigInt(v);
        else this.numbers[i]![n] = v;
      }
    }
    if (++this.rows === this.size) this.flush();
  }

  /** One row in column order; throws (and keeps nothing of it) when a value does not fit its column. */
  add(row: EncodedRow): void {
    const n = this.rows;
    try {
      this.write(row, n);
    } catch (e) {
      // a refused row leaves nothing: the next row takes its place, with no NULL marks of its own
      for (const mask of this.nulls) mask[n >> 3]! |= 1 << (n & 7);
      throw e;
    }
    if (++this.rows === this.size) this.flush();
  }

  private write(row: EncodedRow, n: number): void {
    for (let i = 0; i < this.types.length; i++) {
      const v = row[i];
      if (v === null || v === undefined) {
        this.markNull(i, n);
        continue;
      }
      const type = this.types[i]!;
      const nums = this.numbers[i];
      if (nums) {
        if (type === "TIMESTAMP") (nums as BigInt64Array)[n] = BigInt(timeMicros(v));
        else if (type === "BIGINT") (nums as BigInt64Array)[n] = BigInt(Math.round(Number(v)));
        else if (type === "BOOLEAN") nums[n] = v ? 1 : 0;
        else nums[n] = Number(v);
      } else if (type === "VARCHAR[]") this.addList(i, n, JSON.parse(String(v)) as string[]);
      else duckdb.vector_assign_string_element(this.vectors[i]!, n, String(v));
    }
  }

  /** Hand the rows gathered so far to the appender. */
  flush(): void {
    const n = this.rows;
    if (n === 0) return;
    for (let i = 0; i < this.types.length; i++) {
      const vec = this.vectors[i]!;
      const nums = this.numbers[i];
      if (nums) duckdb.copy_data_to_vector(vec, 0, nums.buffer as ArrayBuffer, 0, n * nums.BYTES_PER_ELEMENT);
      if (this.types[i] === "VARCHAR[]") {
        duckdb.copy_data_to_vector(vec, 0, this.listEntries[i]!.buffer as ArrayBuffer, 0, n * 16);
        duckdb.list_vector_set_size(vec, this.listChildren[i]!);
        this.listChildren[i] = 0;
      }
      if (this.hasNull[i]) {
        duckdb.vector_ensure_validity_writable(vec);
        duckdb.copy_data_to_vector_validity(vec, 0, this.nulls[i]!.buffer as ArrayBuffer, 0, Math.ceil(n / 8));
        this.nulls[i]!.fill(255);
        this.hasNull[i] = false;
      }
    }
    this.chunk.rowCount = n;
    this.appender.appendDataChunk(this.chunk);
    this.chunk.reset();
    this.vectors = this.lookUpVectors();
    this.rows = 0;
  }

  /** The last rows, then the appender closed: they are in the transaction, to be committed. */
  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  /** For a rollback: the appender closed without the rows gathered here. */
  discard(): void {
    this.rows = 0;
    try {
      this.appender.closeSync();
    } catch {
      // a row the appender refused: the rollback discards it anyway
    }
  }

  private markNull(col: number, row: number): void {
    this.hasNull[col] = true;
    this.nulls[col]![row >> 3]! &= ~(1 << (row & 7));
  }

  private addList(col: number, row: number, items: readonly string[]): void {
    const [child, at] = this.listSlot(col, row, items.length);
    for (let k = 0; k < items.length; k++) duckdb.vector_assign_string_element(child, at + k, String(items[k]));
  }

  /**
   * Room for a row's list of `count` strings: they go into the list's child vector from `at` on,
   * and the row keeps (offset, length) into it.
   */
  private listSlot(col: number, row: number, count: number): [Vector, number] {
    const vec = this.vectors[col]!;
    const at = this.listChildren[col]!;
    duckdb.list_vector_reserve(vec, at + count);
    this.listEntries[col]![2 * row] = BigInt(at);
    this.listEntries[col]![2 * row + 1] = BigInt(count);
    this.listChildren[col] = at + count;
    return [duckdb.list_vector_get_child(vec), at];
  }

  /** A chunk's vectors, looked up again after each reset. */
  private lookUpVectors(): Vector[] {
    return this.types.map((_, i) => duckdb.data_chunk_get_vector(this.chunk.chunk, i));
  }
}
