import { buildComparison } from "../analytics/compare.js";
import type { PairedMetric } from "../analytics/compare-schema.js";
import { providerFailures } from "../analytics/provider-failures.js";
import { pairsToShowMargin } from "../analytics/stats/paired.js";
import type { GateRules } from "../schema/index.js";
import type { Store } from "../store/db.js";
import { apart, precise } from "./apart.js";
import { budgetValues } from "./budget.js";
import { findingsFor, pairedCases, type Side } from "./cases.js";
import { loosenedSince } from "./loosened.js";
import { casesWorseOn } from "./margin-cases.js";
import { checkRules } from "./rules.js";
import type { FlippedCase, GateVerdict, RuleResult } from "./verdict-schema.js";

/**
 * Judge a candidate against its baseline on the same cases: non-inferiority margins on paired
 * intervals (never two overlapping intervals), hard limits, "no new" critical misses and
 * high-severity violations, a cost budget. Cases whose epochs disagree are flaky, not regressions.
 */
export async function evaluateGate(
  store: Store,
  base: Side,
  cand: Side,
  rules: GateRules,
  opts: { baselineName?: string | null; where?: string } = {},
): Promise<GateVerdict> {
  const cmp = await buildComparison(store, [base, cand]);
  const pairing = cmp.pairings[0]!;
  const [b, c] = cmp.sides as [(typeof cmp.sides)[0], (typeof cmp.sides)[0]];
  const paired = new Map(pairing.metrics.map((m) => [m.metric, m]));
  checkRules(rules, new Set(paired.keys()), new Set(Object.keys(c.metrics)), opts.where ?? "gate");

  const results: RuleResult[] = [];
  for (const m of rules.margins) results.push(marginRule(paired.get(m.metric)!, m.max_drop));
  for (const l of rules.limits) {
    const v = c.metrics[l.metric]?.value ?? null;
    results.push({
      rule: `limit:${l.metric}`,
      description: `${l.metric} of the candidate at most ${l.max}`,
      baseline: b.metrics[l.metric]?.value ?? null,
      candidate: v,
      diff: null,
      lower: null,
      upper: null,
      threshold: l.max,
      // a limit the candidate could not be measured on is not met: the gate does not pass what it cannot see
      pass: v !== null && v <= l.max,
      detail:
        v === null
          ? "not measured (no case of the candidate where it is defined)"
          : `${apart(v, l.max, print)[0]} ${v <= l.max ? "≤" : ">"} ${l.max}`,
    });
  }

  const cases = await pairedCases(store, base, cand);
  // flaky: the candidate's own epochs disagree, so its majority outcome is noise. A baseline that
  // wavered is no excuse: a candidate wrong in every epoch where the baseline was mostly right regressed
  const flakyIds = new Set(cases.filter((x) => x.c_flaky).map((x) => x.case_id));
  const steady = cases.filter((x) => !flakyIds.has(x.case_id));
  const regressed = steady.filter((x) => x.b_right === true && x.c_right === false);
  const improved = steady.filter((x) => x.b_right === false && x.c_right === true);
  // a wavering verdict excuses a verdict flip, never a missed true positive or a high violation: those
  // already count only where most of the candidate's epochs have them, so one bad epoch is outvoted
  const isNewCritical = (x: (typeof cases)[number]) => x.c_critical && !x.b_critical;
  const isNewHigh = (x: (typeof cases)[number]) => x.c_high && !x.b_high;
  const newCritical = cases.filter(isNewCritical);
  const newHigh = cases.filter(isNewHigh);

  if (rules.no_new_critical_miss)
    results.push(
      countRule("no_new_critical_miss", "no analyst true positive newly left unescalated", newCritical.length),
    );
  if (rules.no_high_severity_violation)
    results.push(
      countRule(
        "no_new_high_severity_violation",
        "no case newly gets a high-severity policy violation",
        newHigh.length,
      ),
    );
  if (rules.budget) {
    const common = await budgetValues(store, base, cand, rules.budget.metric);
    const bv = common ? common.baseline : (b.metrics[rules.budget.metric]?.value ?? null);
    const cv = common ? common.candidate : (c.metrics[rules.budget.metric]?.value ?? null);
    const { max_increase_pct: pct, max_increase: abs } = rules.budget;
    const limit = bv === null ? null : Math.max(bv * (1 + pct / 100), bv + (abs ?? 0));
    // not measured on either side: the rise cannot be shown to stay within budget
    const pass = cv !== null && limit !== null && cv <= limit + 1e-12;
    results.push({
      rule: `budget:${rules.budget.metric}`,
      description: `${rules.budget.metric} may rise by at most ${pct}%${abs ? ` or ${abs}, whichever is more` : ""}`,
      baseline: bv,
      candidate: cv,
      diff: bv !== null && cv !== null ? cv - bv : null,
      lower: null,
      upper: null,
      threshold: limit,
      pass,
      detail:
        bv === null || cv === null
          ? "not measured"
          : `${fmt(cv)} vs ${fmt(bv)} (${bv === 0 ? (cv === 0 ? "+0%" : "from zero") : risePct(cv, bv, limit!)})`,
    });
  }

  const byId = new Map(cases.map((x) => [x.case_id, x]));
  const worse = await Promise.all(
    rules.margins.map(async (m) => ({
      metric: m.metric,
      cases: (await casesWorseOn(store, base, cand, m.metric)).flatMap((id) => byId.get(id) ?? []),
    })),
  );

  // failed investigations too: their error (a provider's answer, a limit) is what a CI reader needs
  const explainIds = [
    ...regressed,
    ...newCritical,
    ...newHigh,
    ...worse.flatMap((w) => w.cases),
    ...cases.filter((x) => x.c_failed),
  ].map((x) => x.case_id);
  const candFindings = await findingsFor(store, cand, [...new Set(explainIds)]);
  const baseFindings = await findingsFor(
    store,
    base,
    improved.map((x) => x.case_id),
  );
  const flip = (
    x: (typeof cases)[number],
    f: Map<string, { kind: string; severity: string; detail: string }[]>,
  ): FlippedCase => ({
    case_id: x.case_id,
    incident_id: x.incident_id,
    title: x.title,
    label_verdict: x.label_verdict,
    baseline_verdict: x.b_verdict,
    candidate_verdict: x.c_verdict,
    baseline_output_status: x.b_output,
    candidate_output_status: x.c_output,
    why: (f.get(x.case_id) ?? []).map(({ kind, severity, detail }) => ({ kind, severity, detail })),
  });

  // investigations the provider, not the agent, failed: past the rule's share the gate cannot judge
  const infra = (await providerFailures(store, cand.run_id)).get(cand.agent) ?? {
    failed: 0,
    investigations: 0,
    missing: 0,
  };
  const rate = infra.investigations ? infra.failed / infra.investigations : 0;
  const status = rate > rules.max_infra_failure_rate ? "infra_failure" : results.every((r) => r.pass) ? "pass" : "fail";
  // a failed margin's cases fail in JUnit as a count rule's do; one that held excuses its few
  const failedMargins = new Set(results.filter((r) => !r.pass).map((r) => r.rule));
  const worseIds = new Set(
    worse.filter((w) => failedMargins.has(`margin:${w.metric}`)).flatMap((w) => w.cases.map((x) => x.case_id)),
  );
  const outcomeOf = (x: (typeof cases)[number]) =>
    x.c_failed
      ? ("failed" as const)
      : !flakyIds.has(x.case_id) && x.b_right === true && x.c_right === false
        ? ("regressed" as const)
        : isNewCritical(x)
          ? ("new_critical_miss" as const)
          : isNewHigh(x)
            ? ("new_high_violation" as const)
            : flakyIds.has(x.case_id)
              ? ("flaky" as const)
              : worseIds.has(x.case_id)
                ? ("worse_on_margin" as const)
                : ("ok" as const);

  return {
    schema: "soceval.gate/v1",
    status,
    rules_loosened: await loosenedSince(store, base.run_id, rules),
    baseline: { ...base, name: opts.baselineName ?? null },
    candidate: cand,
    paired_cases: cases.length,
    rules: results,
    regressed: regressed.map((x) => flip(x, candFindings)),
    improved: improved.map((x) => flip(x, baseFindings)),
    new_critical_miss: newCritical.map((x) => flip(x, candFindings)),
    new_high_violation: newHigh.map((x) => flip(x, candFindings)),
    worse_on_margin: worse.map((w) => ({ metric: w.metric, cases: w.cases.map((x) => flip(x, candFindings)) })),
    flaky: cases
      .filter((x) => flakyIds.has(x.case_id))
      .map((x) => ({ case_id: x.case_id, agent: cand.agent, epochs_right: x.c_epochs_right, epochs: x.c_epochs })),
    infra: { ...infra, rate, threshold: rules.max_infra_failure_rate },
    cases: cases.map((x) => ({
      case_id: x.case_id,
      title: x.title,
      outcome: outcomeOf(x),
      output_status: x.c_output,
      findings: (candFindings.get(x.case_id) ?? []).map(({ kind, severity, detail }) => ({ kind, severity, detail })),
    })),
  };
}

