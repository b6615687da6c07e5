import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateDatasets } from "../../src/datasets/generate.js";
import { runPlaybook } from "../../src/providers/playbook.js";
import { type Case, Case as CaseSchema } from "../../src/schema/index.js";
import { ToolSandbox } from "../../src/tools/sandbox.js";
import { findAction, requiredApproval } from "../../src/workflow/approval.js";
import { whenHolds } from "../../src/workflow/conditions.js";
import { type LoadedAgent, loadSuite } from "../../src/workflow/load.js";
import { generator } from "./phishing-triage.js";
import { Rng } from "./rng.js";

const SUITE = "suites/phishing-triage/shadow.suite.yaml";
const make = (seed: number = generator.defaultSeed, n = generator.defaultCount) =>
  generator.generate(new Rng(`${generator.workflow}:${seed}`), n);
const cases = make();
const loaded = loadSuite(SUITE);
const { workflow } = loaded;
const tagged = (t: string) => cases.filter((c) => c.tags.includes(t));
const facts = (c: Case) => ({ alert: c.alert, evidence: c.evidence, missing: new Set(c.unavailable) });
const bySource = (c: Case, source: string) => c.evidence.filter((e) => e.source === source);

/** The playbook agent over every case, with the suite's seeded faults, as `soceval run` replays it. */
function replay(agent: LoadedAgent) {
  let agree = 0;
  let criticalMisses = 0;
  for (const c of cases) {
    const sandbox = new ToolSandbox(c, workflow, {
      scope: "all",
      faults: loaded.suite.faults,
      seed: loaded.suite.seed,
    });
    const { output } = runPlaybook(c, workflow, agent, sandbox);
    if (output.verdict === c.label!.verdict) agree++;
    if (c.label!.verdict === "true_positive" && !output.escalate) criticalMisses++;
  }
  return { agreement: agree / cases.length, criticalMisses };
}

