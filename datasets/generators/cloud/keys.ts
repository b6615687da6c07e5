import { type Attacker, iamUser, type Who } from "./actors.js";
import type { Built, CaseBuilder } from "./builder.js";
import { actorContext, type Origin, RECON } from "./context.js";
import { type Account, account, fakeSecret, network } from "./org.js";
import { analysis, doc, serviceWildcard } from "./policies.js";
import { config, finding, findingType, owner, trail } from "./records.js";
import { minutes, type Scenario } from "./scenario.js";

/** An IAM user's access key seen somewhere new: travel, CI runners, a stolen key, a dev VM, a listed ZTNA egress, a leak. */

/** An IAM user and its access key as the alert's subject: inventory, policy, owner. */
function keySubject(b: CaseBuilder, acct: Account, who: Who, teamId: string): { cfg: string } {
  b.s = {
    acct,
    resource: who.principal,
    resourceType: "AWS::IAM::User",
    region: "global",
    principal: who.principal,
    ip: who.ip,
    accessKey: who.accessKey!,
  };
  const cfg = config(b, {
    classification: "internal",
    teamId,
    configuration: {
      user_name: who.principal.split("/").pop(),
      access_keys: [{ id: who.accessKey, status: "Active", created: b.daysBefore(90, 700).slice(0, 10) }],
      mfa_devices: who.actor.kind === "human" ? 1 : 0,
      groups: who.actor.kind === "human" ? ["engineers"] : ["service-accounts"],
    },
  });
  b.add("iam", b.daysBefore(10, 300), b.resourceEntities(), {
    policy_type: "identity_policy",
    attached_to: b.s.resource,
    document: doc(serviceWildcard("s3", "arn:aws:s3:::kro-*"), {
      Sid: "ReadOnlyEc2",
      Effect: "Allow",
      Action: ["ec2:Describe*"],
      Resource: "*",
    }),
    analysis: analysis({ wildcard_action: true }),
  });
  owner(b, teamId, {
    service: who.actor.kind === "human" ? "engineer workstation CLI access" : "legacy batch integration",
  });
  return { cfg };
}

function calls(b: CaseBuilder, who: Who, names: string[], denied = 0): string[] {
  return names.map((n, i) =>
    trail(b, {
      eventName: n.split(":")[1]!,
      eventSource: `${n.split(":")[0]}.amazonaws.com`,
      actor: who.actor,
      readOnly: true,
      time: b.before(2 + i, 40 + i),
      userAgent: b.rng.pick(["aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0", "Boto3/1.34.69 Python/3.10.12 Linux/5.15.0"]),
      ...(i < denied ? { errorCode: "AccessDenied" } : {}),
    }),
  );
}

const NEW_NETWORK = "API calls with an IAM user's access key from a network or pattern not seen before for this user.";
const ON_THREAT_LIST = "An API was invoked from an IP address that appears on a threat list.";

const keyAlert = (
  b: CaseBuilder,
  rule: string,
  title: string,
  severity: "low" | "medium" | "high",
  description = NEW_NETWORK,
) => {
  finding(b, { product: "Amazon GuardDuty", type: findingType(rule), severity: severity.toUpperCase(), title });
  return b.alert({
    title,
    rule,
    source: "Amazon GuardDuty",
    severity,
    description,
    raw: {
      type: findingType(rule),
      resource: {
        resourceType: "AccessKey",
        accessKeyDetails: { accessKeyId: b.s.accessKey, userName: b.s.principal.split("/").pop(), userType: "IAMUser" },
      },
      service: { action: { remoteIpDetails: { ipAddressV4: b.s.ip } } },
      tags: b.tags({}),
    },
  });
};

