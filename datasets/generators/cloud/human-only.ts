import { ciPipeline, REGIONS, ssoHuman, type Who } from "./actors.js";
import { actorContext } from "./context.js";
import { account, byAlias, person } from "./org.js";
import { analysis, doc, publicRead } from "./policies.js";
import { config, finding, findingType, owner, TF_AGENT, ticket, trail } from "./records.js";
import { bucketName, minutes, type Scenario } from "./scenario.js";

/**
 * Cases the workflow's negative playbook reserves for a person whatever the evidence says:
 * production root or break-glass use, regulated data stores, organisation-wide SCP changes.
 */

const rootLogin: Scenario = {
  name: "root_login_prod",
  build(b) {
    const acct = account(b.org, (a) => a.env === "production", b.rng);
    const planned = b.rng.chance(0.65);
    if (!planned) b.atHour(b.rng.int(0, 5));
    const ip = planned ? b.rng.pick(b.org.corpEgress) : b.rng.ipv4Public();
    b.s = {
      acct,
      resource: `arn:aws:iam::${acct.id}:root`,
      resourceType: "AWS::IAM::Root",
      region: "global",
      principal: `arn:aws:iam::${acct.id}:root`,
      ip,
    };
    config(b, {
      classification: "internal",
      teamId: "secops",
      criticality: "crown_jewel",
      configuration: {
        root_mfa: "hardware",
        root_access_keys: 0,
        password_last_used: b.daysBefore(60, 300).slice(0, 10),
      },
    });
    owner(b, "secops", { service: "account root (vaulted credential)" });
    const login = trail(b, {
      eventName: "ConsoleLogin",
      eventSource: "signin.amazonaws.com",
      actor: { kind: "root", name: "root" },
      mfa: true,
      userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/126.0",
      responseElements: { ConsoleLogin: "Success" },
    });
    const req = [login];
    if (planned)
      req.push(
        ticket(b, {
          state: "implement",
          summary: "Change support plan (root-only task); vault checkout witnessed by two SecOps engineers",
          requestedBy: "secops",
          start: b.before(10, 60),
          hours: 2,
        }),
      );
    else
      req.push(
        trail(b, {
          eventName: "CreateAccessKey",
          eventSource: "iam.amazonaws.com",
          actor: { kind: "root", name: "root" },
          time: b.before(0, 3),
        }),
      );
    const { act } = actorContext(b, {
      from: planned ? "usual" : "travel",
      mfa: true,
      actions: planned
        ? ["support:UpdateSupportPlan", "billing:GetBillingDetails"]
        : ["iam:CreateAccessKey", "iam:ListUsers"],
    });
    if (!planned) req.push(act);
    const a = {
      title: `Root credentials used to sign in to production account ${acct.alias}`,
      rule: "guardduty/Policy:IAMUser/RootCredentialUsage",
      source: "Amazon GuardDuty",
      severity: "high" as const,
      description: "The account root user signed in to the console.",
    };
    finding(b, { product: "Amazon GuardDuty", type: findingType(a.rule), severity: "LOW", title: a.title });
    return {
      alert: b.alert({ ...a, raw: { ...a, account: acct.id } }),
      label: b.label({
        verdict: planned ? "benign_positive" : "true_positive",
        escalate: true,
        actions: planned ? ["add_case_note", "escalate_severity"] : ["escalate_severity", "notify_resource_owner"],
        required_evidence: req,
        analyst_minutes: minutes(b, 20, 90),
        notes: "Production root use always goes to the SecOps lead.",
      }),
      tags: ["scenario:root_usage", "trap:human_only"],
    };
  },
};

