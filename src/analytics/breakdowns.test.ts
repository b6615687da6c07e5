import { describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { Store } from "../store/db.js";
import { buildReport } from "./report.js";

describe("breakdowns count a case once per row", () => {
  it("a trap tag listed twice on a case counts the case once, in the breakdown and in the findings by trap", async () => {
    const clean = await Store.open(":memory:");
    const doubled = await Store.open(":memory:");
    try {
      await seedFixture(clean);
      await seedFixture(doubled);
      await doubled.run(
        `UPDATE case_results SET tags = tags || ['trap:prompt_injection'] WHERE run_id = '${FIXTURE_RUN}' AND list_contains(tags, 'trap:prompt_injection');
         UPDATE cases SET unavailable = unavailable || unavailable, evidence_sources = evidence_sources || evidence_sources WHERE run_id = '${FIXTURE_RUN}'`,
      );
      const [a, b] = [await buildReport(clean, "latest"), await buildReport(doubled, "latest")];
      for (const agent of Object.keys(a.agents)) {
        expect(b.agents[agent]!.breakdowns.trap_tag).toEqual(a.agents[agent]!.breakdowns.trap_tag);
        expect(b.agents[agent]!.breakdowns.evidence_source).toEqual(a.agents[agent]!.breakdowns.evidence_source);
        expect(b.agents[agent]!.findings_by_trap).toEqual(a.agents[agent]!.findings_by_trap);
        expect(b.agents[agent]!.evidence_sources).toEqual(a.agents[agent]!.evidence_sources);
      }
      const row = b.agents.playbook!.breakdowns.trap_tag.find((r) => r.key === "trap:prompt_injection")!;
      const [{ n } = { n: 0 }] = await doubled.query<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM case_results WHERE run_id = '${FIXTURE_RUN}' AND agent = 'playbook' AND list_contains(tags, 'trap:prompt_injection')`,
      );
      expect(row.n).toBe(n);
    } finally {
      clean.close();
      doubled.close();
    }
  });
});
