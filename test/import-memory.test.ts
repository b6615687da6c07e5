/**
 * An import's memory does not grow with the export it reads. Papaparse cuts each cell out of the
 * chunk it parsed, and V8 keeps such a substring as a view holding the whole chunk; the importer
 * keeps every alert id (for its duplicate check), so each id kept a chunk, and the whole file stayed
 * in the heap: 20,000 real Sentinel alerts took 900 MB. A ❖-delimited file is held as two bytes a
 * character, so this 40 MB export would take 80 MB of heap besides the CLI's own ~25 MB.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

const ROWS = 8000;

function bigExport(file: string): void {
  const d = "\u2756";
  const entities = JSON.stringify([{ $id: "2", HostName: "web-07", DnsDomain: "corp.example", Type: "host" }]);
  const cell = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const description = "a long alert description. ".repeat(200);
  const lines = [["TimeGenerated", "AlertName", "AlertSeverity", "Description", "SystemAlertId", "Entities"].join(d)];
  for (let i = 0; i < ROWS; i++)
    lines.push(
      [
        "2025-01-05T10:00:00Z",
        "Rare process",
        "Low",
        description,
        `alert-${String(i).padStart(8, "0")}-of-the-export`,
        cell(entities),
      ].join(d),
    );
  writeFileSync(file, `${lines.join("\n")}\n`);
}

describe("dataset import sentinel on a large export", () => {
  it("imports 40 MB in a 64 MB heap: no alert id keeps the chunk it was read from", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-import-memory-"));
    const file = join(dir, "alerts.csv");
    bigExport(file);
    const out = join(dir, "cases.jsonl");
    const r = await soceval(["dataset", "import", "sentinel", file, "--out", out], dir, {
      NODE_OPTIONS: "--max-old-space-size=64",
    });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.status, r.stderr.slice(0, 500)).toBe(0);
    expect(r.stdout).toBe(`wrote ${ROWS} cases to ${out} (0 labeled, ${ROWS} unlabeled, 0 incidents)\n`);
    expect(readFileSync(out, "utf8").split("\n").filter(Boolean)).toHaveLength(ROWS);
  }, 120_000);
});