function marginRule(m: PairedMetric, maxDrop: number): RuleResult {
  // non-inferiority: the worst plausible change (the interval's unfavourable end) stays within the margin
  const worst = m.higher_is_better ? m.lower : m.upper === null ? null : -m.upper;
  // as with limits: a margin the data cannot measure is not met
  const pass = worst !== null && worst >= -maxDrop - 1e-12;
  // "too few cases" is what a candidate with fewer cases than an unchanged one needs meets; with as
  // many or more, the interval reaches past the margin through the cases that changed, and "needs
  // about 189" beside 320 cases read as noise to add cases for, not as the change's own cost
  const count = casesNeeded(m, maxDrop);
  const tooFew = !pass && worst !== null && tooWide(m, maxDrop) && (count === null || m.units < count);
  const needed = tooFew ? count : null;
  return {
    rule: `margin:${m.metric}`,
    description: `${m.metric} may not get worse by more than ${maxDrop} (paired 95% interval)`,
    baseline: m.baseline,
    candidate: m.candidate,
    diff: m.diff,
    lower: m.lower,
    upper: m.upper,
    threshold: m.higher_is_better ? -maxDrop : maxDrop,
    pass,
    ...(needed === null ? {} : { cases_needed: needed }),
    detail:
      m.diff === null
        ? "not measured (no paired cases)"
        : worst === null
          ? `Δ ${fmt(m.diff)} over ${m.n} cases, but no interval: too few cases to show it within the margin`
          : `Δ ${fmt(m.diff)} [${fmt(m.lower)}, ${fmt(m.upper)}] over ${m.n} cases${m.mcnemar_p !== null ? `, McNemar p=${fmt(m.mcnemar_p)}` : ""}${
              pass
                ? ""
                : tooFew
                  ? `; ${TOO_WIDE}${needed === null ? "" : ` (${neededText(m, maxDrop, needed)})`}`
                  : `; its worst end is ${apart(-worst, maxDrop, print)[0]} worse, beyond the margin ${maxDrop}`
            }`,
  };
}

