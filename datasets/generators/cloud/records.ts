import type { CaseBuilder } from "./builder.js";
import { type Network, type Pipeline, type Team, team } from "./org.js";

/**
 * Record makers for the nine evidence sources, in the field names each system uses. Every maker
 * puts on the record the entities the matching tool filters by (resource, principal or ip).
 */

export type Classification = "public" | "internal" | "confidential" | "restricted";

export function config(
  b: CaseBuilder,
  o: {
    classification: Classification;
    teamId: string;
    configuration: Record<string, unknown>;
    tags?: Record<string, string>;
    criticality?: "low" | "medium" | "high" | "crown_jewel";
    compliance?: string[];
  },
): string {
  const s = b.s;
  const criticality = o.criticality ?? (s.acct.env === "production" ? "high" : "low");
  return b.add("config", b.before(3, 40), b.resourceEntities(), {
    resource_type: s.resourceType,
    arn: s.resource,
    account_id: s.acct.id,
    account_alias: s.acct.alias,
    organizational_unit: s.acct.ou,
    environment: s.acct.env,
    region: s.region,
    data_classification: o.classification,
    criticality,
    compliance_scope: o.compliance ?? [],
    tags: b.tags({
      Environment: s.acct.env,
      Owner: o.teamId,
      DataClassification: o.classification,
      ManagedBy: b.rng.pick(["terraform", "terraform", "cloudformation", "console"]),
      ...o.tags,
    }),
    configuration: o.configuration,
    configuration_item_status: "OK",
  });
}

export function owner(
  b: CaseBuilder,
  teamId: string,
  o: { service: string; exceptions?: Record<string, unknown>[] } = { service: "unknown" },
): string {
  const t: Team = team(b.org, teamId);
  return b.add("owner", b.daysBefore(20, 200), b.resourceEntities(), {
    resource: b.s.resource,
    owning_team: t.name,
    business_service: o.service,
    on_call: t.oncall,
    escalation_channel: t.channel,
    exceptions: o.exceptions ?? [],
    last_reviewed: b.daysBefore(20, 200).slice(0, 10),
  });
}

export type Actor =
  | { kind: "human"; name: string }
  | { kind: "ci_pipeline"; name: string; pipeline: Pipeline & { ref: string; run_id: string } }
  | { kind: "service"; name: string }
  | { kind: "root"; name: string };

