import { cpSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";
import { interruptWhen } from "./helpers/interrupt.js";

/**
 * An export stopped by Ctrl-C or a cancelled CI job (SIGTERM) ended silently with exit 130 and left
 * `<out>.partial` and a `<out>.partial.parts/` folder of every part written so far beside --out.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-export-interrupt-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "s.duckdb");

beforeAll(async () => {
  // 40,000 transcripts: written 2,000 a part, so the parts folder stands for a while
  const r = await soceval(["run", "suite.yaml", "--epochs", "1000", "--db", db, "--quiet"], dir);
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

describe("export, interrupted", () => {
  it.each(["jsonl", "parquet"])(
    "as %s: one line, exit 3, and nothing of it left beside --out",
    async (format) => {
      const outDir = mkdtempSync(join(dir, "out-"));
      const out = join(outDir, `t.${format}`);
      const parts = `${out}.partial.parts`;
      const { code, stderr, sent } = await interruptWhen(
        ["export", "--run", "latest", "--db", db, "--out", out],
        dir,
        () => existsSync(parts),
      );
      expect(sent).toBe(true);
      expect(code, stderr).toBe(3);
      expect(stderr).toBe(`\nsoceval: export interrupted (SIGINT); ${out} not written\n`);
      expect(readdirSync(outDir)).toEqual([]);
    },
    60_000,
  );
});
