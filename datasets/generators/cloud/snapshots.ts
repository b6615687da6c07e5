import { type Attacker, ciPipeline, iamUser, REGIONS, ssoHuman, type Who } from "./actors.js";
import type { Built, CaseBuilder } from "./builder.js";
import { actorContext } from "./context.js";
import { type Account, account, accountId, byAlias } from "./org.js";
import { config, finding, findingType, noise, owner, ticket, trail } from "./records.js";
import { minutes, type Scenario } from "./scenario.js";

type Share = { account_id: string; in_organization: boolean; known_partner: boolean; name: string | null };

function snapshotSubject(b: CaseBuilder, acct: Account, who: Who, rds: boolean, db: string): string {
  const region = b.rng.pick(REGIONS);
  const id = rds ? `${db}-${b.t0.slice(0, 10)}-${b.rng.hex(4)}` : `snap-0${b.rng.hex(16)}`;
  b.s = {
    acct,
    resource: rds
      ? `arn:aws:rds:${region}:${acct.id}:snapshot:${id}`
      : `arn:aws:ec2:${region}:${acct.id}:snapshot/${id}`,
    resourceType: rds ? "AWS::RDS::DBSnapshot" : "AWS::EC2::Snapshot",
    region,
    principal: who.principal,
    ip: who.ip,
    ...(who.accessKey ? { accessKey: who.accessKey } : {}),
  };
  return id;
}

/** The share itself, as EC2 or RDS logs it, plus the snapshot's inventory record and owner. */
function shareCase(
  b: CaseBuilder,
  o: {
    acct: Account;
    who: Who;
    target: Share;
    cls: "internal" | "confidential" | "restricted";
    teamId: string;
    db: string;
    compliance?: string[];
  },
) {
  const rds = b.rng.chance(0.5);
  const id = snapshotSubject(b, o.acct, o.who, rds, o.db);
  const cfg = config(b, {
    classification: o.cls,
    teamId: o.teamId,
    compliance: o.compliance,
    criticality: o.compliance?.length ? "crown_jewel" : undefined,
    configuration: rds
      ? {
          db_instance: o.db,
          engine: "postgres",
          allocated_storage_gb: b.rng.int(50, 2000),
          encrypted: true,
          kms_key: `alias/${o.db}-rds`,
          shared_with: [o.target.account_id],
        }
      : {
          volume_id: `vol-0${b.rng.hex(16)}`,
          volume_size_gb: b.rng.int(20, 500),
          source_instance: `${o.db}-node-${b.rng.int(1, 6)}`,
          encrypted: b.rng.chance(0.7),
          shared_with: [o.target.account_id],
        },
  });
  const share = trail(b, {
    eventName: rds ? "ModifyDBSnapshotAttribute" : "ModifySnapshotAttribute",
    eventSource: rds ? "rds.amazonaws.com" : "ec2.amazonaws.com",
    actor: o.who.actor,
    requestParameters: rds
      ? { dBSnapshotIdentifier: id, attributeName: "restore", valuesToAdd: [o.target.account_id] }
      : {
          snapshotId: id,
          attributeType: "CREATE_VOLUME_PERMISSION",
          createVolumePermission: { add: { items: [{ userId: o.target.account_id }] } },
        },
  });
  const alert = b.alert({
    title: `${rds ? "RDS" : "EBS"} snapshot ${id} shared with account ${o.target.account_id}`,
    rule: rds ? "siem/rds-snapshot-shared-outside-account" : "siem/ebs-snapshot-shared-outside-account",
    source: "SIEM correlation (CloudTrail)",
    severity: o.cls === "internal" ? "medium" : "high",
    description: "A snapshot's restore/create-volume permission was granted to another AWS account.",
    raw: {
      eventName: rds ? "ModifyDBSnapshotAttribute" : "ModifySnapshotAttribute",
      snapshot: id,
      target_account: o.target.account_id,
      tags: b.tags({ Name: id }),
    },
  });
  finding(b, {
    product: "SIEM",
    type: findingType(alert.rule),
    severity: alert.severity.toUpperCase(),
    title: alert.title,
  });
  return { cfg, share, alert };
}

const drShare: Scenario = {
  name: "snapshot_dr_share",
  build(b) {
    const acct = account(b.org, (a) => ["prod-data", "prod-web"].some((x) => a.alias.endsWith(x)), b.rng);
    const who = ciPipeline(b, acct);
    const dr = byAlias(b.org, "dr-backup");
    const target = { account_id: dr.id, in_organization: true, known_partner: false, name: dr.alias };
    const { share, alert } = shareCase(b, {
      acct,
      who,
      target,
      cls: "confidential",
      teamId: "platform-infra",
      db: b.rng.pick(["orders-db", "catalog-db", "inventory-db"]),
    });
    owner(b, "platform-infra", { service: "disaster recovery" });
    noise(b, ["DescribeSnapshots", "DescribeSnapshotAttribute"], "ec2.amazonaws.com");
    const { reach: r } = actorContext(b, {
      from: "ci",
      actions: ["ec2:CopySnapshot", "backup:StartCopyJob"],
      reach: { external: [target] },
    });
    return {
      alert,
      label: b.label({
        verdict: "false_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [share, r],
        analyst_minutes: minutes(b, 4, 12),
        notes: "Target account is the organisation's DR account; nightly cross-account backup copy.",
      }),
      tags: ["scenario:snapshot_share"],
    };
  },
};

