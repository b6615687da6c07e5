import { renderChart } from "../report/charts.js";
import { render, stylesheet, trusted } from "../report/templates.js";
import type { CandidateResult, NextStep, ReadinessDoc } from "./result.js";

export const READINESS_FORMATS = ["html", "md", "json"] as const;
export type ReadinessFormat = (typeof READINESS_FORMATS)[number];

const PHASE_LABEL: Record<string, string> = {
  readiness: "readiness (not yet shadow)",
  shadow: "shadow",
  assisted: "assisted",
  controlled_automation: "controlled automation",
  optimization: "optimization",
};

/** Display status; the CSS class comes from a fixed set, never from answer text. */
function status(c: CandidateResult): { text: string; cls: string } {
  if (c.blocked) return { text: "blocked", cls: "not-met" };
  if (c.recommended_phase === "readiness") return { text: "not ready", cls: "not-measured" };
  return { text: "ready", cls: "met" };
}

export const TIE_NOTE =
  "1= marks a tie: candidates with the same status and overall score share a rank and are listed by name; their order does not make one the better candidate.";
/** "2=" for a shared rank, as a league table writes it. */
export const shownRank = (c: Pick<CandidateResult, "rank" | "tie">) => `${c.rank}${c.tie ? "=" : ""}`;
/**
 * A gate step "unblocks" only when it is the last gate: with three blockers, clearing one leaves
 * the workflow blocked, and "unblocks" beside each of them says otherwise.
 */
export const stepGain = (n: Pick<NextStep, "gain">, gates: number) =>
  n.gain !== null ? `+${fmt(n.gain)}` : gates > 1 ? `clears 1 of ${gates} gates` : "unblocks";
const band = (score: number) => (score >= 70 ? "good" : score >= 50 ? "fair" : "poor");
const fmt = (x: number) => x.toFixed(1);
const said = (r: { text: string; answer: string; note?: string; short?: string }) => ({
  text: r.text,
  answer: r.answer,
  note: r.note ?? "",
  short: r.short ?? r.text,
});

function candidateView(c: CandidateResult, i: number) {
  const s = status(c);
  return {
    anchor: `candidate-${i + 1}`,
    rank: shownRank(c),
    candidate: c.candidate,
    workflow: c.workflow,
    file: c.file,
    answers_hash: c.answers_hash,
    organisation: c.organisation ?? "",
    overall: fmt(c.overall),
    band: band(c.overall),
    status: s.text,
    cls: s.cls,
    phase: PHASE_LABEL[c.recommended_phase] ?? c.recommended_phase,
    phase_reason: c.phase_reason,
    automation: c.max_automation,
    automation_meaning: c.automation_meaning,
    blockers: c.blockers.map((b) => ({ blocker: b.blocker, why: b.why, ...said(b) })),
    areas: c.areas.map((a) => ({
      name: a.name,
      weight: a.weight,
      score: fmt(a.score),
      band: band(a.score),
      lost: a.lost.map((l) => ({ ...said(l), question: l.question, points: fmt(l.points) })),
    })),
    strengths: c.strengths.map(said),
    weaknesses: c.weaknesses.map(said),
    strengths_text: c.strengths.map((r) => `${r.short}: ${r.answer}`).join("; "),
    weaknesses_text: c.weaknesses.map((r) => `${r.short}: ${r.answer}`).join("; "),
    next_steps: c.next_steps.map((n) => ({
      step: n.step,
      answer: n.answer,
      question: n.question,
      gain: stepGain(n, c.blockers.length),
      gate: n.kind === "gate",
    })),
  };
}

export async function readinessView(doc: ReadinessDoc, opts: { charts?: boolean } = {}) {
  const candidates = doc.candidates.map(candidateView);
  const chart =
    opts.charts === false || candidates.length === 0
      ? ""
      : await renderChart(
          "../readiness/ranking",
          doc.candidates.map((c) => ({
            candidate: `${shownRank(c)}. ${c.candidate}`,
            overall: c.overall,
            status: status(c).text,
          })),
        );
  return {
    title: "soceval readiness assessment",
    css: stylesheet(),
    scored_at: doc.scored_at,
    matrix_file: doc.matrix.file,
    matrix_version: doc.matrix.version,
    synthetic: doc.candidates.some((c) => c.synthetic === true),
    area_names: doc.candidates[0]?.areas.map((a) => a.name) ?? [],
    tie_note: doc.candidates.some((c) => c.tie) ? TIE_NOTE : "",
    candidates,
    // renderChart has checked the SVG (no script, no external reference) before it is trusted
    ranking_chart: chart ? trusted(chart) : "",
  };
}

export async function renderReadiness(doc: ReadinessDoc, format: ReadinessFormat): Promise<string> {
  if (format === "json") return `${JSON.stringify(doc, null, 2)}\n`;
  const view = await readinessView(doc, { charts: format === "html" });
  return render(format === "html" ? "readiness/readiness.html.hbs" : "readiness/readiness.md.hbs", view);
}
