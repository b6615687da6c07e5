import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Case } from "../schema/index.js";
import { importOcsf } from "./import-ocsf.js";

const FIX = "test/fixtures/datasets";
const tmp = () => mkdtempSync(join(tmpdir(), "soceval-ocsf-"));
const read = (f: string): Case[] =>
  readFileSync(f, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("importOcsf", () => {
  it("maps a Detection Finding array: finding_info, severity, time, evidences, observables, verdict", async () => {
    const out = join(tmp(), "o.jsonl");
    const r = await importOcsf(`${FIX}/ocsf-findings.json`, { out, workflow: "endpoint-investigation" });
    expect(r).toEqual({ out, cases: 2, unlabeled: 0 });
    const [dump, psexec] = read(out);
    expect(dump!.id).toBe("fnd-0001");
    expect(dump!.workflow).toBe("endpoint-investigation");
    expect(dump!.incident_id).toBe("case-2025-0211-07");
    expect(dump!.alert).toMatchObject({
      title: "LSASS memory dumped with rundll32 comsvcs.dll",
      rule: "LSASS Access via comsvcs MiniDump",
      source: "Example EDR",
      severity: "high",
      time: "2025-02-11T14:03:22.000Z",
      description: "rundll32.exe called MiniDump on the lsass.exe process id",
    });
    // observables first, in order, then what the evidences add
    expect(dump!.alert.entities.slice(0, 4)).toEqual([
      { type: "host", value: "hr-ws-0033.corp.example" },
      { type: "account", value: "CORP\\k.ivanova" },
      { type: "file_hash", value: "9f2b6c1d0e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c" },
      { type: "process", value: "rundll32.exe" },
    ]);
    expect(dump!.alert.entities).toContainEqual({ type: "ip", value: "10.40.2.33" });
    expect(dump!.evidence.map((e) => [e.id, e.source])).toEqual([
      ["evidence-1", "ocsf.process"],
      ["evidence-2", "ocsf.file"],
    ]);
    expect(dump!.evidence[0]!.entities).toEqual(
      expect.arrayContaining([
        { type: "process", value: "powershell.exe" },
        { type: "account", value: "CORP\\k.ivanova" },
        { type: "host", value: "hr-ws-0033.corp.example" },
      ]),
    );
    expect(dump!.label).toMatchObject({ verdict: "true_positive", escalate: true });
    expect(dump!.tags).toEqual(["tactic:credential_access"]);
    expect(psexec!.label).toMatchObject({ verdict: "false_positive", escalate: false });
    expect(psexec!.alert.severity).toBe("medium");
  });

  it("reads JSONL; Suspicious stays unlabeled, Benign is benign_positive, resources become evidence", async () => {
    const out = join(tmp(), "o.jsonl");
    const r = await importOcsf(`${FIX}/ocsf-findings.jsonl`, { out });
    expect(r.unlabeled).toBe(1);
    const [mail, bucket] = read(out);
    expect(mail!.label).toBeUndefined();
    expect(mail!.workflow).toBe("unassigned");
    expect(mail!.evidence[0]!.source).toBe("ocsf.email");
    expect(mail!.alert.entities).toContainEqual({ type: "email", value: "t.berg@corp.example" });
    expect(mail!.alert.entities).toContainEqual({ type: "domain", value: "pay-portal.example.net" });
    expect(bucket!.label!.verdict).toBe("benign_positive");
    expect(bucket!.alert.source).toBe("Example Cloud");
    expect(bucket!.alert.rule).toBe("CSPM-17");
    expect(bucket!.evidence[0]).toMatchObject({ id: "resources", source: "ocsf.resources" });
    expect(bucket!.alert.entities).toEqual([{ type: "resource", value: "arn:aws:s3:::example-marketing-assets" }]);
  });

  it("keeps a 64-bit integer of a finding as its exact digits, in JSONL and in a pretty-printed array", async () => {
    const d = tmp();
    const finding = { class_uid: 2004, time: 1739455200000, severity_id: 2, finding_info: { uid: "a", title: "t" } };
    const ev = { evidences: [{ process: { pid: 4242, uid: "X" } }] };
    const big = (text: string) =>
      text.replace('"uid":"X"', '"uid":-12345678901234567890').replace('"uid": "X"', '"uid": -12345678901234567890');
    for (const [name, text] of [
      ["f.jsonl", big(JSON.stringify({ ...finding, ...ev }))],
      ["f.json", big(JSON.stringify([{ ...finding, ...ev }], null, 2))],
    ] as const) {
      const f = join(d, name);
      writeFileSync(f, text);
      const out = join(d, `${name}.out`);
      await importOcsf(f, { out });
      const [c] = read(out);
      expect(c!.evidence[0]!.data).toEqual({ process: { pid: 4242, uid: "-12345678901234567890" } });
    }
  });

  it("rejects a non-2004 class naming the line, and writes nothing", async () => {
    const out = join(tmp(), "o.jsonl");
    await expect(importOcsf(`${FIX}/ocsf-wrong-class.jsonl`, { out })).rejects.toThrow(
      `${FIX}/ocsf-wrong-class.jsonl:2: class_uid: expected 2004 (Detection Finding), found 3002`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("names missing titles, unmappable severities and duplicate uids", async () => {
    const d = tmp();
    const f = join(d, "f.jsonl");
    const ok = { class_uid: 2004, time: 1739455200000, severity_id: 2, finding_info: { uid: "a", title: "t" } };
    writeFileSync(f, `${JSON.stringify(ok)}\n${JSON.stringify({ ...ok, finding_info: { uid: "b" } })}\n`);
    await expect(importOcsf(f, { out: join(d, "o") })).rejects.toThrow(`${f}:2: finding_info.title:`);
    writeFileSync(f, JSON.stringify({ ...ok, severity_id: 0 }));
    await expect(importOcsf(f, { out: join(d, "o") })).rejects.toThrow(`${f}:1: severity_id: 0 cannot be mapped`);
    writeFileSync(f, `${JSON.stringify(ok)}\n\n${JSON.stringify(ok)}\n`);
    await expect(importOcsf(f, { out: join(d, "o") })).rejects.toThrow(
      `${f}:3: finding_info.uid: finding a is also on line 1: an OCSF stream may hold a finding's Create, Update and Close events (activity_id 1, 2, 3); keep each finding's latest`,
    );
  });

  it("names two evidences with one uid by their OCSF fields, not by the case's", async () => {
    const d = tmp();
    const f = join(d, "f.jsonl");
    const ev = { uid: "e-1", file: { path: "C:\\Windows\\Temp\\x.dmp" } };
    const finding = { class_uid: 2004, time: 1739455200000, severity_id: 2, finding_info: { uid: "a", title: "t" } };
    writeFileSync(f, `${JSON.stringify({ ...finding, evidences: [ev, { uid: "e-2" }, ev] })}\n`);
    await expect(importOcsf(f, { out: join(d, "o.jsonl") })).rejects.toThrow(
      `${f}:1: evidences[2].uid: "e-1" is also evidences[0].uid; each evidence's uid must be its own`,
    );
  });

  it("reads a verdict_id written as text, and refuses one OCSF does not define rather than leave the finding unlabeled", async () => {
    const d = tmp();
    const f = join(d, "f.jsonl");
    const ok = { class_uid: 2004, time: 1739455200000, severity_id: 2, finding_info: { uid: "a", title: "t" } };
    writeFileSync(f, `${JSON.stringify({ ...ok, verdict_id: "2" })}\n`);
    const out = join(d, "o.jsonl");
    await importOcsf(f, { out });
    expect(read(out)[0]!.label).toMatchObject({ verdict: "true_positive", escalate: true });
    for (const bad of [42, "True Positive", true]) {
      writeFileSync(
        f,
        `${JSON.stringify(ok)}\n${JSON.stringify({ ...ok, finding_info: { uid: "b", title: "t" }, verdict_id: bad })}\n`,
      );
      await expect(importOcsf(f, { out: join(d, "bad.jsonl") })).rejects.toThrow(
        `${f}:2: verdict_id: ${JSON.stringify(bad)} is not an OCSF verdict id (0–10 or 99)`,
      );
      expect(existsSync(join(d, "bad.jsonl"))).toBe(false);
    }
  });

  it("refuses a time it cannot read instead of putting another field's time in its place", async () => {
    const d = tmp();
    const f = join(d, "f.jsonl");
    const ok = { class_uid: 2004, time: 1739455200000, severity_id: 2, finding_info: { uid: "a", title: "t" } };
    writeFileSync(f, JSON.stringify({ ...ok, evidences: [{ time: "07/04/2024 10:30 PM", process: { name: "x" } }] }));
    await expect(importOcsf(f, { out: join(d, "o") })).rejects.toThrow(
      `${f}:1: evidences[0].time: "07/04/2024 10:30 PM" is not a time`,
    );
    writeFileSync(
      f,
      JSON.stringify({ ...ok, time: "yesterday", finding_info: { ...ok.finding_info, created_time: 1 } }),
    );
    await expect(importOcsf(f, { out: join(d, "o") })).rejects.toThrow(`${f}:1: time: "yesterday" is not a time`);
    expect(existsSync(join(d, "o"))).toBe(false);
    // absent, the next field stands in: an evidence without a time takes the finding's
    writeFileSync(f, JSON.stringify({ ...ok, evidences: [{ process: { name: "x" } }] }));
    await importOcsf(f, { out: join(d, "o") });
    expect(read(join(d, "o"))[0]!.evidence[0]!.time).toBe("2025-02-13T14:00:00.000Z");
  });
});
