import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { setImmediate as tick } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../store/db.js";
import { writeJsonLines } from "./write-lines.js";

const ROWS = 20_000;
const SQL = `SELECT i AS n, 'case-' || i AS case_id, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS escalate
  FROM range(${ROWS}) t(i) ORDER BY i`;

/** A reader that takes nothing until `release()`: what a paused pager or a slow pipe looks like. */
function stalledReader() {
  const held: (() => void)[] = [];
  let text = "";
  let open = false;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      if (open) done();
      else held.push(done);
    },
  });
  return {
    out,
    text: () => text,
    release() {
      open = true;
      for (const done of held.splice(0)) done();
    },
  };
}

describe("writeJsonLines", () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-lines-")), "s.duckdb"));
  });
  afterAll(() => store.close());

  it("stops reading rows while the reader is not taking them, then writes every one as query() gives it", async () => {
    const reader = stalledReader();
    let pulled = 0;
    async function* counted() {
      for await (const rows of store.stream(SQL)) {
        pulled += rows.length;
        yield rows;
      }
    }
    const writing = writeJsonLines(reader.out, counted());
    // until the writer waits for 'drain' or has read every row: a writer that ignores write()'s
    // answer reads them all, one that respects it stops at its first chunk
    while (pulled < ROWS && reader.out.listenerCount("drain") === 0) await tick();
    expect(pulled).toBeLessThan(ROWS / 2);
    expect(pulled).toBeGreaterThan(0);
    reader.release();
    expect(await writing).toBe("done");
    const expected = (await store.query(SQL)).map((r) => `${JSON.stringify(r)}\n`).join("");
    expect(reader.text()).toBe(expected);
    expect(reader.text().split("\n")).toHaveLength(ROWS + 1);
  });

  it("says the reader went away (a pipe closed by `| head`) and stops, rather than failing", async () => {
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, done) {
        const e = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
        done(e);
      },
    });
    let pulled = 0;
    async function* counted() {
      for await (const rows of store.stream(SQL)) {
        pulled += rows.length;
        yield rows;
      }
    }
    expect(await writeJsonLines(out, counted())).toBe("closed");
    expect(pulled).toBeLessThan(ROWS);
  });

  it("throws a write error that is not the reader leaving (a full disk)", async () => {
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, done) {
        done(Object.assign(new Error("write ENOSPC"), { code: "ENOSPC" }));
      },
    });
    await expect(writeJsonLines(out, store.stream(SQL))).rejects.toThrow("ENOSPC");
  });
});
