import { describe, expect, it } from "vitest";
import { addEntities, setPath, toIsoTime } from "./values.js";

describe("toIsoTime", () => {
  it.each([
    ["2024-07-04 22:35:00.746663+00:00", "2024-07-04T22:35:00.746Z"],
    ["2024-07-03T07:15:32.1533333", "2024-07-03T07:15:32.153Z"],
    ["2025-02-11T14:03:22.000+01:00", "2025-02-11T13:03:22.000Z"],
    ["2025-02-11", "2025-02-11T00:00:00.000Z"],
    [1739455200000, "2025-02-13T14:00:00.000Z"],
    [1739455200, "2025-02-13T14:00:00.000Z"],
    ["1739455200000", "2025-02-13T14:00:00.000Z"],
  ])("%s → %s", (input, iso) => {
    expect(toIsoTime(input)).toBe(iso);
  });

  it("reads numbers as epoch seconds (10 digits) or milliseconds (13 digits) only", () => {
    expect(toIsoTime("1720132500.5")).toBe("2024-07-04T22:35:00.500Z");
    expect(toIsoTime(1000000000)).toBe("2001-09-09T01:46:40.000Z");
    expect(toIsoTime(9999999999999)).toBe("2286-11-20T17:46:39.999Z");
    // compact dates, microseconds, nanoseconds, negatives and zero would each become a time no alert has
    for (const other of [
      "20240704",
      "20240704223500",
      "1720132500746663",
      "1720132500746663123",
      "-1720132500",
      0,
      NaN,
    ])
      expect(toIsoTime(other), String(other)).toBeUndefined();
  });

  it("rejects what is not a time", () => {
    for (const bad of ["", "yesterday", "2025-13-45T00:00:00Z", null, {}]) expect(toIsoTime(bad)).toBeUndefined();
  });

  it.each([
    ["2024-07-04T22:35:00-0530", "2024-07-05T04:05:00.000Z"],
    ["2024-07-04 22:35:00 UTC", "2024-07-04T22:35:00.000Z"],
    ["2024-07-04T22:35:00.9999999Z", "2024-07-04T22:35:00.999Z"],
    ["2024-07-04T22:35", "2024-07-04T22:35:00.000Z"],
  ])("%s → %s (zones and fractions)", (input, iso) => {
    expect(toIsoTime(input)).toBe(iso);
  });

  it("guesses nothing: no local-zone or day/month-order formats, no rolled-over dates", () => {
    // Date.parse reads these in the machine's local zone (and month-first), so the case's time
    // would depend on where the import ran; 2024-02-30 would silently become March 1st
    for (const bad of [
      "07/04/2024 10:35:00 PM",
      "July 4 2024",
      "Thu, 04 Jul 2024 22:35:00",
      "2024-02-30T00:00:00Z",
      "2023-02-29",
      "2024-07-04T24:00:00Z",
      "2024-07-04T22:60:00Z",
      "2024-07-04T22:35:00+25:00",
    ])
      expect(toIsoTime(bad), bad).toBeUndefined();
    expect(toIsoTime("2024-02-29")).toBe("2024-02-29T00:00:00.000Z");
  });
});

describe("setPath and addEntities", () => {
  it("creates intermediate objects", () => {
    const o: Record<string, unknown> = { alert: { title: "t" } };
    setPath(o, "alert.raw.rule_id", "R1");
    setPath(o, "label.verdict", "true_positive");
    expect(o).toEqual({ alert: { title: "t", raw: { rule_id: "R1" } }, label: { verdict: "true_positive" } });
  });

  it("keeps the first of entities equal ignoring case, and drops empty values", () => {
    const out = addEntities(
      [{ type: "host", value: "WS-1" }],
      [
        { type: "host", value: "ws-1" },
        { type: "ip", value: "" },
        { type: "account", value: "ws-1" },
      ],
    );
    expect(out).toEqual([
      { type: "host", value: "WS-1" },
      { type: "account", value: "ws-1" },
    ]);
  });
});
