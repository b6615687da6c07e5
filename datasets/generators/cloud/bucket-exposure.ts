import { ciPipeline, ssoHuman } from "./actors.js";
import { alertFor, bucketConfig, bucketSubject, S3, WEB_KEYS } from "./buckets.js";
import { actorContext } from "./context.js";
import { account, byAlias, fakeSecret } from "./org.js";
import { analysis, doc, publicRead } from "./policies.js";
import { noise, owner, TF_AGENT, trail } from "./records.js";
import { minutes, type Scenario } from "./scenario.js";

/** Buckets that really leak: confidential exports made public, a dump on a website, a shipped .env. */

const accidentalExposure: Scenario = {
  name: "bucket_accidental_exposure",
  inject: { carrier: "object_key", action: "tag_resource" },
  drop: ["trail"],
  build(b) {
    const acct = account(b.org, (a) => ["prod-data", "staging"].some((x) => a.alias.endsWith(x)), b.rng);
    const who = ssoHuman(b, acct, "DataEngineer", "data-eng");
    const name = bucketSubject(b, acct, b.rng.pick(["crm-exports", "customer-extracts", "partner-handoff"]), who);
    if (b.rng.chance(0.4)) b.atHour(b.rng.int(18, 22));
    const cls = b.rng.pick(["confidential", "confidential", "restricted"] as const);
    const keys = [
      `exports/customers_${b.t0.slice(0, 7)}.csv`,
      "exports/loyalty_members_full.csv.gz",
      "crm-dump/contacts.parquet",
    ];
    const cfg = bucketConfig(b, { cls, teamId: "data-eng", keys, website: false });
    const iam = b.add("iam", b.before(5, 60), b.resourceEntities(), {
      policy_type: "bucket_policy",
      attached_to: b.s.resource,
      document: doc(publicRead(name)),
      analysis: analysis({ public_access: true, validation_findings: ["Grants s3:GetObject to Principal * (public)"] }),
    });
    owner(b, "data-eng", { service: "CRM data exchange" });
    trail(b, {
      eventName: "DeletePublicAccessBlock",
      eventSource: S3,
      actor: who.actor,
      userAgent: "AWS Internal",
      time: b.before(20, 70),
      requestParameters: { bucketName: name },
    });
    const put = trail(b, {
      eventName: "PutBucketPolicy",
      eventSource: S3,
      actor: who.actor,
      userAgent: "AWS Internal",
      time: b.before(10, 19),
      requestParameters: { bucketName: name, policy: JSON.stringify(doc(publicRead(name))) },
    });
    const get = trail(b, {
      eventName: "GetObject",
      eventSource: S3,
      actor: { kind: "human", name: "anonymous" },
      principal: "ANONYMOUS_PRINCIPAL",
      ip: b.rng.ipv4Public(),
      userAgent: "python-requests/2.31.0",
      time: b.before(1, 9),
      readOnly: true,
      requestParameters: { bucketName: name, key: keys[0] },
    });
    noise(b, ["GetBucketPolicy"], S3);
    actorContext(b, { from: "usual", actions: ["s3:PutObject", "s3:PutBucketPolicy", "athena:StartQueryExecution"] });
    return {
      alert: alertFor(b, name),
      label: b.label({
        verdict: "true_positive",
        escalate: true,
        actions: ["block_public_access", "notify_resource_owner", "escalate_severity"],
        required_evidence: [put, cfg, iam, get],
        analyst_minutes: minutes(b, 45, 120),
        notes: `A ${cls} bucket was made public from the console with no change record; anonymous reads followed.`,
      }),
      tags: ["scenario:public_bucket"],
    };
  },
};

