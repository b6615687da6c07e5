import { describe, expect, it } from "vitest";
import { replacedText, summaryTable } from "./summary-table.js";

const row = {
  agent: "playbook",
  cases: 320,
  investigations: 320,
  agreement: 0.822,
  critical_misses: 15,
  true_positives: 87,
  hallucination_rate: 0,
  policy_violation_rate: 0.031,
  failed: 0,
  cost_usd: 0,
  cost_measured: 320,
};

describe("the run summary table", () => {
  it("gives critical misses as a count of the analyst's true positives, with the report's rate", () => {
    expect(summaryTable([row])).toContain("15/87 (17.2%)");
  });

  it("says there is nothing to miss when the analyst marked no true positive", () => {
    expect(summaryTable([{ ...row, critical_misses: 0, true_positives: 0 }])).toMatch(/│ —\s+│ 0\.0%/);
  });
});

describe("the run summary's cost", () => {
  it("is labelled a total: it is the run's sum over its investigations, not a per-case figure", () => {
    const out = summaryTable([{ ...row, cost_usd: 1.5 }]);
    expect(out).toMatch(/total cost/);
    expect(out).toContain("$1.5000");
  });
});

describe("the run summary's cost when some investigations were not measured", () => {
  it("says how many investigations the total sums (an import lacking transcripts)", () => {
    expect(summaryTable([{ ...row, cost_usd: 0.4305, cost_measured: 315 }])).toContain("$0.4305 (315 of 320 measured)");
  });

  it("prints no $0 total when nothing was measured", () => {
    const out = summaryTable([{ ...row, cost_measured: 0 }]);
    expect(out).toContain("not measured");
    expect(out).not.toContain("$0.0000");
  });

  it("gives each agent's replaced spend under the table, saying whether the agent has a row in it", () => {
    const out = replacedText([
      { agent: "claude", calls: 1, cost_usd: 0.25, stored: true },
      { agent: "gpt", calls: 4, cost_usd: 0.0024, stored: false },
    ]);
    expect(out.split("\n")).toEqual([
      "claude: $0.2500 more on 1 model call of investigations cut short by a Ctrl-C or replayed again, not in the total cost above",
      "gpt: $0.002400 more on 4 model calls of investigations cut short by a Ctrl-C or replayed again, not in the total cost (no results stored)",
      "",
    ]);
    expect(replacedText([])).toBe("");
  });
});