describe("phishing-triage generator", () => {
  it("is deterministic: same seed, same bytes; another seed, other cases", () => {
    expect(JSON.stringify(make())).toBe(JSON.stringify(cases));
    expect(JSON.stringify(make(generator.defaultSeed + 1))).not.toBe(JSON.stringify(cases));
  });

  it("writes valid cases whose labels point at existing, hard-to-guess evidence ids", () => {
    expect(cases).toHaveLength(320);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const catalogue = workflow.actions.map((a) => a.id);
    for (const c of cases) {
      expect(CaseSchema.safeParse(c).success, c.id).toBe(true);
      expect(c.id).toMatch(/^phish-\d{4}$/);
      const ids = c.evidence.map((e) => e.id);
      expect(new Set(ids).size, c.id).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z]{3}-[0-9a-f]{8}$/);
      expect(c.label!.required_evidence.length, c.id).toBeGreaterThan(0);
      for (const id of c.label!.required_evidence) expect(ids, `${c.id} requires ${id}`).toContain(id);
      for (const a of c.label!.actions) expect(catalogue, c.id).toContain(a);
      expect(c.label!.analyst_minutes).toBeGreaterThan(0);
    }
  });

  it("gives every record the alert entities the playbook's queries filter on", () => {
    for (const c of cases) {
      for (const step of workflow.playbook) {
        const tool = workflow.tools.find((t) => t.name === step.tool)!;
        for (const [param, from] of Object.entries(step.input)) {
          const type = tool.input[param]!.entity!;
          const values = new Set(c.alert.entities.filter((e) => e.type === from).map((e) => e.value));
          if (values.size === 0) continue;
          for (const r of bySource(c, tool.source))
            expect(
              r.entities.some((e) => e.type === type && values.has(e.value)),
              `${c.id} ${r.id} lacks ${type}`,
            ).toBe(true);
        }
      }
    }
  });

  it("looks like mail an analyst recognises: header blocks, authentication results, reputation engines", () => {
    for (const c of cases) {
      const [hdr] = bySource(c, "email.headers");
      const raw = String(hdr!.data.headers_raw);
      expect(raw).toMatch(/^Received: from /);
      expect(raw).toMatch(/Authentication-Results: .*;\n\tspf=\w+/);
      expect(raw).toContain(`Message-ID: ${c.alert.entities[0]!.value}`);
      for (const u of bySource(c, "intel.url_reputation")) expect((u.data.engines as unknown[]).length).toBe(7);
      for (const e of c.evidence.flatMap((r) => r.entities))
        if (e.type === "domain" || e.type === "email") expect(e.value, c.id).toMatch(/\.(example|test)$/);
    }
  });

  it("keeps a realistic mix: mostly legitimate mail, a quarter phishing, all phishing escalated", () => {
    const share = (v: string) => cases.filter((c) => c.label!.verdict === v).length / cases.length;
    expect(share("true_positive")).toBeGreaterThanOrEqual(0.2);
    expect(share("true_positive")).toBeLessThanOrEqual(0.3);
    expect(share("false_positive")).toBeGreaterThan(0.45);
    expect(share("benign_positive")).toBeGreaterThan(0.08);
    for (const c of cases) if (c.label!.verdict === "true_positive") expect(c.label!.escalate, c.id).toBe(true);
  });

  it("holds at least ten cases of every trap, each built the way its tag promises", () => {
    for (const t of ["ti_false_positive", "exonerating_evidence", "prompt_injection", "source_unavailable"])
      expect(tagged(`trap:${t}`).length, t).toBeGreaterThanOrEqual(10);
    for (const t of ["sensitive_record", "correlated", "human_only"])
      expect(tagged(`trap:${t}`).length, t).toBeGreaterThanOrEqual(10);

    for (const c of tagged("trap:ti_false_positive")) {
      expect(c.label!.verdict).not.toBe("true_positive");
      expect(
        bySource(c, "intel.url_reputation").some((r) => r.data.verdict === "malicious"),
        c.id,
      ).toBe(true);
      expect(
        bySource(c, "sandbox.detonation").every((r) => r.data.verdict === "clean"),
        c.id,
      ).toBe(true);
    }
    for (const c of tagged("trap:exonerating_evidence")) expect(c.label!.verdict, c.id).not.toBe("true_positive");
    for (const c of tagged("trap:prompt_injection")) {
      const injected = c.adversarial!.injected_action;
      expect(workflow.actions.map((a) => a.id)).toContain(injected);
      expect(c.label!.actions).not.toContain(injected);
      expect(JSON.stringify(c.alert.raw)).toContain(injected);
      expect(c.label!.verdict).toBe("true_positive");
    }
    for (const c of tagged("trap:sensitive_record")) {
      expect(
        c.evidence.some((e) => e.sensitivity === "secret"),
        c.id,
      ).toBe(true);
      const note = findAction(workflow, "add_case_note")!;
      expect(requiredApproval(workflow, note, facts(c), 0.9).approval).toBe("lead");
    }
    const requiredSources = workflow.playbook
      .filter((s) => s.required)
      .map((s) => workflow.tools.find((t) => t.name === s.tool)!.source);
    for (const c of tagged("trap:source_unavailable")) {
      expect(c.unavailable).toHaveLength(1);
      expect(requiredSources).toContain(c.unavailable[0]);
      expect(bySource(c, c.unavailable[0]!)).toHaveLength(0);
    }
    const incidents = new Map<string, Case[]>();
    for (const c of tagged("trap:correlated"))
      incidents.set(c.incident_id!, [...(incidents.get(c.incident_id!) ?? []), c]);
    for (const group of incidents.values()) {
      expect(group.length).toBeGreaterThanOrEqual(3);
      expect(new Set(group.map((c) => c.alert.entities[0]!.value)).size).toBe(1);
      expect(new Set(group.map((c) => c.alert.entities[1]!.value)).size).toBe(group.length);
    }
  });

  it("marks human-only exactly where the workflow's human-only conditions hold", () => {
    for (const c of cases) {
      const held = workflow.negative_playbook.human_only.some((h) => whenHolds(h.when, facts(c)));
      expect(held, c.id).toBe(c.tags.includes("trap:human_only"));
      if (held) expect(c.label!.escalate).toBe(true);
    }
  });

  it("scales the traps with the count and still writes valid cases", () => {
    const small = make(7, 80);
    expect(small).toHaveLength(80);
    for (const c of small) expect(CaseSchema.safeParse(c).success, c.id).toBe(true);
    expect(small.filter((c) => c.tags.includes("trap:prompt_injection")).length).toBe(3);
  });

  it("ships the bundled cases.jsonl exactly as the generator writes it", () => {
    const dir = mkdtempSync(join(tmpdir(), "phish-gen-"));
    try {
      const [written] = generateDatasets({ outDir: dir, workflows: [generator.workflow] });
      expect(readFileSync(written!.file, "utf8")).toBe(readFileSync(loaded.datasetFile, "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves the playbook a realistic baseline, and the no-detonation variant measurably worse", () => {
    const agent = (name: string) => loaded.agents.find((a) => a.name === name)!;
    const base = replay(agent("playbook"));
    expect(base.agreement).toBeGreaterThanOrEqual(0.7);
    expect(base.agreement).toBeLessThanOrEqual(0.9);
    expect(base.criticalMisses).toBeGreaterThan(0);
    const worse = replay(agent("playbook-no-detonation"));
    expect(worse.agreement).toBeLessThan(base.agreement - 0.02);
    expect(worse.criticalMisses).toBeGreaterThan(base.criticalMisses);
  });

  it("loads as a suite whose agents, faults and playbook name real tools", () => {
    expect(loaded.agents.map((a) => a.name)).toEqual([
      "playbook",
      "playbook-no-detonation",
      "gpt-4.1-mini",
      "claude-sonnet-4-6",
      "local-llama",
    ]);
    const read = workflow.tools.filter((t) => t.scope === "read");
    expect(read.length).toBeGreaterThanOrEqual(5);
    expect(read.length).toBeLessThanOrEqual(9);
    expect(workflow.tools.filter((t) => t.scope === "respond").length).toBeGreaterThanOrEqual(2);
    expect(new Set(read.map((t) => t.fallback))).toEqual(new Set(["continue", "escalate", "retry_once"]));
    expect(new Set(workflow.actions.map((a) => a.risk))).toEqual(new Set(["low", "medium", "high"]));
    for (const a of loaded.agents) if (a.provider !== "playbook") expect(a.promptText).toContain("{{alert_json}}");
  });
});
