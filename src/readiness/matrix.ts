import { z } from "zod";
import { bundledPath } from "../io/bundled-path.js";
import { fieldError, loadYaml } from "../io/yaml.js";
import { Phase } from "../schema/suite.js";
import { DURATION_PATTERN, durationMinutes } from "./duration.js";

export const DEFAULT_MATRIX = "readiness/matrix.yaml";

const AnswerLiteral = z.union([z.string(), z.number()]);

/** A share is 0..1; spreadsheets and people write 50% or 50, so the refusal says how to write it. */
const Share = z
  .number({ error: (iss) => `expected a share from 0 to 1, e.g. 0.5 for 50% (got ${JSON.stringify(iss.input)})` })
  .min(0)
  .max(1);

/** A test over one answer: exactly one of equals / in / below / at_least. */
export const AnswerTest = z
  .strictObject({
    question: z.string(),
    equals: AnswerLiteral.optional(),
    in: z.array(AnswerLiteral).min(1).optional(),
    below: z.number().optional().describe("scale answers below this number"),
    at_least: z.number().optional().describe("scale answers at or above this number"),
  })
  .refine((t) => [t.equals, t.in, t.below, t.at_least].filter((x) => x !== undefined).length === 1, {
    message: "give exactly one of equals, in, below, at_least",
  });

const common = {
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, "question ids are snake_case"),
  text: z.string().min(1),
  short: z.string().optional().describe("a few words naming the question, for ranking reasons"),
  help: z.string().optional(),
  weight: z.number().nonnegative(),
  actionable: z.boolean().default(true).describe("false: a property of the workflow, not something to fix"),
  improve: z.string().optional().describe("the next step that raises this answer"),
};

export const ScaleQuestion = z.strictObject({
  ...common,
  kind: z.literal("scale"),
  levels: z.array(z.string()).length(5).describe("what 1..5 mean"),
});
export const YesNoQuestion = z.strictObject({
  ...common,
  kind: z.literal("yesno"),
  good: z.enum(["yes", "no"]).default("yes"),
});
export const ChoiceQuestion = z.strictObject({
  ...common,
  kind: z.literal("choice"),
  options: z.array(z.strictObject({ value: z.string().min(1), label: z.string(), score: Share })).min(2),
});
export const Question = z.discriminatedUnion("kind", [ScaleQuestion, YesNoQuestion, ChoiceQuestion]);

export const Area = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.string(),
  description: z.string(),
  weight: z.number().positive(),
  questions: z.array(Question).min(1),
});

export const Gate = z.strictObject({
  id: z.string(),
  blocker: z.string().describe("what is missing, as the report states it"),
  why: z.string(),
  when: AnswerTest,
});

export const PhaseRule = z.strictObject({
  phase: Phase,
  description: z.string(),
  min_overall: z.number().min(0).max(100),
  when: z.array(AnswerTest).default([]),
});

export const AutomationLevel = z.enum(["none", "low", "medium", "high"]);
export const AutomationRule = z.strictObject({
  level: AutomationLevel.exclude(["none"]),
  meaning: z.string(),
  min_overall: z.number().min(0).max(100),
  min_areas: z.record(z.string(), z.number().min(0).max(100)).default({}),
  when: z.array(AnswerTest).default([]),
});

export const CheckPolicy = z.strictObject({
  freshness_question: z.string().describe("choice question whose values are durations (5m, 1h, 24h)"),
  api_question: z.string().describe("scale question: the share of sources the answers claim an API for"),
  min_present_share: Share,
  max_unavailable_share: Share,
  reference_max_staleness: z
    .string()
    .regex(DURATION_PATTERN, "a duration like 24h or 7d")
    .describe("how stale reference data (inventories, directories, reputation) may be"),
});

export const Matrix = z.strictObject({
  version: z.string(),
  description: z.string().optional(),
  areas: z.array(Area).min(1),
  gates: z.array(Gate).default([]),
  phases: z.array(PhaseRule).min(1),
  automation: z.array(AutomationRule).min(1),
  reasons_area: z.string().describe("the area whose answers explain why a candidate ranks where it does"),
  check: CheckPolicy,
});

export type AnswerTest = z.infer<typeof AnswerTest>;
export type Question = z.infer<typeof Question>;
export type Area = z.infer<typeof Area>;
export type Gate = z.infer<typeof Gate>;
export type AutomationLevel = z.infer<typeof AutomationLevel>;
export type Matrix = z.infer<typeof Matrix>;
export type LoadedMatrix = Matrix & { file: string; questions: Map<string, { question: Question; area: Area }> };

