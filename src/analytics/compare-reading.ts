import { metricInfo } from "./catalogue.js";
import type { PairedMetric, Pairing } from "./compare-schema.js";
import { PAIRED_MEANS } from "./paired-metrics.js";

/** A paired metric's name as the pages print it. */
export const pairedLabel = (key: string): string =>
  key === "time_to_triage_mean_ms" ? "Time to triage (mean)" : (metricInfo(key)?.label ?? key);

/** Paired only where both sides' value was measured: failures are judged over those pairs (`failed_more`). */
export const MEASURED_ONLY: readonly string[] = PAIRED_MEANS.map(([m]) => m);

/**
 * Paired metrics an investigation with no answer scores well on: no output, no policy violation;
 * cut short, cheaper and sooner. Every other paired metric counts a failed investigation against
 * the side that failed (agreement, recall, critical misses, false-positive reduction, missed
 * context) or leaves it out of both sides (hallucination: over investigations with output only).
 */
export const FLATTERED_BY_FAILURES: readonly string[] = [
  "policy_violation_rate",
  "high_severity_violation_rate",
  "cost_per_investigation",
  "time_to_triage_mean_ms",
];

export type Reading = "better" | "worse" | "borderline" | "no clear difference" | "not measured" | "not comparable";

/** The level both tests of a paired rate are held to: the interval is 95%, McNemar's p must be below 0.05. */
export const ALPHA = 0.05;

/** The rule the pages state beside the readings: which test decides. */
export const READING_RULE =
  'Reading: "better" or "worse" only where the 95% paired interval excludes zero and, for the ' +
  `rates, McNemar's exact p is below ${ALPHA} as well; where the two tests disagree it reads "borderline", ` +
  'never better or worse. Cost and time have no McNemar test: their interval alone decides. "Not comparable": a ' +
  "lead on a violation rate, cost or time for the side that failed materially more investigations, which the " +
  'failures alone can produce. "Detectable" and the differences of rates are in percentage points (pts).';

/** The side that failed materially more of the paired investigations: its failed-rate interval excludes zero. */
export function failedMore(p: Pairing): "candidate" | "baseline" | null {
  const f = p.metrics.find((m) => m.metric === "failed_rate");
  if (!f || f.lower === null || f.upper === null) return null;
  return f.lower > 0 ? "candidate" : f.upper < 0 ? "baseline" : null;
}

/**
 * What the tests say, before failures are taken into account: the interval and, for a rate,
 * McNemar's p must agree. The interval resamples incidents and McNemar counts discordant ones, so
 * near the line one can reject and the other not; a reading never rests on one of them silently.
 */
function decided(m: PairedMetric): Reading {
  if (m.lower === null || m.upper === null || m.diff === null) return "not measured";
  const interval = m.lower > 0 || m.upper < 0;
  const mcnemar = m.mcnemar_p === null ? interval : m.mcnemar_p < ALPHA;
  if (interval !== mcnemar) return "borderline";
  // both reject, but McNemar's discordant units must lean the way the difference does
  const lean = (m.candidate_only_units ?? 0) - (m.baseline_only_units ?? 0);
  if (interval && m.mcnemar_p !== null && Math.sign(lean) !== Math.sign(m.lower)) return "borderline";
  if (interval) return m.lower > 0 === m.higher_is_better ? "better" : "worse";
  return "no clear difference";
}

/**
 * The candidate's reading on one paired metric: better or worse only where the 95% paired interval
 * excludes zero and, for a rate, McNemar's p agrees (else borderline). A reading that failed investigations can flatter is "not comparable" when it
 * favours the side that failed materially more: its lead may be the outage, not the agent.
 */
export function reading(m: PairedMetric, p: Pairing): Reading {
  const r = decided(m);
  // cost and time: over their own pairs, which leave out the cases nobody measured
  const more = MEASURED_ONLY.includes(m.metric) ? m.failed_more : failedMore(p);
  if (more && FLATTERED_BY_FAILURES.includes(m.metric)) {
    const favours = r === "better" ? "candidate" : r === "worse" ? "baseline" : null;
    if (favours === more) return "not comparable";
  }
  return r;
}

/**
 * The note a comparison carries when failures decide a reading: which side failed how much of the
 * paired investigations, and the readings that are therefore not comparable. Null when none is.
 */
export function failureNote(p: Pairing): string | null {
  const more = failedMore(p);
  if (!more) return null;
  const hit = p.metrics.filter(
    (m) => reading(m, p) === "not comparable" && (!MEASURED_ONLY.includes(m.metric) || m.failed_more === more),
  );
  if (hit.length === 0) return null;
  const f = p.metrics.find((m) => m.metric === "failed_rate")!;
  const pct = (v: number | null) => `${(100 * (v ?? 0)).toFixed(1)}%`;
  const [who, other] = more === "candidate" ? [p.candidate, p.baseline] : [p.baseline, p.candidate];
  const [mine, theirs] = more === "candidate" ? [f.candidate, f.baseline] : [f.baseline, f.candidate];
  const names = hit.map((m) => pairedLabel(m.metric));
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  const why = [
    hit.some((m) => m.metric.endsWith("violation_rate")) ? "raises no policy violation" : null,
    hit.some((m) => m.metric === "cost_per_investigation") ? "costs less" : null,
    hit.some((m) => m.metric === "time_to_triage_mean_ms") ? "ends sooner" : null,
  ].filter((x) => x !== null);
  const whyText = why.length === 1 ? why[0]! : `${why.slice(0, -1).join(", ")} and ${why.at(-1)}`;
  return (
    `${who} failed ${pct(mine)} of the ${f.n} paired investigations and ${other} ${pct(theirs)}: an investigation ` +
    `with no answer ${whyText}, so ${who}'s lead on ${list} may be the failures, not the agent, and reads ` +
    '"not comparable" instead of a difference in its favour; replace the failed investigations and compare again'
  );
}
