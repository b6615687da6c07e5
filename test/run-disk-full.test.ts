import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, query, soceval } from "./helpers/cli.js";

const SUITE = resolve("suites/phishing-triage/shadow.suite.yaml");

describe("a run whose store cannot grow (a full disk)", () => {
  it("says the run stopped, that what it stored is kept, and the command that finishes it; that command does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-disk-full-"));
    const db = join(dir, "s.duckdb");
    // a file-size limit stands in for a full disk: DuckDB's write of its log fails the same way,
    // without root or a mount. The signal such a write raises is ignored, so the write returns an error
    const r = spawnSync(
      "sh",
      [
        "-c",
        `trap '' XFSZ; ulimit -f 6000; exec "${process.execPath}" "${CLI}" run "${SUITE}" --epochs 8 --db "${db}" --quiet`,
      ],
      { cwd: dir, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toContain(`${db}.wal`);
    const [, runId, n, command] =
      lines[1]!.match(
        /^soceval: run (\S+) stopped; the (\d+) investigations? it stored (?:is|are) kept\. Once the cause is fixed, finish it: soceval (run .*)$/,
      ) ?? [];
    expect(command, r.stderr).toBe(`run ${SUITE} --resume ${runId} --epochs 8 --db ${db}`);
    const [stopped] = await query<{ status: string; n: number }>(
      db,
      "SELECT status, (SELECT count(*) FROM transcripts)::INTEGER AS n FROM runs",
    );
    expect(stopped).toEqual({ status: "failed", n: Number(n) });

    const resumed = await soceval(command!.split(" "), dir);
    expect(resumed.status, resumed.stderr).toBe(0);
    const [done] = await query<{ status: string; n: number; keys: number }>(
      db,
      `SELECT status, (SELECT count(*) FROM transcripts)::INTEGER AS n,
              (SELECT count(DISTINCT (case_id, epoch)) FROM transcripts)::INTEGER AS keys FROM runs`,
    );
    expect(done).toEqual({ status: "finished", n: 2560, keys: 2560 });
  }, 120_000);
});
