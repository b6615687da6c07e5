import type { AnswerSet, AnswerValue } from "./answers.js";
import type { AnswerTest, Area, LoadedMatrix, Question } from "./matrix.js";
import type { AreaResult, Blocker, CandidateResult, NextStep, ReadinessDoc } from "./result.js";

const round1 = (x: number) => Math.round(x * 10) / 10;
/**
 * A score as shown and stored: one decimal, rounded down, so a shown score never claims more than
 * was earned and meets a threshold exactly when the score does (59.97 shows as 59.9, not 60.0,
 * against a minimum of 60). The epsilon keeps a float like 59.999999999 from losing a tenth.
 */
const score1 = (x: number) => Math.floor(x * 10 + 1e-9) / 10;

/** 0..1: how good this answer is for agent readiness. */
export function answerValue(q: Question, a: AnswerValue): number {
  switch (q.kind) {
    case "scale":
      return (Number(a) - 1) / 4;
    case "yesno":
      return a === q.good ? 1 : 0;
    case "choice":
      return q.options.find((o) => o.value === a)?.score ?? 0;
  }
}

/** The answer as the questionnaire offered it, so a report reads like the questions. */
export function answerLabel(q: Question, a: AnswerValue): string {
  switch (q.kind) {
    case "scale":
      return `${a}/5 (${q.levels[Number(a) - 1] ?? "?"})`;
    case "yesno":
      return String(a);
    case "choice":
      return q.options.find((o) => o.value === a)?.label ?? String(a);
  }
}

export function holds(t: AnswerTest, answers: Record<string, AnswerValue>): boolean {
  const a = answers[t.question];
  if (a === undefined) return false;
  if (t.equals !== undefined) return a === t.equals;
  if (t.in !== undefined) return t.in.includes(a);
  if (t.below !== undefined) return Number(a) < t.below;
  if (t.at_least !== undefined) return Number(a) >= t.at_least;
  return false;
}

const weightOf = (area: Area) => area.questions.reduce((s, q) => s + q.weight, 0);

function scoreArea(area: Area, set: AnswerSet): AreaResult & { raw: number } {
  const total = weightOf(area);
  let got = 0;
  const lost: AreaResult["lost"] = [];
  for (const q of area.questions) {
    const a = set.answers[q.id]!;
    const v = answerValue(q, a);
    got += q.weight * v;
    const points = (100 * q.weight * (1 - v)) / total;
    if (points > 0)
      lost.push({
        question: q.id,
        text: q.text,
        answer: answerLabel(q, a),
        note: set.notes[q.id],
        points,
      });
  }
  lost.sort((x, y) => y.points - x.points || x.question.localeCompare(y.question));
  const raw = (100 * got) / total;
  const score = score1(raw);
  return { id: area.id, name: area.name, weight: area.weight, score, raw, lost: tenthsSumming(lost, 100 - score) };
}

/**
 * Each answer's lost points to one decimal, apportioned by largest remainder so that they add up to
 * exactly `total` (100 less the shown score). Rounding each on its own left a reader unable to add
 * an area up: 4.55 lost printed as −4.5 beside a score rounded down to 95.4. Every figure stays
 * within a tenth of what the answer cost. `lost` is costliest first and keeps that order.
 */
function tenthsSumming(lost: AreaResult["lost"], total: number): AreaResult["lost"] {
  const tenths = lost.map((l) => l.points * 10);
  // the epsilon keeps 44.999999999 tenths from flooring to 44
  const floors = tenths.map((t) => Math.floor(t + 1e-6));
  const need = Math.round(total * 10) - floors.reduce((s, f) => s + f, 0);
  const byRemainder = tenths.map((t, i) => ({ i, r: t - floors[i]! })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder.slice(0, Math.max(0, need))) floors[i] = floors[i]! + 1;
  return lost.map((l, i) => clean({ ...l, points: floors[i]! / 10 }));
}

/** Leave optional fields out rather than undefined, so JSON and stored rows are identical however loaded. */
function clean<T extends { note?: string }>(x: T): T {
  if (x.note === undefined) delete x.note;
  return x;
}

function nextSteps(m: LoadedMatrix, set: AnswerSet, blockers: Blocker[], limit: number): NextStep[] {
  const areaTotal = m.areas.reduce((s, a) => s + a.weight, 0);
  const steps: NextStep[] = blockers.map((b) => {
    const { question, area } = m.questions.get(b.question)!;
    return {
      kind: "gate",
      question: b.question,
      area: area.id,
      step: question.improve ?? b.why,
      answer: b.answer,
      gain: null,
    };
  });
  const gated = new Set(blockers.map((b) => b.question));
  const gains: NextStep[] = [];
  for (const area of m.areas) {
    const w = weightOf(area);
    for (const q of area.questions) {
      if (!q.actionable || q.weight === 0 || gated.has(q.id)) continue;
      const a = set.answers[q.id]!;
      const gap = 1 - answerValue(q, a);
      if (gap <= 0) continue;
      const gain = (area.weight / areaTotal) * (q.weight / w) * gap * 100;
      gains.push({
        kind: "answer",
        question: q.id,
        area: area.id,
        step: q.improve!,
        answer: answerLabel(q, a),
        gain: round1(gain),
      });
    }
  }
  gains.sort((x, y) => (y.gain ?? 0) - (x.gain ?? 0) || x.question.localeCompare(y.question));
  return [...steps, ...gains].slice(0, Math.max(limit, steps.length));
}

