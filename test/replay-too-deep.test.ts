import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError, isStackOverflow } from "../src/io/errors.js";
import { runSuite } from "../src/replay/runner.js";
import { tooDeepMessage } from "../src/replay/too-deep.js";
import { Store } from "../src/store/db.js";
import { loadSuite } from "../src/workflow/load.js";

const WF = join(process.cwd(), "suites/phishing-triage");

/** Case lines 1-3 of the bundled phishing data, then one whose alert.raw nests `levels` deep. */
function suiteWithDeepCase(levels: number): { suite: string; dataset: string } {
  const dir = mkdtempSync(join(tmpdir(), "soceval-deep-"));
  const lines = readFileSync(join(process.cwd(), "datasets/phishing-triage/cases.jsonl"), "utf8").split("\n");
  const deep = JSON.parse(lines[3]!);
  deep.id = "phish-deep";
  deep.alert.raw = { deep: "@" };
  const nested = `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
  const dataset = join(dir, "cases.jsonl");
  writeFileSync(dataset, [...lines.slice(0, 3), JSON.stringify(deep).replace('"@"', nested)].join("\n"));
  const suite = join(dir, "deep.suite.yaml");
  writeFileSync(
    suite,
    [
      "name: deep",
      `workflow: ${join(WF, "workflow.yaml")}`,
      `dataset: ${dataset}`,
      `agents: [${join(WF, "agents/playbook.yaml")}]`,
    ].join("\n"),
  );
  return { suite, dataset };
}

describe("a case nested deeper than can be stored", () => {
  it("names the field and how deep it goes, without overflowing itself", () => {
    const value = { id: "x", alert: { raw: { deep: JSON.parse(`${'{"a":'.repeat(50000)}1${"}".repeat(50000)}`) } } };
    expect(tooDeepMessage("f.jsonl", 7, value)).toBe(
      "f.jsonl:7: alert.raw.deep.a…: nested 50003 levels deep, more than soceval can store; flatten it",
    );
    expect(tooDeepMessage("f.jsonl", 7, { alert: { raw: [[1], [[2]]] } })).toContain(
      "f.jsonl:7: alert.raw[1][0]: nested 5",
    );
    expect(isStackOverflow(new RangeError("Maximum call stack size exceeded"))).toBe(true);
    expect(isStackOverflow(new RangeError("Invalid array length"))).toBe(false);
  });

  // JSON.parse takes any depth; storing the case recurses. Deep enough to overflow a worker's
  // stack too (worker threads get a larger one than the main thread).
  for (const workers of [0, 1])
    it(`is refused as bad input by its line and field, and the run removed (${workers} workers)`, async () => {
      const { suite, dataset } = suiteWithDeepCase(100_000);
      const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-deep-")), "s.duckdb"));
      try {
        const err = await runSuite(store, loadSuite(suite), { workers }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InputError);
        expect((err as InputError).message).toBe(
          `${dataset}:4: alert.raw.deep.a…: nested 100003 levels deep, more than soceval can store; flatten it`,
        );
        // a fresh run with bad input is never left half-written
        expect(await store.query("SELECT run_id FROM runs")).toEqual([]);
        expect(await store.query("SELECT case_id FROM cases")).toEqual([]);
      } finally {
        store.close();
      }
    });
});
