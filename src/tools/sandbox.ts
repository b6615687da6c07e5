import { isLongIntegerText } from "../io/json-numbers.js";
import type { Case, EvidenceRecord, Fault, ToolCallStep, ToolContract, Workflow } from "../schema/index.js";
import { entityKey } from "./entity-key.js";
import { faultFor } from "./faults.js";
import { isoTime } from "./iso-clock.js";
import { compareInstants, type Instant, parseInstant } from "./time-bound.js";

export type ToolAnswer = { step: ToolCallStep; records: EvidenceRecord[] };

export type SandboxOptions = {
  scope: "all" | readonly string[];
  faults: readonly Fault[];
  seed: number;
  /** which epoch of the case this is: each draws its own faults (faults.ts) */
  epoch?: number;
  /** simulated clock start: audit times are alert time + accumulated latency */
  clockStart?: number;
};

type InputParam = ToolContract["input"][string];

/** A contract's inputs in declaration order, split once per contract instead of on every call and record. */
type ContractPlan = {
  required: string[];
  params: { name: string; p: InputParam }[];
};

const plans = new WeakMap<ToolContract, ContractPlan>();
function planOf(contract: ToolContract): ContractPlan {
  let plan = plans.get(contract);
  if (!plan) {
    const entries = Object.entries(contract.input);
    plan = {
      required: entries.filter(([, p]) => p.required).map(([name]) => name),
      params: entries.map(([name, p]) => ({ name, p })),
    };
    plans.set(contract, plan);
  }
  return plan;
}

const toolMaps = new WeakMap<Workflow["tools"], Map<string, ToolContract>>();
function toolMap(tools: Workflow["tools"]): Map<string, ToolContract> {
  let m = toolMaps.get(tools);
  if (!m) {
    m = new Map(tools.map((t) => [t.name, t]));
    toolMaps.set(tools, m);
  }
  return m;
}

/**
 * What the real system's API would refuse: arguments that are not a JSON object, a field the tool
 * does not take, a required field missing, a value of the wrong type. Refused calls are tool errors
 * the model made, not an empty answer: "no records" would tell it something false about the case.
 */
function badInput(contract: ToolContract, plan: ContractPlan, input: Record<string, unknown>): string | null {
  if (typeof input._raw === "string" && Object.keys(input).length === 1) return "arguments are not a JSON object";
  for (const key in input)
    if (!Object.hasOwn(contract.input, key))
      return `unknown input "${key}" (${contract.name} takes ${plan.params.map((p) => p.name).join(", ") || "none"})`;
  for (const name of plan.required) if (isEmpty(input[name])) return `missing required input "${name}"`;
  for (const { name, p } of plan.params) {
    const v = input[name];
    // an integer beyond 2^53 arrives as its exact digits (io/json-numbers.ts): a number all the same
    const type = p.type === "number" && typeof v === "string" && isLongIntegerText(v) ? "number" : typeof v;
    if (v !== undefined && v !== null && type !== p.type) return `input "${name}" must be a ${p.type}, got ${type}`;
    // a query API answers a bound it cannot read with 400, not with every record it holds
    if (p.time && !isEmpty(v) && parseInstant(String(v)) === null)
      return `input "${name}" must be an ISO-8601 time such as 2026-03-01T08:00:00Z, got ${JSON.stringify(v)}`;
  }
  return null;
}

/**
 * Whether a recorded failed call is the sandbox's own refusal of its input: it never reached the
 * tool's source, so its "error" is the agent's malformed call, not a source that failed. Its note
 * must be that refusal: an imported call that failed at its platform's source, with inputs named
 * another way, is still a source's error.
 */
export function refusedInput(
  contract: ToolContract,
  call: { status: string; input: Record<string, unknown>; note?: string | undefined },
): boolean {
  if (call.status !== "error" || call.note === undefined) return false;
  return call.note === badInput(contract, planOf(contract), call.input);
}

/** One call's filters, with the input's values normalised once rather than per record. */
type Filter = { entity: string; given: string; want: string } | { since: boolean; bound: Instant };

/**
 * Answers an agent's tool calls from one case's evidence snapshot, the way the real system would.
 * Shadow mode lives here: respond-scope tools are never executed, whatever the agent asks.
 */
export class ToolSandbox {
  private readonly tools: Map<string, ToolContract>;
  private readonly scope: Set<string> | null;
  private readonly unavailable: Set<string>;
  private readonly callsPerTool = new Map<string, number>();
  /** the case's evidence by source, in case order; built on the first answered call */
  private bySource: Map<string, EvidenceRecord[]> | null = null;
  private clock: number;

  constructor(
    private readonly c: Case,
    workflow: Workflow,
    private readonly opts: SandboxOptions,
  ) {
    this.tools = toolMap(workflow.tools);
    this.scope = opts.scope === "all" ? null : new Set(opts.scope);
    this.unavailable = new Set(c.unavailable);
    const t = Date.parse(c.alert.time);
    this.clock = opts.clockStart ?? (Number.isNaN(t) ? 0 : t);
  }