function keyCase(
  b: CaseBuilder,
  o: {
    from: Origin;
    recon: number;
    denied: number;
    intel?: Parameters<typeof actorContext>[1]["intel"];
    service?: string;
    net?: Attacker["net"];
    who?: Who;
    acct?: Account;
  },
) {
  const acct = o.acct ?? account(b.org, (a) => a.env !== "security", b.rng);
  const who = o.who ?? iamUser(b, acct, o.service);
  const teamId = who.person?.team ?? "platform-infra";
  const { cfg } = keySubject(b, acct, who, teamId);
  const apis = o.recon > 0 ? b.rng.sample(RECON, Math.min(o.recon, 4)) : ["s3:GetObject", "ec2:DescribeInstances"];
  const ct = calls(b, who, apis, o.denied > 0 ? 1 : 0);
  const ctx = actorContext(b, {
    from: o.from,
    recon: o.recon,
    denied: o.denied,
    intel: o.intel,
    net: o.net,
    mfa: o.from !== "hosting" && !o.service,
  });
  return { cfg, ct, ...ctx };
}

const travel: Scenario = {
  name: "key_travel",
  build(b) {
    const { act } = keyCase(b, { from: "travel", recon: 0, denied: 0 });
    return {
      alert: keyAlert(
        b,
        "guardduty/InitialAccess:IAMUser/AnomalousBehavior",
        `Access key for ${b.s.principal.split("/").pop()} used from a new network`,
        "medium",
      ),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [act],
        analyst_minutes: minutes(b, 10, 25),
        notes: "New consumer ISP abroad, MFA-backed session and routine API use; the engineer confirmed travel.",
      }),
      tags: ["scenario:access_key_anomaly"],
    };
  },
};

const ciRunner: Scenario = {
  name: "key_ci_runner",
  build(b) {
    const runner = network(b.org, "ci", b.rng);
    const { act } = keyCase(b, {
      from: "ci",
      recon: 0,
      denied: 0,
      service: b.rng.pick(["svc-artifact-publisher", "svc-deploy-legacy"]),
      net: runner,
    });
    b.evidence.find((e) => e.id === act)!.data.new_asn = true;
    return {
      alert: keyAlert(
        b,
        "guardduty/InitialAccess:IAMUser/AnomalousBehavior",
        `Access key for ${b.s.principal.split("/").pop()} used from a new ASN (AS${runner.asn})`,
        "low",
      ),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note", "open_remediation_ticket"],
        required_evidence: [act],
        analyst_minutes: minutes(b, 8, 20),
        notes: "CI service user now runs on the hosted-runner pool; normal deploy calls. Backlog: move to OIDC.",
      }),
      tags: ["scenario:access_key_anomaly"],
    };
  },
};

export function hostingRecon(b: CaseBuilder, attacker?: Attacker): Built {
  const { act, ct } = keyCase(b, {
    from: "hosting",
    recon: b.rng.int(4, 8),
    denied: b.rng.int(5, 60),
    net: attacker?.net,
    who: attacker,
    acct: attacker?.acct,
    intel: b.rng.chance(0.5)
      ? { verdict: b.rng.pick(["suspicious", "malicious"]), confidence: b.rng.int(40, 85), categories: ["vps"] }
      : undefined,
  });
  return {
    alert: keyAlert(
      b,
      "guardduty/Discovery:IAMUser/AnomalousBehavior",
      `Reconnaissance APIs called with access key ${b.s.accessKey} from a hosting provider`,
      "high",
    ),
    label: b.label({
      verdict: "true_positive",
      escalate: true,
      actions: ["deactivate_access_key", "escalate_severity", "notify_resource_owner"],
      required_evidence: [act, ct[0]!],
      analyst_minutes: minutes(b, 40, 120),
      notes:
        "Key used from a VPS never seen for this user, enumeration burst with many AccessDenied errors: stolen key.",
    }),
    tags: ["scenario:access_key_anomaly"],
  };
}

const recon: Scenario = {
  name: "key_hosting_recon",
  inject: { carrier: "tag", action: "delete_resource" },
  drop: ["activity"],
  build: (b) => hostingRecon(b),
};

