import { execFileSync, spawn } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fifoWithReader } from "../../test/helpers/fifo.js";
import { InputError, ReaderGone } from "../io/errors.js";
import { importCsv } from "./import-csv.js";

const CSV = "test/fixtures/datasets/splunk-notables.csv";
const MAPPING = "test/fixtures/datasets/splunk-notables.mapping.yaml";
const tmp = () => mkdtempSync(join(tmpdir(), "soceval-case-writer-"));

describe("an import's --out", () => {
  it("under a file is bad input naming the file, not a runtime failure", async () => {
    const d = tmp();
    const file = join(d, "cases.jsonl");
    writeFileSync(file, "previous\n");
    const out = join(file, "sub", "x.jsonl");
    const err = await importCsv(CSV, MAPPING, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`--out ${out}: ${file} is a file, not a folder`);
    expect(readFileSync(file, "utf8")).toBe("previous\n");
  });

  it("writes through a symlink: the file it names gets the cases and the link stays", async () => {
    const d = tmp();
    writeFileSync(join(d, "real.jsonl"), "previous\n");
    symlinkSync("real.jsonl", join(d, "cases.jsonl"));
    const r = await importCsv(CSV, MAPPING, join(d, "cases.jsonl"));
    expect(lstatSync(join(d, "cases.jsonl")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(d, "cases.jsonl"))).toBe("real.jsonl");
    const lines = readFileSync(join(d, "real.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(r.cases);
    expect(JSON.parse(lines[0]!).id).toBeTruthy();
    expect(readdirSync(d).sort()).toEqual(["cases.jsonl", "real.jsonl"]);
  });

  // a temp file renamed over /dev/stdout replaced the device with a regular file (as root)
  it.skipIf(process.platform === "win32")("writes a pipe in place instead of renaming a file over it", async () => {
    const d = tmp();
    const fifo = join(d, "cases.pipe");
    const reader = fifoWithReader(fifo);
    try {
      const r = await importCsv(CSV, MAPPING, fifo);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect((await reader.text()).trim().split("\n")).toHaveLength(r.cases);
      expect(readdirSync(d)).toEqual(["cases.pipe"]);
    } finally {
      reader.stop();
    }
  });

  it.skipIf(process.platform === "win32")("stops as the reader's choice when a pipe's reader leaves", async () => {
    const d = tmp();
    const csv = join(d, "many.csv");
    const rows = Array.from({ length: 4000 }, (_, i) => `c${i},2024-07-04T22:35:00Z,${"x".repeat(200)}`);
    writeFileSync(csv, `id,when,title\n${rows.join("\n")}\n`);
    const mapping = join(d, "m.yaml");
    writeFileSync(
      mapping,
      [
        "case:",
        "  id: id",
        "  workflow: { const: endpoint-investigation }",
        "  alert.title: title",
        "  alert.rule: { const: r }",
        "  alert.source: { const: s }",
        "  alert.severity: { const: low }",
        "  alert.time: when",
      ].join("\n"),
    );
    const fifo = join(d, "cases.pipe");
    execFileSync("mkfifo", [fifo]);
    // reads a few bytes and leaves, far less than the cases fill, so the writes that follow fail with EPIPE
    const reader = spawn("head", ["-c", "10", fifo], { stdio: "ignore" });
    try {
      await expect(importCsv(csv, mapping, fifo)).rejects.toBeInstanceOf(ReaderGone);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
    } finally {
      reader.kill();
    }
  });
});
