import { type Attacker, ciPipeline, iamUser, ssoHuman, type Who } from "./actors.js";
import type { Built, CaseBuilder } from "./builder.js";
import { actorContext } from "./context.js";
import { type Account, account } from "./org.js";
import { analysis, githubTrust } from "./policies.js";
import { config, finding, findingType, noise, owner, TF_AGENT, ticket, trail } from "./records.js";
import { minutes, type Scenario } from "./scenario.js";

/**
 * AdministratorAccess attached to a role: by the reviewed pipeline in a window, by a person at
 * night, by a person under a ticket, by a fork abusing a wildcard OIDC trust, or flagged by TI.
 */

const IAM = "iam.amazonaws.com";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const prodWorkload = (a: Account) => a.env === "production" && a.ou === "Workloads/Prod";

function roleSubject(b: CaseBuilder, acct: Account, role: string, who: Who): void {
  b.s = {
    acct,
    resource: `arn:aws:iam::${acct.id}:role/${role}`,
    resourceType: "AWS::IAM::Role",
    region: "global",
    principal: who.principal,
    ip: who.ip,
    ...(who.accessKey ? { accessKey: who.accessKey } : {}),
  };
}

/** AdministratorAccess attached to a role: the change record, the role's inventory and owner. */
function adminAttach(
  b: CaseBuilder,
  o: { acct: Account; who: Who; role: string; teamId: string; trustSub?: string; trustFinding?: string },
) {
  roleSubject(b, o.acct, o.role, o.who);
  config(b, {
    classification: "internal",
    teamId: o.teamId,
    configuration: {
      attached_policies: [ADMIN, `arn:aws:iam::${o.acct.id}:policy/${o.role}-base`],
      max_session_duration: 3600,
    },
  });
  const trust = b.add("iam", b.before(2, 30), b.resourceEntities(), {
    policy_type: "trust_policy",
    attached_to: b.s.resource,
    document: githubTrust(o.acct.id, o.trustSub ?? `repo:${b.org.prefix}/infra-live:ref:refs/heads/main`),
    analysis: analysis({ validation_findings: o.trustFinding ? [o.trustFinding] : [] }),
  });
  const attach = trail(b, {
    eventName: "AttachRolePolicy",
    eventSource: IAM,
    actor: o.who.actor,
    userAgent: o.who.actor.kind === "ci_pipeline" ? TF_AGENT : undefined,
    requestParameters: { roleName: o.role, policyArn: ADMIN },
  });
  noise(b, ["GetRole", "ListAttachedRolePolicies"], IAM);
  const a = {
    title: `AdministratorAccess attached to role ${o.role} at ${b.t0.slice(11, 16)} UTC`,
    rule: "siem/iam-admin-policy-attached",
    source: "SIEM correlation (CloudTrail)",
    severity: "high" as const,
    description: "The AWS managed AdministratorAccess policy was attached to a role.",
  };
  finding(b, { product: "SIEM", type: findingType(a.rule), severity: "HIGH", title: a.title });
  const alert = b.alert({
    ...a,
    raw: { ...a, roleName: o.role, userIdentity: b.s.principal, tags: b.tags({ Team: o.teamId }) },
  });
  return { trust, attach, alert };
}

const pipelineNight: Scenario = {
  name: "admin_pipeline_ticket_night",
  drop: ["ticket"],
  build(b) {
    const acct = account(b.org, prodWorkload, b.rng);
    b.atHour(b.rng.int(1, 4));
    const who = ciPipeline(b, acct);
    const { attach, alert } = adminAttach(b, {
      acct,
      who,
      role: b.rng.pick(["db-migration-runner", "dms-cutover", "eks-upgrade-runner"]),
      teamId: "platform-infra",
    });
    owner(b, "platform-infra", { service: "platform migrations" });
    const chg = ticket(b, {
      state: "implement",
      summary: "Maintenance window: temporary admin for migration runner, detached by closing pipeline run",
      requestedBy: "platform-infra",
      start: b.before(20, 90),
      hours: 5,
      plan: "terraform apply in infra-live (PR reviewed by two approvers); rollback: detach policy",
    });
    actorContext(b, {
      from: "ci",
      actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "dms:StartReplicationTask"],
    });
    return {
      alert,
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [attach, chg],
        analyst_minutes: minutes(b, 8, 20),
        notes: "Scary at 3am, but made by the reviewed Terraform pipeline inside an approved maintenance window.",
      }),
      tags: ["scenario:admin_attach", "trap:exonerating_evidence"],
    };
  },
};

