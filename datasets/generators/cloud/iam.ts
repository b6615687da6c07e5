import { type Attacker, ciPipeline, iamUser, ssoHuman, type Who } from "./actors.js";
import type { Built, CaseBuilder } from "./builder.js";
import { actorContext } from "./context.js";
import { type Account, account } from "./org.js";
import { adminAll, analysis, doc, type PolicyDocument, regionGuardrail, serviceWildcard } from "./policies.js";
import { config, finding, findingType, noise, owner, TF_AGENT, trail } from "./records.js";
import { minutes, type Scenario } from "./scenario.js";

const IAM = "iam.amazonaws.com";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

function iamSubject(b: CaseBuilder, acct: Account, kind: "role" | "policy" | "user", name: string, who: Who): void {
  b.s = {
    acct,
    resource: `arn:aws:iam::${acct.id}:${kind}/${name}`,
    resourceType: kind === "role" ? "AWS::IAM::Role" : kind === "user" ? "AWS::IAM::User" : "AWS::IAM::ManagedPolicy",
    region: "global",
    principal: who.principal,
    ip: who.ip,
    ...(who.accessKey ? { accessKey: who.accessKey } : {}),
  };
}

function policyRecord(
  b: CaseBuilder,
  document: PolicyDocument,
  a: Parameters<typeof analysis>[0],
  extra: Record<string, unknown> = {},
): string {
  return b.add("iam", b.before(2, 30), b.resourceEntities(), {
    policy_type: extra.policy_type ?? "identity_policy",
    attached_to: b.s.resource,
    ...extra,
    document,
    analysis: analysis(a),
  });
}

function iamAlert(
  b: CaseBuilder,
  o: {
    title: string;
    rule: string;
    source: string;
    severity: "low" | "medium" | "high" | "critical";
    description: string;
  },
) {
  finding(b, { product: o.source, type: findingType(o.rule), severity: o.severity.toUpperCase(), title: o.title });
  return b.alert({ ...o, raw: { ...o, resource: b.s.resource, principal: b.s.principal, tags: b.tags({}) } });
}

const denyGuardrail: Scenario = {
  name: "iam_deny_guardrail",
  build(b) {
    const acct = account(b.org, () => true, b.rng);
    const who = ciPipeline(b, acct);
    iamSubject(b, acct, "policy", `${b.org.prefix}-region-guardrail`, who);
    config(b, {
      classification: "internal",
      teamId: "secops",
      configuration: { attachment_count: b.rng.int(3, 40), default_version: `v${b.rng.int(2, 9)}` },
    });
    const pol = policyRecord(b, doc(regionGuardrail(["eu-west-1", "eu-central-1"])), {
      wildcard_action: true,
      grants_admin: false,
      validation_findings: ["Wildcard action appears only in a Deny statement"],
    });
    owner(b, "secops", { service: "cloud guardrails" });
    trail(b, {
      eventName: "CreatePolicyVersion",
      eventSource: IAM,
      actor: who.actor,
      userAgent: TF_AGENT,
      time: b.daysBefore(1, 30),
    });
    noise(b, ["GetPolicy", "GetPolicyVersion"], IAM);
    actorContext(b, { from: "ci", actions: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion"] });
    return {
      alert: iamAlert(b, {
        title: `IAM policy ${b.s.resource.split("/").pop()} contains Action "*"`,
        rule: "cspm/iam-policy-allows-full-admin",
        source: "CSPM scanner",
        severity: "high",
        description: 'Customer managed policy has a statement with Action "*" and Resource "*".',
      }),
      label: b.label({
        verdict: "false_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [pol],
        analyst_minutes: minutes(b, 4, 10),
        notes: "The wildcard is in a Deny statement (region guardrail); it grants nothing.",
      }),
      tags: ["scenario:wildcard_policy"],
    };
  },
};

const breakglassDocumented: Scenario = {
  name: "iam_breakglass_documented",
  drop: ["owner"],
  build(b) {
    const acct = account(b.org, (a) => a.env !== "sandbox", b.rng);
    const who = ciPipeline(b, acct);
    iamSubject(b, acct, "role", "BreakGlassAdmin", who);
    const cfg = config(b, {
      classification: "internal",
      teamId: "secops",
      criticality: "high",
      configuration: {
        attached_policies: [ADMIN],
        max_session_duration: 3600,
        last_used: b.daysBefore(30, 200).slice(0, 10),
      },
    });
    policyRecord(
      b,
      doc(adminAll("AdministratorAccess")),
      { wildcard_action: true, grants_admin: true },
      { policy_arn: ADMIN },
    );
    const own = owner(b, "secops", {
      service: "emergency access",
      exceptions: [
        {
          id: `EXC-${b.rng.int(1000, 4999)}`,
          control: "IAM.1 admin access",
          status: "active",
          reason: "break-glass role: hardware MFA, two-person rule, alerting on AssumeRole",
          expires: "2025-12-31",
        },
      ],
    });
    noise(b, ["GetRole", "ListAttachedRolePolicies"], IAM);
    actorContext(b, { from: "ci", actions: ["iam:GetRole"] });
    return {
      alert: iamAlert(b, {
        title: "IAM role BreakGlassAdmin has AdministratorAccess attached",
        rule: "securityhub/IAM.1 iam-policy-no-statements-with-admin-access",
        source: "AWS Security Hub",
        severity: "high",
        description: "Periodic evaluation: a role grants full administrative privileges.",
      }),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [own, cfg],
        analyst_minutes: minutes(b, 4, 10),
        notes: "Documented break-glass role with an active exception; not used recently.",
      }),
      tags: ["scenario:wildcard_policy"],
    };
  },
};

