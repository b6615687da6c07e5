import { appendFileSync, cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBMIT_TOOL } from "../src/providers/types.js";
import { reportJson, soceval } from "./helpers/cli.js";
import { pointGptAt } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

/**
 * A live agent whose every answer fails the triage schema gives no verdict to compare with the
 * analyst's: Cohen's κ is undefined, and must read "not measured", not 0.000 (0.000–0.000), which
 * says the agent was measured at no agreement beyond chance with no doubt about it.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-kappa-unmeasured-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
appendFileSync(
  join(dir, "suite.yaml"),
  'exit_criteria:\n  shadow:\n    - { metric: verdict_kappa, op: ">=", threshold: 0.4, bound: lower }\n',
);
const db = join(dir, "k.duckdb");

let server: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  // answer arguments that are not JSON: kept as text, an output that fails the schema
  server = await startResponder(() => ({
    type: "tool_calls",
    calls: [{ name: SUBMIT_TOOL, arguments: '{"verdict": "benign_positive", ' }],
  }));
  pointGptAt(dir, server.url);
  const r = await soceval(["run", "suite.yaml", "--agent", "gpt-test", "--limit", "4", "--db", db, "--quiet"], dir);
  if (![0, 1].includes(r.status ?? -1)) throw new Error(`soceval run: exit ${r.status}: ${r.stderr}`);
}, 120_000);
afterAll(() => server.close());

describe("verdict_kappa of an agent with no valid verdict", () => {
  it("is null in the JSON report, and its criterion not measured, saying why", async () => {
    const doc = await reportJson(db, dir);
    const a = doc.agents["gpt-test"]!;
    expect(a.metrics.schema_invalid_rate).toMatchObject({ value: 1, n: 4 });
    expect(a.metrics.verdict_kappa).toMatchObject({ value: null, lower: null, upper: null, n: 4 });
    const shadow = doc.phases.find((p) => p.phase === "shadow" && p.agent === "gpt-test")!;
    const c = shadow.criteria.find((x) => x.metric === "verdict_kappa")!;
    expect(c).toMatchObject({ status: "not measured", compared: null });
    expect(c.note).toMatch(
      /κ is not measured over these 4 investigations: the agent gave no valid verdict in any of them \(each failed/,
    );
  });

  it("prints no number in the Markdown and HTML reports, and report --check names it not measured", async () => {
    const md = await soceval(["report", "--run", "latest", "--format", "md", "--db", db], dir);
    expect(md.status, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/^\| Verdict kappa \| — \|$/m);
    expect(md.stdout).not.toMatch(/0\.000 \(0\.000 – 0\.000\)/);
    const html = join(dir, "r.html");
    expect((await soceval(["report", "--run", "latest", "--out", html, "--db", db], dir)).status).toBe(0);
    const row = readFileSync(html, "utf8").match(/<tr[^>]*><th scope="row">[^<]*Verdict kappa.*?<\/tr>/)?.[0];
    expect(row).toMatch(/<td class="num">—<\/td><td class="iv"><\/td>/);
    const check = await soceval(
      ["report", "--run", "latest", "--check", "shadow", "--format", "json", "--db", db],
      dir,
    );
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("Verdict kappa not measured, needs ≥ 0.400");
    expect(check.stderr).toMatch(/Not measured: .*κ is not measured over these 4 investigations/);
  });
});