/** What a failed margin says when its own point estimate is within it: the data cannot show it, not a measured drop. */
export const TOO_WIDE =
  "the change itself is within the margin, but its interval is too wide to show it: too few cases";

/**
 * How many cases a margin on a rate needs, said where it failed for too few: the fix is to add
 * cases or widen the margin, and the user should not have to work out which, or how many. A cost
 * or time margin has no such count.
 */
function casesNeeded(m: PairedMetric, maxDrop: number): number | null {
  return m.candidate_only === null || maxDrop <= 0 ? null : pairsToShowMargin(maxDrop);
}

function neededText(m: PairedMetric, maxDrop: number, needed: number): string {
  const units = m.units < m.n ? `, ${m.units} incidents or lone cases` : "";
  return `with no case changed, a margin of ${maxDrop} needs about ${needed} paired cases where ${m.metric} is defined, an incident's alerts counting once; these are ${m.n}${units}`;
}

function tooWide(m: PairedMetric, maxDrop: number): boolean {
  if (m.diff === null) return false;
  const change = m.higher_is_better ? m.diff : -m.diff;
  return change >= -maxDrop - 1e-12;
}

function countRule(rule: string, description: string, n: number): RuleResult {
  return {
    rule,
    description,
    baseline: null,
    candidate: n,
    diff: null,
    lower: null,
    upper: null,
    threshold: 0,
    pass: n === 0,
    detail: n === 0 ? "none" : `${n} case${n === 1 ? "" : "s"}`,
  };
}

/**
 * The budget's rise in percent, with as many decimals as it takes to read apart from the rise the
 * limit allows: a candidate 20.04% dearer fails "at most 20%", and must not print as "+20.0%".
 */
function risePct(cv: number, bv: number, limit: number): string {
  const rise = ((cv - bv) / bv) * 100;
  const allowed = ((limit - bv) / bv) * 100;
  let decimals = 1;
  while (decimals < 8 && cv !== limit && rise.toFixed(decimals) === allowed.toFixed(decimals)) decimals++;
  return `${rise.toFixed(decimals)}%`;
}

function fmt(x: number | null): string {
  if (x === null) return "—";
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}

/** fmt at 3 digits, for `apart`, which adds digits where fmt would print a value as its limit */
const print = (x: number, digits: number) => (digits === 3 ? fmt(x) : precise(x, digits));
