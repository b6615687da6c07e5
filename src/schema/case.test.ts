import { describe, expect, it } from "vitest";
import { describeIssue } from "../io/errors.js";
import { Case } from "./case.js";

const base = {
  id: "c-1",
  workflow: "phishing-triage",
  alert: { title: "t", rule: "r", source: "s", severity: "low", time: "2025-01-01T00:00:00Z" },
  evidence: [{ id: "e-1", source: "email.headers", time: "2025-01-01T00:00:00Z", data: { from: "a@b.example" } }],
};

function firstIssue(value: unknown): string {
  const r = Case.safeParse(value);
  if (r.success) return "ok";
  return describeIssue(r.error.issues[0]!).text;
}

describe("Case: an evidence record's data", () => {
  it("is kept as the source returned it, whatever its fields", () => {
    const data = { from: "a@b.example", nested: { list: [1, "two", null] }, "odd key": true };
    const c = Case.parse({ ...base, evidence: [{ ...base.evidence[0], data }] });
    expect(c.evidence[0]!.data).toEqual(data);
  });

  it.each([
    ["an array", [1, 2]],
    ["a string", "from: a@b.example"],
    ["null", null],
  ])("must be an object, not %s, and the error names the field", (_what, data) => {
    expect(firstIssue({ ...base, evidence: [{ ...base.evidence[0], data }] })).toBe(
      "evidence[0].data: expected an object",
    );
  });

  it("must be there", () => {
    const { data: _drop, ...rest } = base.evidence[0]!;
    expect(firstIssue({ ...base, evidence: [rest] })).toMatch(/^evidence\[0\]\.data: /);
  });
});

describe("Case: incident_id", () => {
  it("refuses an empty or blank one, which would make every such case one incident", () => {
    for (const incident_id of ["", "  "])
      expect(firstIssue({ ...base, incident_id })).toBe(
        "incident_id: empty: leave incident_id out when the alert belongs to no incident",
      );
    expect(firstIssue({ ...base, incident_id: "INC-7" })).toBe("ok");
    expect(firstIssue(base)).toBe("ok");
  });
});