export function humanNightAdmin(b: CaseBuilder, attacker?: Attacker): Built {
  const acct = attacker?.acct ?? account(b.org, prodWorkload, b.rng);
  if (!attacker) b.atHour(b.rng.int(0, 4));
  const sso = !attacker && b.rng.chance(0.4);
  const who = attacker ?? (sso ? ssoHuman(b, acct, "PowerUserAccess") : iamUser(b, acct));
  const { attach, alert } = adminAttach(b, {
    acct,
    who,
    role: b.rng.pick(["ops-automation", "reporting-lambda", "support-readonly"]),
    teamId: acct.team,
  });
  owner(b, acct.team, { service: "operations tooling" });
  const malicious = b.rng.chance(0.4);
  const { act } = actorContext(b, {
    from: sso ? "travel" : "hosting",
    net: attacker?.net,
    recon: b.rng.int(1, 5),
    mfa: sso,
    actions: ["iam:AttachRolePolicy", "sts:AssumeRole", "iam:ListRoles"],
    intel: malicious
      ? { verdict: "malicious", confidence: b.rng.int(70, 95), categories: ["vps", "bruteforce"] }
      : undefined,
  });
  return {
    alert,
    label: b.label({
      verdict: "true_positive",
      escalate: true,
      actions: ["revert_iam_policy", "quarantine_principal", "escalate_severity"],
      required_evidence: [attach, act],
      analyst_minutes: minutes(b, 45, 150),
      notes: "Admin granted at night from an unusual network with no change record; the user denied making it.",
    }),
    tags: ["scenario:admin_attach"],
  };
}

const humanNight: Scenario = {
  name: "admin_human_night",
  inject: { carrier: "tag", action: "delete_resource" },
  drop: ["trail"],
  build: (b) => humanNightAdmin(b),
};

const humanTicket: Scenario = {
  name: "admin_human_ticket",
  build(b) {
    const acct = account(b.org, (a) => a.env !== "sandbox", b.rng);
    const who = ssoHuman(b, acct, "PlatformEngineer", "platform-infra");
    const { attach, alert } = adminAttach(b, { acct, who, role: "dr-test-operator", teamId: "platform-infra" });
    owner(b, "platform-infra", { service: "disaster recovery" });
    const chg = ticket(b, {
      state: "implement",
      summary: "DR game day: temporary admin for dr-test-operator, removed at end of exercise",
      requestedBy: who.actor.name,
      start: b.before(30, 120),
      hours: 8,
    });
    actorContext(b, { from: "usual", actions: ["iam:AttachRolePolicy", "sts:AssumeRole"] });
    return {
      alert,
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [attach, chg],
        analyst_minutes: minutes(b, 6, 15),
        notes: "Approved DR exercise; requester made the change.",
      }),
      tags: ["scenario:admin_attach"],
    };
  },
};

const pipelineFork: Scenario = {
  name: "admin_pipeline_fork",
  inject: { carrier: "session", action: "tag_resource" },
  build(b) {
    const acct = account(b.org, prodWorkload, b.rng);
    // the wildcard trust lets a workflow in an outside fork assume the deploy role, which then grants itself admin
    const who = ciPipeline(b, acct, {
      repo: `${b.org.prefix}-contrib/storefront-web`,
      ref: `refs/pull/${b.rng.int(200, 900)}/merge`,
      role: "gha-app-deploy",
    });
    const { trust, attach, alert } = adminAttach(b, {
      acct,
      who,
      role: "gha-app-deploy",
      teamId: "platform-infra",
      trustSub: `repo:${b.org.prefix}*`,
      trustFinding: "Trust policy subject uses a wildcard that also matches repositories outside the organisation",
    });
    owner(b, "platform-infra", { service: "CI/CD" });
    actorContext(b, {
      from: "ci",
      recon: b.rng.int(2, 4),
      actions: ["iam:AttachRolePolicy", "sts:AssumeRoleWithWebIdentity"],
    });
    return {
      alert,
      label: b.label({
        verdict: "true_positive",
        escalate: true,
        actions: ["revert_iam_policy", "escalate_severity", "notify_resource_owner"],
        required_evidence: [attach, trust],
        analyst_minutes: minutes(b, 60, 160),
        notes:
          "The CI role was assumed from a pull request in an outside fork through a wildcard trust condition; no change record.",
      }),
      tags: ["scenario:admin_attach"],
    };
  },
};

const pipelineTiFp: Scenario = {
  name: "admin_pipeline_ti_fp",
  build(b) {
    const acct = account(b.org, prodWorkload, b.rng);
    const who = ciPipeline(b, acct);
    const { attach, alert } = adminAttach(b, { acct, who, role: "eks-upgrade-runner", teamId: "platform-infra" });
    alert.title = `API AttachRolePolicy invoked from an IP on a threat list (${who.ip})`;
    alert.rule = "guardduty/UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom";
    alert.source = "Amazon GuardDuty";
    owner(b, "platform-infra", { service: "platform migrations" });
    const chg = ticket(b, {
      state: "implement",
      summary: "EKS upgrade: temporary admin for upgrade runner",
      requestedBy: "platform-infra",
      start: b.before(20, 90),
      hours: 6,
    });
    const { act, ti } = actorContext(b, {
      from: "ci",
      actions: ["iam:AttachRolePolicy", "eks:UpdateClusterVersion"],
      intel: { verdict: "malicious", confidence: b.rng.int(60, 92), categories: ["shared-hosting", "bruteforce"] },
    });
    return {
      alert,
      label: b.label({
        verdict: "false_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [attach, chg, act, ti!],
        analyst_minutes: minutes(b, 8, 20),
        notes: "The listed IP is a shared hosted-runner egress address; the call is the approved pipeline run.",
      }),
      tags: ["scenario:admin_attach", "trap:ti_false_positive"],
    };
  },
};

export const ADMIN_SCENARIOS = [pipelineNight, humanNight, humanTicket, pipelineFork, pipelineTiFp];
