import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/io/errors.js";
import { runSuite } from "../src/replay/runner.js";
import { Store } from "../src/store/db.js";
import { loadSuite } from "../src/workflow/load.js";

/** A copy of the mini suite whose dataset `change` alters once the run has replayed its first case. */
async function runWhileChanging(change: (dataset: string) => void, workers: number) {
  const dir = mkdtempSync(join(tmpdir(), "soceval-dataset-changed-"));
  cpSync("test/fixtures/mini", dir, { recursive: true });
  const dataset = join(dir, "cases.jsonl");
  const ls = loadSuite(join(dir, "suite.yaml"));
  const store = await Store.open(join(dir, "s.duckdb"));
  let changed = false;
  try {
    const error = await runSuite(store, ls, {
      workers,
      onProgress: () => {
        if (changed) return;
        changed = true;
        change(dataset);
      },
    }).catch((e: unknown) => e);
    const [runs] = await store.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM runs");
    return { error, runs: runs?.n, dataset };
  } finally {
    store.close();
  }
}

describe("a dataset that changes while the run reads it", () => {
  it("appended to (a nightly export still writing): refused, and no run is left under the first version's hash", async () => {
    for (const workers of [0, 1]) {
      const { error, runs, dataset } = await runWhileChanging((file) => {
        const first = readFileSync(file, "utf8").split("\n")[0]!;
        appendFileSync(file, `${first.replace(/"id": ?"[^"]+"/, '"id": "appended-1"')}\n`);
      }, workers);
      // it stored the appended case too, under the hash of the file without it, and exited 0
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(
        new RegExp(`^${dataset}: changed while the run read it \\(\\d+ bytes when it was hashed, \\d+ now\\)`),
      );
      expect(runs).toBe(0);
    }
  });

  it("rewritten in place to the same length: refused as rewritten", async () => {
    const { error, runs } = await runWhileChanging((file) => {
      const text = readFileSync(file, "utf8");
      writeFileSync(file, text.replace('"severity": "medium"', '"severity": "high"  '));
    }, 0);
    expect((error as Error).message).toMatch(/changed while the run read it \(rewritten\)/);
    expect(runs).toBe(0);
  });
});
