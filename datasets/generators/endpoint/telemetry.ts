import type { Entity, EvidenceRecord } from "../../../src/schema/index.js";
import type { Rng } from "../rng.js";
import { type Binary, baseName, type Catalog } from "./catalog.js";
import type { Host, User } from "./org.js";

export type Proc = {
  guid: string;
  pid: number;
  bin: Binary;
  cmd: string;
  user: string;
  time: string;
  parent?: Proc;
  integrity: string;
  dir?: string;
  decoded?: string;
  access?: { target_image: string; granted_access: string }[];
};

export type ProcOpts = Partial<Pick<Proc, "parent" | "user" | "integrity" | "dir" | "decoded" | "access">> & {
  at?: number;
};

/**
 * The telemetry half of a case under construction: one helper per evidence source, each writing
 * records with the entities (host, process GUID, hash, IP, account) the tool sandbox filters on.
 */
export class Telemetry {
  readonly evidence: EvidenceRecord[] = [];

  constructor(
    readonly rng: Rng,
    readonly cat: Catalog,
    readonly time: string,
    readonly host: Host,
    readonly user: User,
  ) {}

  /** ISO time `sec` seconds from the alert (negative: before it). */
  at(sec: number): string {
    return new Date(Date.parse(this.time) + sec * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  add(prefix: string, source: string, time: string, entities: Entity[], data: Record<string, unknown>, secret = false) {
    const id = `${prefix}-${this.rng.hex(8)}`;
    this.evidence.push({ id, source, time, entities, data, ...(secret ? { sensitivity: "secret" as const } : {}) });
    return id;
  }

  hostEntity(): Entity {
    return { type: "host", value: this.host.name };
  }

  rep(
    bin: Binary,
    o: { verdict?: string; positives?: number; names?: string[]; prevalence?: number; firstSeen?: string } = {},
  ): string {
    const verdict = o.verdict ?? "clean";
    return this.add(
      "rep",
      "ti.file_reputation",
      this.at(this.rng.int(5, 60)),
      [{ type: "file_hash", value: bin.sha256 }],
      {
        sha256: bin.sha256,
        file_name: baseName(bin.image),
        verdict,
        positives: o.positives ?? 0,
        engines: 72,
        threat_names: o.names ?? [],
        signer: bin.signer || null,
        signature_status: bin.status,
        prevalence_org: o.prevalence ?? bin.prevalence,
        first_seen_org: o.firstSeen ?? (bin.firstSeen || this.at(-this.rng.int(60, 900))),
      },
    );
  }

  net(
    p: Proc,
    o: { ip: string; port: number; domain?: string; sent?: number; received?: number; at?: number; inbound?: boolean },
  ): string {
    const local = this.host.ip;
    return this.add(
      "net",
      "edr.network",
      this.at(o.at ?? this.rng.int(1, 90)),
      [this.hostEntity(), { type: "process", value: p.guid }, { type: "ip", value: o.ip }],
      {
        direction: o.inbound ? "inbound" : "outbound",
        protocol: "tcp",
        local_ip: local,
        local_port: this.rng.int(49152, 65000),
        remote_ip: o.ip,
        remote_port: o.port,
        remote_domain: o.domain ?? null,
        image: p.bin.image,
        process_guid: p.guid,
        bytes_sent: o.sent ?? this.rng.int(400, 9000),
        bytes_received: o.received ?? this.rng.int(800, 60000),
        action: "allowed",
      },
    );
  }

  ipRep(
    ip: string,
    o: {
      verdict: string;
      confidence: number;
      categories: string[];
      asOrg: string;
      feed: string;
      lastSeenDays?: number;
    },
  ): string {
    return this.add("iprep", "ti.ip_reputation", this.at(this.rng.int(5, 60)), [{ type: "ip", value: ip }], {
      ip,
      verdict: o.verdict,
      confidence: o.confidence,
      categories: o.categories,
      asn: `AS${this.rng.int(64496, 64511)}`,
      as_org: o.asOrg,
      feed: o.feed,
      last_seen: o.verdict === "unknown" ? null : this.at(-86400 * (o.lastSeenDays ?? this.rng.int(0, 3))),
    });
  }

  file(p: Proc, path: string, o: { action?: string; sha256?: string; size?: number; at?: number } = {}): string {
    const entities: Entity[] = [this.hostEntity(), { type: "process", value: p.guid }];
    if (o.sha256) entities.push({ type: "file_hash", value: o.sha256 });
    return this.add("file", "edr.file_events", this.at(o.at ?? this.rng.int(1, 60)), entities, {
      action: o.action ?? "created",
      path,
      sha256: o.sha256 ?? null,
      size_bytes: o.size ?? this.rng.int(2000, 900000),
      image: p.bin.image,
      process_guid: p.guid,
    });
  }

  persist(o: {
    mechanism: string;
    name: string;
    location: string;
    command: string;
    by?: Proc;
    prevalence: number;
    firstSeen?: string;
    signer?: string;
    description?: string;
  }): string {
    const entities: Entity[] = [this.hostEntity()];
    if (o.by) entities.push({ type: "process", value: o.by.guid });
    const data: Record<string, unknown> = {
      mechanism: o.mechanism,
      name: o.name,
      location: o.location,
      command: o.command,
      created_by_image: o.by?.bin.image ?? null,
      created_by_process_guid: o.by?.guid ?? null,
      first_seen: o.firstSeen ?? this.at(this.rng.int(5, 120)),
      prevalence_in_org: o.prevalence,
      target_signer: o.signer ?? null,
    };
    if (o.description) data.description = o.description;
    return this.add("pers", "edr.persistence", String(data.first_seen), entities, data);
  }

  ticket(o: {
    category: string;
    title: string;
    state?: string;
    hosts?: string[];
    accounts?: string[];
    ci?: string[];
    description: string;
    requestedBy: string;
    startDays?: number;
    days?: number;
  }): string {
    const id = `CHG00${this.rng.int(41000, 58999)}`;
    const hosts = o.hosts ?? [this.host.name];
    const start = this.at(-86400 * (o.startDays ?? this.rng.int(1, 5)) - 3600 * this.rng.int(0, 8));
    const end = new Date(Date.parse(start) + 86400000 * (o.days ?? this.rng.int(3, 14))).toISOString();
    return this.add(
      "chg",
      "itsm.changes",
      start,
      [
        ...hosts.map((h) => ({ type: "host", value: h })),
        ...(o.accounts ?? []).map((a) => ({ type: "account", value: a })),
      ],
      {
        change_id: id,
        title: o.title,
        category: o.category,
        state: o.state ?? "approved",
        window_start: start,
        window_end: end.replace(/\.\d{3}Z$/, "Z"),
        requested_by: o.requestedBy,
        implementers: o.accounts ?? [],
        configuration_items: o.ci ?? hosts,
        description: o.description,
      },
    );
  }
}
