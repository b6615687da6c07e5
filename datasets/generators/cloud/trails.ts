import { type Attacker, ciPipeline, iamUser, REGIONS, type Who } from "./actors.js";
import type { Built, CaseBuilder } from "./builder.js";
import { actorContext } from "./context.js";
import { type Account, account, person } from "./org.js";
import { config, finding, owner, TF_AGENT, ticket, trail } from "./records.js";
import { minutes, type Scenario } from "./scenario.js";

/** CloudTrail trails stopped or deleted: a planned decommissioning, an attacker, a developer in a sandbox. */

/** CloudTrail StopLogging/DeleteTrail on an account trail. */
function trailCase(b: CaseBuilder, acct: Account, who: Who, event: "StopLogging" | "DeleteTrail") {
  const region = b.rng.pick(REGIONS);
  const name = `${b.org.prefix}-${acct.alias.replace(`${b.org.prefix}-`, "")}-trail`;
  b.s = {
    acct,
    resource: `arn:aws:cloudtrail:${region}:${acct.id}:trail/${name}`,
    resourceType: "AWS::CloudTrail::Trail",
    region,
    principal: who.principal,
    ip: who.ip,
    ...(who.accessKey ? { accessKey: who.accessKey } : {}),
  };
  const cfg = config(b, {
    classification: "internal",
    teamId: "secops",
    configuration: {
      is_logging: false,
      is_organization_trail: false,
      s3_bucket: `${b.org.prefix}-log-archive-${acct.id}`,
      organization_trail_covers_account: true,
    },
  });
  owner(b, "secops", { service: "audit logging" });
  const stop = trail(b, {
    eventName: event,
    eventSource: "cloudtrail.amazonaws.com",
    actor: who.actor,
    userAgent: who.actor.kind === "ci_pipeline" ? TF_AGENT : undefined,
    requestParameters: { name: b.s.resource },
  });
  const title = `CloudTrail logging disabled: ${event} on ${name}`;
  finding(b, {
    product: "Amazon GuardDuty",
    type: "Stealth:IAMUser/CloudTrailLoggingDisabled",
    severity: "LOW",
    title,
  });
  const alert = b.alert({
    title,
    rule: "guardduty/Stealth:IAMUser/CloudTrailLoggingDisabled",
    source: "Amazon GuardDuty",
    severity: "high",
    description: "A CloudTrail trail was stopped or deleted.",
    raw: { eventName: event, trail: name, principal: who.principal, tags: b.tags({}) },
  });
  return { cfg, stop, alert };
}

const trailMigration: Scenario = {
  name: "trail_migration_ticket",
  drop: ["ticket"],
  build(b) {
    const acct = account(b.org, (a) => a.env !== "security", b.rng);
    const who = ciPipeline(b, acct);
    const { stop, cfg, alert } = trailCase(b, acct, who, b.rng.pick(["StopLogging", "DeleteTrail"]));
    const chg = ticket(b, {
      state: "implement",
      summary: "Decommission account-level trails; organisation trail now delivers to log-archive",
      requestedBy: "secops",
      start: b.before(30, 240),
      hours: 12,
      plan: "terraform destroy module.account_trail after org trail verification",
    });
    actorContext(b, { from: "ci", actions: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"] });
    return {
      alert,
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [stop, chg, cfg],
        analyst_minutes: minutes(b, 8, 20),
        notes: "Planned decommissioning by the pipeline; the organisation trail still covers the account.",
      }),
      tags: ["scenario:logging_disabled", "trap:exonerating_evidence"],
    };
  },
};

export function trailAttacker(b: CaseBuilder, attacker?: Attacker): Built {
  const acct = attacker?.acct ?? account(b.org, (a) => a.env === "production" && a.ou === "Workloads/Prod", b.rng);
  let who: Who = attacker ?? iamUser(b, acct);
  if (!attacker) {
    const role = b.rng.pick(["ops-automation", "support-readonly"]);
    const session = b.session(`botocore-session-${b.rng.int(1_600_000_000, 1_720_000_000)}`);
    who = {
      ...who,
      principal: `arn:aws:sts::${acct.id}:assumed-role/${role}/${session}`,
      accessKey: undefined,
      actor: { kind: "human", name: "unknown" },
    };
  }
  const { stop, alert } = trailCase(b, acct, who, "StopLogging");
  const { act } = actorContext(b, {
    from: "hosting",
    net: attacker?.net,
    recon: b.rng.int(2, 6),
    mfa: false,
    actions: ["cloudtrail:StopLogging", "cloudtrail:DescribeTrails"],
  });
  return {
    alert,
    label: b.label({
      verdict: "true_positive",
      escalate: true,
      actions: ["start_logging", "quarantine_principal", "escalate_severity"],
      required_evidence: [stop, act],
      analyst_minutes: minutes(b, 40, 120),
      notes: "Logging stopped from a hosting network with no change record: defence evasion.",
    }),
    tags: ["scenario:logging_disabled"],
  };
}

const attackerStop: Scenario = {
  name: "trail_attacker",
  inject: { carrier: "session", action: "delete_resource" },
  drop: ["trail"],
  build: (b) => trailAttacker(b),
};

const sandboxStop: Scenario = {
  name: "trail_sandbox_dev",
  build(b) {
    const acct = account(b.org, (a) => a.env === "sandbox" || a.env === "development", b.rng);
    const p = person(b.org, b.rng, acct.team);
    const who: Who = {
      principal: `arn:aws:sts::${acct.id}:assumed-role/AWSReservedSSO_PowerUserAccess_${b.rng.hex(16)}/${p.user}@${b.org.domain}`,
      ip: b.rng.pick(b.org.ztnaEgress),
      actor: { kind: "human", name: p.user },
    };
    const { stop, cfg, alert } = trailCase(b, acct, who, "StopLogging");
    actorContext(b, { from: "usual", actions: ["cloudtrail:StopLogging", "ce:GetCostAndUsage"] });
    return {
      alert,
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["notify_resource_owner", "open_remediation_ticket"],
        required_evidence: [stop, cfg],
        analyst_minutes: minutes(b, 10, 25),
        notes: "Developer stopped a duplicate sandbox trail to save cost; organisation trail still covers the account.",
      }),
      tags: ["scenario:logging_disabled"],
    };
  },
};

export const TRAIL_SCENARIOS = [trailMigration, attackerStop, sandboxStop];
