import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Case } from "../schema/index.js";
import { importCsv } from "./import-csv.js";

const FIX = "test/fixtures/datasets";
const CSV = `${FIX}/splunk-notables.csv`;
const MAPPING = `${FIX}/splunk-notables.mapping.yaml`;

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-csvimp-"));
const read = (f: string): Case[] =>
  readFileSync(f, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("importCsv on a Splunk ES notable-events export", () => {
  it("groups one row per evidence item into cases with mapped values", async () => {
    const out = join(tmp(), "cases.jsonl");
    const r = await importCsv(CSV, MAPPING, out);
    expect(r).toEqual({ out, cases: 4, unlabeled: 1 });
    const [tp, bp, fp, open] = read(out);

    expect(tp!.id).toBe("NE-1001");
    expect(tp!.workflow).toBe("endpoint-investigation");
    expect(tp!.alert.severity).toBe("high");
    expect(tp!.alert.time).toBe("2025-02-11T14:03:22.000Z");
    expect(tp!.alert.source).toBe("splunk-es");
    expect(tp!.label).toMatchObject({ verdict: "true_positive", escalate: true, analyst_minutes: 42 });
    // decisive rows become required evidence, in row order
    expect(tp!.label!.required_evidence).toEqual(["ev-proc", "ev-net"]);
    expect(tp!.tags).toEqual(["T1059.001", "T1027"]);
    expect(tp!.evidence.map((e) => [e.id, e.source])).toEqual([
      ["ev-proc", "edr.process_tree"],
      ["ev-net", "firewall.traffic"],
      ["ev-asset", "cmdb.assets"],
    ]);
    // JSON-in-a-cell becomes structured data
    expect(tp!.evidence[0]!.data.CommandLine).toMatch(/-EncodedCommand/);
    expect(tp!.evidence[1]!.data.dest_port).toBe(443);
    expect(tp!.evidence[0]!.entities).toEqual([
      { type: "account", value: "r.castillo@corp.example" },
      { type: "host", value: "FIN-WS-0142" },
    ]);

    expect(bp!.label).toMatchObject({ verdict: "benign_positive", escalate: false });
    expect(bp!.alert.entities).toEqual([{ type: "account", value: "j.mensah@corp.example" }]);

    // split list of IPs, and a description with a newline and doubled quotes
    expect(fp!.alert.entities.filter((e) => e.type === "ip").map((e) => e.value)).toEqual([
      "203.0.113.9",
      "203.0.113.10",
    ]);
    expect(fp!.alert.description).toContain('\nNote from analyst: the "nightly" backup job');
    expect(fp!.label!.verdict).toBe("false_positive");

    // "Undetermined" maps to null: the case is kept but unlabeled
    expect(open!.label).toBeUndefined();
    expect(open!.alert.severity).toBe("informational");
  });

  it("refuses rows of one case that disagree on a case column, instead of keeping the first row's verdict", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    const rows = readFileSync(CSV, "utf8").split("\n");
    // NE-1001's third row (line 4) says the analyst changed the disposition
    rows[3] = rows[3]!.replace("True Positive - Suspicious Activity", "False Positive - Inaccurate Data");
    writeFileSync(csv, rows.join("\n"));
    const out = join(d, "o.jsonl");
    await expect(importCsv(csv, MAPPING, out)).rejects.toThrow(
      `${csv}:4: disposition: "False Positive - Inaccurate Data" differs from "True Positive - Suspicious Activity" on line 2, a row of the same case "NE-1001"; its alert.raw and label.verdict are read from one row, so the rows of a case must agree`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("refuses evidence.required read as text, which would have left every record not required", async () => {
    const d = tmp();
    const mapping = join(d, "m.yaml");
    writeFileSync(
      mapping,
      readFileSync(MAPPING, "utf8").replace(/required: \{ column: decisive, map: .* \}/, "required: decisive"),
    );
    const out = join(d, "o.jsonl");
    await expect(importCsv(CSV, mapping, out)).rejects.toThrow(
      `${CSV}:2: decisive: "yes" is not true or false; give evidence.required type: boolean or a map`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("names file:line and column for a value the map does not know", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    const rows = readFileSync(CSV, "utf8").split("\n");
    rows[4] = rows[4]!.replace("Benign Positive - Suspicious But Expected", "Maybe");
    writeFileSync(csv, rows.join("\n"));
    await expect(importCsv(csv, MAPPING, join(d, "o.jsonl"))).rejects.toThrow(
      `${csv}:5: disposition: value "Maybe" is not in the mapping's map`,
    );
  });

  it("names the row and column behind a case that fails the schema", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    const mapping = join(d, "m.yaml");
    writeFileSync(csv, "id,sev,when\nA1,urgent,2025-01-01T00:00:00Z\n");
    writeFileSync(
      mapping,
      "case:\n  id: id\n  workflow: {const: w}\n  alert.title: {const: t}\n  alert.rule: {const: r}\n  alert.source: {const: s}\n  alert.severity: sev\n  alert.time: {column: when, type: time}\n",
    );
    await expect(importCsv(csv, mapping, join(d, "o.jsonl"))).rejects.toThrow(
      new RegExp(`${csv}:2: alert\\.severity \\(column sev\\): Invalid option`),
    );
  });

  it("refuses a json cell that repeats a key, naming the row, column and key", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    const mapping = join(d, "m.yaml");
    writeFileSync(csv, 'id,raw\nA1,"{""user"":""a"",""user"":""b""}"\n');
    writeFileSync(
      mapping,
      "case:\n  id: id\n  workflow: {const: w}\n  alert.title: {const: t}\n  alert.rule: {const: r}\n  alert.source: {const: s}\n  alert.severity: {const: low}\n  alert.time: {const: '2025-01-01T00:00:00Z'}\n  alert.raw: {column: raw, type: json}\n",
    );
    await expect(importCsv(csv, mapping, join(d, "o.jsonl"))).rejects.toThrow(
      `${csv}:2: raw: user: repeated key in the cell's JSON`,
    );
    expect(existsSync(join(d, "o.jsonl"))).toBe(false);
  });

  it("points an evidence problem at the row that produced it", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    const rows = readFileSync(CSV, "utf8").split("\n");
    rows[3] = rows[3]!.replace(",asset_lookup,", ",,"); // NE-1001's third evidence row: no source
    writeFileSync(csv, rows.join("\n"));
    await expect(importCsv(csv, MAPPING, join(d, "o.jsonl"))).rejects.toThrow(
      new RegExp(`${csv}:4: evidence\\[2\\]\\.source \\(column evidence_sourcetype\\)`),
    );
  });

  it("refuses rows of one case that are not contiguous", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    const rows = readFileSync(CSV, "utf8").trimEnd().split("\n");
    writeFileSync(csv, [...rows, rows[1]].join("\n"));
    await expect(importCsv(csv, MAPPING, join(d, "o.jsonl"))).rejects.toThrow(
      /:12: event_id: rows of "NE-1001" are not contiguous \(its first row is line 2\)/,
    );
  });

  it("checks the mapping's columns against the header before reading rows", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    writeFileSync(csv, readFileSync(CSV, "utf8").replace("urgency", "priority"));
    await expect(importCsv(csv, MAPPING, join(d, "o.jsonl"))).rejects.toThrow(
      /x\.csv:1: header: column "urgency" \(read by .*mapping\.yaml case\.alert\.severity\) is not in the export/,
    );
  });

  it("never leaves a half-written file: an existing output survives a failed import", async () => {
    const d = tmp();
    const out = join(d, "cases.jsonl");
    writeFileSync(out, "previous contents\n");
    const csv = join(d, "x.csv");
    const rows = readFileSync(CSV, "utf8").trimEnd().split("\n");
    rows[10] = rows[10]!.replace("informational", "severe"); // the last case fails, after three were written
    writeFileSync(csv, rows.join("\n"));
    await expect(importCsv(csv, MAPPING, out)).rejects.toThrow(/:11: urgency: value "severe"/);
    expect(readFileSync(out, "utf8")).toBe("previous contents\n");
    expect(readdirSync(d).sort()).toEqual(["cases.jsonl", "x.csv"]);
    // nor the folders it made for --out
    await expect(importCsv(csv, MAPPING, join(d, "new", "deeper", "cases.jsonl"))).rejects.toThrow(/:11: urgency/);
    expect(readdirSync(d).sort()).toEqual(["cases.jsonl", "x.csv"]);
  });

  it("reads other delimiters and quote characters, one row per case without group_by", async () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    const mapping = join(d, "m.yaml");
    writeFileSync(csv, "id;title;tags;verdict;esc\nc1;'Login; odd hour';a,b;TP;Y\nc2;plain;;FP;N\n");
    writeFileSync(
      mapping,
      [
        'delimiter: ";"',
        'quote: "\'"',
        "case:",
        "  id: id",
        "  workflow: {const: identity-suspicious-login}",
        "  alert.title: title",
        "  alert.rule: {const: impossible_travel}",
        "  alert.source: {const: idp}",
        "  alert.severity: {const: medium}",
        "  alert.time: {const: '2025-01-01T00:00:00Z'}",
        '  tags: {column: tags, split: ","}',
        "  label.verdict: {column: verdict, map: {TP: true_positive, FP: false_positive}}",
        "  label.escalate: {column: esc, type: boolean}",
      ].join("\n"),
    );
    const out = join(d, "o.jsonl");
    await importCsv(csv, mapping, out);
    const [a, b] = read(out);
    expect(a!.alert.title).toBe("Login; odd hour");
    expect(a!.tags).toEqual(["a", "b"]);
    expect(a!.label).toMatchObject({ verdict: "true_positive", escalate: true });
    expect(b!.tags).toEqual([]);
    expect(b!.label).toMatchObject({ verdict: "false_positive", escalate: false });
  });
});

