import { describe, expect, it } from "vitest";
import { DEFAULT_GATE } from "../schema/gate-defaults.js";
import { GateRules } from "../schema/index.js";
import { loosenedRules } from "./loosened.js";

const rules = (r: Partial<GateRules>) => GateRules.parse({ ...DEFAULT_GATE, ...r });

describe("gate rules loosened since a baseline was run", () => {
  it("names each rule that now lets more through, and nothing for the same or stricter rules", () => {
    expect(loosenedRules(DEFAULT_GATE, DEFAULT_GATE)).toEqual([]);
    const stricter = rules({
      margins: [
        { metric: "verdict_agreement", max_drop: 0.01 },
        { metric: "escalation_recall", max_drop: 0.02 },
        { metric: "escalation_precision", max_drop: 0.05 },
      ],
      limits: [{ metric: "hallucination_rate", max: 0.01 }],
      max_infra_failure_rate: 0.05,
    });
    expect(loosenedRules(DEFAULT_GATE, stricter)).toEqual([]);
    const looser = rules({
      margins: [{ metric: "verdict_agreement", max_drop: 0.1 }],
      limits: [],
      no_new_critical_miss: false,
      budget: { metric: "cost_per_investigation", max_increase_pct: 50, max_increase: 0.01 },
      max_infra_failure_rate: 0.3,
    });
    expect(loosenedRules(DEFAULT_GATE, looser)).toEqual([
      "margin on verdict_agreement: max_drop 0.02 → 0.1",
      "margin on escalation_recall removed (was max_drop 0.02)",
      "limit on hallucination_rate removed (was max 0.05)",
      "no_new_critical_miss: true → false",
      "budget on cost_per_investigation: max_increase_pct 20 → 50",
      "budget on cost_per_investigation: max_increase 0 → 0.01",
      "max_infra_failure_rate: 0.1 → 0.3",
    ]);
    expect(loosenedRules(DEFAULT_GATE, rules({ budget: undefined }))).toEqual([
      "budget on cost_per_investigation removed (was max_increase_pct 20)",
    ]);
    expect(
      loosenedRules(DEFAULT_GATE, rules({ budget: { metric: "tokens_per_investigation", max_increase_pct: 20 } })),
    ).toEqual(["budget: cost_per_investigation → tokens_per_investigation"]);
    expect(loosenedRules(DEFAULT_GATE, rules({ limits: [{ metric: "hallucination_rate", max: 0.2 }] }))).toEqual([
      "limit on hallucination_rate: max 0.05 → 0.2",
    ]);
  });
});
