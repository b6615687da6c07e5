import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { METRIC_KEYS, METRICS, metricInfo } from "../analytics/catalogue.js";
import { PAIRED_METRICS } from "../analytics/paired-metrics.js";
import { utf8OrRefuse } from "../io/utf8-text.js";
import { fieldError, loadYaml } from "../io/yaml.js";
import { AgentConfig, Phase, Suite, Workflow } from "../schema/index.js";
import { checkFaults, checkNames, declaredAt } from "./check-names.js";
import { checkPlaybook } from "./check-playbook.js";
import { checkReferences } from "./check-references.js";
import { checkRuleSources } from "./check-rules.js";
import { checkPromptTemplate } from "./check-template.js";

export type LoadedAgent = AgentConfig & { file: string; promptText?: string; hash: string };
export type LoadedSuite = {
  file: string;
  suite: Suite;
  workflow: Workflow;
  workflowFile: string;
  datasetFile: string;
  agents: LoadedAgent[];
};

/**
 * Why `name` names no tool of the workflow: its tools, or, when it is the evidence source a read
 * tool reads (a playbook step or scope written with the source's name), that tool.
 */
export function unknownTool(wf: Workflow, name: string): string {
  const readers = wf.tools.filter((t) => t.source === name && t.scope === "read").map((t) => t.name);
  if (readers.length > 0)
    return `unknown tool "${name}": that is the evidence source ${readers.join(", ")} read${readers.length === 1 ? "s" : ""}`;
  return `unknown tool "${name}" (tools: ${wf.tools.map((t) => t.name).join(", ")})`;
}

/** Cross-references zod cannot see: every name a workflow uses must be declared in it. */
export function checkWorkflow(wf: Workflow, file: string): void {
  checkNames(wf, file);
  const tools = new Set(wf.tools.map((t) => t.name));
  const actions = new Set(wf.actions.map((a) => a.id));
  const fail = (path: (string | number)[], msg: string) => {
    throw fieldError(file, path, msg);
  };
  wf.playbook.forEach((s, i) => {
    if (!tools.has(s.tool)) fail(["playbook", i, "tool"], unknownTool(wf, s.tool));
  });
  const scopes = new Map(wf.tools.map((t) => [t.name, t.scope]));
  wf.actions.forEach((a, i) => {
    if (a.tool && !tools.has(a.tool)) fail(["actions", i, "tool"], unknownTool(wf, a.tool));
    // the policy scorer reads any call of this tool as carrying the action out (an injected one
    // included): a read tool here would turn the playbook's own evidence gathering into a finding
    if (a.tool && scopes.get(a.tool) === "read")
      fail(
        ["actions", i, "tool"],
        `${a.tool} is a read tool: an action's tool is the respond tool that would carry it out (scope: respond), or leave tool out`,
      );
  });
  const rules: [(string | number)[], { actions: { action: string }[] }][] = [
    ...wf.decision_rules.map((r, i): [(string | number)[], typeof r] => [["decision_rules", i], r]),
    [["default_decision"], wf.default_decision],
  ];
  for (const [at, r] of rules)
    r.actions.forEach((a, j) => {
      if (actions.has(a.action)) return;
      const forbidden = wf.negative_playbook.forbidden_actions.findIndex((f) => f.action === a.action);
      fail(
        [...at, "actions", j, "action"],
        forbidden >= 0
          ? `"${a.action}" is a forbidden action (${declaredAt(file, ["negative_playbook", "forbidden_actions", forbidden])}): a rule may only recommend catalogued actions`
          : `unknown action "${a.action}" (catalogued: ${[...actions].join(", ")})`,
      );
    });
  wf.negative_playbook.forbidden_actions.forEach((f, i) => {
    if (actions.has(f.action))
      fail(["negative_playbook", "forbidden_actions", i, "action"], `"${f.action}" is both catalogued and forbidden`);
  });
  // each tool now has one declaration and every step names a known one, so the steps' contracts are unambiguous
  checkPlaybook(wf, file);
  checkReferences(wf, file);
  checkRuleSources(wf, file);
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
    let bytes: Buffer;
    try {
      bytes = readFileSync(p);
    } catch {
      throw fieldError(file, ["prompt"], `cannot read ${p}${fromHere(dirname(file), cfg.prompt, "an agent file")}`);
    }
    // a byte that is not UTF-8 would reach the model as U+FFFD; a BOM (an editor's, on saving) or
    // Windows line endings (a checkout with core.autocrlf) would change the agent's hash and the
    // model's requests, so --resume, the gate and the replay recordings would take it for another
    // prompt. Line breaks become \n as YAML reads them, so a file that has LF already hashes as before.
    promptText = utf8OrRefuse(p, bytes)
      .replace(/^\uFEFF/, "")
      .replace(/\r\n?/g, "\n");
    checkPromptTemplate(promptText, p, cfg, wf);
  }
  const known = new Set(wf.tools.map((t) => t.name));
  if (cfg.tools !== "all")
    cfg.tools.forEach((t, i) => {
      if (!known.has(t)) throw fieldError(file, ["tools", i], unknownTool(wf, t));
    });
  cfg.mutate?.skip_tools.forEach((t, i) => {
    if (!known.has(t)) throw fieldError(file, ["mutate", "skip_tools", i], unknownTool(wf, t));
  });
  return { ...cfg, file, promptText, hash: agentHash(cfg, promptText, wf) };
}

/**
 * Metric names zod cannot check: exit criteria, gate limits and the budget name report metrics;
 * gate margins name metrics with a paired difference. Checked on load, so a typo stops `run` and
 * `gate` before anything is replayed or stored, with the line; `report` and `gate` keep their own checks.
 */
