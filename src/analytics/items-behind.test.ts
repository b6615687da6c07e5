import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { Store } from "../store/db.js";
import { casesBehind, rateCondition } from "./cases-behind.js";
import { itemsSql, itemsText } from "./items-behind.js";
import { buildReport } from "./report.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-items-behind-"));
const run = `run_id = '${FIXTURE_RUN}'`;

/**
 * The fixture, with investigations holding several items against a ratio, a NULL count (the
 * report's sum() skips it) and an agent with no failed tool call at all.
 */
async function seeded(file: string): Promise<Store> {
  const store = await Store.open(join(dir, file));
  await seedFixture(store);
  await store.run(
    `UPDATE case_results SET tool_calls = 8, tool_errors = 3, required_total = 5, required_gathered = 3
       WHERE ${run} AND agent = 'model-x' AND case_id = 'c03';
     UPDATE case_results SET required_total = 2, required_gathered = NULL WHERE ${run} AND agent = 'model-x' AND case_id = 'c05';
     UPDATE case_results SET tool_calls = NULL, tool_errors = NULL WHERE ${run} AND agent = 'model-x' AND case_id = 'c06';
     UPDATE case_results SET tool_errors = 0 WHERE ${run} AND agent = 'playbook'`,
  );
  return store;
}

type Counted = { agent: string; case_id: string; epoch: number; items: number; total: number };

async function counted(store: Store, metric: string): Promise<Counted[]> {
  const { items, total, against } = itemsSql(metric);
  return store.query<Counted>(
    `SELECT agent, case_id, epoch, (${items})::INTEGER AS items, (${total})::INTEGER AS total FROM case_results
     WHERE ${run} AND ${against} ORDER BY agent, case_id, epoch`,
  );
}

describe("the investigations behind an item ratio", () => {
  let store: Store;
  beforeAll(async () => {
    store = await seeded("one.duckdb");
  });
  afterAll(() => store.close());

  it("selects a row holding at least one item against the ratio, with how many of its items", async () => {
    const recall = await counted(store, "context_recall");
    expect(recall.find((r) => r.agent === "model-x" && r.case_id === "c03")).toMatchObject({ items: 2, total: 5 });
    // a NULL count of gathered items is none gathered, as the report's sum reads it
    expect(recall.find((r) => r.agent === "model-x" && r.case_id === "c05")).toMatchObject({ items: 2, total: 2 });
    expect(recall.every((r) => r.items > 0 && r.items <= r.total)).toBe(true);
    const errors = await counted(store, "tool_error_rate");
    expect(errors.find((r) => r.case_id === "c03")).toMatchObject({ agent: "model-x", items: 3, total: 8 });
    expect(errors.some((r) => r.case_id === "c06" || r.agent === "playbook")).toBe(false);
    expect(itemsText("context_recall", 2, 5)).toBe("2 of 5 required items not gathered");
    expect(itemsText("tool_error_rate", 1, 1)).toBe("1 of 1 tool call failed");
  });

  it("holds, summed over the run, exactly the report's items against the ratio and its n", async () => {
    const doc = await buildReport(store, FIXTURE_RUN);
    for (const [metric, side] of [
      ["context_recall", "complement"],
      ["tool_error_rate", "numerator"],
    ] as const) {
      const { items, total } = itemsSql(metric);
      for (const a of Object.values(doc.agents)) {
        const e = a.metrics[metric]!;
        const [sum] = await store.query<{ items: number; total: number }>(
          `SELECT sum(${items})::INTEGER AS items, sum(${total})::INTEGER AS total FROM case_results
           WHERE ${run} AND agent = ? AND ${rateCondition(metric).against}`,
          [a.agent],
        );
        const [all] = await store.query<{ total: number }>(
          `SELECT sum(${total})::INTEGER AS total FROM case_results WHERE ${run} AND agent = ?`,
          [a.agent],
        );
        const x = e.x ?? 0;
        expect(Number(sum?.items ?? 0), `${a.agent} ${metric}`).toBe(side === "numerator" ? x : e.n - x);
        expect(Number(all?.total), `${a.agent} ${metric}`).toBe(e.n);
        expect(a.cases_behind.find((b) => b.metric === metric)).toMatchObject({ counts: "items", item_counts: side });
      }
    }
  });

  it("names the rows, cases and items in the report's entry, and an agent with none", async () => {
    const behind = await casesBehind(store, FIXTURE_RUN, false);
    const recall = behind.get("model-x")!.find((b) => b.metric === "context_recall")!;
    expect(recall.listed).toContainEqual({ case_id: "c03", epochs: 1, items: 2, output_status: "valid" });
    expect(recall.listed).toContainEqual({ case_id: "c05", epochs: 1, items: 2, output_status: "valid" });
    expect(recall.items).toBe(recall.listed.reduce((n, c) => n + c.items!, 0));
    const none = behind.get("playbook")!.find((b) => b.metric === "tool_error_rate")!;
    expect(none).toMatchObject({ rows: 0, cases: 0, items: 0, listed: [] });
    // the one-epoch listing and the grouped one agree, items included
    expect(await casesBehind(store, FIXTURE_RUN, true)).toEqual(behind);
  });
});

describe("an item ratio over several epochs", () => {
  it("lists a case once with its items over the epochs that count; the sum stays the report's", async () => {
    const store = await seeded("epochs.duckdb");
    try {
      await store.run(
        `UPDATE runs SET epochs = 2 WHERE ${run};
         INSERT INTO case_results SELECT * REPLACE (1 AS epoch) FROM case_results WHERE ${run} AND agent = 'model-x';
         UPDATE case_results SET tool_errors = 1 WHERE ${run} AND agent = 'model-x' AND case_id = 'c03' AND epoch = 1;
         UPDATE case_results SET tool_errors = 0 WHERE ${run} AND agent = 'model-x' AND case_id = 'c10' AND epoch = 1`,
      );
      const doc = await buildReport(store, FIXTURE_RUN);
      const mx = doc.agents["model-x"]!;
      const errors = mx.cases_behind.find((b) => b.metric === "tool_error_rate")!;
      expect(errors.listed).toContainEqual({ case_id: "c03", epochs: 2, items: 4, output_status: "valid" });
      expect(errors.listed).toContainEqual({ case_id: "c10", epochs: 1, items: 1, output_status: "valid" });
      expect(errors.items).toBe(mx.metrics.tool_error_rate!.x);
      expect(errors.cases).toBe(errors.listed.length);
      expect(errors.rows).toBe(errors.listed.reduce((n, c) => n + c.epochs, 0));
      const rows = await store.query<{ items: number }>(errors.query);
      expect(rows.reduce((n, r) => n + Number(r.items), 0)).toBe(errors.items);
    } finally {
      store.close();
    }
  });
});