/** Cross-references zod cannot see: every id a gate, rule or check names must exist and fit its question. */
function crossCheck(m: Matrix, file: string): LoadedMatrix["questions"] {
  // named at the field's own line, like a schema error
  const fail = (path: (string | number)[], msg: string): never => {
    throw fieldError(file, path, msg);
  };
  const questions: LoadedMatrix["questions"] = new Map();
  const at = new Map<string, (string | number)[]>();
  const areaIds = new Set<string>();
  m.areas.forEach((area, i) => {
    if (areaIds.has(area.id)) fail(["areas", i, "id"], `duplicate area id "${area.id}"`);
    areaIds.add(area.id);
    area.questions.forEach((q, j) => {
      const qp = ["areas", i, "questions", j];
      if (questions.has(q.id)) fail([...qp, "id"], `duplicate question id "${q.id}"`);
      if (q.actionable && q.weight > 0 && !q.improve) fail(qp, `an actionable question needs "improve"`);
      if (q.kind === "choice" && new Set(q.options.map((o) => o.value)).size !== q.options.length)
        fail([...qp, "options"], `duplicate option values in ${q.id}`);
      questions.set(q.id, { question: q, area });
      at.set(q.id, qp);
    });
  });
  m.areas.forEach((a, i) => {
    if (!a.questions.some((q) => q.weight > 0))
      fail(["areas", i, "questions"], `no question of ${a.id} carries weight`);
  });
  if (!areaIds.has(m.reasons_area)) fail(["reasons_area"], `unknown area "${m.reasons_area}"`);
  const testOk = (t: AnswerTest, where: (string | number)[]): void => {
    const q = questions.get(t.question)?.question;
    if (!q) fail([...where, "question"], `unknown question "${t.question}"`);
    if (!q) return;
    const allowed =
      q.kind === "scale" ? [1, 2, 3, 4, 5] : q.kind === "yesno" ? ["yes", "no"] : q.options.map((o) => o.value);
    for (const v of t.equals !== undefined ? [t.equals] : (t.in ?? []))
      if (!(allowed as unknown[]).includes(v))
        fail([...where, t.equals !== undefined ? "equals" : "in"], `"${v}" is not an answer of ${q.id}`);
    if ((t.below !== undefined || t.at_least !== undefined) && q.kind !== "scale")
      fail(where, `below/at_least only apply to scale questions (${q.id} is ${q.kind})`);
  };
  const gateIds = new Set<string>();
  m.gates.forEach((g, i) => {
    // stored results name blockers by gate id: two gates under one id could not be told apart
    if (gateIds.has(g.id)) fail(["gates", i, "id"], `duplicate gate id "${g.id}"`);
    gateIds.add(g.id);
    testOk(g.when, ["gates", i, "when"]);
  });
  m.phases.forEach((r, i) => {
    r.when.forEach((t, j) => {
      testOk(t, ["phases", i, "when", j]);
    });
  });
  m.automation.forEach((r, i) => {
    r.when.forEach((t, j) => {
      testOk(t, ["automation", i, "when", j]);
    });
    for (const a of Object.keys(r.min_areas))
      if (!areaIds.has(a)) fail(["automation", i, "min_areas", a], `unknown area "${a}"`);
  });
  const fresh = questions.get(m.check.freshness_question)?.question;
  if (fresh?.kind !== "choice")
    fail(["check", "freshness_question"], `"${m.check.freshness_question}" is not a choice question`);
  else
    fresh.options.forEach((o, k) => {
      if (durationMinutes(o.value) === null)
        fail([...at.get(fresh.id)!, "options", k, "value"], `"${o.value}" is not a duration like 15m, 4h or 1d`);
    });
  const api = questions.get(m.check.api_question)?.question;
  if (api?.kind !== "scale") fail(["check", "api_question"], `"${m.check.api_question}" is not a scale question`);
  return questions;
}

export function loadMatrix(given: string = DEFAULT_MATRIX): LoadedMatrix {
  const file = given === DEFAULT_MATRIX ? bundledPath(given) : given;
  const m = loadYaml(file, Matrix);
  return { ...m, file, questions: crossCheck(m, file) };
}
