import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interruptible } from "../src/cli/dataset.js";
import { CaseWriter, discardPendingImports } from "../src/datasets/case-writer.js";
import { CLI } from "./helpers/cli.js";

const FINDING = resolve("test/fixtures/datasets/ocsf-findings.jsonl");
const FINDINGS = 60_000; // a few seconds of import: the window the interrupt lands in

const dir = mkdtempSync(join(tmpdir(), "soceval-interrupt-"));
const big = join(dir, "big.jsonl");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const f = JSON.parse(readFileSync(FINDING, "utf8").split("\n")[0]!);
  const lines: string[] = [];
  for (let i = 0; i < FINDINGS; i++) {
    f.finding_info.uid = `fnd-${i}`;
    lines.push(JSON.stringify(f));
  }
  writeFileSync(big, `${lines.join("\n")}\n`);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("an interrupted dataset import", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s once the temp file exists: it is deleted, no output is written, exit 3",
    async (signal) => {
      const outDir = join(dir, `out-${signal}`);
      mkdirSync(outDir);
      const child = spawn(
        process.execPath,
        [CLI, "dataset", "import", "ocsf", big, "--out", join(outDir, "cases.jsonl")],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const closed = once(child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
      let exited = false;
      void closed.then(() => {
        exited = true;
      });
      // the hidden temp file beside the output: .cases.jsonl.<pid>.<time>.tmp
      const deadline = Date.now() + 30_000;
      while (!exited && !readdirSync(outDir).some((n) => /^\.cases\.jsonl\..*\.tmp$/.test(n))) {
        if (Date.now() > deadline) throw new Error("the import never created its temp file");
        await sleep(10);
      }
      expect(exited, "the import finished before it could be interrupted: make FINDINGS larger").toBe(false);
      child.kill(signal);
      const [code, killedBy] = await closed;
      expect({ code, killedBy }).toEqual({ code: 3, killedBy: null });
      expect(stderr).toContain(`soceval: import interrupted (${signal}); ${join(outDir, "cases.jsonl")} not written`);
      expect(readdirSync(outDir)).toEqual([]);
    },
  );
});

describe("the import's interrupt handling, in process", () => {
  it("discardPendingImports deletes the temp file of an import in progress", async () => {
    const target = join(dir, "direct", "cases.jsonl");
    const w = new CaseWriter(target);
    const f = JSON.parse(readFileSync("test/fixtures/datasets/valid.jsonl", "utf8").split("\n")[0]!);
    await w.write(f, { file: "valid.jsonl", line: 1 });
    expect(readdirSync(join(dir, "direct"))).toHaveLength(1);
    expect(discardPendingImports()).toEqual([target]);
    // the temp file is gone, and with it the folder the import made for --out
    expect(existsSync(join(dir, "direct"))).toBe(false);
    expect(discardPendingImports()).toEqual([]);
  });

  it("removes its SIGINT and SIGTERM listeners when the import ends, however it ends", async () => {
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    let during: number[] = [];
    await interruptible(async () => {
      during = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    });
    expect(during).toEqual([before[0]! + 1, before[1]! + 1]);
    await expect(
      interruptible(async () => {
        throw new Error("bad input");
      }),
    ).rejects.toThrow("bad input");
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(before);
  });
});
