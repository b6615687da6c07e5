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

  it("rejects what is not a time", () => {
    for (const bad of ["", "yesterday", "2025-13-45T00:00:00Z", null, {}]) expect(toIsoTime(bad)).toBeUndefined();
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
