import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileSha256 } from "../io/hash.js";
import { findDatasetLine } from "./dataset-line.js";

describe("findDatasetLine", () => {
  it("shows a 64-bit id in an evidence record as its digits, as the run read it, not rounded", async () => {
    const first = readFileSync("test/fixtures/mini/cases.jsonl", "utf8").split("\n")[0]!;
    const file = join(mkdtempSync(join(tmpdir(), "soceval-dataset-line-")), "cases.jsonl");
    // 12345678901234567891 is what the file says; JSON.parse reads 12345678901234567000
    // and where the case wants a number (analyst_minutes), one as the run read it: the case still validates
    const line = first
      .replace('"country": "NL"', '"country": "NL", "EventRecordID": 12345678901234567891')
      .replace('"analyst_minutes": 12', '"analyst_minutes": 12345678901234567891');
    writeFileSync(file, `${line}\n`);
    const found = await findDatasetLine(file, await fileSha256(file), "mini-000");
    expect(found.line).toBe(1);
    expect(found.evidence[0]!.data).toEqual({
      ip: "203.0.113.10",
      device_known: false,
      country: "NL",
      EventRecordID: "12345678901234567891",
    });
  });
});
