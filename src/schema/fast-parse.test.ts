import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Case } from "./case.js";
import { fastParser, gaveUp, safeParseFast } from "./fast-parse.js";
import { TriageOutput } from "./output.js";

const root = new URL("../../", import.meta.url);
const bundledCases = [
  "phishing-triage",
  "identity-suspicious-login",
  "cloud-alert-enrichment",
  "endpoint-investigation",
]
  .flatMap((w) => readFileSync(new URL(`datasets/${w}/cases.jsonl`, root), "utf8").split("\n"))
  .concat(readFileSync(new URL("test/fixtures/mini/cases.jsonl", root), "utf8").split("\n"))
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Equal values with keys in the same order: what JSON.stringify of the two would show, and more. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** The fast path either gives up or answers exactly what zod answers. */
function agrees(schema: z.ZodType, value: unknown): "fast" | "zod" {
  // each parse of its own copy: a reusing parser may hand back (parts of) what it was given
  const zod = schema.safeParse(structuredClone(value), { reportInput: true });
  const viaFast = safeParseFast(schema, value, { reportInput: true });
  expect(viaFast.success).toBe(zod.success);
  if (!zod.success) expect(viaFast.error?.issues).toEqual(zod.error.issues);
  // every way of building the parser answers the same: generated or not, copying or reusing
  const answers = [{}, { generate: false }, { reuse: true }, { reuse: true, generate: false }].map((o) =>
    fastParser(schema, o)!(structuredClone(value)),
  );
  const fast = answers[0];
  for (const a of answers) expect(gaveUp(a)).toBe(gaveUp(fast));
  if (gaveUp(fast)) return "zod";
  expect(zod.success).toBe(true);
  for (const a of answers) expect(sameValue(a, zod.data)).toBe(true);
  expect(sameValue(viaFast.data, zod.data)).toBe(true);
  return "fast";
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every way of breaking one place of a value: each key removed, each value replaced, a key added. */
function* mutants(v: unknown): Generator<unknown> {
  const odd: unknown[] = [null, "", "x", "\ud83d\ude00", "\ud83d", 0, -1, 1.5, 2, true, [], {}, ["x"], [{}]];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      for (const m of mutants(v[i])) {
        const c = clone(v);
        c[i] = m;
        yield c;
      }
    }
    return;
  }
  if (v === null || typeof v !== "object") return;
  const o = v as Record<string, unknown>;
  yield { ...o, unknown_field: 1 };
  yield JSON.parse(`${JSON.stringify(o).slice(0, -1)}${Object.keys(o).length ? "," : ""}"__proto__":{}}`);
  for (const k of Object.keys(o)) {
    const { [k]: _, ...rest } = o;
    yield rest;
    for (const x of odd) yield { ...clone(o), [k]: x };
    for (const m of mutants(o[k])) yield { ...clone(o), [k]: m };
  }
}