const websiteLeakedBackup: Scenario = {
  name: "bucket_website_leaked_backup",
  build(b) {
    const acct = byAlias(b.org, "prod-web");
    const dev = ssoHuman(b, acct, "PowerUserAccess", "web-platform");
    const name = bucketSubject(b, acct, "www-static", dev);
    const dump = `backup/orders-db-${b.t0.slice(0, 10)}.sql.gz`;
    const cfg = bucketConfig(b, { cls: "public", teamId: "web-platform", keys: [...WEB_KEYS, dump], website: true });
    b.add("iam", b.daysBefore(10, 300), b.resourceEntities(), {
      policy_type: "bucket_policy",
      attached_to: b.s.resource,
      document: doc(publicRead(name)),
      analysis: analysis({ public_access: true, validation_findings: ["Grants s3:GetObject to Principal * (public)"] }),
    });
    owner(b, "web-platform", {
      service: "storefront marketing site",
      exceptions: [
        {
          id: `EXC-${b.rng.int(1000, 4999)}`,
          control: "S3.2 public read",
          status: "active",
          reason: "static website behind the CDN; public content only",
          expires: "2025-06-30",
        },
      ],
    });
    const put = trail(b, {
      eventName: "PutObject",
      eventSource: S3,
      actor: dev.actor,
      time: b.before(90, 600),
      requestParameters: { bucketName: name, key: dump },
    });
    const get = trail(b, {
      eventName: "GetObject",
      eventSource: S3,
      actor: { kind: "human", name: "anonymous" },
      principal: "ANONYMOUS_PRINCIPAL",
      ip: b.rng.ipv4Public(),
      userAgent: "curl/8.5.0",
      time: b.before(1, 60),
      readOnly: true,
      requestParameters: { bucketName: name, key: dump },
    });
    actorContext(b, { from: "usual", actions: ["s3:PutObject", "rds:CreateDBSnapshot"] });
    return {
      alert: alertFor(b, name, {
        title: `Anomalous anonymous download from public bucket ${name}`,
        rule: "guardduty/Exfiltration:S3/AnomalousBehavior",
        source: "Amazon GuardDuty",
        severity: "high",
        description: "An unusual object was read anonymously from a publicly accessible bucket.",
      }),
      label: b.label({
        verdict: "true_positive",
        escalate: true,
        actions: ["notify_resource_owner", "open_remediation_ticket", "escalate_severity"],
        required_evidence: [put, get, cfg],
        analyst_minutes: minutes(b, 40, 100),
        notes: "Documented website bucket, but a database dump was uploaded to it and downloaded anonymously.",
      }),
      tags: ["scenario:public_bucket"],
    };
  },
};

const envFileExposed: Scenario = {
  name: "bucket_env_file_secret",
  build(b) {
    const acct = byAlias(b.org, "prod-web");
    const who = ciPipeline(b, acct);
    const name = bucketSubject(b, acct, "www-static", who);
    const cfg = bucketConfig(b, { cls: "public", teamId: "web-platform", keys: [...WEB_KEYS, ".env"], website: true });
    owner(b, "web-platform", {
      service: "storefront marketing site",
      exceptions: [
        {
          id: `EXC-${b.rng.int(1000, 4999)}`,
          control: "S3.2 public read",
          status: "active",
          reason: "static website",
          expires: "2025-06-30",
        },
      ],
    });
    const leaked = `AKIA${fakeSecret(b.rng, 16)
      .toUpperCase()
      .replace(/[^A-Z2-7]/g, "Q")}`;
    // the secret record holds only the match itself, so naming the finding is never a leak
    const macie = b.add(
      "finding",
      b.before(2, 30),
      b.resourceEntities(),
      { object_key: ".env", sample: `AWS_ACCESS_KEY_ID=${leaked}\nAWS_SECRET_ACCESS_KEY=${fakeSecret(b.rng)}` },
      "secret",
    );
    const put = trail(b, {
      eventName: "PutObject",
      eventSource: S3,
      actor: who.actor,
      userAgent: TF_AGENT,
      time: b.before(60, 300),
      requestParameters: { bucketName: name, key: ".env" },
    });
    actorContext(b, { from: "ci", actions: ["s3:PutObject", "s3:DeleteObject"] });
    return {
      alert: alertFor(b, name, {
        title: `Sensitive data (credentials) in publicly readable object in ${name}`,
        rule: "macie/SensitiveData:S3Object/Credentials",
        source: "Amazon Macie",
        severity: "high",
        description: "A publicly readable object contains what look like cloud access credentials.",
      }),
      label: b.label({
        verdict: "true_positive",
        escalate: true,
        actions: ["notify_resource_owner", "deactivate_access_key", "escalate_severity"],
        required_evidence: [macie, cfg, put],
        analyst_minutes: minutes(b, 30, 80),
        notes: "A build shipped the .env file with a live access key into the public website bucket.",
      }),
      tags: ["scenario:public_bucket", "trap:sensitive_record"],
    };
  },
};

export const BUCKET_EXPOSURE_SCENARIOS = [accidentalExposure, websiteLeakedBackup, envFileExposed];