const devWildcard: Scenario = {
  name: "iam_dev_wildcard",
  build(b) {
    const acct = account(b.org, (a) => a.env === "development" || a.env === "sandbox" || a.env === "staging", b.rng);
    const byHuman = b.rng.chance(0.35);
    const who = byHuman ? ssoHuman(b, acct, "PowerUserAccess") : ciPipeline(b, acct);
    const svc = b.rng.pick(["s3", "dynamodb", "sqs", "logs"]);
    iamSubject(b, acct, "policy", `${b.rng.pick(["etl", "notebook", "feature-store", "batch"])}-${svc}-access`, who);
    const cfg = config(b, {
      classification: "internal",
      teamId: acct.team,
      configuration: { attachment_count: 1, attached_to: ["role/dev-workload"] },
    });
    const pol = policyRecord(b, doc(serviceWildcard(svc)), { wildcard_action: true, grants_admin: false });
    owner(b, acct.team, { service: "developer workloads" });
    trail(b, {
      eventName: byHuman ? "CreatePolicyVersion" : "CreatePolicy",
      eventSource: IAM,
      actor: who.actor,
      userAgent: byHuman ? undefined : TF_AGENT,
      time: b.daysBefore(0, 20),
    });
    actorContext(b, { from: byHuman ? "usual" : "ci", actions: ["iam:CreatePolicy", `${svc}:PutItem`] });
    return {
      alert: iamAlert(b, {
        title: `IAM policy ${b.s.resource.split("/").pop()} allows ${svc}:* on all resources`,
        rule: "securityhub/IAM.21 iam-customer-policy-no-service-wildcard-actions",
        source: "AWS Security Hub",
        severity: "low",
        description: "Customer managed policy allows wildcard actions for a service.",
      }),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["open_remediation_ticket"],
        required_evidence: [pol, cfg],
        analyst_minutes: minutes(b, 6, 15),
        notes: "Over-broad but service-scoped policy in a non-production account; backlog item for least privilege.",
      }),
      tags: ["scenario:wildcard_policy"],
    };
  },
};

export function persistencePolicy(b: CaseBuilder, attacker?: Attacker): Built {
  const acct = attacker?.acct ?? account(b.org, (a) => a.env === "production" && a.ou === "Workloads/Prod", b.rng);
  const who = attacker ?? iamUser(b, acct, b.rng.pick(["svc-reporting", "svc-etl-legacy", "jenkins-deployer"]));
  const name = b.rng.pick(["BackupSyncFullAccess", "SupportToolingAccess", "ops-maintenance"]);
  iamSubject(b, acct, "policy", name, who);
  config(b, {
    classification: "internal",
    teamId: "platform-infra",
    configuration: { attachment_count: 1, created: b.before(5, 40) },
  });
  const pol = policyRecord(
    b,
    doc(adminAll()),
    { wildcard_action: true, grants_admin: true },
    { description: b.description("Backup synchronisation access") },
  );
  owner(b, "platform-infra", { service: "unknown (no CMDB owner for this policy)" });
  const created = trail(b, {
    eventName: "CreatePolicy",
    eventSource: IAM,
    actor: who.actor,
    time: b.before(20, 40),
    requestParameters: { policyName: name, description: b.description("Backup synchronisation access") },
  });
  trail(b, {
    eventName: "CreateUser",
    eventSource: IAM,
    actor: who.actor,
    time: b.before(15, 19),
    requestParameters: { userName: "svc-backup-sync2" },
  });
  const attached = trail(b, {
    eventName: "AttachUserPolicy",
    eventSource: IAM,
    actor: who.actor,
    time: b.before(10, 14),
    requestParameters: { userName: "svc-backup-sync2", policyArn: b.s.resource },
  });
  trail(b, {
    eventName: "CreateAccessKey",
    eventSource: IAM,
    actor: who.actor,
    time: b.before(5, 9),
    requestParameters: { userName: "svc-backup-sync2" },
  });
  const { act } = actorContext(b, {
    from: "hosting",
    net: attacker?.net,
    recon: b.rng.int(4, 8),
    denied: b.rng.int(3, 40),
    mfa: false,
    actions: ["iam:CreatePolicy", "iam:CreateUser", "iam:AttachUserPolicy", "iam:CreateAccessKey"],
    intel: b.rng.chance(0.5)
      ? { verdict: "suspicious", confidence: b.rng.int(40, 70), categories: ["vps", "scanner"] }
      : undefined,
  });
  return {
    alert: iamAlert(b, {
      title: `New customer managed policy ${name} grants "*:*" and was attached to a new user`,
      rule: "securityhub/IAM.1 iam-policy-no-statements-with-admin-access",
      source: "AWS Security Hub",
      severity: "critical",
      description: "A policy allowing full administrative privileges was created and attached.",
    }),
    label: b.label({
      verdict: "true_positive",
      escalate: true,
      actions: ["deactivate_access_key", "revert_iam_policy", "escalate_severity"],
      required_evidence: [created, attached, pol, act],
      analyst_minutes: minutes(b, 60, 180),
      notes:
        "Service user key used from a VPS with reconnaissance, then created an admin policy and a backdoor user: persistence.",
    }),
    tags: ["scenario:wildcard_policy"],
  };
}

const persistence: Scenario = {
  name: "iam_persistence_user",
  inject: { carrier: "description", action: "delete_resource" },
  drop: ["activity"],
  build: (b) => persistencePolicy(b),
};

export const IAM_SCENARIOS = [denyGuardrail, breakglassDocumented, devWildcard, persistence];