/** A stable 17-character IAM unique id for a name (real ones are random; these must be reproducible). */
function uniqueId(name: string, acct: string): string {
  let h = 2166136261;
  for (const ch of `${acct}/${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  let out = "";
  for (let i = 0; i < 17; i++) {
    h = Math.imul(h ^ i, 2654435761) >>> 0;
    out += "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[h % 32];
  }
  return out;
}

/** userIdentity as CloudTrail writes it, derived from the principal ARN. */
function userIdentity(principal: string, acct: string, accessKey: string | undefined, mfa: boolean) {
  const role = principal.match(/assumed-role\/([^/]+)\/(.+)$/);
  if (role) {
    const path = role[1]!.startsWith("AWSReservedSSO_") ? "aws-reserved/sso.amazonaws.com/" : "";
    return {
      type: "AssumedRole",
      principalId: `AROA${uniqueId(role[1]!, acct)}:${role[2]}`,
      arn: principal,
      accountId: acct,
      sessionContext: {
        sessionIssuer: { type: "Role", arn: `arn:aws:iam::${acct}:role/${path}${role[1]}`, userName: role[1] },
        attributes: { mfaAuthenticated: String(mfa) },
      },
    };
  }
  if (principal === "ANONYMOUS_PRINCIPAL") return { type: "AWSAccount", principalId: "", accountId: principal };
  if (principal.endsWith(":root"))
    return { type: "Root", principalId: acct, arn: principal, accountId: acct, accessKeyId: accessKey ?? "" };
  return {
    type: "IAMUser",
    principalId: `AIDA${uniqueId(principal, acct)}`,
    arn: principal,
    accountId: acct,
    userName: principal.split("/").pop(),
    accessKeyId: accessKey ?? "",
  };
}

export function trail(
  b: CaseBuilder,
  o: {
    eventName: string;
    eventSource: string;
    actor: Actor;
    time?: string;
    principal?: string;
    ip?: string;
    userAgent?: string;
    requestParameters?: Record<string, unknown>;
    responseElements?: Record<string, unknown> | null;
    errorCode?: string;
    readOnly?: boolean;
    mfa?: boolean;
  },
): string {
  const s = b.s;
  const time = o.time ?? b.before(4, 25);
  const principal = o.principal ?? s.principal;
  const ip = o.ip ?? s.ip ?? b.rng.ipv4Public();
  const hour = Number(time.slice(11, 13));
  const entities = [...b.resourceEntities(), { type: "principal", value: principal }];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) entities.push({ type: "ip", value: ip });
  return b.add("trail", time, entities, {
    eventVersion: "1.09",
    eventTime: time,
    eventSource: o.eventSource,
    eventName: o.eventName,
    awsRegion: s.region === "global" ? "us-east-1" : s.region,
    sourceIPAddress: ip,
    userAgent: o.userAgent ?? "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
    userIdentity: userIdentity(principal, s.acct.id, principal === s.principal ? s.accessKey : undefined, !!o.mfa),
    requestParameters: o.requestParameters ?? {},
    responseElements: o.responseElements ?? null,
    ...(o.errorCode ? { errorCode: o.errorCode } : {}),
    readOnly: o.readOnly ?? false,
    eventType: "AwsApiCall",
    recipientAccountId: s.acct.id,
    enrichment: {
      actor_kind: o.actor.kind,
      actor: o.actor.name,
      ...(o.actor.kind === "ci_pipeline" ? { pipeline: o.actor.pipeline } : {}),
      local_hour: hour,
      off_hours: hour < 7 || hour >= 20,
    },
  });
}

export const TF_AGENT =
  "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0";
export const CONSOLE_AGENT = "AWS Internal";

/** Routine read-only calls by AWS Config and Security Hub around the resource, plus an old ticket. */
export function noise(b: CaseBuilder, reads: string[], eventSource: string): void {
  const n = b.rng.int(1, 2);
  for (let i = 0; i < n; i++)
    trail(b, {
      eventName: b.rng.pick(reads),
      eventSource,
      actor: { kind: "service", name: "AWS Config" },
      principal: `arn:aws:sts::${b.s.acct.id}:assumed-role/AWSServiceRoleForConfig/AWSConfig-Describe`,
      ip: "config.amazonaws.com",
      userAgent: "config.amazonaws.com",
      readOnly: true,
      time: b.before(30, 600),
    });
  if (b.rng.chance(0.5))
    ticket(b, {
      state: "closed",
      summary: `Quarterly tagging and cost-allocation review for ${b.s.resource.split(/[:/]/).pop()}`,
      requestedBy: "platform-infra",
      start: b.daysBefore(60, 160),
      hours: 48,
    });
}

export function ticket(
  b: CaseBuilder,
  o: {
    state: "scheduled" | "implement" | "review" | "closed" | "canceled" | "new";
    summary: string;
    requestedBy: string;
    start: string;
    hours: number;
    type?: "standard" | "normal" | "emergency";
    plan?: string;
  },
): string {
  const end = new Date(Date.parse(o.start) + o.hours * 3600_000).toISOString().replace(".000Z", "Z");
  return b.add("ticket", o.start, b.resourceEntities(), {
    number: `CHG${String(b.rng.int(30000, 79999)).padStart(7, "0")}`,
    type: o.type ?? "normal",
    state: o.state,
    approval: o.state === "canceled" ? "rejected" : o.state === "new" ? "requested" : "approved",
    short_description: o.summary,
    requested_by: o.requestedBy,
    assignment_group: "Cloud Change Advisory",
    planned_start: o.start,
    planned_end: end,
    configuration_items: [b.s.resource],
    ...(o.plan ? { implementation_plan: o.plan } : {}),
  });
}

export function activity(
  b: CaseBuilder,
  o: {
    net: Network;
    newAsn: boolean;
    usual: Network[];
    geo: { country: string; city: string };
    topActions: string[];
    recon: number;
    denied: number;
    total: number;
    mfa: boolean;
    userAgent?: string;
  },
): string {
  const s = b.s;
  return b.add("activity", b.before(1, 20), b.principalEntities(), {
    principal: s.principal,
    ...(s.accessKey ? { access_key_id: s.accessKey } : {}),
    window_hours: 24,
    source_ip: s.ip,
    asn: o.net.asn,
    as_org: o.net.org,
    asn_type: o.net.kind,
    geo: o.geo,
    new_asn: o.newAsn,
    usual_asns: o.usual.map((n) => `AS${n.asn} ${n.org}`),
    api_calls: { total: o.total, access_denied: o.denied, distinct_actions: o.topActions.length + b.rng.int(0, 9) },
    recon_calls: o.recon,
    top_actions: o.topActions,
    mfa_authenticated: o.mfa,
    user_agent: o.userAgent ?? "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64",
  });
}

export function reach(
  b: CaseBuilder,
  o: {
    permissions: string;
    admin: boolean;
    counts: { s3_buckets: number; kms_keys: number; secrets: number; rds_instances: number };
    crownJewels?: string[];
    external?: { account_id: string; in_organization: boolean; known_partner: boolean; name: string | null }[];
  },
): string {
  const ext = o.external ?? [];
  return b.add("reach", b.before(1, 15), b.principalEntities().slice(0, 2), {
    principal: b.s.principal,
    effective_permissions: o.permissions,
    admin_equivalent: o.admin,
    can_reach: o.counts,
    crown_jewels_reachable: o.crownJewels ?? [],
    external_access: ext,
    unknown_external_accounts: ext.filter((e) => !e.in_organization && !e.known_partner).length,
  });
}

export function ti(
  b: CaseBuilder,
  ip: string,
  o: {
    verdict: "malicious" | "suspicious" | "benign" | "unknown";
    confidence: number;
    categories: string[];
    net: Network;
  },
): string {
  const listed = o.verdict === "malicious" || o.verdict === "suspicious";
  return b.add("ti", b.before(1, 10), [{ type: "ip", value: ip }], {
    indicator: ip,
    verdict: o.verdict,
    confidence: o.confidence,
    categories: o.categories,
    feeds: listed ? b.rng.sample(["abuse-ch-mirror", "osint-blocklist-7", "vendor-feed-A", "honeynet-42"], 2) : [],
    asn: o.net.asn,
    as_org: o.net.org,
    first_seen: listed ? b.daysBefore(2, 400).slice(0, 10) : null,
    last_seen: listed ? b.daysBefore(0, 3).slice(0, 10) : null,
  });
}

/** The finding type as the product spells it: everything after the product prefix of a rule id. */
export const findingType = (rule: string): string => rule.slice(rule.indexOf("/") + 1);

export function finding(
  b: CaseBuilder,
  o: { product: string; type: string; severity: string; title: string; time?: string; count?: number },
): string {
  return b.add("finding", o.time ?? b.before(1, 5), b.resourceEntities(), {
    product: o.product,
    type: o.type,
    severity: o.severity,
    title: o.title,
    workflow_status: "NEW",
    resource: b.s.resource,
    count: o.count ?? 1,
  });
}
