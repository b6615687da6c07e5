import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import type { Case } from "../schema/index.js";
import { importSentinel } from "./import-sentinel.js";

const EXCYTIN = resolve(import.meta.dirname, "../../../shared/fixtures/real/excytin");
const ALERTS = join(EXCYTIN, "extracted_alerts.csv");
const INCIDENTS = join(EXCYTIN, "extracted_incidents.csv");
const haveExcytin = existsSync(ALERTS) && existsSync(INCIDENTS);
if (!haveExcytin)
  console.warn(`skipping the ExCyTIn Sentinel import tests: ${EXCYTIN} is absent (it lives in ../shared)`);

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-sentinel-"));
const read = (f: string): Case[] =>
  readFileSync(f, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const count = <T>(xs: T[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>());

describe.skipIf(!haveExcytin)("importSentinel on the real ExCyTIn SecurityAlert export", () => {
  it("imports all 189 alerts with incident ids, severities and mapped entities", async () => {
    const out = join(tmp(), "excytin.jsonl");
    const r = await importSentinel(ALERTS, { out });
    expect(r).toMatchObject({ cases: 189, unlabeled: 189, incidents: 10 });
    const cases = read(out);
    expect(new Set(cases.map((c) => c.id)).size).toBe(189);
    expect(Object.fromEntries(count(cases.map((c) => c.alert.severity)))).toEqual({
      high: 85,
      medium: 78,
      low: 18,
      informational: 8,
    });
    // ExtendedProperties.IncidentId: 182 alerts carry one; the seven Identity Protection/analytic-rule alerts do not
    expect(cases.filter((c) => c.incident_id).length).toBe(182);
    const perIncident = count(cases.map((c) => c.incident_id).filter(Boolean));
    expect(perIncident.get("107")).toBe(70);
    expect(perIncident.get("357")).toBe(48);
    expect(perIncident.get("384")).toBe(27);
    expect(count(cases.map((c) => c.workflow)).get("endpoint-investigation")).toBe(139);

    const first = cases.find((c) => c.id === "394a992b-7aba-fbd3-571a-bdefbebf65bb")!;
    expect(first.alert).toMatchObject({
      title: "Suspicious System Hardware Discovery",
      rule: "WindowsDefenderAtp",
      source: "MDATP",
      severity: "low",
      // its EndTime: the row's TimeGenerated (2024-07-04T22:35:00.746Z) is its last update, two days on
      time: "2024-07-02T09:48:03.831Z",
    });
    expect(first.incident_id).toBe("384");
    expect(first.tags).toContain("tactic:discovery");
    expect(first.alert.entities).toEqual(
      expect.arrayContaining([
        { type: "account", value: "bjenkins@niseko.alpineskihouse.co" },
        { type: "ip", value: "72.5.72.208" },
        { type: "process", value: "svchost.exe" },
        { type: "file", value: "C:\\Windows\\System32\\svchost.exe" },
        { type: "file_hash", value: "6fc3bf1fdfd76860be782554f8d25bd32f108db934d70f4253f1e5f23522e503" },
      ]),
    );
    const account = first.evidence.find((e) => e.id === "entity-2")!;
    expect(account.source).toBe("sentinel.entity.account");
    expect(account.data.NTDomain).toBe("NISEKO");
    // a process record carries its image file's hashes and its parent, with $refs inlined
    const proc = first.evidence.find((e) => e.id === "entity-4")!;
    expect(proc.source).toBe("sentinel.entity.process");
    expect(proc.entities).toEqual(
      expect.arrayContaining([
        { type: "process", value: "svchost.exe" },
        { type: "process", value: "services.exe" },
        { type: "file_hash", value: "e4e3f6bbad17b41a42687b3d75ade4a10b0870ec" },
      ]),
    );
    const props = first.evidence.find((e) => e.source === "sentinel.extended_properties")!;
    expect(props.data.IncidentId).toBe("384");
    expect(props.data.MitreTechniques).toBe("T1047;T1082;T1497.001");

    const host = cases.flatMap((c) => c.alert.entities).find((e) => e.type === "host")!;
    expect(host.value).toMatch(/^[a-z0-9-]+\.[a-z0-9.-]+$/i);
    const mailbox = cases.find((c) => c.alert.source === "OATP")!;
    expect(mailbox.workflow).toBe("phishing-triage");
    expect(mailbox.alert.entities).toContainEqual({ type: "email", value: "santiago@vnevado.alpineskihouse.co" });

    // the sandbox filters evidence by entity: every alert entity must be findable in some record
    for (const c of cases)
      for (const e of c.alert.entities)
        expect(
          c.evidence.some((r) => r.entities.some((x) => x.type === e.type && x.value === e.value)),
          `${c.id} ${e.type}=${e.value}`,
        ).toBe(true);
  });

  it("names every process after its image file, whether the export wrote the file inline or as a $ref", async () => {
    const out = join(tmp(), "excytin.jsonl");
    await importSentinel(ALERTS, { out });
    const rows = Papa.parse<Record<string, string>>(readFileSync(ALERTS, "utf8"), {
      header: true,
      delimiter: "\u2756",
      skipEmptyLines: true,
    }).data;
    const byId = new Map(read(out).map((c) => [c.id, c]));
    let viaRef = 0;
    for (const row of rows) {
      type Obj = Record<string, unknown>;
      const list = JSON.parse(row.Entities!) as Obj[];
      const byRef = new Map<unknown, Obj>();
      const index = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(index);
        else if (v && typeof v === "object") {
          const o = v as Obj;
          if (o.$id && !byRef.has(o.$id)) byRef.set(o.$id, o);
          Object.values(o).forEach(index);
        }
      };
      index(list);
      const top = list.map((e) => (e.$ref ? byRef.get(e.$ref)! : e));
      const expected = new Set<unknown>();
      for (const e of top.filter((x) => x.Type === "process")) {
        const image = e.ImageFile as Obj | undefined;
        if (image?.$ref) viaRef++;
        const value = (image?.$ref ? byRef.get(image.$ref) : image)?.Name ?? e.CommandLine ?? e.ProcessId;
        if (value !== undefined) expected.add(String(value));
      }
      const c = byId.get(row.SystemAlertId!)!;
      const got = new Set(c.alert.entities.filter((e) => e.type === "process").map((e) => e.value));
      expect(got, c.id).toEqual(expected);
    }
    // the export writes over a hundred processes' image files as a $ref to a file listed before them
    expect(viaRef).toBeGreaterThan(100);
  });

  it("does not add a file's name twice when its Directory already ends with it", async () => {
    const out = join(tmp(), "excytin.jsonl");
    await importSentinel(ALERTS, { out });
    // a hand-made Defender alert (DetectionSource manual) whose Directory is the file's whole path
    const c = read(out).find((x) => x.id === "14c7f2bd-eccb-2063-15ea-cc0209e2bd97")!;
    const files = c.alert.entities.filter((e) => e.type === "file").map((e) => e.value);
    expect(files).toEqual(["c:\\users\\tgs2z\\appdata\\local\\temp\\notepad.exe"]);
    expect(c.evidence.find((r) => r.id === "entity-6")!.entities).toContainEqual({ type: "file", value: files[0] });
  });

  it("takes incident ids from the SecurityIncident export's AlertIds, merges included", async () => {
    const out = join(tmp(), "excytin.jsonl");
    const r = await importSentinel(ALERTS, { out, incidents: INCIDENTS });
    expect(r).toMatchObject({ cases: 189, incidents: 8 });
    // AlertIds lists 191 alerts; these two are not in the alert export, so their incidents are short of one case
    expect(r.absent).toEqual([
      { alert: "a6bb705c-1d28-33db-7279-e904c7a3c14c", incident: "384" },
      { alert: "46f3d4b8-060c-4022-c190-4d88954a6a2e", incident: "107" },
    ]);
    const cases = read(out);
    expect(cases.every((c) => c.incident_id)).toBe(true);
    // alerts whose own IncidentId is 804/822 were merged into incident 801 in the incidents export
    expect(cases.filter((c) => c.incident_id === "801").length).toBe(9);
    expect(cases.some((c) => c.incident_id === "804" || c.incident_id === "822")).toBe(false);
    // the export's classifications are empty/Undetermined: no labels
    expect(r.unlabeled).toBe(189);
  });

  it("labels alerts from incident classifications, falling back to --verdict", async () => {
    const d = tmp();
    const real = Papa.parse<Record<string, string>>(readFileSync(INCIDENTS, "utf8"), {
      header: true,
      delimiter: "\u2756",
      skipEmptyLines: true,
    }).data;
    const rows = real.map((i) => ({
      ...i,
      Classification:
        i.ProviderIncidentId === "384" ? "TruePositive" : i.ProviderIncidentId === "529" ? "FalsePositive" : "",
      ClassificationReason: i.ProviderIncidentId === "529" ? "IncorrectAlertLogic" : "",
    }));
    const incidents = join(d, "incidents.csv");
    writeFileSync(incidents, Papa.unparse(rows, { delimiter: "\u2756" }));
    const out = join(d, "labeled.jsonl");
    await importSentinel(ALERTS, { out, incidents, verdict: "benign_positive" });
    const cases = read(out);
    const byIncident = (id: string) => cases.filter((c) => c.incident_id === id);
    expect(byIncident("384").length).toBe(28 - 1); // AlertIds lists 28; one of them is not in the alert export
    expect(byIncident("384").every((c) => c.label?.verdict === "true_positive" && c.label.escalate)).toBe(true);
    expect(byIncident("529").every((c) => c.label?.verdict === "false_positive" && !c.label.escalate)).toBe(true);
    expect(byIncident("529")[0]!.label!.notes).toMatch(/classified FalsePositive: IncorrectAlertLogic/);
    expect(byIncident("107").every((c) => c.label?.verdict === "benign_positive")).toBe(true);
  });

  it("takes each incident's classification from its last change, whatever order the rows are in", async () => {
    const d = tmp();
    const real = Papa.parse<Record<string, string>>(readFileSync(INCIDENTS, "utf8"), {
      header: true,
      delimiter: "\u2756",
      skipEmptyLines: true,
    }).data;
    const i384 = real.find((i) => i.ProviderIncidentId === "384")!;
    // the SecurityIncident table logs a row per change: New and unclassified, later Closed as TruePositive
    const opened = { ...i384, Status: "New", Classification: "" };
    const closed = {
      ...i384,
      Status: "Closed",
      Classification: "TruePositive",
      LastModifiedTime: "2024-12-01 10:00:00+00:00",
      TimeGenerated: "2024-12-01 10:00:00+00:00",
    };
    for (const order of [
      [closed, opened],
      [opened, closed],
    ]) {
      const incidents = join(d, "incidents.csv");
      writeFileSync(incidents, Papa.unparse(order, { delimiter: "\u2756" }));
      const out = join(d, "labeled.jsonl");
      const r = await importSentinel(ALERTS, { out, incidents });
      const mine = read(out).filter((c) => c.incident_id === "384");
      expect(mine.length).toBe(27);
      expect(mine.every((c) => c.label?.verdict === "true_positive")).toBe(true);
      expect(r.unlabeled).toBe(189 - 27);
    }
  });

  it("refuses two rows giving one alert two verdicts when no time says which is current", async () => {
    const d = tmp();
    const real = Papa.parse<Record<string, string>>(readFileSync(INCIDENTS, "utf8"), {
      header: true,
      delimiter: "\u2756",
      skipEmptyLines: true,
    }).data;
    const i384 = real.find((i) => i.ProviderIncidentId === "384")!;
    const undated = { ...i384, LastModifiedTime: "", TimeGenerated: "" };
    const incidents = join(d, "incidents.csv");
    writeFileSync(
      incidents,
      Papa.unparse(
        [
          { ...undated, Classification: "TruePositive" },
          { ...undated, Classification: "FalsePositive" },
        ],
        { delimiter: "\u2756" },
      ),
    );
    const out = join(d, "labeled.jsonl");
    await expect(importSentinel(ALERTS, { out, incidents })).rejects.toThrow(
      /incidents\.csv:3: Classification: alert \S+ is in incident 384 on line 2 \(TruePositive\) and incident 384 on line 3 \(FalsePositive\)/,
    );
    expect(existsSync(out)).toBe(false);
    writeFileSync(
      incidents,
      Papa.unparse([{ ...i384, LastModifiedTime: "last Tuesday", Classification: "TruePositive" }], {
        delimiter: "\u2756",
      }),
    );
    await expect(importSentinel(ALERTS, { out, incidents })).rejects.toThrow(
      `${incidents}:2: LastModifiedTime: "last Tuesday" is not a time`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("reads a classification however an export spells it, and refuses one it does not know at its line", async () => {
    const d = tmp();
    const real = Papa.parse<Record<string, string>>(readFileSync(INCIDENTS, "utf8"), {
      header: true,
      delimiter: "\u2756",
      skipEmptyLines: true,
    }).data;
    const i384 = real.find((i) => i.ProviderIncidentId === "384")!;
    const incidents = join(d, "incidents.csv");
    const out = join(d, "labeled.jsonl");
    for (const spelt of ["True positive", "true_positive", "TRUEPOSITIVE"]) {
      writeFileSync(incidents, Papa.unparse([{ ...i384, Classification: spelt }], { delimiter: "\u2756" }));
      const r = await importSentinel(ALERTS, { out, incidents });
      expect(r.unlabeled, spelt).toBe(189 - 27);
      expect(read(out).filter((c) => c.label?.verdict === "true_positive").length).toBe(27);
    }
    writeFileSync(incidents, Papa.unparse([{ ...i384, Classification: "Malicious" }], { delimiter: "\u2756" }));
    rmSync(out);
    await expect(importSentinel(ALERTS, { out, incidents })).rejects.toThrow(
      `${incidents}:2: Classification: "Malicious" is not a Sentinel classification (TruePositive, BenignPositive, FalsePositive or Undetermined)`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("labels every alert with --verdict", async () => {
    const out = join(tmp(), "tp.jsonl");
    const r = await importSentinel(ALERTS, { out, verdict: "true_positive", workflow: "endpoint-investigation" });
    expect(r.unlabeled).toBe(0);
    const cases = read(out);
    expect(cases.every((c) => c.label?.verdict === "true_positive" && c.label.escalate)).toBe(true);
    expect(cases.every((c) => c.workflow === "endpoint-investigation")).toBe(true);
  });
});

/** A small comma-delimited SecurityAlert export (synthetic), as the Log Analytics portal writes it. */
function sentinelCsv(overrides: Record<string, string> = {}): string {
  const entities = [
    { $id: "2", HostName: "web-07", DnsDomain: "corp.example", Type: "host" },
    { $id: "3", Address: "203.0.113.50", Type: "ip" },
    { $id: "4", Url: "http://203.0.113.50/x.ps1", Type: "url" },
    { $id: "5", DomainName: "bad.example.net", Type: "dns" },
  ];
  const row = {
    TimeGenerated: "2025-01-05T10:00:00.123Z",
    AlertName: "Download of script from rare IP",
    AlertSeverity: "Medium",
    Description: "A host fetched a script.\nSecond line.",
    ProviderName: "ASI Scheduled Alerts",
    SystemAlertId: "syn-0001",
    AlertType: "rule-guid-1",
    Entities: JSON.stringify(entities),
    ExtendedProperties: JSON.stringify({ IncidentId: "42", "Query Period": "1.00:00:00" }),
    Tactics: "CommandAndControl",
    ...overrides,
  };
  return Papa.unparse([row]);
}

describe("importSentinel on comma-delimited exports", () => {
  it("reads a synthetic export and maps host, ip, url and dns entities", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    writeFileSync(f, sentinelCsv());
    const out = join(d, "o.jsonl");
    await importSentinel(f, { out });
    const [c] = read(out);
    expect(c!.workflow).toBe("unassigned");
    expect(c!.incident_id).toBe("42");
    expect(c!.alert.description).toBe("A host fetched a script.\nSecond line.");
    expect(c!.alert.entities).toEqual([
      { type: "host", value: "web-07.corp.example" },
      { type: "ip", value: "203.0.113.50" },
      { type: "url", value: "http://203.0.113.50/x.ps1" },
      { type: "domain", value: "bad.example.net" },
    ]);
    expect(c!.tags).toEqual(["tactic:command_and_control"]);
  });

  it("names two entities with one $id by their place in Entities, not by the case's evidence", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    const entities = [
      { $id: "2", HostName: "web-07", Type: "host" },
      { $id: "3", Address: "203.0.113.50", Type: "ip" },
      { $id: "2", Address: "198.51.100.7", Type: "ip" },
    ];
    writeFileSync(f, sentinelCsv({ Entities: JSON.stringify(entities) }));
    await expect(importSentinel(f, { out: join(d, "o.jsonl") })).rejects.toThrow(
      `${f}:2: Entities: entities 1 and 3 both have $id "2"; an entity's $id must be its own`,
    );
  });

  it("reads a nested entity the export wrote as a $ref as it reads one written inline", async () => {
    // the file, key and address are listed first, so the process, value and connection only point at them
    const entities = [
      { $id: "2", Name: "powershell.exe", Directory: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0", Type: "file" },
      {
        $id: "3",
        ProcessId: "13968",
        CommandLine: '"powershell.exe" C:\\Script\\a.ps1',
        ImageFile: { $ref: "2" },
        Type: "process",
      },
      { $id: "4", Hive: "HKEY_LOCAL_MACHINE", Key: "SYSTEM\\Services\\X", Type: "registry-key" },
      { $id: "5", Key: { $ref: "4" }, Name: "ImagePath", Type: "registry-value" },
      { $id: "6", Address: "203.0.113.50", Type: "ip" },
      {
        $id: "7",
        SourceAddress: { $ref: "6" },
        SourcePort: 443,
        DestinationAddress: { $id: "8", Address: "10.0.0.5", Type: "ip" },
        DestinationPort: 50123,
        Type: "network-connection",
      },
    ];
    const d = tmp();
    const f = join(d, "alerts.csv");
    writeFileSync(f, sentinelCsv({ Entities: JSON.stringify(entities) }));
    const out = join(d, "o.jsonl");
    await importSentinel(f, { out });
    const [c] = read(out);
    const wanted = [
      { type: "process", value: "powershell.exe" },
      { type: "registry_value", value: "HKEY_LOCAL_MACHINE\\SYSTEM\\Services\\X\\ImagePath" },
      { type: "connection", value: "203.0.113.50:443 -> 10.0.0.5:50123" },
    ];
    expect(c!.alert.entities).toEqual(expect.arrayContaining(wanted));
    expect(c!.evidence.flatMap((r) => r.entities)).toEqual(expect.arrayContaining(wanted));
  });

  it("joins a file's Directory and Name once, whether or not Directory already holds the name", async () => {
    const entities = [
      { $id: "2", Name: "a.exe", Directory: "C:\\Temp\\", Type: "file" },
      { $id: "3", Name: "b.exe", Directory: "C:\\Temp\\B.EXE", Type: "file" },
      { $id: "4", Name: "c.exe", Directory: "C:\\Temp\\not-c.exe", Type: "file" },
    ];
    const d = tmp();
    const f = join(d, "alerts.csv");
    writeFileSync(f, sentinelCsv({ Entities: JSON.stringify(entities) }));
    const out = join(d, "o.jsonl");
    await importSentinel(f, { out });
    expect(read(out)[0]!.alert.entities.map((e) => e.value)).toEqual([
      "C:\\Temp\\a.exe",
      "C:\\Temp\\B.EXE",
      "C:\\Temp\\not-c.exe\\c.exe",
    ]);
  });

  it("gives an entity without a $id an evidence id no other entity's $id can take", async () => {
    const entities = [
      { Address: "198.51.100.1", Type: "ip" },
      { $id: "1", Address: "198.51.100.2", Type: "ip" },
    ];
    const d = tmp();
    const f = join(d, "alerts.csv");
    writeFileSync(f, sentinelCsv({ Entities: JSON.stringify(entities) }));
    const out = join(d, "o.jsonl");
    await importSentinel(f, { out });
    const [c] = read(out);
    expect(c!.evidence.filter((r) => r.source === "sentinel.entity.ip").map((r) => [r.id, r.data.Address])).toEqual([
      ["entity-item-1", "198.51.100.1"],
      ["entity-1", "198.51.100.2"],
    ]);
  });

  it("keeps a 64-bit integer of Entities and ExtendedProperties as its exact digits, not JSON.parse's rounding", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    const entities = [{ $id: "2", HostName: "web-07", Type: "host", OSVersion: 1 }];
    writeFileSync(
      f,
      sentinelCsv({
        Entities: JSON.stringify(entities).replace('"OSVersion":1', '"OSVersion":18446744073709551615'),
        ExtendedProperties: '{"IncidentId":"42","EventRecordID":12345678901234567890,"Note":"12345678901234567891"}',
      }),
    );
    const out = join(d, "o.jsonl");
    await importSentinel(f, { out });
    const raw = readFileSync(out, "utf8");
    expect(raw).not.toContain("12345678901234567000");
    const [c] = read(out);
    const data = c!.evidence.map((e) => e.data);
    expect(data).toContainEqual(
      expect.objectContaining({ EventRecordID: "12345678901234567890", Note: "12345678901234567891" }),
    );
    expect(data).toContainEqual(expect.objectContaining({ OSVersion: "18446744073709551615" }));
  });

  it("names file:line: column for a broken Entities cell and writes nothing", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    writeFileSync(f, sentinelCsv({ Entities: '[{"$id":"2",' }));
    const out = join(d, "o.jsonl");
    await expect(importSentinel(f, { out })).rejects.toThrow(`${f}:2: Entities: cell is not JSON`);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an Entities cell that repeats a key, naming the key, and writes nothing", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    writeFileSync(
      f,
      sentinelCsv({ Entities: '[{"$id":"2","Type":"ip","Address":"203.0.113.5","Address":"10.0.0.1"}]' }),
    );
    const out = join(d, "o.jsonl");
    await expect(importSentinel(f, { out })).rejects.toThrow(
      `${f}:2: Entities: [0].Address: repeated key in the cell's JSON`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an alert exported twice, saying how to export each alert's latest row", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    const csv = sentinelCsv();
    // Papa.unparse ends rows with CRLF; the row's Description spans two lines, so the repeat starts on line 4
    writeFileSync(f, `${csv}\r\n${csv.split("\r\n")[1]}`);
    const out = join(d, "o.jsonl");
    await expect(importSentinel(f, { out })).rejects.toThrow(
      `${f}:4: SystemAlertId: alert syn-0001 is also on line 2: the SecurityAlert table logs a row for every update of an alert; export its latest (SecurityAlert | summarize arg_max(TimeGenerated, *) by SystemAlertId)`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("times an alert by its EndTime (when it fired), not TimeGenerated (its row's last update)", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    const out = join(d, "o.jsonl");
    const times = { TimeGenerated: "2025-01-12T08:00:00Z", StartTime: "2025-01-05T09:58:00Z" };
    writeFileSync(f, sentinelCsv({ ...times, EndTime: "2025-01-05T10:01:30Z" }));
    await importSentinel(f, { out });
    expect(read(out)[0]!.alert.time).toBe("2025-01-05T10:01:30.000Z");
    // without an EndTime, the activity's start; without either, TimeGenerated
    writeFileSync(f, sentinelCsv({ ...times, EndTime: "0001-01-01T00:00:00" }));
    await importSentinel(f, { out });
    expect(read(out)[0]!.alert.time).toBe("2025-01-05T09:58:00.000Z");
    writeFileSync(f, sentinelCsv({ TimeGenerated: "2025-01-12T08:00:00Z", StartTime: "", EndTime: "" }));
    await importSentinel(f, { out });
    expect(read(out)[0]!.alert.time).toBe("2025-01-12T08:00:00.000Z");
    writeFileSync(f, sentinelCsv({ ...times, EndTime: "last tuesday" }));
    await expect(importSentinel(f, { out: join(d, "bad.jsonl") })).rejects.toThrow(
      `${f}:2: EndTime: "last tuesday" is not a time`,
    );
  });

  it('names the column whose time it cannot read, and reads .NET\'s "no time" as absent', async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    const out = join(d, "o.jsonl");
    // .NET's "no time" is absent, as an empty cell is
    for (const none of ["", "0001-01-01T00:00:00"]) {
      writeFileSync(f, sentinelCsv({ TimeGenerated: none, StartTime: "2025-01-05 09:58:00+00:00" }));
      await importSentinel(f, { out });
      expect(read(out)[0]!.alert.time).toBe("2025-01-05T09:58:00.000Z");
    }
    writeFileSync(f, sentinelCsv({ TimeGenerated: "", StartTime: "yesterday" }));
    await expect(importSentinel(f, { out: join(d, "bad.jsonl") })).rejects.toThrow(
      `${f}:2: StartTime: "yesterday" is not a time`,
    );
    writeFileSync(f, sentinelCsv({ TimeGenerated: "", StartTime: "" }));
    await expect(importSentinel(f, { out: join(d, "bad.jsonl") })).rejects.toThrow(`${f}:2: TimeGenerated: no time`);
    expect(existsSync(join(d, "bad.jsonl"))).toBe(false);
  });

  it("names an unknown severity and a header that is not a SecurityAlert export", async () => {
    const d = tmp();
    const f = join(d, "alerts.csv");
    writeFileSync(f, sentinelCsv({ AlertSeverity: "Sev2" }));
    await expect(importSentinel(f, { out: join(d, "o.jsonl") })).rejects.toThrow(`${f}:2: AlertSeverity: "Sev2"`);
    writeFileSync(f, "a,b\n1,2\n");
    await expect(importSentinel(f, { out: join(d, "o.jsonl") })).rejects.toThrow(
      /:1: header: columns SystemAlertId, AlertSeverity, TimeGenerated, Entities, AlertName missing/,
    );
  });
});