describe("mapping files", () => {
  const csvFile = () => {
    const d = tmp();
    const csv = join(d, "x.csv");
    writeFileSync(csv, "a\n1\n");
    return { d, csv };
  };

  it("names an unknown key with its line", async () => {
    const { d, csv } = csvFile();
    const m = join(d, "m.yaml");
    writeFileSync(m, "case:\n  id: a\n  alert.title:\n    column: a\n    spilt: ','\n");
    await expect(importCsv(csv, m, join(d, "o.jsonl"))).rejects.toThrow(
      `${m}:5: case.alert.title.spilt: unknown field`,
    );
    expect(existsSync(join(d, "o.jsonl"))).toBe(false);
  });

  it("names a path that is not a case field", async () => {
    const { d, csv } = csvFile();
    const m = join(d, "m.yaml");
    writeFileSync(m, "case:\n  id: a\n  alert.titel: a\n");
    await expect(importCsv(csv, m, join(d, "o.jsonl"))).rejects.toThrow(
      `${m}:3: case.alert.titel: "alert.titel" is not a case field`,
    );
  });

  it("reads alert.time and evidence time columns as times even without type: time", async () => {
    // copied as text, "07/04/2024 10:35 PM" would enter the dataset as the alert's time unchecked
    const d = tmp();
    const csv = join(d, "x.csv");
    const m = join(d, "m.yaml");
    writeFileSync(
      m,
      [
        "case:",
        "  id: id",
        "  workflow: {const: identity-suspicious-login}",
        "  alert.title: {const: t}",
        "  alert.rule: {const: r}",
        "  alert.source: {const: s}",
        "  alert.severity: {const: low}",
        "  alert.time: when",
        "evidence:",
        "  source: {const: idp.signins}",
        "  time: seen",
      ].join("\n"),
    );
    writeFileSync(csv, "id,when,seen\nc1,2024-07-04 22:35:00+02:00,1720125300\n");
    const out = join(d, "o.jsonl");
    await importCsv(csv, m, out);
    const [c] = read(out);
    expect(c!.alert.time).toBe("2024-07-04T20:35:00.000Z");
    expect(c!.evidence[0]!.time).toBe("2024-07-04T20:35:00.000Z");
    writeFileSync(csv, "id,when,seen\nc1,07/04/2024 10:35 PM,1720125300\n");
    await expect(importCsv(csv, m, join(d, "o2.jsonl"))).rejects.toThrow(
      `${csv}:2: when: "07/04/2024 10:35 PM" is not a time`,
    );
    // a date written without separators is not an epoch: it read as August 1970 (and with its time, the year 2611)
    for (const compact of ["20240704", "20240704223500"]) {
      writeFileSync(csv, `id,when,seen\nc1,2024-07-04T22:35:00Z,${compact}\n`);
      await expect(importCsv(csv, m, join(d, "o2.jsonl"))).rejects.toThrow(
        `${csv}:2: seen: "${compact}" is not a time (expected ISO-8601 such as 2024-07-04T22:35:00Z, or epoch seconds (10 digits) or milliseconds (13 digits))`,
      );
      expect(existsSync(join(d, "o2.jsonl"))).toBe(false);
    }
    writeFileSync(
      m,
      `${readFileSync(m, "utf8").replace("alert.time: when", "alert.time: {column: when, type: number}")}`,
    );
    await expect(importCsv(csv, m, join(d, "o2.jsonl"))).rejects.toThrow(
      /m\.yaml:\d+: case\.alert\.time\.type: alert\.time is a time: type must be time \(found number\)/,
    );
  });

  it("requires exactly one value source per cell", async () => {
    const { d, csv } = csvFile();
    const m = join(d, "m.yaml");
    writeFileSync(m, "case:\n  id: {column: a, const: x}\n");
    await expect(importCsv(csv, m, join(d, "o.jsonl"))).rejects.toThrow(/m\.yaml:2: case\.id: give exactly one of/);
  });
});