/** Score one candidate (rank is filled in by `rankCandidates`). */
export function scoreCandidate(m: LoadedMatrix, set: AnswerSet, opts: { steps?: number } = {}): CandidateResult {
  const scored = m.areas.map((a) => scoreArea(a, set));
  const areaTotal = m.areas.reduce((s, a) => s + a.weight, 0);
  // from unrounded area scores, so the overall does not carry six rounding errors
  const raw = scored.reduce((s, a) => s + a.weight * a.raw, 0) / areaTotal;
  const overall = score1(raw);
  const areas: AreaResult[] = scored.map(({ raw: _raw, ...a }) => a);
  const blockers: Blocker[] = m.gates
    .filter((g) => holds(g.when, set.answers))
    .map((g) => {
      const q = m.questions.get(g.when.question)!.question;
      const a = set.answers[q.id]!;
      return clean({
        gate: g.id,
        blocker: g.blocker,
        why: g.why,
        question: q.id,
        text: q.text,
        answer: answerLabel(q, a),
        note: set.notes[q.id],
      });
    });
  const blocked = blockers.length > 0;
  const byArea = new Map(scored.map((a) => [a.id, a.raw]));

  const phase = blocked
    ? null
    : m.phases.find((r) => raw >= r.min_overall && r.when.every((t) => holds(t, set.answers)));
  const level = blocked
    ? null
    : m.automation.find(
        (r) =>
          raw >= r.min_overall &&
          Object.entries(r.min_areas).every(([id, min]) => (byArea.get(id) ?? 0) >= min) &&
          r.when.every((t) => holds(t, set.answers)),
      );

  const reasons = m.areas.find((a) => a.id === m.reasons_area)!;
  const told = (q: Question) =>
    clean({
      question: q.id,
      text: q.text,
      short: q.short ?? q.text,
      answer: answerLabel(q, set.answers[q.id]!),
      note: set.notes[q.id],
    });
  const weighed = reasons.questions.filter((q) => q.weight > 0);

  return {
    rank: 1,
    tie: false,
    candidate: set.candidate,
    workflow: set.workflow,
    file: set.file,
    answers_hash: set.hash,
    ...(set.organisation !== undefined ? { organisation: set.organisation } : {}),
    ...(set.synthetic !== undefined ? { synthetic: set.synthetic } : {}),
    overall,
    blocked,
    blockers,
    areas,
    recommended_phase: phase?.phase ?? "readiness",
    phase_reason: blocked
      ? `Blocked by ${blockers.map((b) => b.blocker.toLowerCase()).join("; ")}.`
      : (phase?.description ?? "No phase rule holds."),
    max_automation: level?.level ?? "none",
    automation_meaning:
      level?.meaning ??
      (blocked ? "No automation until the blockers are cleared." : "No automation rule of the matrix holds."),
    strengths: weighed.filter((q) => answerValue(q, set.answers[q.id]!) >= 0.75).map(told),
    weaknesses: weighed.filter((q) => answerValue(q, set.answers[q.id]!) <= 0.35).map(told),
    next_steps: nextSteps(m, set, blockers, opts.steps ?? 5),
  };
}

/**
 * Unblocked candidates first, then by overall score: the order to start agent support in. Equal
 * scores share a rank (1, 1, 3) and are marked tied: listing them by name must not read as one
 * being the better candidate.
 */
export function rankCandidates(results: CandidateResult[]): CandidateResult[] {
  const sorted = [...results].sort(
    (a, b) =>
      Number(a.blocked) - Number(b.blocked) ||
      b.overall - a.overall ||
      a.candidate.localeCompare(b.candidate) ||
      a.workflow.localeCompare(b.workflow),
  );
  const same = (a?: CandidateResult, b?: CandidateResult) =>
    !!a && !!b && a.blocked === b.blocked && a.overall === b.overall;
  const ranks: number[] = [];
  sorted.forEach((r, i) => {
    ranks.push(same(r, sorted[i - 1]) ? ranks[i - 1]! : i + 1);
  });
  return sorted.map((r, i) => ({
    ...r,
    rank: ranks[i]!,
    tie: same(r, sorted[i - 1]) || same(r, sorted[i + 1]),
  }));
}

export function scoreAll(m: LoadedMatrix, sets: AnswerSet[], scoredAt = new Date()): ReadinessDoc {
  return {
    kind: "soceval.readiness",
    version: 1,
    scored_at: scoredAt.toISOString(),
    matrix: { file: m.file, version: m.version },
    candidates: rankCandidates(sets.map((s) => scoreCandidate(m, s))),
  };
}
