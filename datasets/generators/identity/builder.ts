import type { Entity, EvidenceRecord } from "../../../src/schema/index.js";
import type { Rng } from "../rng.js";
import type { People } from "./people.js";
import { type Device, guid, type Net, type User } from "./world.js";

/** ISO time `minutes` after `iso` (negative: before), second precision. */
export function shift(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + Math.round(minutes * 60) * 1000).toISOString().replace(".000Z", "Z");
}

export const SOURCES = {
  signins: "idp.signins",
  risk: "idp.risk_detections",
  ip: "net.ip_intel",
  devices: "mdm.devices",
  mfa: "idp.mfa",
  audit: "idp.audit",
  sessions: "idp.sessions",
  directory: "directory.users",
  travel: "hr.travel",
  saas: "saas.audit",
} as const;

const PREFIX: Record<string, string> = {
  [SOURCES.signins]: "sgn",
  [SOURCES.risk]: "rsk",
  [SOURCES.ip]: "ipx",
  [SOURCES.devices]: "dev",
  [SOURCES.mfa]: "mfa",
  [SOURCES.audit]: "aud",
  [SOURCES.sessions]: "ses",
  [SOURCES.directory]: "dir",
  [SOURCES.travel]: "trv",
  [SOURCES.saas]: "saa",
};

/** Collects one case's evidence records under ids that are unique in the case and hard to guess. */
export class CaseBuilder {
  readonly evidence: EvidenceRecord[] = [];
  private readonly ids = new Set<string>();
  constructor(
    readonly rng: Rng,
    readonly people: People,
    public user: User,
    readonly t0: string,
  ) {}

  add(
    source: string,
    time: string,
    entities: Entity[],
    data: Record<string, unknown>,
    sensitivity?: EvidenceRecord["sensitivity"],
  ): string {
    let id: string;
    do id = `${PREFIX[source] ?? "evd"}-${this.rng.hex(8)}`;
    while (this.ids.has(id));
    this.ids.add(id);
    this.evidence.push({ id, source, time, entities, data, ...(sensitivity ? { sensitivity } : {}) });
    return id;
  }

  /** scenarios that need the user's own devices healthy (a traveller, a VPN user) ask for this */
  withCompliantDevices(): void {
    this.user = {
      ...this.user,
      laptop: { ...this.user.laptop, compliant: true },
      phone: { ...this.user.phone, compliant: true },
    };
  }

  account(): Entity {
    return { type: "account", value: this.user.upn };
  }
}

export type SignIn = {
  time: string;
  net: Net;
  ip: string;
  device: Device | null;
  ua: string;
  app?: string;
  clientApp?: string;
  result?: "success" | "failure";
  errorCode?: number;
  failure?: string;
  mfa: { required: boolean; method: string | null; result: string };
  session?: string;
  risk?: "none" | "low" | "medium" | "high";
  conditionalAccess?: "success" | "failure" | "notApplied";
};

export function signin(b: CaseBuilder, s: SignIn): string {
  const session = s.session ?? guid(b.rng);
  const entities: Entity[] = [b.account(), { type: "ip", value: s.ip }, { type: "session", value: session }];
  if (s.device) entities.push({ type: "device", value: s.device.id });
  return b.add(SOURCES.signins, s.time, entities, {
    user_principal_name: b.user.upn,
    app: s.app ?? b.rng.pick(["Office 365 Exchange Online", "Microsoft Teams", "OfficeHome", "SharePoint Online"]),
    client_app: s.clientApp ?? "Browser",
    ip: s.ip,
    asn: s.net.asn,
    as_org: s.net.org,
    country: s.net.place.country,
    city: s.net.place.city,
    user_agent: s.ua,
    result: s.result ?? "success",
    error_code: s.errorCode ?? 0,
    ...(s.failure ? { failure_reason: s.failure } : {}),
    mfa: s.mfa,
    device: s.device
      ? {
          id: s.device.id,
          display_name: s.device.name,
          os: s.device.os,
          managed: s.device.managed,
          compliant: s.device.compliant,
          trust_type: s.device.kind === "laptop" ? "Entra joined" : "Entra registered",
        }
      : { id: null, display_name: null, os: null, managed: false, compliant: false, trust_type: null },
    conditional_access: s.conditionalAccess ?? "success",
    session_id: session,
    correlation_id: guid(b.rng),
    risk_level_during_signin: s.risk ?? "none",
  });
}