  // Steps are built as literals in their final key order (time last) rather than spread twice.
  call(tool: string, input: Record<string, unknown>): ToolAnswer {
    const contract = this.tools.get(tool);
    if (!contract) {
      const time = this.tick(0);
      return answer({
        type: "tool_call",
        tool,
        input,
        evidence_ids: [],
        status: "error",
        latency_ms: 0,
        note: `unknown tool "${tool}"`,
        time,
      });
    }
    if (contract.scope === "respond")
      return this.fail(contract, input, "denied", 0, "shadow mode: respond tools are never executed");
    if (this.scope && !this.scope.has(tool))
      return this.fail(contract, input, "denied", 0, "tool outside the agent's scope");
    const plan = planOf(contract);
    const refused = badInput(contract, plan, input);
    if (refused) return this.fail(contract, input, "error", 0, refused);
    if (this.unavailable.has(contract.source))
      return this.fail(contract, input, "unavailable", contract.latency_ms, `source ${contract.source} unavailable`);

    const nth = this.callsPerTool.get(tool) ?? 0;
    this.callsPerTool.set(tool, nth + 1);
    const fault = faultFor(this.opts.faults, this.opts.seed, this.c.id, tool, nth, this.opts.epoch);
    if (fault?.kind === "timeout")
      return this.fail(contract, input, "timeout", contract.timeout_ms, `no answer within ${contract.timeout_ms} ms`);
    if (fault)
      return this.fail(
        contract,
        input,
        "error",
        contract.latency_ms,
        fault.kind === "rate_limit" ? "429 rate limited by the source" : "500 source error",
      );

    const records = this.select(contract.source, plan, input);
    const latency_ms = contract.latency_ms;
    const time = this.tick(latency_ms);
    return answer(
      {
        type: "tool_call",
        tool,
        input,
        evidence_ids: records.map((r) => r.id),
        audit_event: contract.audit_event,
        scope: contract.scope,
        status: "ok",
        latency_ms,
        time,
      },
      records,
    );
  }

  /** A known tool's call that returns nothing: it still leaves the audit event its contract names. */
  private fail(
    contract: ToolContract,
    input: Record<string, unknown>,
    status: ToolCallStep["status"],
    latency_ms: number,
    note: string,
  ): ToolAnswer {
    const time = this.tick(latency_ms);
    return answer({
      type: "tool_call",
      tool: contract.name,
      input,
      evidence_ids: [],
      audit_event: contract.audit_event,
      scope: contract.scope,
      status,
      latency_ms,
      note,
      time,
    });
  }

  /** Advance the simulated clock by a call's latency; the audit time of that call. */
  private tick(latency: number): string {
    this.clock += latency;
    return isoTime(this.clock);
  }

  /** The source's records (in case order) that pass every filter the input sets. */
  private select(source: string, plan: ContractPlan, input: Record<string, unknown>): EvidenceRecord[] {
    if (!this.bySource) {
      this.bySource = new Map();
      for (const r of this.c.evidence) {
        const list = this.bySource.get(r.source);
        if (list) list.push(r);
        else this.bySource.set(r.source, [r]);
      }
    }
    const candidates = this.bySource.get(source);
    if (!candidates) return [];
    const filters: Filter[] = [];
    for (const { name, p } of plan.params) {
      const v = input[name];
      if (isEmpty(v)) continue;
      if (p.entity) {
        const given = String(v);
        filters.push({ entity: p.entity, given, want: entityKey(p.entity, given) });
      } else if (p.time) {
        // badInput has refused a bound that does not parse
        const bound = parseInstant(String(v));
        if (bound) filters.push({ since: p.time === "since", bound });
      }
    }
    if (filters.length === 0) return candidates.slice();
    const out: EvidenceRecord[] = [];
    for (const r of candidates) if (matches(r, filters)) out.push(r);
    return out;
  }
}

function answer(step: ToolCallStep, records: EvidenceRecord[] = []): ToolAnswer {
  return { step, records };
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

function matches(r: EvidenceRecord, filters: Filter[]): boolean {
  let t: Instant | null | undefined;
  for (const f of filters) {
    if ("entity" in f) {
      let hit = false;
      // the exact spelling (what a playbook passes) matches without computing a key
      for (const e of r.entities)
        if (e.type === f.entity && (e.value === f.given || entityKey(e.type, e.value) === f.want)) {
          hit = true;
          break;
        }
      if (!hit) return false;
    } else {
      if (t === undefined) t = parseInstant(r.time);
      // a record without a parseable time passes time filters
      if (t === null) continue;
      // both bounds are inclusive: a record at exactly `since` or `until` is inside the window
      const c = compareInstants(t, f.bound);
      if (f.since ? c < 0 : c > 0) return false;
    }
  }
  return true;
}

/**
 * The tool result as a model sees it. A record's sensitivity is part of it: the bundled prompts tell
 * the agent never to repeat the values of records marked secret, and data_exposure scores exactly
 * that, so the mark must reach the agent. A record without one is written as it always was.
 */
export function toolResultContent(a: ToolAnswer): string {
  const { status, note } = a.step;
  return JSON.stringify({
    status,
    ...(note ? { note } : {}),
    records: a.records.map((r) => ({
      id: r.id,
      source: r.source,
      time: r.time,
      entities: r.entities,
      data: r.data,
      ...(r.sensitivity ? { sensitivity: r.sensitivity } : {}),
    })),
  });
}