const partnerShare: Scenario = {
  name: "snapshot_partner_ticket",
  drop: ["ticket"],
  build(b) {
    const acct = byAlias(b.org, "prod-data");
    const who = ssoHuman(b, acct, "DataEngineer", "data-eng");
    const partner = b.rng.pick(b.org.partners);
    const target = { account_id: partner.account, in_organization: false, known_partner: true, name: partner.name };
    const { share, alert } = shareCase(b, {
      acct,
      who,
      target,
      cls: "confidential",
      teamId: "data-eng",
      db: "analytics-db",
    });
    owner(b, "data-eng", { service: "analytics platform" });
    const chg = ticket(b, {
      state: "implement",
      summary: `Share anonymised analytics snapshot with ${partner.name} (DPA ref on file)`,
      requestedBy: who.actor.name,
      start: b.before(30, 300),
      hours: 24,
    });
    const { reach: r } = actorContext(b, {
      from: "usual",
      actions: ["rds:CreateDBSnapshot", "rds:ModifyDBSnapshotAttribute"],
      reach: { external: [target] },
    });
    return {
      alert,
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [share, chg, r],
        analyst_minutes: minutes(b, 8, 20),
        notes: "Share to a contracted vendor under an approved change.",
      }),
      tags: ["scenario:snapshot_share"],
    };
  },
};

export function externalShare(b: CaseBuilder, attacker?: Attacker): Built {
  const acct =
    attacker?.acct ??
    account(b.org, (a) => ["prod-data", "prod-payments", "staging"].some((x) => a.alias.endsWith(x)), b.rng);
  const who = attacker ?? (b.rng.chance(0.5) ? iamUser(b, acct) : ssoHuman(b, acct, "PowerUserAccess"));
  if (!attacker && b.rng.chance(0.5)) b.atHour(b.rng.int(0, 5));
  const target = { account_id: accountId(b.rng), in_organization: false, known_partner: false, name: null };
  const { cfg, share, alert } = shareCase(b, {
    acct,
    who,
    target,
    cls: "confidential",
    teamId: "data-eng",
    db: b.rng.pick(["orders-db", "crm-db", "billing-db"]),
  });
  owner(b, "data-eng", { service: "order management" });
  const hosting = !!attacker || b.rng.chance(0.5);
  const { reach: r } = actorContext(b, {
    from: hosting ? "hosting" : "usual",
    net: attacker?.net,
    recon: attacker ? b.rng.int(3, 6) : 0,
    actions: ["ec2:CreateSnapshot", "rds:CreateDBSnapshot", "ec2:DescribeSnapshots"],
    reach: { external: [target] },
  });
  return {
    alert,
    label: b.label({
      verdict: "true_positive",
      escalate: true,
      actions: ["revoke_snapshot_share", "escalate_severity", "notify_resource_owner"],
      required_evidence: [share, r, cfg],
      analyst_minutes: minutes(b, 50, 150),
      notes:
        "Snapshot of a confidential database shared with an account outside the organisation and unknown to procurement; no change record.",
    }),
    tags: ["scenario:snapshot_share"],
  };
}

const unknownShare: Scenario = {
  name: "snapshot_external_unknown",
  inject: { carrier: "tag", action: "delete_resource" },
  drop: ["reach"],
  build: (b) => externalShare(b),
};

const regulatedShare: Scenario = {
  name: "regulated_snapshot_share",
  build(b) {
    const acct = byAlias(b.org, "prod-payments");
    const dr = byAlias(b.org, "dr-backup");
    const toDr = b.rng.chance(0.6);
    const who = toDr ? ciPipeline(b, acct) : ssoHuman(b, acct, "PowerUserAccess", "payments");
    const target = toDr
      ? { account_id: dr.id, in_organization: true, known_partner: false, name: dr.alias }
      : { account_id: accountId(b.rng), in_organization: false, known_partner: false, name: null };
    const { cfg, share, alert } = shareCase(b, {
      acct,
      who,
      target,
      cls: "restricted",
      teamId: "payments",
      db: "cardholder-vault",
      compliance: ["pci-dss"],
    });
    owner(b, "payments", { service: "card payments (PCI DSS scope)" });
    const { reach: r } = actorContext(b, {
      from: toDr ? "ci" : "usual",
      reach: { external: [target], crownJewels: ["cardholder-vault"] },
    });
    return {
      alert,
      label: b.label({
        verdict: toDr ? "false_positive" : "true_positive",
        escalate: true,
        actions: toDr
          ? ["add_case_note", "escalate_severity"]
          : ["revoke_snapshot_share", "escalate_severity", "notify_resource_owner"],
        required_evidence: [share, cfg, r],
        analyst_minutes: minutes(b, 30, 90),
        notes: "Cardholder-data store (PCI DSS scope): handled by the payments security lead, not closed at tier 1.",
      }),
      tags: ["scenario:snapshot_share", "trap:human_only"],
    };
  },
};

export const SNAPSHOT_SCENARIOS = [drShare, partnerShare, unknownShare, regulatedShare];