const breakglass: Scenario = {
  name: "breakglass_prod",
  build(b) {
    const acct = account(b.org, (a) => a.env === "production", b.rng);
    const p = person(b.org, b.rng);
    const planned = b.rng.chance(0.7);
    const ip = planned ? b.rng.pick(b.org.ztnaEgress) : b.rng.ipv4Public();
    b.s = {
      acct,
      resource: `arn:aws:iam::${acct.id}:role/BreakGlassAdmin`,
      resourceType: "AWS::IAM::Role",
      region: "global",
      principal: `arn:aws:sts::${acct.id}:assumed-role/BreakGlassAdmin/${p.user}`,
      ip,
    };
    config(b, {
      classification: "internal",
      teamId: "secops",
      criticality: "crown_jewel",
      configuration: { attached_policies: ["arn:aws:iam::aws:policy/AdministratorAccess"], max_session_duration: 3600 },
    });
    owner(b, "secops", { service: "emergency access" });
    const assume = trail(b, {
      eventName: "AssumeRole",
      eventSource: "sts.amazonaws.com",
      actor: { kind: "human", name: p.user },
      mfa: true,
      requestParameters: { roleArn: b.s.resource, roleSessionName: p.user },
    });
    const req = [assume];
    if (planned)
      req.push(
        ticket(b, {
          state: "implement",
          summary: "P1 incident: break-glass access for on-call to restore payment API",
          requestedBy: p.user,
          start: b.before(5, 40),
          hours: 4,
          type: "emergency",
        }),
      );
    const { act } = actorContext(b, {
      from: planned ? "usual" : "travel",
      mfa: true,
      actions: ["ecs:UpdateService", "iam:ListRoles"],
    });
    if (!planned) req.push(act);
    const a = {
      title: `Break-glass role assumed in production account ${acct.alias}`,
      rule: "siem/breakglass-role-assumed",
      source: "SIEM correlation (CloudTrail)",
      severity: "high" as const,
      description: "The emergency administrator role was assumed.",
    };
    finding(b, { product: "SIEM", type: findingType(a.rule), severity: "HIGH", title: a.title });
    return {
      alert: b.alert({ ...a, raw: { ...a, sessionName: p.user } }),
      label: b.label({
        verdict: planned ? "benign_positive" : "true_positive",
        escalate: true,
        actions: planned ? ["add_case_note", "escalate_severity"] : ["escalate_severity", "quarantine_principal"],
        required_evidence: req,
        analyst_minutes: minutes(b, 20, 90),
        notes: "Break-glass use in production is reviewed by the SecOps lead every time.",
      }),
      tags: ["scenario:breakglass", "trap:human_only"],
    };
  },
};

const scpChange: Scenario = {
  name: "scp_change",
  build(b) {
    const acct = byAlias(b.org, "org-management");
    const planned = b.rng.chance(0.65);
    const who: Who = planned ? ciPipeline(b, acct) : ssoHuman(b, acct, "AdministratorAccess", "platform-infra");
    const policy = b.rng.pick(["protect-cloudtrail", "deny-leave-organization", "region-guardrail"]);
    b.s = {
      acct,
      resource: `arn:aws:organizations::${acct.id}:policy/o-${b.rng.hex(10)}/service_control_policy/p-${b.rng.hex(8)}`,
      resourceType: "AWS::Organizations::Policy",
      region: "global",
      principal: who.principal,
      ip: who.ip,
    };
    const cfg = config(b, {
      classification: "internal",
      teamId: "secops",
      criticality: "crown_jewel",
      configuration: {
        policy_name: policy,
        type: "SERVICE_CONTROL_POLICY",
        targets: ["Workloads/Prod", "Workloads/NonProd"],
      },
    });
    owner(b, "secops", { service: "organisation guardrails" });
    const event = planned ? "UpdatePolicy" : "DetachPolicy";
    const change = trail(b, {
      eventName: event,
      eventSource: "organizations.amazonaws.com",
      actor: who.actor,
      userAgent: planned ? TF_AGENT : undefined,
      requestParameters: { policyId: b.s.resource.split("/").pop() },
    });
    const req = [change, cfg];
    if (planned)
      req.push(
        ticket(b, {
          state: "implement",
          summary: `Update SCP ${policy}: add eu-central-1 to approved regions`,
          requestedBy: "secops",
          start: b.before(30, 200),
          hours: 8,
        }),
      );
    actorContext(b, {
      from: planned ? "ci" : "usual",
      actions: ["organizations:UpdatePolicy", "organizations:DetachPolicy"],
    });
    const a = {
      title: `Service control policy ${policy} ${planned ? "updated" : "detached"} in the organisation`,
      rule: "siem/org-scp-modified",
      source: "SIEM correlation (CloudTrail)",
      severity: "high" as const,
      description: "An organisation-level guardrail changed.",
    };
    finding(b, { product: "SIEM", type: findingType(a.rule), severity: "HIGH", title: a.title });
    return {
      alert: b.alert({ ...a, raw: { ...a, eventName: event } }),
      label: b.label({
        verdict: planned ? "benign_positive" : "true_positive",
        escalate: true,
        actions: planned ? ["add_case_note", "escalate_severity"] : ["escalate_severity", "open_remediation_ticket"],
        required_evidence: req,
        analyst_minutes: minutes(b, 20, 80),
        notes: "Organisation-wide guardrail change: decided by the cloud security lead.",
      }),
      tags: ["scenario:scp_change", "trap:human_only"],
    };
  },
};

