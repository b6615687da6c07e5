import { describe, expect, it } from "vitest";
import { type AnswerSet, answersHash } from "./answers.js";
import { loadAnswerFiles } from "./load.js";
import { loadMatrix } from "./matrix.js";
import { rankCandidates, scoreAll, scoreCandidate } from "./score.js";

const FIX = "test/fixtures/readiness";
const matrix = loadMatrix(`${FIX}/matrix.yaml`);

function sheet(candidate: string, answers: AnswerSet["answers"], notes: Record<string, string> = {}): AnswerSet {
  return { candidate, workflow: "mini", answers, notes, file: `${candidate}.yaml`, hash: answersHash(matrix, answers) };
}

const BEST = { q_bounded: 5, q_escalation: "yes", q_runbook: "yes", q_downside: "low", q_fresh: "15m", q_api: 5 };

describe("readiness scoring (hand-computed on the test matrix)", () => {
  it("scores each area, the overall, and the answers that cost points", () => {
    const r = scoreCandidate(
      matrix,
      sheet("mid", { ...BEST, q_bounded: 3, q_downside: "moderate", q_fresh: "1h" }, { q_downside: "caught later" }),
    );
    // scope: (0.5·1 + 1·1 + 1·2) / 4 = 87.5; fit: (0.5·2 + 1·0 + 1·1) / 3 = 66.67; overall (87.5 + 66.67) / 2
    // = 77.08; shown rounded down, so a score never claims a tenth it did not earn
    expect(r.areas.map((a) => [a.id, a.score])).toEqual([
      ["scope", 87.5],
      ["fit", 66.6],
    ]);
    expect(r.overall).toBe(77.0);
    expect(r.areas[0]!.lost).toEqual([
      { question: "q_bounded", text: "How bounded is it?", answer: "3/5 (half)", points: 12.5 },
    ]);
    expect(r.areas[1]!.lost).toEqual([
      {
        question: "q_downside",
        text: "Downside if wrong?",
        answer: "a missed alert",
        note: "caught later",
        // 33.33 lost, shown 33.4 so that it adds up with the 66.6 shown: 100 − 33.4 = 66.6
        points: 33.4,
      },
    ]);
    expect(r.blocked).toBe(false);
    expect(r.blockers).toEqual([]);
    expect(r.recommended_phase).toBe("shadow");
    // high needs fit >= 80 and a low downside
    expect(r.max_automation).toBe("low");
    // q_downside is not actionable (a property of the workflow), so the only step is the runbook scale:
    // (1/2 area share) · (1/4 question share) · 0.5 gap · 100 = 6.25
    expect(r.next_steps).toEqual([
      {
        kind: "answer",
        question: "q_bounded",
        area: "scope",
        step: "Bound the workflow.",
        answer: "3/5 (half)",
        gain: 6.3,
      },
    ]);
    expect(r.weaknesses).toEqual([]);
    expect(r.strengths.map((s) => s.question)).toEqual(["q_api"]);
  });

  it("a phase's minimum is held against the score itself: 77.08 does not reach 77.1", () => {
    const mid = sheet("mid", { ...BEST, q_bounded: 3, q_downside: "moderate", q_fresh: "1h" });
    const at = (min: number) =>
      scoreCandidate(
        { ...matrix, phases: matrix.phases.map((p) => (p.phase === "shadow" ? { ...p, min_overall: min } : p)) },
        mid,
      );
    expect(at(77).recommended_phase).toBe("shadow");
    expect(at(77.1)).toMatchObject({ overall: 77.0, recommended_phase: "readiness" });
  });

  it("best answers everywhere: 100, shadow, high automation, nothing left to do", () => {
    const r = scoreCandidate(matrix, sheet("best", BEST));
    expect(r.overall).toBe(100);
    expect(r.max_automation).toBe("high");
    expect(r.next_steps).toEqual([]);
    expect(r.areas.every((a) => a.lost.length === 0)).toBe(true);
  });

  it("a candidate that scores high but fails a hard gate is blocked whatever its score", () => {
    const r = scoreCandidate(matrix, sheet("blocked", { ...BEST, q_escalation: "no" }));
    // scope loses only the escalation question: (1 + 0 + 2) / 4 = 75; fit 100 → 87.5 overall
    expect(r.overall).toBe(87.5);
    expect(r.blocked).toBe(true);
    expect(r.blockers).toEqual([
      {
        gate: "no_escalation_criteria",
        blocker: "No documented escalation criteria",
        why: "nobody can judge escalations",
        question: "q_escalation",
        text: "Are escalation criteria documented?",
        answer: "no",
      },
    ]);
    expect(r.recommended_phase).toBe("readiness");
    expect(r.max_automation).toBe("none");
    expect(r.phase_reason).toContain("no documented escalation criteria");
    // the gate comes first and is not also listed as a points step
    expect(r.next_steps.map((s) => [s.kind, s.question, s.gain])).toEqual([["gate", "q_escalation", null]]);
  });

  it("ranks unblocked candidates first, then by overall score", () => {
    const ranked = rankCandidates([
      scoreCandidate(matrix, sheet("blocked-high", { ...BEST, q_escalation: "no" })),
      scoreCandidate(matrix, sheet("weak", { ...BEST, q_bounded: 1, q_runbook: "no", q_downside: "severe" })),
      scoreCandidate(matrix, sheet("best", BEST)),
    ]);
    expect(ranked.map((r) => [r.rank, r.candidate])).toEqual([
      [1, "best"],
      [2, "weak"],
      [3, "blocked-high"],
    ]);
    expect(ranked[1]!.overall).toBeLessThan(ranked[2]!.overall);
    expect(ranked[1]!.recommended_phase).toBe("readiness");
    expect(ranked[1]!.weaknesses.map((w) => w.question)).toEqual(["q_downside"]);
  });
});