describe("safeParseFast", () => {
  it("compiles the case and triage output schemas", () => {
    expect(fastParser(Case)).not.toBeNull();
    expect(fastParser(TriageOutput)).not.toBeNull();
  });

  it("parses every bundled case exactly as zod does, and on the fast path", () => {
    expect(bundledCases.length).toBeGreaterThan(1000);
    for (const c of bundledCases) expect(agrees(Case, c)).toBe("fast");
  });

  it("gives up, or agrees with zod, on every one-place mutation of a case", () => {
    const seen = { fast: 0, zod: 0 };
    // one case of each workflow, and ones with the optional parts, cut to three evidence records
    const sample = bundledCases
      .filter(
        (c, i) => i % 320 === 0 || (c.label as Record<string, unknown> | undefined)?.analyst_minutes !== undefined,
      )
      .slice(0, 6)
      .map((c) => ({ ...c, evidence: (c.evidence as unknown[]).slice(0, 3) }));
    for (const c of sample) for (const m of mutants(c)) seen[agrees(Case, m)]++;
    // both paths are exercised: most mutants are refused (by zod), a few are still valid
    expect(seen.zod).toBeGreaterThan(1000);
    expect(seen.fast).toBeGreaterThan(10);
  });

  it("gives up, or agrees with zod, on triage outputs and their mutations", () => {
    const output = {
      verdict: "true_positive",
      confidence: 0.9,
      escalate: true,
      summary: "Phish from evil.example.",
      hypotheses: [{ kind: "malicious", explanation: "lookalike domain", evidence: ["e-1"] }],
      recommended_actions: [
        { action: "block_sender", target: "evil.example", requires_approval: false, rationale: "r", evidence: ["e-1"] },
        {
          action: "quarantine",
          target: "m-1",
          requires_approval: true,
          rationale: "r",
          rollback: "release it",
        },
      ],
      evidence: ["e-1"],
      missing_sources: [],
      human_only: false,
    };
    expect(agrees(TriageOutput, output)).toBe("fast");
    const minimal = { verdict: "false_positive", confidence: 0, escalate: false, summary: "" };
    expect(agrees(TriageOutput, minimal)).toBe("fast");
    for (const v of [output, minimal]) for (const m of mutants(v)) agrees(TriageOutput, m);
    for (const confidence of [-0.01, 1, 1.01, Number.NaN, Number.POSITIVE_INFINITY])
      agrees(TriageOutput, { ...minimal, confidence });
  });

  it("copies by default, and with reuse keeps only what is already exactly zod's answer", () => {
    const c = clone(bundledCases[0]!) as unknown as Case;
    const copied = fastParser(Case)!(c) as Case;
    expect(copied).not.toBe(c);
    expect(copied.evidence).not.toBe(c.evidence);
    const kept = fastParser(Case, { reuse: true })!(c) as Case;
    expect(kept).toBe(c);
    // a key out of the shape's order, or a default to fill in: that object (and its parents) copied
    const { title, ...rest } = c.alert as Record<string, unknown>;
    const reordered = { ...c, alert: { ...rest, title } };
    const r = fastParser(Case, { reuse: true })!(reordered) as Case;
    expect(r).not.toBe(reordered);
    expect(Object.keys(r.alert)[0]).toBe("title");
    expect(r.evidence).toBe(reordered.evidence);
    const { tags: _, ...untagged } = c;
    const filled = fastParser(Case, { reuse: true })!(untagged) as Case;
    expect(filled).not.toBe(untagged);
    expect(filled.tags).toEqual([]);
    const empty: unknown[] = [];
    expect(fastParser(z.array(z.string()))!(empty)).not.toBe(empty);
    expect(fastParser(z.array(z.string()), { reuse: true })!(empty)).toBe(empty);
  });

  it("hands out a fresh default each time, as zod does", () => {
    const a = fastParser(TriageOutput)!({ verdict: "false_positive", confidence: 0, escalate: false, summary: "" });
    const b = fastParser(TriageOutput)!({ verdict: "false_positive", confidence: 0, escalate: false, summary: "" });
    expect((a as { evidence: unknown }).evidence).not.toBe((b as { evidence: unknown }).evidence);
  });

  it("counts a minimum length in code points, as zod does", () => {
    const S = z.strictObject({ s: z.string().min(2) });
    for (const s of ["ab", "\ud83d\ude00", "\ud83d\ude00x", "\ud83d\ude00\ud83d\ude00", "a\ud83d", "abc"])
      agrees(S, { s });
  });

  it("does not compile what it does not model", () => {
    expect(fastParser(z.string().email())).toBeNull();
    expect(fastParser(z.string().transform((s) => s.length))).toBeNull();
    expect(fastParser(z.object({ a: z.string() }).passthrough())).toBeNull();
    expect(fastParser(z.strictObject({ a: z.string().refine((s) => s !== "x") }))).toBeNull();
    expect(fastParser(z.number().int())).toBeNull();
    expect(fastParser(z.union([z.string(), z.number()]))).toBeNull();
  });

  it("strips unknown keys of a plain object and refuses them in a strict one, as zod does", () => {
    agrees(z.object({ a: z.string(), b: z.number().optional() }), { a: "x", c: 1 });
    agrees(z.strictObject({ a: z.string() }), { a: "x", c: 1 });
    agrees(z.object({ a: z.unknown() }), {});
    agrees(z.object({ a: z.unknown() }), { a: undefined });
  });
});
