import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { InputError, RuntimeFailure } from "./errors.js";
import { writeOutFile, writeOutFileWith } from "./out-file.js";

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-out-"));

describe("writing an output file", () => {
  it("refuses to replace a DuckDB database (the store, named as --out by mistake), through a link too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-out-store-"));
    const db = join(dir, "soceval.duckdb");
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    await conn.run("CREATE TABLE runs (run_id VARCHAR); INSERT INTO runs VALUES ('r1'); CHECKPOINT");
    conn.closeSync();
    instance.closeSync();
    const before = readFileSync(db);
    const link = join(dir, "link.jsonl");
    symlinkSync(db, link);
    for (const path of [db, link]) {
      const write = () => writeOutFile("--out", path, "{}\n");
      expect(write).toThrow(InputError);
      expect(write).toThrow(`--out ${path}: is a DuckDB database (a soceval store?)`);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it.skipIf(!existsSync("/proc/self"))(
    "fails at once, naming the folder, where the folder cannot be made (/proc)",
    () => {
      // node's recursive mkdir spun forever on this path
      expect(() => writeOutFile("--out", "/proc/soceval-x/report.md", "x")).toThrow(
        "--out /proc/soceval-x/report.md: could not write it: ENOENT: no such file or directory, mkdir '/proc/soceval-x'",
      );
    },
  );

  it("a write that fails keeps the file that was there, leaves no partial file, and names the path given", async () => {
    const dir = tmp();
    const out = join(dir, "report.json");
    writeFileSync(out, "old");
    const broken = writeOutFileWith("--out", out, (file) => {
      writeFileSync(file, '{"half":');
      throw new Error("ENOSPC: no space left on device, write");
    });
    await expect(broken).rejects.toThrow(RuntimeFailure);
    await expect(broken).rejects.toThrow(`--out ${out}: could not write it: ENOSPC`);
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["report.json"]);
  });

  it("replaces a regular file whole, in a folder it creates", () => {
    const out = join(tmp(), "a", "b", "r.md");
    writeOutFile("--out", out, "one");
    writeOutFile("--out", out, "two");
    expect(readFileSync(out, "utf8")).toBe("two");
  });

  it("writes into a pipe in place rather than renaming a file over it", async () => {
    const fifo = join(tmp(), "pipe");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return; // no mkfifo on this machine
    const reader = spawn("cat", [fifo]);
    let got = "";
    reader.stdout.on("data", (d: Buffer) => {
      got += d.toString();
    });
    const closed = new Promise((r) => reader.on("close", r));
    await writeOutFileWith("--out", fifo, (file) => writeFileSync(file, "through the pipe"));
    await closed;
    expect(got).toBe("through the pipe");
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(existsSync(`${fifo}.partial`)).toBe(false);
  });
});
