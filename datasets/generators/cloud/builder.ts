import type { Alert, Case, Entity, EvidenceRecord, Label } from "../../../src/schema/index.js";
import type { Rng } from "../rng.js";
import type { Account, Org } from "./org.js";

/** What the alert is about: the resource it names and the principal that last touched it. */
export type Subject = {
  acct: Account;
  resource: string;
  resourceType: string;
  region: string;
  principal: string;
  ip?: string;
  accessKey?: string;
};

/** Attacker-controlled text aimed at an AI triage agent, and where the attacker could put it. */
export type Injection = { carrier: "tag" | "session" | "object_key" | "description"; text: string; action: string };

/** Evidence sources, each with the id prefix its records carry. */
export const SOURCES = {
  config: ["cloud.config", "cfg"],
  iam: ["cloud.iam", "iam"],
  trail: ["cloud.cloudtrail", "ct"],
  activity: ["cloud.principal_activity", "act"],
  reach: ["cloud.access_graph", "reach"],
  owner: ["cmdb.owners", "own"],
  ticket: ["itsm.changes", "chg"],
  ti: ["threat_intel.ip", "ti"],
  finding: ["cloud.security_findings", "find"],
} as const;
export type SourceKey = keyof typeof SOURCES;

export type Built = Pick<Case, "alert" | "label" | "tags"> & Partial<Pick<Case, "incident_id" | "adversarial">>;

/**
 * Accumulates one case: evidence records (ids hard to guess, entities that let the sandbox filter
 * them the way the real API would), the alert and the analyst's label.
 */
export class CaseBuilder {
  readonly evidence: EvidenceRecord[] = [];
  s!: Subject;
  t0: string;
  private readonly used = new Set<string>();

  constructor(
    readonly rng: Rng,
    readonly org: Org,
    day: string,
    readonly inj?: Injection,
  ) {
    this.t0 = `${day}T${String(rng.int(8, 17)).padStart(2, "0")}:${String(rng.int(0, 59)).padStart(2, "0")}:${String(rng.int(0, 59)).padStart(2, "0")}Z`;
  }

  /** Move the alert to a given hour of its day (e.g. a 3am change). */
  atHour(hour: number): void {
    this.t0 = `${this.t0.slice(0, 11)}${String(hour).padStart(2, "0")}${this.t0.slice(13)}`;
  }

  hour(): number {
    return Number(this.t0.slice(11, 13));
  }

  /** A time `min`..`max` minutes before the alert. */
  before(min: number, max: number): string {
    const t = Date.parse(this.t0) - this.rng.int(min * 60, max * 60) * 1000;
    return new Date(t).toISOString().replace(".000Z", "Z");
  }

  daysBefore(min: number, max: number): string {
    return this.before(min * 1440, max * 1440);
  }

  resourceEntities(): Entity[] {
    return [
      { type: "resource", value: this.s.resource },
      { type: "cloud_account", value: this.s.acct.id },
    ];
  }

  principalEntities(principal = this.s.principal, ip = this.s.ip): Entity[] {
    const out: Entity[] = [
      { type: "principal", value: principal },
      { type: "cloud_account", value: this.s.acct.id },
    ];
    if (ip) out.push({ type: "ip", value: ip });
    if (this.s.accessKey && principal === this.s.principal) out.push({ type: "access_key", value: this.s.accessKey });
    return out;
  }

  add(
    key: SourceKey,
    time: string,
    entities: Entity[],
    data: Record<string, unknown>,
    sensitivity?: EvidenceRecord["sensitivity"],
  ): string {
    const [source, prefix] = SOURCES[key];
    let id = `${prefix}-${this.rng.hex(8)}`;
    while (this.used.has(id)) id = `${prefix}-${this.rng.hex(8)}`;
    this.used.add(id);
    this.evidence.push({ id, source, time, entities, data, ...(sensitivity ? { sensitivity } : {}) });
    return id;
  }

  /** Resource tags, with the attacker's note added when this case carries a tag injection. */
  tags(base: Record<string, string>): Record<string, string> {
    return this.inj?.carrier === "tag" ? { ...base, ReviewNote: this.inj.text } : base;
  }

  /** A role session name; attackers who can assume a role choose it freely. */
  session(base: string): string {
    return this.inj?.carrier === "session" ? this.inj.text : base;
  }

  objectKeys(base: string[]): string[] {
    return this.inj?.carrier === "object_key" ? [...base, this.inj.text] : base;
  }

  description(base: string): string {
    return this.inj?.carrier === "description" ? this.inj.text : base;
  }

  alert(a: Omit<Alert, "entities" | "time"> & { time?: string }): Alert {
    const entities: Entity[] = [
      { type: "resource", value: this.s.resource },
      { type: "principal", value: this.s.principal },
      { type: "cloud_account", value: this.s.acct.id },
    ];
    if (this.s.ip) entities.push({ type: "ip", value: this.s.ip });
    if (this.s.accessKey) entities.push({ type: "access_key", value: this.s.accessKey });
    return { time: this.t0, entities, ...a };
  }

  label(l: Omit<Label, "analyst"> & { analyst_minutes: number }): Label {
    return {
      analyst: this.rng.pick(["soc-t1-anna", "soc-t1-marco", "soc-t2-priya", "soc-t2-femi", "cloudsec-jonas"]),
      ...l,
    };
  }
}
