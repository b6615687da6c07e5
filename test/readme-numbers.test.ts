import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSuite } from "../src/replay/runner.js";
import { Store } from "../src/store/db.js";
import { loadSuite } from "../src/workflow/load.js";

/** The README's table of playbook numbers must be what `npm start` measures, to the decimal shown. */
const readme = readFileSync("README.md", "utf8");
const rows = [
  ...readme.matchAll(/^\| ([a-z-]+) \| ([\d.]+)% \[[\d.–]+\] \| ([\d.]+) \| ([\d.]+)% \((\d+)\/(\d+)\) \|/gm),
];

describe("README numbers", () => {
  it("lists the four bundled workflows", () => {
    expect(rows.map((r) => r[1]).sort()).toEqual([
      "cloud-alert-enrichment",
      "endpoint-investigation",
      "identity-suspicious-login",
      "phishing-triage",
    ]);
  });

  it.each(rows.map((r) => [r[1]!, r] as const))(
    "%s: agreement and critical misses match a fresh replay",
    async (wf, r) => {
      const store = await Store.open(join(mkdtempSync(join(tmpdir(), "soceval-readme-")), "r.duckdb"));
      try {
        const outcome = await runSuite(store, loadSuite(`suites/${wf}/shadow.suite.yaml`));
        const [m] = await store.query<{ agree: number; misses: number; tps: number }>(
          `SELECT avg(agree::INT) AS agree,
                count(*) FILTER (WHERE label_verdict = 'true_positive' AND critical_miss) AS misses,
                count(*) FILTER (WHERE label_verdict = 'true_positive') AS tps
         FROM case_results WHERE run_id = ?`,
          [outcome.runId],
        );
        expect((100 * m!.agree).toFixed(1)).toBe(r[2]);
        expect(String(m!.misses)).toBe(r[5]);
        expect(String(m!.tps)).toBe(r[6]);
      } finally {
        store.close();
      }
    },
  );
});
