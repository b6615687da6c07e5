import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readinessMetrics } from "../analytics/external.js";
import { Store } from "../store/db.js";
import { storeBundledReadiness } from "./bundled.js";

describe("readiness_results", () => {
  it("stores one row per bundled candidate, which the exit-criteria report's readiness phase reads", async () => {
    const store = await Store.open(":memory:");
    try {
      const doc = await storeBundledReadiness(store);
      const files = readdirSync("readiness/answers").filter((f) => f.endsWith(".yaml"));
      expect(doc!.candidates).toHaveLength(files.length);
      const rows = await store.query<{ workflow: string; areas: string; blockers: string[]; answers_hash: string }>(
        "SELECT workflow, areas, blockers, answers_hash FROM readiness_results",
      );
      expect(rows).toHaveLength(files.length);
      const lockout = rows.find((r) => r.workflow === "identity-account-lockout")!;
      expect(lockout.blockers).toEqual(["no_escalation_criteria"]);
      const areas = JSON.parse(lockout.areas) as { id: string; score: number; lost: unknown[] }[];
      expect(areas.map((a) => a.id)).toContain("decision_rules");
      const endpoint = doc!.candidates.find((c) => c.workflow === "endpoint-investigation")!;
      const m = await readinessMetrics(store, "endpoint-investigation");
      expect(m.readiness_score!.value).toBe(endpoint.overall);
      expect(m.readiness_blockers!.value).toBe(0);
      const blocked = await readinessMetrics(store, "identity-account-lockout");
      expect(blocked.readiness_blockers!.value).toBe(1);
    } finally {
      store.close();
    }
  });
});