export function checkSuiteMetrics(suite: Suite, file: string): void {
  const unknown = (path: (string | number)[], metric: string) =>
    fieldError(file, path, `unknown metric "${metric}" (keys: reports/README.md)`);
  // a rate written as a percentage (85 for 0.85) makes a criterion that can never be met, or a
  // limit that can never trip
  const rate = (path: (string | number)[], metric: string, v: number) => {
    if (metricInfo(metric)?.unit === "rate" && (v < 0 || v > 1))
      throw fieldError(
        file,
        path,
        `${metric} is a rate from 0 to 1 (it is ${v}${v > 1 && v <= 100 ? `; ${v / 100}?` : ""})`,
      );
  };
  for (const phase of Phase.options)
    suite.exit_criteria?.[phase]?.forEach((c, i) => {
      if (!METRIC_KEYS.has(c.metric)) throw unknown(["exit_criteria", phase, i, "metric"], c.metric);
      rate(["exit_criteria", phase, i, "threshold"], c.metric, c.threshold);
    });
  const gate = suite.gate;
  if (!gate) return;
  gate.margins.forEach((m, i) => {
    if (!PAIRED_METRICS.includes(m.metric))
      throw fieldError(
        file,
        ["gate", "margins", i, "metric"],
        `"${m.metric}" has no paired difference (use one of ${PAIRED_METRICS.join(", ")})`,
      );
  });
  gate.limits.forEach((l, i) => {
    if (!METRIC_KEYS.has(l.metric)) throw unknown(["gate", "limits", i, "metric"], l.metric);
    // a limit is a maximum: on a metric where more is better it would fail the better candidate
    if (MORE_IS_BETTER.has(l.metric))
      throw fieldError(
        file,
        ["gate", "limits", i, "metric"],
        `${l.metric}: more is better, and a limit is a maximum the candidate may not exceed (a better one would fail); hold it with a margin (gate.margins), or a minimum in exit_criteria that soceval report --check judges`,
      );
    rate(["gate", "limits", i, "max"], l.metric, l.max);
  });
  gate.margins.forEach((m, i) => {
    rate(["gate", "margins", i, "max_drop"], m.metric, m.max_drop);
  });
  if (gate.budget && !METRIC_KEYS.has(gate.budget.metric))
    throw unknown(["gate", "budget", "metric"], gate.budget.metric);
  // a budget caps a rise; on a rate or a saving, the rise is the better candidate, which it would fail
  const spent = METRICS.filter((m) => BUDGET_UNITS.includes(m.unit)).map((m) => m.key);
  if (gate.budget && !spent.includes(gate.budget.metric))
    throw fieldError(
      file,
      ["gate", "budget", "metric"],
      `${gate.budget.metric} is not something the agent spends: a budget caps a rise in cost, tokens or time (${spent.join(", ")}); hold a rate with a margin or a limit`,
    );
}

const BUDGET_UNITS: string[] = ["usd", "tokens", "ms"];

/** Metrics where a higher value is the better agent: a maximum on one is a mistake. */
const MORE_IS_BETTER = new Set([
  "verdict_agreement",
  "verdict_kappa",
  "escalation_precision",
  "escalation_recall",
  "false_positive_reduction",
  "playbook_completion_rate",
  "context_recall",
  "audit_completeness",
  "minutes_saved_per_case",
  "analyst_minutes_saved",
  "trap_tags_covered",
  "readiness_score",
  "analyst_acceptance_rate",
]);

/**
 * A path written relative to the current folder rather than to the file's folder (a suite's
 * `dataset: lsass/cases.jsonl` run from the folder above, an agent's `prompt: prompts/triage.hbs`
 * run from the suite's folder): said with the path to write instead.
 */
function fromHere(dir: string, named: string, where = "a suite"): string {
  const here = resolve(named);
  if (isAbsolute(named) || here === resolve(dir, named) || !isFile(here)) return "";
  return `; paths in ${where} are relative to its folder, and ${named} is a file from the current folder: write ${relative(dir, here)}`;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function loadSuite(file: string): LoadedSuite {
  const suite = loadYaml(file, Suite);
  checkSuiteMetrics(suite, file);
  const dir = dirname(file);
  // a path the suite names that is not there is the suite's mistake: named at its own line
  const mustBeFile = (path: (string | number)[], named: string) => {
    const target = resolve(dir, named);
    let what = "";
    try {
      if (!statSync(target).isFile()) what = "not a file";
    } catch (e) {
      what = (e as NodeJS.ErrnoException).code ?? String(e);
    }
    if (what) throw fieldError(file, path, `cannot read ${target} (${what})${fromHere(dir, named)}`);
    return target;
  };
  const workflowFile = mustBeFile(["workflow"], suite.workflow);
  const workflow = loadWorkflow(workflowFile);
  const agents = suite.agents.map((a, i) => loadAgent(mustBeFile(["agents", i], a), workflow));
  mustBeFile(["dataset"], suite.dataset);
  const names = new Set<string>();
  agents.forEach((a, i) => {
    if (names.has(a.name)) throw fieldError(file, ["agents", i], `two agents are named "${a.name}"`);
    names.add(a.name);
  });
  suite.faults.forEach((f, i) => {
    if (!workflow.tools.some((t) => t.name === f.tool))
      throw fieldError(file, ["faults", i, "tool"], unknownTool(workflow, f.tool));
  });
  checkFaults(suite.faults, workflow, file);
  return { file, suite, workflow, workflowFile, datasetFile: resolve(dir, suite.dataset), agents };
}
