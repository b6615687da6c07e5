import { SUBMIT_TOOL } from "../src/providers/types.js";
import type { Finding } from "../src/schema/index.js";
import { describeValue, extractIndicatorsOfLines, type Indicator, KnownIndicators, mentions } from "./indicators.js";
import { type Citable, citedIds, type ScoreContext, type Scorer, workflowIndex } from "./types.js";

const NAME = "hallucinated-evidence";

/** Where the agent's prose lives; an indicator anywhere here must come from what it was shown. */
function proseFields(o: Citable): { where: string; text: string }[] {
  const fields = [{ where: "summary", text: o.summary }];
  o.hypotheses.forEach((h, i) => {
    fields.push({ where: `hypothesis ${i + 1}`, text: h.explanation });
  });
  for (const a of o.recommended_actions) {
    fields.push({ where: `${a.action} rationale`, text: a.rationale });
    fields.push({ where: `${a.action} target`, text: a.target });
  }
  return fields;
}

/** The first field naming the indicator, for the finding's detail (only computed for fabricated ones). */
function whereIs(fields: { where: string; text: string }[], ind: Indicator): string {
  for (const f of fields) if (mentions(f.text, ind.value)) return f.where;
  return "the output";
}

/** "a" or "an" before a word: the statuses a call can have are "error", "unavailable", "timeout", "denied". */
const article = (word: string): string => (/^[aeiou]/i.test(word) ? "an" : "a");

function whyNotReturned(ctx: ScoreContext, id: string): string {
  const listed = ctx.transcript.steps.find((s) => s.type === "tool_call" && s.evidence_ids.includes(id));
  if (!ctx.case.evidence.some((e) => e.id === id))
    return `no such evidence record exists in this case${listed?.type === "tool_call" ? ` (a call to ${listed.tool} listed it)` : ""}`;
  if (listed?.type === "tool_call") {
    if (listed.status !== "ok")
      return `only ${article(listed.status)} ${listed.status} call to ${listed.tool} listed it, and a failed call returns nothing`;
    if (listed.tool === SUBMIT_TOOL)
      return `only the agent's own answer (${SUBMIT_TOOL}) listed it, and the answer is not a tool call that returns evidence`;
    if (!workflowIndex(ctx.workflow).tools.has(listed.tool))
      return `only a call to ${listed.tool} listed it, which is not a tool of this workflow and so returns no evidence`;
  }
  return "the record exists in the case but no successful tool call returned it";
}

/**
 * A case's evidence ids as prose can cite them: the ids themselves, and their shapes (prefix up to
 * the last "-", then a suffix of a given length and character class), so that `sgn-00000000` reads
 * as a citation where the case has `sgn-1a2b3c4d`. Only ids holding both a letter and a digit take
 * part: an importer's id that is an ordinary word (OCSF's `resources`) is never looked for in prose.
 */
type IdShapes = {
  ids: ReadonlySet<string>;
  shapes: ReadonlyMap<string, { length: number; chars: RegExp }[]>;
};

/** Suffix character classes, narrowest first: a shape takes the first that holds all its suffixes. */
const SUFFIX_CLASSES = [/^[0-9]+$/, /^[0-9a-f]+$/, /^[0-9A-F]+$/, /^[0-9a-z]+$/, /^[0-9A-Z]+$/, /^[0-9A-Za-z]+$/];
const shapesOfCase = new WeakMap<Pick<ScoreContext["case"], "evidence">, IdShapes>();

function idShapes(c: Pick<ScoreContext["case"], "evidence">): IdShapes {
  let known = shapesOfCase.get(c);
  if (known) return known;
  const ids = new Set<string>();
  const suffixes = new Map<string, Map<number, string[]>>();
  for (const { id } of c.evidence) {
    if (!/[0-9]/.test(id) || !/[A-Za-z]/.test(id)) continue;
    ids.add(id);
    const dash = id.lastIndexOf("-");
    if (dash <= 0 || dash === id.length - 1) continue;
    const prefix = id.slice(0, dash + 1);
    const byLength = suffixes.get(prefix) ?? new Map<number, string[]>();
    const suffix = id.slice(dash + 1);
    byLength.set(suffix.length, [...(byLength.get(suffix.length) ?? []), suffix]);
    suffixes.set(prefix, byLength);
  }
  const shapes = new Map<string, { length: number; chars: RegExp }[]>();
  for (const [prefix, byLength] of suffixes)
    for (const [length, all] of byLength) {
      const chars = SUFFIX_CLASSES.find((re) => all.every((x) => re.test(x)));
      if (chars) shapes.set(prefix, [...(shapes.get(prefix) ?? []), { length, chars }]);
    }
  known = { ids, shapes };
  shapesOfCase.set(c, known);
  return known;
}

/**
 * What a text must contain to cite one of the case's ids, cheaply: each id's prefix up to its last
 * "-", or the whole id when it has none (a field holding none of them cites no id of the case).
 */
function idHints(c: Pick<ScoreContext["case"], "evidence">): string[] {
  const hints: string[] = [];
  for (const { id } of c.evidence) {
    const dash = id.lastIndexOf("-");
    const hint = dash > 0 && dash < id.length - 1 ? id.slice(0, dash + 1) : id;
    if (hint !== "" && !hints.includes(hint)) hints.push(hint);
  }
  return hints;
}