describe("a matrix without a catch-all rule", () => {
  it("says no rule holds, not that blockers must be cleared, for a candidate with no blocker", () => {
    const strict = { ...matrix, automation: matrix.automation.filter((r) => r.min_overall > 0) };
    const weak = scoreCandidate(strict, sheet("weak", { ...BEST, q_bounded: 1, q_downside: "severe" }));
    expect(weak.blocked).toBe(false);
    expect(weak.max_automation).toBe("none");
    expect(weak.automation_meaning).toBe("No automation rule of the matrix holds.");
    const blocked = scoreCandidate(strict, sheet("blocked", { ...BEST, q_escalation: "no" }));
    expect(blocked.automation_meaning).toBe("No automation until the blockers are cleared.");
  });
});

describe("ties", () => {
  it("equal scores share a rank and are marked tied, listed by name; a blocked one at the same score is not tied with them", () => {
    const ranked = rankCandidates([
      scoreCandidate(matrix, sheet("zulu", BEST)),
      scoreCandidate(matrix, sheet("weak", { ...BEST, q_bounded: 1 })),
      scoreCandidate(matrix, sheet("alpha", BEST)),
      scoreCandidate(matrix, sheet("blocked", { ...BEST, q_escalation: "no" })),
    ]);
    expect(ranked.map((r) => [r.rank, r.tie, r.candidate])).toEqual([
      [1, true, "alpha"],
      [1, true, "zulu"],
      [3, false, "weak"],
      [4, false, "blocked"],
    ]);
  });
});

describe("bundled readiness answers", () => {
  it("rank the good first candidates above the weak ones, with the reasons the answers give", async () => {
    const m = loadMatrix();
    const files = [
      "phishing-triage",
      "alert-deduplication",
      "endpoint-investigation",
      "ioc-lookups",
      "production-host-isolation",
      "account-lockout",
      "firewall-changes",
    ].map((f) => `readiness/answers/${f}.yaml`);
    const doc = scoreAll(m, await loadAnswerFiles(files, m));
    const rank = new Map(doc.candidates.map((c) => [c.workflow, c]));
    const good = ["phishing-triage", "alert-deduplication", "endpoint-investigation", "ioc-enrichment"];
    const weak = ["endpoint-host-isolation", "identity-account-lockout", "firewall-block-change"];
    for (const g of good)
      for (const w of weak) expect(rank.get(g)!.rank, `${g} above ${w}`).toBeLessThan(rank.get(w)!.rank);
    for (const g of good) expect(rank.get(g)!.recommended_phase).not.toBe("readiness");
    expect(doc.candidates.filter((c) => c.blocked).length).toBeGreaterThanOrEqual(1);
    const lockout = rank.get("identity-account-lockout")!;
    expect(lockout.blockers.map((b) => b.gate)).toContain("no_escalation_criteria");
    const isolation = rank.get("endpoint-host-isolation")!;
    expect(isolation.weaknesses.map((w) => w.question)).toEqual(
      expect.arrayContaining(["suitability_downside", "suitability_alert_volume"]),
    );
    expect(isolation.max_automation).toBe("low");
  });
});