export type IpIntel = {
  ti?: { feeds: string[]; category: string; confidence: number; firstSeen: string };
  sharedNat?: boolean;
  usersSeen30d?: number;
  note?: string;
};

export function ipIntel(b: CaseBuilder, ip: string, net: Net, o: IpIntel = {}): string {
  return b.add(SOURCES.ip, shift(b.t0, 2), [{ type: "ip", value: ip }], {
    ip,
    asn: net.asn,
    as_org: net.org,
    network_type: net.type,
    country: net.place.country,
    city: net.place.city,
    privacy_vpn: net.privacyVpn ?? false,
    org_owned: net.orgOwned ?? false,
    shared_nat: o.sharedNat ?? net.type === "mobile_carrier",
    ti_listed: o.ti !== undefined,
    ti_feeds: o.ti?.feeds ?? [],
    ti_category: o.ti?.category ?? null,
    ti_confidence: o.ti?.confidence ?? 0,
    ti_first_seen: o.ti?.firstSeen ?? null,
    tenant_users_seen_30d: o.usersSeen30d ?? 0,
    ...(o.note ? { note: o.note } : {}),
  });
}

export function risk(b: CaseBuilder, detection: string, level: string, ip: string, net: Net, extra = {}): string {
  return b.add(SOURCES.risk, shift(b.t0, -1), [b.account(), { type: "ip", value: ip }], {
    detection,
    risk_level: level,
    risk_state: "atRisk",
    detection_timing: ["impossibleTravel", "anomalousToken", "passwordSpray"].includes(detection)
      ? "offline"
      : "realtime",
    ip,
    location: { city: net.place.city, country: net.place.country },
    ...extra,
  });
}

export function deviceRecord(b: CaseBuilder, d: Device, o: { edr?: boolean; note?: string } = {}): string {
  return b.add(SOURCES.devices, shift(b.t0, -b.rng.int(30, 900)), [b.account(), { type: "device", value: d.id }], {
    device_id: d.id,
    display_name: d.name,
    os: d.os,
    ownership: d.ownership,
    managed: d.managed,
    compliant: d.compliant,
    compliance_state: d.compliant ? "compliant" : d.managed ? "noncompliant" : "not_evaluated",
    noncompliance_reasons: d.compliant
      ? []
      : d.managed
        ? [b.rng.pick(["OS update overdue", "Disk encryption off"])]
        : [],
    primary_user: b.user.upn,
    edr_onboarded: o.edr ?? d.kind === "laptop",
    enrolled_at: shift(b.t0, -b.rng.int(40, 700) * 1440).slice(0, 10),
    ...(o.note ? { note: o.note } : {}),
  });
}

export function directoryRecord(b: CaseBuilder): string {
  const u = b.user;
  const tier =
    u.kind === "executive"
      ? "executive"
      : u.kind === "privileged" || u.kind === "break_glass"
        ? "privileged"
        : "standard";
  return b.add(SOURCES.directory, shift(b.t0, -b.rng.int(60, 6000)), [b.account()], {
    user_principal_name: u.upn,
    display_name: u.name,
    title: u.title,
    department: u.department,
    office: `${u.office.city}, ${u.office.country}`,
    account_type: u.kind === "break_glass" ? "break_glass" : u.kind === "service" ? "service" : "member",
    account_enabled: true,
    privileged_roles: u.roles,
    is_executive: u.kind === "executive",
    tier,
    usual_countries: [u.office.country],
  });
}

export function mfaInventory(b: CaseBuilder, methods = b.user.mfaMethods): string {
  return b.add(SOURCES.mfa, shift(b.t0, 1), [b.account()], {
    event: "method_inventory",
    methods,
    default_method: methods[0] ?? null,
    last_changed: shift(b.t0, -b.rng.int(20, 400) * 1440).slice(0, 10),
  });
}

export function saas(b: CaseBuilder, time: string, ip: string, data: Record<string, unknown>): string {
  return b.add(SOURCES.saas, time, [b.account(), { type: "ip", value: ip }], { client_ip: ip, ...data });
}

export function audit(b: CaseBuilder, time: string, data: Record<string, unknown>, secret = false): string {
  return b.add(SOURCES.audit, time, [b.account()], data, secret ? "secret" : undefined);
}
