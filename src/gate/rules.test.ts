import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedFixture } from "../../test/fixtures/report/run.js";
import { buildComparison, resolveSides } from "../analytics/compare.js";
import { PAIRED_METRICS } from "../analytics/paired-metrics.js";
import { Store } from "../store/db.js";

describe("the paired metrics a suite's gate margins may name", () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
  });
  afterAll(() => store.close());

  it("are exactly the metrics a comparison computes a paired difference for", async () => {
    const doc = await buildComparison(store, await resolveSides(store, ["latest"]));
    expect(doc.pairings[0]!.metrics.map((m) => m.metric)).toEqual([...PAIRED_METRICS]);
  });
});
