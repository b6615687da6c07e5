import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { Store } from "../store/db.js";
import { casesBehind } from "./cases-behind.js";
import { buildReport } from "./report.js";
import type { ReportDoc } from "./report-schema.js";

describe("cases behind each rate", () => {
  let store: Store;
  let doc: ReportDoc;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    // a second epoch of model-x in which c01 goes right: its misses count once, in 1 of 2 epochs
    await store.run(
      `UPDATE runs SET epochs = 2 WHERE run_id = '${FIXTURE_RUN}';
       INSERT INTO case_results SELECT * REPLACE (1 AS epoch) FROM case_results WHERE run_id = '${FIXTURE_RUN}' AND agent = 'model-x';
       INSERT INTO findings SELECT * REPLACE (1 AS epoch) FROM findings WHERE run_id = '${FIXTURE_RUN}' AND agent = 'model-x' AND case_id <> 'c01';
       UPDATE case_results SET critical_miss = false, escalate = true, agree = true, verdict = label_verdict,
         policy_violations = 0, high_severity_violations = 0
       WHERE run_id = '${FIXTURE_RUN}' AND agent = 'model-x' AND case_id = 'c01' AND epoch = 1`,
    );
    doc = await buildReport(store, "latest");
  });
  afterAll(() => store.close());

  it("counts exactly the rows the rate counts against it, for every rate and agent", () => {
    for (const a of Object.values(doc.agents)) {
      expect(a.cases_behind.length).toBeGreaterThan(10);
      for (const b of a.cases_behind) {
        const e = a.metrics[b.metric]!;
        if (b.counts === "items") {
          // a ratio of items: the items against it are the report's, the rows only hold them
          if (b.metric === "audit_completeness") {
            // a mean over six items each: the items missing are 6n × (1 − mean), an integer
            expect(b.items, `${a.agent} ${b.metric}`).toBe(Math.round(6 * e.n * (1 - e.value!)));
            continue;
          }
          const x = e.x ?? 0;
          expect(b.items, `${a.agent} ${b.metric}`).toBe(b.item_counts === "numerator" ? x : e.n - x);
          continue;
        }
        const x = Math.round(e.value! * e.n);
        expect(b.rows, `${a.agent} ${b.metric}`).toBe(b.counts === "numerator" ? x : e.n - x);
      }
    }
  });

  it("each query lists every such row, and the listed cases are the first of them by id", async () => {
    for (const a of Object.values(doc.agents))
      for (const b of a.cases_behind) {
        const rows = await store.query<{ case_id: string; epoch: number; items?: number }>(b.query);
        expect(rows.length, `${a.agent} ${b.metric}`).toBe(b.rows);
        const ids = [...new Set(rows.map((r) => r.case_id))];
        expect(ids.length).toBe(b.cases);
        const items = (id?: string) =>
          rows.filter((r) => id === undefined || r.case_id === id).reduce((n, r) => n + Number(r.items), 0);
        // over the epochs that count: valid if any answered validly, else invalid if any answered
        const answers = await store.query<{ case_id: string; epoch: number; schema_valid: boolean; failed: boolean }>(
          `SELECT case_id, epoch, schema_valid, failed FROM case_results WHERE run_id = ? AND agent = ?`,
          [FIXTURE_RUN, a.agent],
        );
        const status = (id: string) => {
          const counted = answers.filter((x) =>
            rows.some((r) => r.case_id === id && r.case_id === x.case_id && r.epoch === x.epoch),
          );
          return counted.some((x) => x.schema_valid) ? "valid" : counted.some((x) => !x.failed) ? "invalid" : "none";
        };
        expect(b.listed).toEqual(
          ids.map((id) => ({
            case_id: id,
            epochs: rows.filter((r) => r.case_id === id).length,
            ...(b.counts === "items" ? { items: items(id) } : {}),
            output_status: status(id),
          })),
        );
        if (b.counts === "items") expect(items(), `${a.agent} ${b.metric}`).toBe(b.items);
      }
  });

  it("names a case once with the epochs that count, and only the rates it counts against", () => {
    const mx = doc.agents["model-x"]!.cases_behind;
    const miss = mx.find((b) => b.metric === "critical_miss_rate")!;
    expect(miss).toMatchObject({
      counts: "numerator",
      rows: 1,
      cases: 1,
      listed: [{ case_id: "c01", epochs: 1, output_status: "valid" }],
    });
    const disagree = mx.find((b) => b.metric === "verdict_agreement")!;
    expect(disagree.counts).toBe("complement");
    // c12 had no answer in either epoch
    expect(disagree.listed).toContainEqual({ case_id: "c12", epochs: 2, output_status: "none" });
    expect(disagree.listed.map((c) => c.case_id)).toContain("c01");
    expect(mx.find((b) => b.metric === "violation_rate.injection_followed")).toMatchObject({ rows: 1, cases: 1 });
    // a kind no case has is not listed
    expect(mx.some((b) => b.metric === "violation_rate.approval_bypass")).toBe(false);
  });

  it("a one-epoch run counts and lists its rows as they are, as the grouped count would", async () => {
    const one = await Store.open(":memory:");
    await seedFixture(one);
    const fast = await casesBehind(one, FIXTURE_RUN, false);
    const grouped = await casesBehind(one, FIXTURE_RUN, true);
    one.close();
    expect(fast).toEqual(grouped);
    expect([...fast.values()].flat().some((b) => b.rows > 1)).toBe(true);
  });

  it("lists at most the limit, and still counts them all", async () => {
    const one = (await casesBehind(store, FIXTURE_RUN, true, 1)).get("model-x")!;
    const disagree = one.find((b) => b.metric === "verdict_agreement")!;
    expect(disagree.cases).toBeGreaterThan(1);
    expect(disagree.listed).toHaveLength(1);
    expect(disagree.listed[0]!.case_id).toBe("c01");
  });

  it("gives a listed case the output status of the epochs that count against the rate, not of all its epochs", async () => {
    const two = await Store.open(":memory:");
    try {
      await seedFixture(two);
      // model-x's c12: no answer in epoch 0, an answer that failed the schema in epoch 1, a valid one in epoch 2
      await two.run(
        `UPDATE runs SET epochs = 3 WHERE run_id = '${FIXTURE_RUN}';
         INSERT INTO case_results SELECT * REPLACE (1 AS epoch, false AS failed) FROM case_results
           WHERE run_id = '${FIXTURE_RUN}' AND agent = 'model-x' AND case_id = 'c12';
         INSERT INTO case_results SELECT * REPLACE (2 AS epoch, false AS failed, true AS schema_valid,
             label_verdict AS verdict, true AS agree)
           FROM case_results WHERE run_id = '${FIXTURE_RUN}' AND agent = 'model-x' AND case_id = 'c12' AND epoch = 0`,
      );
      const mx = (await casesBehind(two, FIXTURE_RUN, true)).get("model-x")!;
      const listed = (metric: string) => mx.find((b) => b.metric === metric)!.listed.find((c) => c.case_id === "c12");
      // disagreement in epochs 0 and 1: one answered, invalidly
      expect(listed("verdict_agreement")).toMatchObject({ epochs: 2, output_status: "invalid" });
      // no answer in epoch 0 alone: the valid and invalid epochs do not count here
      expect(listed("failed_rate")).toMatchObject({ epochs: 1, output_status: "none" });
      expect(listed("schema_invalid_rate")).toMatchObject({ epochs: 1, output_status: "invalid" });
    } finally {
      two.close();
    }
  });
});
