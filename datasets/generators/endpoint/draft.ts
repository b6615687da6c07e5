import type { Alert, Entity, Label, Severity, Verdict } from "../../../src/schema/index.js";
import type { Rng } from "../rng.js";
import { type Binary, baseName, type Catalog } from "./catalog.js";
import type { Host, User } from "./org.js";
import { type Proc, type ProcOpts, Telemetry } from "./telemetry.js";

function descends(p: Proc, from: Proc): boolean {
  for (let q = p.parent; q; q = q.parent) if (q === from) return true;
  return false;
}

export type HumanOnly = "domain_controller" | "crown_jewel" | "tier0_account";

export type { Proc, ProcOpts };

/** One case under construction: its process tree, alert, label and trap bookkeeping. */
export class CaseDraft extends Telemetry {
  readonly tags = new Set<string>();
  unavailable: string[] = [];
  incident?: string;
  injected?: string;
  /** a credential seen in telemetry: kept in its secret record, masked in the alert as a SIEM would */
  secret?: { kind: string; value: string };
  alert?: Alert;
  label?: Label;
  userRecord = "";
  assetRecord = "";

  constructor(
    rng: Rng,
    cat: Catalog,
    time: string,
    host: Host,
    user: User,
    readonly humanOnly?: HumanOnly,
  ) {
    super(rng, cat, time, host, user);
  }

  guid(): string {
    const r = this.rng;
    return `{${this.host.guidPrefix}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}}`;
  }

  proc(bin: Binary, cmd: string, o: ProcOpts = {}): Proc {
    return {
      guid: this.guid(),
      pid: this.rng.int(300, 14000),
      bin,
      cmd,
      user: o.user ?? this.user.account,
      time: this.at(o.at ?? -this.rng.int(2, 40)),
      parent: o.parent,
      integrity: o.integrity ?? "Medium",
      dir: o.dir,
      decoded: o.decoded,
      access: o.access,
    };
  }

  /** Writes the tree around the alerting process; every node answers a query for the alert's guid. */
  tree(alert: Proc, others: Proc[], secret?: Proc): Map<Proc, string> {
    const ancestors = new Set<Proc>();
    for (let p = alert.parent; p; p = p.parent) ancestors.add(p);
    const ids = new Map<Proc, string>();
    for (const p of [...ancestors].reverse().concat([alert], others)) {
      const relation =
        p === alert
          ? "alert"
          : p === alert.parent
            ? "parent"
            : ancestors.has(p)
              ? "ancestor"
              : descends(p, alert)
                ? "descendant"
                : "related";
      const entities: Entity[] = [
        this.hostEntity(),
        { type: "process", value: p.guid },
        ...(p === alert ? [] : [{ type: "process", value: alert.guid }]),
        { type: "file_hash", value: p.bin.sha256 },
        { type: "account", value: p.user },
      ];
      const data: Record<string, unknown> = {
        relation,
        image: p.bin.image,
        command_line: p.cmd,
        pid: p.pid,
        process_guid: p.guid,
        parent_image: p.parent?.bin.image ?? "",
        parent_pid: p.parent?.pid ?? 0,
        parent_process_guid: p.parent?.guid ?? "",
        user: p.user,
        integrity_level: p.integrity,
        sha256: p.bin.sha256,
        signer: p.bin.signer,
        signature_status: p.bin.status,
        start_time: p.time,
      };
      if (p.dir) data.current_directory = p.dir;
      if (p.decoded) data.decoded_command = p.decoded;
      if (p.access) data.cross_process = p.access;
      if (p === secret && this.secret) data.secrets_detected = [this.secret];
      ids.set(p, this.add("proc", "edr.process_tree", p.time, entities, data, p === secret));
    }
    return ids;
  }

  setAlert(o: {
    title: string;
    rule: string;
    severity: Severity;
    proc: Proc;
    ip?: string;
    description: string;
    product?: string;
    raw?: Record<string, unknown>;
  }): void {
    const p = o.proc;
    const entities: Entity[] = [
      this.hostEntity(),
      { type: "account", value: this.user.account },
      { type: "process", value: p.guid },
      { type: "file_hash", value: p.bin.sha256 },
    ];
    if (o.ip) entities.push({ type: "ip", value: o.ip });
    this.alert = {
      title: o.title,
      rule: o.rule,
      source:
        o.product ??
        this.rng.pick(["Microsoft Defender for Endpoint", "CrowdStrike Falcon", "SentinelOne Singularity"]),
      severity: o.severity,
      time: this.time,
      entities,
      description: o.description,
      raw: {
        alert_id: `da${this.rng.hex(16)}_${this.rng.int(100000000, 999999999)}`,
        detection: o.rule,
        device_name: this.host.fqdn,
        account_name: this.user.account,
        file_name: baseName(p.bin.image),
        folder_path: p.bin.image.slice(0, p.bin.image.lastIndexOf("\\")),
        sha256: p.bin.sha256,
        process_command_line: this.mask(p.cmd),
        process_id: p.pid,
        parent_file_name: p.parent ? baseName(p.parent.bin.image) : null,
        parent_command_line: p.parent ? this.mask(p.parent.cmd) : null,
        ...(o.ip ? { remote_ip: o.ip } : {}),
        ...o.raw,
      },
    };
  }

  private mask(text: string): string {
    return this.secret ? text.split(this.secret.value).join("********") : text;
  }

  setLabel(
    verdict: Verdict,
    escalate: boolean,
    actions: string[],
    required: string[],
    minutes: [number, number],
    notes: string,
  ) {
    this.label = {
      verdict,
      escalate,
      actions,
      required_evidence: required,
      analyst_minutes: this.rng.int(minutes[0], minutes[1]),
      notes,
    };
  }

  /** Human-only assets and accounts: no automatic isolation or reimage, whatever the verdict. */
  critical(): boolean {
    return this.humanOnly !== undefined;
  }
}
