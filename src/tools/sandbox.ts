import type { Case, EvidenceRecord, Fault, ToolCallStep, ToolContract, Workflow } from "../schema/index.js";
import { faultFor } from "./faults.js";

export type ToolAnswer = { step: ToolCallStep; records: EvidenceRecord[] };

export type SandboxOptions = {
  scope: "all" | readonly string[];
  faults: readonly Fault[];
  seed: number;
  /** simulated clock start: audit times are alert time + accumulated latency */
  clockStart?: number;
};

/**
 * Answers an agent's tool calls from one case's evidence snapshot, the way the real system would.
 * Shadow mode lives here: respond-scope tools are never executed, whatever the agent asks.
 */
export class ToolSandbox {
  private readonly tools: Map<string, ToolContract>;
  private readonly scope: Set<string> | null;
  private readonly unavailable: Set<string>;
  private readonly callsPerTool = new Map<string, number>();
  private clock: number;

  constructor(
    private readonly c: Case,
    workflow: Workflow,
    private readonly opts: SandboxOptions,
  ) {
    this.tools = new Map(workflow.tools.map((t) => [t.name, t]));
    this.scope = opts.scope === "all" ? null : new Set(opts.scope);
    this.unavailable = new Set(c.unavailable);
    const t = Date.parse(c.alert.time);
    this.clock = opts.clockStart ?? (Number.isNaN(t) ? 0 : t);
  }

  call(tool: string, input: Record<string, unknown>): ToolAnswer {
    const contract = this.tools.get(tool);
    if (!contract)
      return this.answer({
        type: "tool_call",
        tool,
        input,
        evidence_ids: [],
        status: "error",
        latency_ms: 0,
        note: `unknown tool "${tool}"`,
      });
    // every call of a known tool, denied ones included, leaves the audit event its contract names
    const base = {
      type: "tool_call" as const,
      tool,
      input,
      evidence_ids: [] as string[],
      audit_event: contract.audit_event,
    };
    const scope = contract.scope;
    if (scope === "respond")
      return this.answer({
        ...base,
        scope,
        status: "denied",
        latency_ms: 0,
        note: "shadow mode: respond tools are never executed",
      });
    if (this.scope && !this.scope.has(tool))
      return this.answer({ ...base, scope, status: "denied", latency_ms: 0, note: "tool outside the agent's scope" });
    for (const [name, p] of Object.entries(contract.input))
      if (p.required && isEmpty(input[name]))
        return this.answer({
          ...base,
          scope,
          status: "error",
          latency_ms: 0,
          note: `missing required input "${name}"`,
        });
    if (this.unavailable.has(contract.source))
      return this.answer({
        ...base,
        scope,
        status: "unavailable",
        latency_ms: contract.latency_ms,
        note: `source ${contract.source} unavailable`,
      });

    const nth = this.callsPerTool.get(tool) ?? 0;
    this.callsPerTool.set(tool, nth + 1);
    const fault = faultFor(this.opts.faults, this.opts.seed, this.c.id, tool, nth);
    if (fault?.kind === "timeout")
      return this.answer({
        ...base,
        scope,
        status: "timeout",
        latency_ms: contract.timeout_ms,
        note: `no answer within ${contract.timeout_ms} ms`,
      });
    if (fault)
      return this.answer({
        ...base,
        scope,
        status: "error",
        latency_ms: contract.latency_ms,
        note: fault.kind === "rate_limit" ? "429 rate limited by the source" : "500 source error",
      });

    const records = this.c.evidence.filter((r) => r.source === contract.source && matches(r, contract, input));
    return this.answer(
      { ...base, scope, status: "ok", latency_ms: contract.latency_ms, evidence_ids: records.map((r) => r.id) },
      records,
    );
  }

  private answer(step: Omit<ToolCallStep, "time">, records: EvidenceRecord[] = []): ToolAnswer {
    this.clock += step.latency_ms;
    return { step: { ...step, time: new Date(this.clock).toISOString() }, records };
  }
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

function matches(r: EvidenceRecord, contract: ToolContract, input: Record<string, unknown>): boolean {
  for (const [name, p] of Object.entries(contract.input)) {
    const v = input[name];
    if (isEmpty(v)) continue;
    if (p.entity) {
      const want = String(v).toLowerCase();
      if (!r.entities.some((e) => e.type === p.entity && e.value.toLowerCase() === want)) return false;
    } else if (p.time) {
      const t = Date.parse(r.time);
      const bound = Date.parse(String(v));
      if (Number.isNaN(t) || Number.isNaN(bound)) continue;
      if (p.time === "since" ? t < bound : t > bound) return false;
    }
  }
  return true;
}

/** The tool result as a model sees it. */
export function toolResultContent(a: ToolAnswer): string {
  const { status, note } = a.step;
  return JSON.stringify({
    status,
    ...(note ? { note } : {}),
    records: a.records.map((r) => ({ id: r.id, source: r.source, time: r.time, entities: r.entities, data: r.data })),
  });
}