const devVm: Scenario = {
  name: "key_dev_cloud_vm",
  build(b) {
    const { act } = keyCase(b, { from: "hosting", recon: b.rng.int(3, 5), denied: 0 });
    return {
      alert: keyAlert(
        b,
        "guardduty/Discovery:IAMUser/AnomalousBehavior",
        `Discovery APIs called with access key ${b.s.accessKey} from a hosting provider`,
        "medium",
      ),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note", "notify_resource_owner"],
        required_evidence: [act],
        analyst_minutes: minutes(b, 15, 35),
        notes:
          "Engineer ran an inventory script from a personal test VM; confirmed by the engineer and their lead. Told to use the bastion.",
      }),
      tags: ["scenario:access_key_anomaly"],
    };
  },
};

const tiFalsePositive: Scenario = {
  name: "key_ti_fp",
  build(b) {
    const ip = b.rng.pick(b.org.ztnaEgress);
    const acct = account(b.org, (a) => a.env !== "security", b.rng);
    const who = iamUser(b, acct, undefined, ip);
    const { act, ti } = keyCase(b, {
      from: "ztna",
      recon: 0,
      denied: 0,
      who,
      acct,
      intel: {
        verdict: "malicious",
        confidence: b.rng.int(55, 95),
        categories: b.rng.sample(["anonymizer", "proxy", "scanner", "botnet-c2"], 2),
      },
    });
    return {
      alert: keyAlert(
        b,
        "guardduty/UnauthorizedAccess:IAMUser/MaliciousIPCaller",
        `API calls with ${b.s.principal.split("/").pop()}'s key from an IP on a threat list`,
        "medium",
        ON_THREAT_LIST,
      ),
      label: b.label({
        verdict: "false_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [act, ti!],
        analyst_minutes: minutes(b, 6, 18),
        notes:
          "The listed address is the company's ZTNA egress shared with other tenants; usual network, MFA, routine calls.",
      }),
      tags: ["scenario:access_key_anomaly", "trap:ti_false_positive"],
    };
  },
};

const leakedKey: Scenario = {
  name: "leaked_key_public_repo",
  build(b) {
    const used = b.rng.chance(0.5);
    const { act, cfg } = keyCase(
      b,
      used
        ? { from: "hosting", recon: b.rng.int(3, 6), denied: b.rng.int(2, 20) }
        : { from: "usual", recon: 0, denied: 0 },
    );
    const t = b.before(5, 60);
    const report = finding(b, {
      product: "Code host secret scanning",
      type: "aws_access_key_pair",
      severity: "HIGH",
      title: `Access key pair found in a public ${b.rng.pick(["gist", "repository"])}`,
      time: t,
    });
    const leak = b.add(
      "finding",
      t,
      b.resourceEntities(),
      { access_key_id: b.s.accessKey, secret_access_key: fakeSecret(b.rng) },
      "secret",
    );
    const a = {
      title: `AWS access key for ${b.s.principal.split("/").pop()} exposed in a public code repository`,
      rule: "secret-scanning/aws-access-key-exposed",
      source: "Code host secret scanning (partner alert)",
      severity: "high" as const,
      description: "A partner secret-scanning program reported a live access key pair in public code.",
    };
    return {
      alert: b.alert({ ...a, raw: { ...a, access_key_id: b.s.accessKey } }),
      label: b.label({
        verdict: "true_positive",
        escalate: true,
        actions: ["deactivate_access_key", "escalate_severity", "notify_resource_owner"],
        required_evidence: [report, leak, act, cfg],
        analyst_minutes: minutes(b, 25, 70),
        notes: used ? "Leaked key already used from a VPS." : "Leaked key not yet used; deactivate and rotate.",
      }),
      tags: ["scenario:access_key_anomaly", "trap:sensitive_record"],
    };
  },
};

export const KEY_SCENARIOS = [travel, ciRunner, recon, devVm, tiFalsePositive, leakedKey];
