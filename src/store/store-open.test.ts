import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { InputError } from "../io/errors.js";
import { Store } from "./db.js";

describe("a zero-byte --db (what mktemp makes)", () => {
  it("is no store to read, and a new one to write", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "soceval-empty-")), "s.duckdb");
    writeFileSync(f, "");
    await expect(Store.open(f, { readOnly: true })).rejects.toThrow(`${f}: an empty file, not a soceval store`);
    expect(statSync(f).size).toBe(0);
    const s = await Store.open(f);
    const [r] = await s.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM runs");
    s.close();
    expect(r?.n).toBe(0);
    expect(statSync(f).size).toBeGreaterThan(0);
  });
});

describe('an empty --db (an unset variable in `--db "$STORE"`)', () => {
  it("is refused, for writing too: DuckDB would keep the store in memory and lose every run stored in it", async () => {
    await expect(Store.open("")).rejects.toBeInstanceOf(InputError);
    await expect(Store.open("")).rejects.toThrow("--db: an empty path");
    await expect(Store.open("", { readOnly: true })).rejects.toThrow("--db: an empty path");
  });
});

describe("a --db whose folder cannot be made", () => {
  it("under a file is bad input naming the file in the way, and nothing is made", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-under-file-"));
    const file = join(dir, "old.duckdb");
    writeFileSync(file, "not a folder");
    for (const path of [join(file, "s.duckdb"), join(file, "more", "s.duckdb")]) {
      const opened = Store.open(path);
      await expect(opened).rejects.toBeInstanceOf(InputError);
      await expect(Store.open(path)).rejects.toThrow(`${path}: ${file} is a file, not a folder`);
    }
    expect(readFileSync(file, "utf8")).toBe("not a folder");
  });
});

describe("a store from a pre-release soceval (transcripts.steps)", () => {
  it("is refused by reading commands too, pointing at a way out that reads it: the DuckDB statements named work", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-pre-release-"));
    const f = join(dir, "pre.duckdb");
    const s = await Store.open(f);
    await s.run("ALTER TABLE transcripts ADD COLUMN steps JSON");
    await s.run("DROP TABLE soceval_schema");
    s.close();
    const refused = await Store.open(f, { readOnly: true }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(InputError);
    const message = (refused as Error).message;
    // `soceval export` is a reading command: sending the user to it went round in a circle
    expect(message).not.toMatch(/export what you need/);
    const sql = message.match(/\(duckdb \S+ "(.+)"\)/)?.[1];
    expect(sql, message).toBeDefined();
    const db = await DuckDBInstance.create(f, { access_mode: "READ_ONLY" });
    const conn = await db.connect();
    try {
      await conn.run(
        sql!
          .replaceAll("'runs.jsonl'", `'${join(dir, "runs.jsonl")}'`)
          .replaceAll("'transcripts.jsonl'", `'${join(dir, "transcripts.jsonl")}'`),
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    expect(existsSync(join(dir, "runs.jsonl"))).toBe(true);
    expect(existsSync(join(dir, "transcripts.jsonl"))).toBe(true);
  });
});

describe("a store from a newer soceval (a later layout version)", () => {
  it("is refused by a command that writes, before anything changes, and still read by one that reads", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "soceval-newer-")), "s.duckdb");
    const s = await Store.open(f);
    // what a later soceval leaves: a column this one does not fill, and its layout's number
    await s.run("ALTER TABLE transcripts ADD COLUMN later_column VARCHAR");
    await s.run("UPDATE soceval_schema SET version = version + 1");
    const [{ v } = { v: 0 }] = await s.query<{ v: number }>("SELECT max(version) AS v FROM soceval_schema");
    s.close();
    // before, a run opened it, marked it as its own older layout, and failed on its first append
    const refused = await Store.open(f).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as Error).message).toBe(
      `${f}: written by a newer soceval (store layout ${v}; this one writes layout ${v - 1}), which this one must not add to or change; run the newer soceval, or pass another --db`,
    );
    const read = await Store.open(f, { readOnly: true });
    const [after] = await read.query<{ v: number; runs: number }>(
      "SELECT (SELECT max(version) FROM soceval_schema) AS v, (SELECT count(*) FROM runs)::INTEGER AS runs",
    );
    read.close();
    expect(after).toEqual({ v, runs: 0 });
  });
});

describe("a store beside a .wal that is not its own (restored from a copy, the old file's log left behind)", () => {
  it("is refused naming the log and what to do with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-foreign-wal-"));
    const restored = join(dir, "s.duckdb");
    (await Store.open(restored)).close();
    // the old file, whose log still holds its tables and rows when it is replaced
    const old = await Store.open(join(dir, "old.duckdb"));
    await old.run("INSERT INTO soceval_schema VALUES (0)");
    copyFileSync(join(dir, "old.duckdb.wal"), `${restored}.wal`);
    old.close();
    for (const readOnly of [true, false]) {
      const refused = await Store.open(restored, { readOnly }).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(InputError);
      expect((refused as Error).message).toMatch(/Failure while replaying WAL file/);
      expect((refused as Error).message).toContain(
        `; if ${restored} was restored from a copy or replaced, ${restored}.wal is the old file's unfinished log: move it aside and try again`,
      );
    }
  });
});

describe("DuckDB's vacuum (which merged a run's row groups at every later checkpoint)", () => {
  it("is off in a store opened to write, and left as DuckDB has it in one opened to read", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "soceval-vacuum-")), "s.duckdb");
    const vacuum = async (s: Store) =>
      (await s.query<{ v: number }>("SELECT current_setting('max_vacuum_tasks')::INTEGER AS v"))[0]!.v;
    const writing = await Store.open(f);
    expect(await vacuum(writing)).toBe(0);
    writing.close();
    const reading = await Store.open(f, { readOnly: true });
    expect(await vacuum(reading)).toBeGreaterThan(0);
    reading.close();
  });
});
