import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readinessMetrics } from "../analytics/external.js";
import { Store } from "../store/db.js";
import { storeBundledReadiness } from "./bundled.js";
import { loadAnswerFiles } from "./load.js";
import { loadMatrix } from "./matrix.js";
import { scoreAll } from "./score.js";
import { storeReadiness } from "./store.js";

describe("readiness_results", () => {
  it("stores one row per bundled candidate, which the exit-criteria report's readiness phase reads", async () => {
    const store = await Store.open(":memory:");
    try {
      const { doc, kept } = (await storeBundledReadiness(store))!;
      expect(kept).toEqual([]);
      const files = readdirSync("readiness/answers").filter((f) => f.endsWith(".yaml"));
      expect(doc.candidates).toHaveLength(files.length);
      const rows = await store.query<{ workflow: string; areas: string; blockers: string[]; answers_hash: string }>(
        "SELECT workflow, areas, blockers, answers_hash FROM readiness_results",
      );
      expect(rows).toHaveLength(files.length);
      const lockout = rows.find((r) => r.workflow === "identity-account-lockout")!;
      expect(lockout.blockers).toEqual(["no_escalation_criteria"]);
      const areas = JSON.parse(lockout.areas) as { id: string; score: number; lost: unknown[] }[];
      expect(areas.map((a) => a.id)).toContain("decision_rules");
      const endpoint = doc.candidates.find((c) => c.workflow === "endpoint-investigation")!;
      const m = await readinessMetrics(store, "endpoint-investigation");
      expect(m.readiness_score!.value).toBe(endpoint.overall);
      expect(m.readiness_blockers!.value).toBe(0);
      const blocked = await readinessMetrics(store, "identity-account-lockout");
      expect(blocked.readiness_blockers!.value).toBe(1);
    } finally {
      store.close();
    }
  });

  it("keep a workflow's own readiness score when bundled examples are stored after it (soceval start)", async () => {
    const store = await Store.open(":memory:");
    try {
      const m = loadMatrix();
      const own = readFileSync("readiness/answers/phishing-triage.yaml", "utf8").replace(
        "review_assigned: yes",
        "review_assigned: no",
      );
      const file = join(mkdtempSync(join(tmpdir(), "soceval-own-")), "phishing.yaml");
      writeFileSync(file, own);
      await storeReadiness(store, scoreAll(m, await loadAnswerFiles([file], m)));
      const { doc, kept } = (await storeBundledReadiness(store))!;
      expect(kept).toEqual(["phishing-triage"]);
      // the report's readiness phase still reads the SOC's own (blocked) answers, not the example
      const phishing = await readinessMetrics(store, "phishing-triage");
      expect(phishing.readiness_blockers!.value).toBe(1);
      const rows = await store.query<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM readiness_results WHERE workflow = 'phishing-triage'",
      );
      expect(rows[0]!.n).toBe(1);
      // every other bundled workflow was stored, once: a second start adds nothing and keeps nothing of its own
      const count = async () =>
        (await store.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM readiness_results"))[0]!.n;
      expect(await count()).toBe(doc.candidates.length);
      expect((await storeBundledReadiness(store))!.kept).toEqual(["phishing-triage"]);
      expect(await count()).toBe(doc.candidates.length);
    } finally {
      store.close();
    }
  });
});