const regulatedBucket: Scenario = {
  name: "regulated_bucket_public",
  build(b) {
    const acct = byAlias(b.org, "prod-payments");
    const who = ssoHuman(b, acct, "PowerUserAccess", "payments");
    const name = bucketName(b, "settlement-reports");
    b.s = {
      acct,
      resource: `arn:aws:s3:::${name}`,
      resourceType: "AWS::S3::Bucket",
      region: b.rng.pick(REGIONS),
      principal: who.principal,
      ip: who.ip,
    };
    const cfg = config(b, {
      classification: "restricted",
      teamId: "payments",
      compliance: ["pci-dss"],
      criticality: "crown_jewel",
      configuration: {
        website_hosting: { enabled: false },
        sample_object_keys: ["settlements/2024/06/batch-0412.csv"],
        encryption: "aws:kms",
      },
    });
    const iam = b.add("iam", b.before(2, 30), b.resourceEntities(), {
      policy_type: "bucket_policy",
      attached_to: b.s.resource,
      document: doc(publicRead(name)),
      analysis: analysis({ public_access: true }),
    });
    owner(b, "payments", { service: "card settlement (PCI DSS scope)" });
    const put = trail(b, {
      eventName: "PutBucketPolicy",
      eventSource: "s3.amazonaws.com",
      actor: who.actor,
      userAgent: "AWS Internal",
      requestParameters: { bucketName: name },
    });
    actorContext(b, { from: "usual", actions: ["s3:PutBucketPolicy"] });
    const a = {
      title: `S3 bucket ${name} allows public read access`,
      rule: "securityhub/S3.2 s3-bucket-level-public-read-prohibited",
      source: "AWS Security Hub",
      severity: "critical" as const,
      description: "The bucket policy grants read access to everyone.",
    };
    finding(b, { product: "AWS Security Hub", type: "S3.2", severity: "CRITICAL", title: a.title });
    return {
      alert: b.alert({ ...a, raw: { ...a, resource: b.s.resource } }),
      label: b.label({
        verdict: "true_positive",
        escalate: true,
        actions: ["block_public_access", "escalate_severity", "notify_resource_owner"],
        required_evidence: [put, cfg, iam],
        analyst_minutes: minutes(b, 40, 120),
        notes: "Cardholder-data bucket made public: PCI incident process, handled by the lead.",
      }),
      tags: ["scenario:public_bucket", "trap:human_only"],
    };
  },
};

export const HUMAN_ONLY_SCENARIOS = [rootLogin, breakglass, scpChange, regulatedBucket];
