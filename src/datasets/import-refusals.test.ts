import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importCsv } from "./import-csv.js";
import { importOcsf } from "./import-ocsf.js";
import { importSentinel } from "./import-sentinel.js";

const FIX = "test/fixtures/datasets";
const SENTINEL_HEADER =
  "SystemAlertId,AlertName,AlertSeverity,TimeGenerated,Entities,ExtendedProperties,ProviderName\n";
const ALERT_ROW = 'a-1,Suspicious thing,High,2024-07-04 22:35:00+00:00,"[]",{},MDATP\n';

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-refuse-"));

describe("an import with nothing to import", () => {
  // validate and stats refuse an empty dataset, so an import must not report success writing one
  it("sentinel: a header-only export exits as bad input and writes nothing", async () => {
    const dir = tmp();
    const csv = join(dir, "alerts.csv");
    writeFileSync(csv, SENTINEL_HEADER);
    const out = join(dir, "cases.jsonl");
    await expect(importSentinel(csv, { out })).rejects.toThrow(`${csv}:1: no alerts after the header`);
    expect(readdirSync(dir)).toEqual(["alerts.csv"]);
  });

  it("csv: a header-only export keeps an existing output as it was", async () => {
    const dir = tmp();
    const csv = join(dir, "notables.csv");
    writeFileSync(csv, `${readFileSync(`${FIX}/splunk-notables.csv`, "utf8").split("\n")[0]}\n`);
    const out = join(dir, "cases.jsonl");
    writeFileSync(out, "previous\n");
    await expect(importCsv(csv, `${FIX}/splunk-notables.mapping.yaml`, out)).rejects.toThrow(
      `${csv}:1: no rows after the header`,
    );
    expect(readFileSync(out, "utf8")).toBe("previous\n");
    expect(readdirSync(dir).sort()).toEqual(["cases.jsonl", "notables.csv"]);
  });

  it("ocsf: an empty file or an empty array exits as bad input", async () => {
    const dir = tmp();
    for (const [name, text] of [
      ["empty.jsonl", ""],
      ["empty.json", "[]\n"],
    ] as const) {
      const f = join(dir, name);
      writeFileSync(f, text);
      await expect(importOcsf(f, { out: join(dir, "cases.jsonl") })).rejects.toThrow(`${f}: no findings`);
    }
    expect(existsSync(join(dir, "cases.jsonl"))).toBe(false);
  });
});

describe("an --out that names an input", () => {
  // the atomic rename would replace the user's export with the cases made from it
  it("sentinel: --out equal to the alerts or the incidents export is refused, the export kept", async () => {
    const dir = tmp();
    const csv = join(dir, "alerts.csv");
    writeFileSync(csv, SENTINEL_HEADER + ALERT_ROW);
    await expect(importSentinel(csv, { out: csv })).rejects.toThrow(`--out ${csv}: is the input (${csv})`);
    await expect(importSentinel(join(dir, ".", "alerts.csv"), { out: csv })).rejects.toThrow("is the input");
    const incidents = join(dir, "incidents.csv");
    writeFileSync(incidents, 'ProviderIncidentId,AlertIds,Classification\n1,"[""a-1""]",TruePositive\n');
    await expect(importSentinel(csv, { out: incidents, incidents })).rejects.toThrow("is the input");
    expect(readFileSync(csv, "utf8")).toBe(SENTINEL_HEADER + ALERT_ROW);
    expect(readdirSync(dir).sort()).toEqual(["alerts.csv", "incidents.csv"]);
  });

  it("csv: --out equal to the export or the mapping is refused", async () => {
    const dir = tmp();
    const csv = join(dir, "n.csv");
    const mapping = join(dir, "m.yaml");
    copyFileSync(`${FIX}/splunk-notables.csv`, csv);
    copyFileSync(`${FIX}/splunk-notables.mapping.yaml`, mapping);
    await expect(importCsv(csv, mapping, csv)).rejects.toThrow("is the input");
    await expect(importCsv(csv, mapping, mapping)).rejects.toThrow("is the input");
    expect(readFileSync(mapping, "utf8")).toBe(readFileSync(`${FIX}/splunk-notables.mapping.yaml`, "utf8"));
  });
});
