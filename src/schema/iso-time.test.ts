import { describe, expect, it } from "vitest";
import { Case } from "./case.js";
import { IsoTime } from "./iso-time.js";

describe("a case's times", () => {
  it("are ISO-8601 date-times with a zone", () => {
    for (const t of [
      "2025-01-06T07:01:34Z",
      "2025-01-06T07:01:34.350Z",
      "2024-07-04T22:35:00.746663+00:00",
      "2025-01-06T07:01+02:00",
      "2025-01-06T23:59:59-0530",
      "2024-02-29T00:00:00Z", // a leap day
      "2025-01-06T07:01:34+14:00",
      "2025-01-06T07:01:34-12:00",
    ])
      expect(IsoTime.safeParse(t).success, t).toBe(true);
  });

  it("refuse what would compare as nothing or as the machine's local time", () => {
    for (const t of [
      "yesterday",
      "2025-01-06T07:01:34", // no zone
      "07/04/2024 10:35 PM",
      "2025-13-01T00:00:00Z",
      "2025-02-30T00:00:00Z", // Date would roll it into March and move the evidence window
      "2025-02-29T00:00:00Z", // not a leap year
      "2025-04-31T10:00:00Z",
      "2025-01-06T07:01:34+23:59", // no zone is that far off
      "2025-01-06T07:01:34+14:30",
      "2025-01-06 07:01:34Z",
      "2025-01-06",
      "",
    ])
      expect(IsoTime.safeParse(t).success, t).toBe(false);
  });

  it("name the field that holds a bad one", () => {
    const c = {
      id: "c1",
      workflow: "w",
      alert: { title: "t", rule: "r", source: "s", severity: "low", time: "2025-01-06T07:01:34Z" },
      evidence: [{ id: "e1", source: "edr", time: "last Tuesday", data: {} }],
    };
    const r = Case.safeParse(c);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["evidence", 0, "time"]);
    expect(r.error!.issues[0]!.message).toMatch(/ISO-8601 time with a zone/);
  });
});