// a token is what lies between spaces, commas and semicolons, without the brackets, quotes and
// Markdown marks around it or the sentence punctuation after it; anything else (a dot, a slash, an
// @) keeps it one token, so an id-like part of a domain, path or address is not a citation
const TOKEN_SPLIT = /[\s,;]+/;
const TOKEN_LEAD = /^[([{<"'`*_]+/;
const TOKEN_TRAIL = /[)\]}>"'`*_.,:;!?\u2026]+$/;

/** Evidence ids the prose cites, in order, each once with the first field that names it. */
function proseIds(c: Pick<ScoreContext["case"], "evidence">, output: Citable): { id: string; where: string }[] {
  // most prose names no id at all: only a field holding a prefix or id is split into words, and
  // the shapes are only worked out for a case whose prose does (every case is scored, and this
  // runs on each: bench/README.md)
  const hints = idHints(c);
  const fields = proseFields(output).filter((f) => hints.some((h) => f.text.includes(h)));
  if (fields.length === 0) return [];
  const { ids, shapes } = idShapes(c);
  if (ids.size === 0) return [];
  const found = new Map<string, string>();
  for (const f of fields) {
    for (const raw of f.text.split(TOKEN_SPLIT)) {
      const token = raw.replace(TOKEN_LEAD, "").replace(TOKEN_TRAIL, "");
      if (token === "" || found.has(token)) continue;
      let cited = ids.has(token);
      if (!cited) {
        const dash = token.lastIndexOf("-");
        const suffix = token.slice(dash + 1);
        cited =
          dash > 0 &&
          (shapes.get(token.slice(0, dash + 1))?.some((s) => s.length === suffix.length && s.chars.test(suffix)) ??
            false);
      }
      if (cited) found.set(token, f.where);
    }
  }
  return [...found].map(([id, where]) => ({ id, where }));
}

/**
 * Every evidence id the output cites, in its lists or as a word of its prose: "cited anywhere in the
 * output", the one reading of "cited" that hallucination, missed context ("gathered but never
 * cited") and `show` share, so an id quoted in the summary is not at once cited and unused.
 */
export function citedAnywhere(c: Pick<ScoreContext["case"], "evidence">, output: Citable | null): Set<string> {
  const ids = citedIds(output);
  if (output) for (const { id } of proseIds(c, output)) ids.add(id);
  return ids;
}

/** "the summary", "the hypothesis 2 explanation", "the isolate_host rationale" */
const proseWhere = (where: string): string =>
  where.startsWith("hypothesis ") ? `the ${where} explanation` : `the ${where}`;

function notRetrieved(ctx: ScoreContext, id: string, cited: string): Finding {
  // the tool call that listed the id, when one did: a reader goes from the finding to that step
  const step = ctx.transcript.steps.findIndex((s) => s.type === "tool_call" && s.evidence_ids.includes(id));
  return {
    scorer: NAME,
    kind: "hallucinated_evidence",
    severity: "high",
    detail: `cites evidence ${cited}, which this investigation never retrieved: ${whyNotReturned(ctx, id)}`,
    evidence_id: id,
    ...(step >= 0 ? { step } : {}),
  };
}

/**
 * Every evidence id the output cites, in its lists or in its prose ("cited anywhere in the output"),
 * that no retrieving call returned; an id cited in both is one finding, the list's.
 */
function citedEvidence(ctx: ScoreContext, output: Citable): Finding[] {
  const findings: Finding[] = [];
  const listed = citedIds(output);
  for (const id of listed) if (!ctx.returned.has(id)) findings.push(notRetrieved(ctx, id, id));
  for (const { id, where } of proseIds(ctx.case, output))
    if (!listed.has(id) && !ctx.returned.has(id)) findings.push(notRetrieved(ctx, id, `${id} in ${proseWhere(where)}`));
  return findings;
}

function fabricatedIndicators(ctx: ScoreContext, output: Citable): Finding[] {
  const fields = proseFields(output);
  // field by field: templated fields recur across cases and are extracted once
  const candidates = extractIndicatorsOfLines(fields.map((f) => f.text));
  if (candidates.length === 0) return [];

  // Staged so the common case (indicators copied from the alert) never walks the evidence.
  const alert = ctx.case.alert;
  const known = new KnownIndicators()
    .add(alert.title)
    .add(alert.description)
    .add(alert.rule)
    .add(alert.source)
    .add(alert.entities);
  let unknown = candidates.filter((i) => !known.appears(i));
  // the raw alert is large and rarely needed: only normalised when the fields above fall short
  // (adding text never makes an indicator stop appearing, so this filters exactly as one pass)
  if (unknown.length > 0 && alert.raw !== undefined) {
    known.add(alert.raw);
    unknown = unknown.filter((i) => !known.appears(i));
  }
  if (unknown.length === 0) return [];
  for (const r of ctx.case.evidence) if (ctx.returned.has(r.id)) known.add(r.entities).add(r.data);
  unknown = unknown.filter((i) => !known.has(i));
  if (unknown.length === 0) return [];

  const ungathered = new KnownIndicators();
  for (const r of ctx.case.evidence) if (!ctx.returned.has(r.id)) ungathered.add(r.entities).add(r.data);
  return unknown.map((ind) => ({
    scorer: NAME,
    kind: "fabricated_indicator" as const,
    severity: "medium" as const,
    detail:
      `${whereIs(fields, ind)} names ${ind.kind} ${describeValue(ind)}, which appears in neither the alert nor any evidence a successful ` +
      `tool call returned${ungathered.has(ind) ? " (it is only in evidence the agent never gathered)" : ""}`,
  }));
}

/** Citations and indicators the agent could not have seen: the core of "not fooled by a confident summary". */
export const hallucinatedEvidence: Scorer = {
  name: NAME,
  score(ctx) {
    // judged on what the output claims, valid or not (ctx.readable)
    const output = ctx.readable;
    const findings = output ? [...citedEvidence(ctx, output), ...fabricatedIndicators(ctx, output)] : [];
    return { findings, values: { hallucinated: findings.length > 0, hallucination_count: findings.length } };
  },
};
