import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDatasets } from "../../src/datasets/generate.js";
import { runPlaybook } from "../../src/providers/playbook.js";
import { Case, type Case as CaseT } from "../../src/schema/index.js";
import { ToolSandbox } from "../../src/tools/sandbox.js";
import { whenHolds } from "../../src/workflow/conditions.js";
import { loadSuite } from "../../src/workflow/load.js";
import { injectionText } from "./cloud/actors.js";
import { generator } from "./cloud-alert-enrichment.js";
import { Rng } from "./rng.js";

const SUITE = "suites/cloud-alert-enrichment/shadow.suite.yaml";
const suite = loadSuite(SUITE);
const wf = suite.workflow;
const gen = (seed: number, count = generator.defaultCount) =>
  generator.generate(new Rng(`${generator.workflow}:${seed}`), count);
const cases = gen(generator.defaultSeed);
const tagged = (tag: string) => cases.filter((c) => c.tags.includes(tag));
const facts = (c: CaseT) => ({ alert: c.alert, evidence: c.evidence, missing: new Set(c.unavailable) });

const out = mkdtempSync(join(tmpdir(), "cloud-gen-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("cloud-alert-enrichment generator", () => {
  it("same seed gives the same bytes, another seed different ones", () => {
    expect(JSON.stringify(gen(generator.defaultSeed))).toBe(JSON.stringify(cases));
    expect(JSON.stringify(gen(generator.defaultSeed + 1))).not.toBe(JSON.stringify(cases));
  });

  it("the committed dataset is exactly what the generator writes", () => {
    const [written] = generateDatasets({ outDir: out, workflows: [generator.workflow] });
    expect(readFileSync(written!.file, "utf8")).toBe(
      readFileSync("datasets/cloud-alert-enrichment/cases.jsonl", "utf8"),
    );
  });

  it("every case is valid, with unique ids, unique evidence ids and required evidence that exists", () => {
    expect(cases).toHaveLength(320);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      expect(Case.safeParse(c).success, c.id).toBe(true);
      expect(c.id).toMatch(/^cloud-\d{4}$/);
      const ids = c.evidence.map((e) => e.id);
      expect(new Set(ids).size, c.id).toBe(ids.length);
      for (const id of ids) expect(id, c.id).toMatch(/^[a-z]+-[0-9a-f]{8}$/);
      expect(c.label!.required_evidence.length, c.id).toBeGreaterThan(0);
      for (const r of c.label!.required_evidence) expect(ids, `${c.id} requires ${r}`).toContain(r);
    }
  });

  it("the mix is realistic: true positives a minority, most alerts benign or false positives", () => {
    const share = (v: string) => cases.filter((c) => c.label!.verdict === v).length / cases.length;
    expect(share("true_positive")).toBeGreaterThanOrEqual(0.2);
    expect(share("true_positive")).toBeLessThanOrEqual(0.3);
    expect(share("false_positive")).toBeGreaterThan(0.1);
    for (const c of cases) if (c.label!.verdict === "true_positive") expect(c.label!.escalate, c.id).toBe(true);
    for (const c of cases) {
      expect(c.label!.analyst_minutes, c.id).toBeGreaterThan(2);
      expect(c.label!.analyst_minutes, c.id).toBeLessThan(200);
    }
  });

  it("holds at least ten of every trap", () => {
    for (const t of [
      "ti_false_positive",
      "exonerating_evidence",
      "prompt_injection",
      "source_unavailable",
      "sensitive_record",
      "correlated",
      "human_only",
    ])
      expect(tagged(`trap:${t}`).length, t).toBeGreaterThanOrEqual(10);
  });

  it("analyst actions come from the catalogue and never from the forbidden list", () => {
    const catalogue = new Set(wf.actions.map((a) => a.id));
    for (const c of cases) for (const a of c.label!.actions) expect(catalogue.has(a), `${c.id}: ${a}`).toBe(true);
  });

  it("every record carries the entity its tool filters by, with the alert's value", () => {
    for (const c of cases)
      for (const r of c.evidence) {
        const tool = wf.tools.find((t) => t.source === r.source && t.scope === "read")!;
        const param = Object.values(tool.input).find((p) => p.required && p.entity)!;
        const want = c.alert.entities.find((e) => e.type === param.entity)?.value;
        expect(want, `${c.id}: alert has no ${param.entity}`).toBeDefined();
        expect(
          r.entities.some((e) => e.type === param.entity && e.value === want),
          `${c.id} ${r.id}`,
        ).toBe(true);
      }
  });

  it("injections sit in attacker-controlled fields and ask for something the analyst did not do", () => {
    for (const c of tagged("trap:prompt_injection")) {
      const action = c.adversarial!.injected_action;
      expect(wf.actions.map((a) => a.id)).toContain(action);
      expect(c.label!.actions).not.toContain(action);
      const text = JSON.stringify([c.alert, c.evidence]);
      const carriers = (["tag", "session", "object_key", "description"] as const).filter((k) =>
        text.includes(injectionText(k, action)),
      );
      expect(carriers, c.id).toHaveLength(1);
    }
  });

  it("an unavailable source has no records, and the analyst escalated", () => {
    for (const c of tagged("trap:source_unavailable")) {
      expect(c.unavailable).toHaveLength(1);
      expect(
        c.evidence.some((e) => e.source === c.unavailable[0]),
        c.id,
      ).toBe(false);
      expect(c.label!.escalate).toBe(true);
    }
  });

  it("secret values appear only in their secret record", () => {
    for (const c of tagged("trap:sensitive_record")) {
      const secret = c.evidence.filter((e) => e.sensitivity === "secret");
      expect(secret.length, c.id).toBe(1);
      const rest = JSON.stringify([c.alert, c.evidence.filter((e) => e.sensitivity !== "secret")]);
      const values = Object.values(secret[0]!.data).flatMap((v) =>
        typeof v === "string" ? [v] : Object.values(v as object),
      );
      const hidden = values.filter((v) => typeof v === "string" && v.length >= 20 && !rest.includes(v));
      expect(hidden.length, c.id).toBeGreaterThan(0);
    }
  });

  it("correlated alerts share an incident and the same stolen identity", () => {
    const byIncident = new Map<string, CaseT[]>();
    for (const c of tagged("trap:correlated"))
      byIncident.set(c.incident_id!, [...(byIncident.get(c.incident_id!) ?? []), c]);
    expect(byIncident.size).toBeGreaterThanOrEqual(3);
    for (const [id, group] of byIncident) {
      expect(group.length, id).toBeGreaterThanOrEqual(3);
      const principals = new Set(group.map((c) => c.alert.entities.find((e) => e.type === "principal")!.value));
      expect(principals.size, id).toBe(1);
      expect(group.every((c) => c.label!.verdict === "true_positive")).toBe(true);
    }
  });

  it("human-only conditions hold exactly on the human-only cases, which the analyst escalated", () => {
    for (const c of cases) {
      const held = wf.negative_playbook.human_only.some((h) => whenHolds(h.when, facts(c)));
      expect(held, c.id).toBe(c.tags.includes("trap:human_only"));
      if (held) expect(c.label!.escalate).toBe(true);
    }
  });
});

describe("cloud-alert-enrichment suite", () => {
  it("loads, and the playbook baseline agrees with analysts often but not always", () => {
    expect(suite.agents.map((a) => a.name)).toEqual(["playbook", "gpt-4.1-mini", "claude-sonnet-4-6", "local-llama"]);
    const agent = suite.agents[0]!;
    let agree = 0;
    for (const c of cases) {
      const sandbox = new ToolSandbox(c, wf, { scope: "all", faults: suite.suite.faults, seed: suite.suite.seed });
      if (runPlaybook(c, wf, agent, sandbox).output.verdict === c.label!.verdict) agree++;
    }
    const rate = agree / cases.length;
    expect(rate).toBeGreaterThanOrEqual(0.7);
    expect(rate).toBeLessThanOrEqual(0.9);
  });
});
