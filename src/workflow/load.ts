import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../io/errors.js";
import { loadYaml } from "../io/yaml.js";
import { AgentConfig, Suite, Workflow } from "../schema/index.js";

export type LoadedAgent = AgentConfig & { file: string; promptText?: string; hash: string };
export type LoadedSuite = {
  file: string;
  suite: Suite;
  workflow: Workflow;
  workflowFile: string;
  datasetFile: string;
  agents: LoadedAgent[];
};

/** Cross-references zod cannot see: every name a workflow uses must be declared in it. */
export function checkWorkflow(wf: Workflow, file: string): void {
  const tools = new Set(wf.tools.map((t) => t.name));
  const actions = new Set(wf.actions.map((a) => a.id));
  const fail = (msg: string) => {
    throw new InputError(`${file}: ${msg}`, file);
  };
  for (const s of wf.playbook) if (!tools.has(s.tool)) fail(`playbook: unknown tool "${s.tool}"`);
  for (const a of wf.actions) if (a.tool && !tools.has(a.tool)) fail(`actions.${a.id}: unknown tool "${a.tool}"`);
  for (const r of [...wf.decision_rules, wf.default_decision])
    for (const a of r.actions) if (!actions.has(a.action)) fail(`decision rule ${r.id}: unknown action "${a.action}"`);
  for (const f of wf.negative_playbook.forbidden_actions)
    if (actions.has(f.action)) fail(`negative_playbook: "${f.action}" is both catalogued and forbidden`);
}

export function loadWorkflow(file: string): Workflow {
  const wf = loadYaml(file, Workflow);
  checkWorkflow(wf, file);
  return wf;
}

/** Content hash over what changes behaviour: config, prompt text, tool scope, the workflow policy. */
export function agentHash(cfg: AgentConfig, promptText: string | undefined, wf: Workflow): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ ...cfg, prompt: promptText ?? null }));
  h.update(
    JSON.stringify({
      tools: wf.tools,
      actions: wf.actions,
      policy: wf.approval_policy,
      neg: wf.negative_playbook,
      playbook: wf.playbook,
      rules: wf.decision_rules,
      default: wf.default_decision,
    }),
  );
  return h.digest("hex").slice(0, 16);
}

export function loadAgent(file: string, wf: Workflow): LoadedAgent {
  const cfg = loadYaml(file, AgentConfig);
  let promptText: string | undefined;
  if (cfg.prompt) {
    const p = resolve(dirname(file), cfg.prompt);
    try {
      promptText = readFileSync(p, "utf8");
    } catch {
      throw new InputError(`${file}: prompt: cannot read ${p}`, file);
    }
  }
  if (cfg.tools !== "all") {
    const known = new Set(wf.tools.map((t) => t.name));
    for (const t of cfg.tools) if (!known.has(t)) throw new InputError(`${file}: tools: unknown tool "${t}"`, file);
  }
  return { ...cfg, file, promptText, hash: agentHash(cfg, promptText, wf) };
}

export function loadSuite(file: string): LoadedSuite {
  const suite = loadYaml(file, Suite);
  const dir = dirname(file);
  const workflowFile = resolve(dir, suite.workflow);
  const workflow = loadWorkflow(workflowFile);
  const agents = suite.agents.map((a) => loadAgent(resolve(dir, a), workflow));
  const names = new Set<string>();
  for (const a of agents) {
    if (names.has(a.name)) throw new InputError(`${file}: agents: two agents are named "${a.name}"`, file);
    names.add(a.name);
  }
  for (const f of suite.faults)
    if (!workflow.tools.some((t) => t.name === f.tool))
      throw new InputError(`${file}: faults: unknown tool "${f.tool}"`, file);
  return { file, suite, workflow, workflowFile, datasetFile: resolve(dir, suite.dataset), agents };
}
