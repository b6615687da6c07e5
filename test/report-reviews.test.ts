import { describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import { renderReport } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { seedFixture } from "./fixtures/report/run.js";

describe("a report over an analyst_reviews table it cannot read", () => {
  it("leads with the warning in every format, rather than asking for the reviews the table holds", async () => {
    const store = await Store.open(":memory:");
    try {
      await seedFixture(store);
      await store.run(
        `CREATE TABLE analyst_reviews AS SELECT run_id, case_id, agent, true AS approved FROM case_results`,
      );
      const doc = await buildReport(store, "latest");
      const warning = doc.run.warnings.find((w) => w.includes("analyst_reviews"));
      expect(warning).toContain("has no column accepted (it has run_id, case_id, agent, approved)");
      expect(await renderReport(doc, "md")).toContain("has no column accepted");
      expect(await renderReport(doc, "html")).toContain("has no column accepted");
    } finally {
      store.close();
    }
  });
});
