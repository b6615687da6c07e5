import { describe, expect, it } from "vitest";
import { Condition, When } from "../schema/condition.js";
import { conditionText, whenText } from "./condition-text.js";

const text = (c: unknown) => conditionText(Condition.parse(c));

describe("conditionText", () => {
  it("names the subject and every test of a condition as the evaluator reads it", () => {
    expect(text({ source: "cmdb.assets", field: "criticality", in: ["high", "crown_jewel"] })).toBe(
      'some cmdb.assets record\'s criticality is one of "high", "crown_jewel"',
    );
    expect(text({ source: "idp.signins", field: "risk", gte: 3, lte: 5 })).toBe(
      "some idp.signins record's risk is at least 3 and is at most 5",
    );
    expect(text({ alert: "severity", equals: "high" })).toBe('the alert\'s severity is "high"');
    expect(text({ entity: "account", matches: "^adm-" })).toBe("an alert entity of type account matches /^adm-/i");
    expect(text({ source: "edr.alerts", exists: false })).toBe("the case has no edr.alerts record");
    expect(text({ source: "edr.alerts", missing: true })).toBe("edr.alerts failed or was unavailable");
    expect(text({ sensitivity: "secret" })).toBe("some record of the case is marked sensitivity secret");
    expect(text({ sensitivity: "confidential" })).toBe(
      "some record of the case is marked sensitivity confidential or secret",
    );
  });
});

describe("whenText", () => {
  const c1 = { source: "a", field: "x", equals: true };
  const c2 = { source: "b", field: "y", not_equals: "z" };
  it("joins all with and, any with or, none as not", () => {
    expect(whenText(When.parse({ any: [c1, c2] }))).toBe("some a record's x is true or some b record's y is not \"z\"");
    expect(whenText(When.parse({ all: [c1], any: [c1, c2], none: [c2] }))).toBe(
      "some a record's x is true and (some a record's x is true or some b record's y is not \"z\") and not (some b record's y is not \"z\")",
    );
    expect(whenText(When.parse({ any: [] }))).toBe("never");
  });
});
