import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { GateVerdict } from "../src/gate/verdict-schema.js";
import { Store } from "../src/store/db.js";
import { soceval } from "./helpers/cli.js";
import { SMALL_SUITE_GATE } from "./helpers/small-gate.js";

// a pull request edits its suite's gate: block, and the gate reads the block from that checkout
const dir = mkdtempSync(join(tmpdir(), "soceval-gate-loosened-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "g.duckdb");
const run = (args: string[]) => soceval([...args, "--db", db], dir);
const suite = readFileSync(join(dir, "suite.yaml"), "utf8");
const withGate = (gate: string) => writeFileSync(join(dir, "suite.yaml"), suite + gate);
const verdict = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as GateVerdict;

beforeAll(async () => {
  withGate(SMALL_SUITE_GATE);
  const base = await run(["run", "suite.yaml", "--quiet"]);
  expect(base.status, base.stderr).toBe(0);
  const bless = await run(["baseline", "bless", "--run", "latest", "--name", "main"]);
  expect(bless.status, bless.stderr).toBe(0);
}, 60_000);

describe("a gate judged by rules looser than its baseline's", () => {
  it("says so in the summary and the JSON, for a candidate it runs and a stored one; the same rules say nothing", async () => {
    const same = await run(["gate", "suite.yaml", "--baseline", "main", "--quiet", "--json", "same.json"]);
    expect(same.status, same.stderr).toBe(0);
    expect(verdict("same.json").rules_loosened).toEqual([]);
    expect(same.stdout).not.toContain("looser than");

    withGate(
      SMALL_SUITE_GATE.replace("max_drop: 0.1", "max_drop: 0.5")
        .replace("no_new_critical_miss: true", "no_new_critical_miss: false")
        .replace("max_increase_pct: 20", "max_increase_pct: 20, max_increase: 1"),
    );
    const loose = await run(["gate", "suite.yaml", "--baseline", "main", "--quiet", "--json", "loose.json"]);
    expect(loose.status, loose.stderr).toBe(0);
    const expected = [
      "margin on verdict_agreement: max_drop 0.1 → 0.5",
      "no_new_critical_miss: true → false",
      "budget on cost_per_investigation: max_increase 0 → 1",
    ];
    expect(verdict("loose.json").rules_loosened).toEqual(expected);
    expect(loose.stdout).toContain("These rules are looser than those the baseline was run under:");
    expect(loose.stdout).toContain("margin on verdict\\_agreement: max\\_drop 0.1 → 0.5"); // Markdown-escaped

    // the stored candidate is judged by its suite file's (now loose) block too
    const stored = await run([
      "gate",
      "--baseline",
      "main",
      "--candidate-run",
      verdict("loose.json").candidate.run_id,
      "--json",
      "stored.json",
    ]);
    expect(stored.status, stored.stderr).toBe(0);
    expect(verdict("stored.json").rules_loosened).toEqual(expected);
  }, 60_000);

  it("reads a store from before runs kept their rules, read-only, and has nothing to say of them", async () => {
    const cand = await run(["run", "suite.yaml", "--quiet"]);
    expect(cand.status, cand.stderr).toBe(0);
    const candId = `${cand.stdout}${cand.stderr}`.match(/^run (\S+):/m)?.[1] ?? "";
    const old = join(dir, "old.duckdb");
    copyFileSync(db, old);
    const s = await Store.open(old);
    await s.run("ALTER TABLE runs DROP COLUMN gate_rules");
    await s.run("UPDATE soceval_schema SET version = 6");
    s.close();
    const r = await soceval(
      ["gate", "--baseline", "main", "--candidate-run", candId, "--json", "old.json", "--db", old],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(verdict("old.json").rules_loosened).toEqual([]);
  }, 60_000);
});
