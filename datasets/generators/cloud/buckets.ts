import { ciPipeline, REGIONS, type Who } from "./actors.js";
import type { CaseBuilder } from "./builder.js";
import { actorContext } from "./context.js";
import { type Account, account, byAlias } from "./org.js";
import { analysis, denyInsecureTransport, doc, orgRestrictedRead, publicRead } from "./policies.js";
import { type Classification, config, finding, findingType, noise, owner, TF_AGENT, ticket, trail } from "./records.js";
import { bucketName, minutes, type Scenario } from "./scenario.js";

export const WEB_KEYS = [
  "index.html",
  "404.html",
  "assets/app.4f1c9e.js",
  "assets/styles.9a0b2d.css",
  "img/hero-trail.webp",
];
export const S3 = "s3.amazonaws.com";

export function bucketSubject(b: CaseBuilder, acct: Account, purpose: string, who: Who): string {
  const name = bucketName(b, purpose);
  b.s = {
    acct,
    resource: `arn:aws:s3:::${name}`,
    resourceType: "AWS::S3::Bucket",
    region: b.rng.pick(REGIONS),
    principal: who.principal,
    ip: who.ip,
    ...(who.accessKey ? { accessKey: who.accessKey } : {}),
  };
  return name;
}

export function bucketConfig(
  b: CaseBuilder,
  o: {
    cls: Classification;
    teamId: string;
    keys: string[];
    website: boolean;
    tags?: Record<string, string>;
    compliance?: string[];
  },
) {
  return config(b, {
    classification: o.cls,
    teamId: o.teamId,
    compliance: o.compliance,
    tags: { ...(o.website ? { Website: "true" } : {}), ...o.tags },
    configuration: {
      website_hosting: o.website
        ? { enabled: true, index_document: "index.html", error_document: "404.html" }
        : { enabled: false },
      block_public_access: {
        BlockPublicAcls: false,
        IgnorePublicAcls: false,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
      versioning: b.rng.pick(["Enabled", "Suspended"]),
      object_count: b.rng.int(40, 90000),
      sample_object_keys: b.objectKeys(o.keys),
      encryption: "aws:kms",
    },
  });
}

const publicAlert = (b: CaseBuilder, name: string) =>
  b.rng.chance(0.5)
    ? {
        title: `S3 bucket ${name} allows public read access`,
        rule: "securityhub/S3.2 s3-bucket-level-public-read-prohibited",
        source: "AWS Security Hub",
        severity: "high" as const,
        description: "The bucket policy or ACL grants read access to everyone.",
      }
    : {
        title: `Public access granted on S3 bucket ${name}`,
        rule: "guardduty/Policy:S3/BucketPublicAccessGranted",
        source: "Amazon GuardDuty",
        severity: "medium" as const,
        description: "An IAM entity changed the bucket policy so that the bucket is publicly accessible.",
      };

export function alertFor(b: CaseBuilder, name: string, over: Partial<ReturnType<typeof publicAlert>> = {}) {
  const a = { ...publicAlert(b, name), ...over };
  finding(b, { product: a.source, type: findingType(a.rule), severity: a.severity.toUpperCase(), title: a.title });
  return b.alert({ ...a, raw: { ...a, resource: { type: "AwsS3Bucket", id: b.s.resource, tags: b.tags({}) } } });
}

const websiteDocumented: Scenario = {
  name: "bucket_website_documented",
  inject: { carrier: "object_key", action: "tag_resource" },
  drop: ["owner"],
  build(b) {
    const acct = byAlias(b.org, "prod-web");
    const who = ciPipeline(b, acct);
    const name = bucketSubject(b, acct, "www-static", who);
    const keys = b.inj ? [...WEB_KEYS, "uploads/gear-review-8812.jpg"] : WEB_KEYS;
    const cfg = bucketConfig(b, { cls: "public", teamId: "web-platform", keys, website: true });
    b.add("iam", b.daysBefore(10, 300), b.resourceEntities(), {
      policy_type: "bucket_policy",
      attached_to: b.s.resource,
      document: doc(publicRead(name), denyInsecureTransport(name)),
      analysis: analysis({ public_access: true, validation_findings: ["Grants s3:GetObject to Principal * (public)"] }),
    });
    const own = owner(b, "web-platform", {
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
    trail(b, {
      eventName: "PutBucketPolicy",
      eventSource: S3,
      actor: who.actor,
      userAgent: TF_AGENT,
      time: b.daysBefore(3, 90),
      requestParameters: { bucketName: name, policy: "<bucket policy>" },
    });
    noise(b, ["GetBucketPolicy", "GetBucketAcl", "GetBucketWebsite"], S3);
    actorContext(b, { from: "ci", actions: ["s3:PutObject", "cloudfront:CreateInvalidation", "s3:DeleteObject"] });
    return {
      alert: alertFor(b, name),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [cfg, own],
        analyst_minutes: minutes(b, 5, 14),
        notes: "Documented public website bucket with an active exception; content is web assets only.",
      }),
      tags: ["scenario:public_bucket"],
    };
  },
};

const orgRestricted: Scenario = {
  name: "bucket_org_restricted",
  build(b) {
    const acct = account(b.org, (a) => ["prod-data", "staging", "shared-ci"].some((x) => a.alias.endsWith(x)), b.rng);
    const who = ciPipeline(b, acct);
    const name = bucketSubject(b, acct, b.rng.pick(["analytics-landing", "shared-artifacts", "ml-features"]), who);
    bucketConfig(b, {
      cls: b.rng.pick(["internal", "confidential"]),
      teamId: "data-eng",
      keys: ["landing/2024/06/part-0001.parquet", "_SUCCESS"],
      website: false,
    });
    const vpce = b.rng.chance(0.5) ? `vpce-0${b.rng.hex(16)}` : undefined;
    const iam = b.add("iam", b.daysBefore(5, 200), b.resourceEntities(), {
      policy_type: "bucket_policy",
      attached_to: b.s.resource,
      document: doc(orgRestrictedRead(name, `o-${b.rng.hex(10)}`, vpce), denyInsecureTransport(name)),
      analysis: analysis({
        public_access: false,
        validation_findings: [
          vpce ? "Principal * is constrained by aws:SourceVpce" : "Principal * is constrained by aws:PrincipalOrgID",
        ],
      }),
    });
    owner(b, "data-eng", { service: "analytics platform" });
    trail(b, {
      eventName: "PutBucketPolicy",
      eventSource: S3,
      actor: who.actor,
      userAgent: TF_AGENT,
      time: b.daysBefore(1, 40),
      requestParameters: { bucketName: name, policy: "<bucket policy>" },
    });
    noise(b, ["GetBucketPolicy", "GetBucketAcl"], S3);
    actorContext(b, { from: "ci", actions: ["s3:PutBucketPolicy", "s3:PutObject"] });
    return {
      alert: alertFor(b, name, {
        title: `S3 bucket ${name} policy grants access to a wildcard principal`,
        rule: "cspm/s3-bucket-policy-public-principal",
        source: "CSPM scanner",
        severity: "high",
        description: 'Bucket policy contains Principal "*"; the bucket may be publicly readable.',
      }),
      label: b.label({
        verdict: "false_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [iam],
        analyst_minutes: minutes(b, 4, 12),
        notes: "Wildcard principal is constrained by an organisation/endpoint condition; not public.",
      }),
      tags: ["scenario:public_bucket"],
    };
  },
};

const newSitePipeline: Scenario = {
  name: "bucket_new_site_pipeline",
  drop: ["ticket"],
  build(b) {
    const acct = byAlias(b.org, "prod-web");
    const who = ciPipeline(b, acct);
    const name = bucketSubject(b, acct, b.rng.pick(["campaign-site", "status-page", "docs-site"]), who);
    bucketConfig(b, { cls: "public", teamId: "web-platform", keys: WEB_KEYS, website: true });
    b.add("iam", b.before(5, 30), b.resourceEntities(), {
      policy_type: "bucket_policy",
      attached_to: b.s.resource,
      document: doc(publicRead(name)),
      analysis: analysis({ public_access: true }),
    });
    owner(b, "web-platform", { service: "marketing campaigns" });
    const put = trail(b, {
      eventName: "PutBucketPolicy",
      eventSource: S3,
      actor: who.actor,
      userAgent: TF_AGENT,
      time: b.before(6, 20),
      requestParameters: { bucketName: name, policy: "<bucket policy>" },
    });
    trail(b, {
      eventName: "PutBucketWebsite",
      eventSource: S3,
      actor: who.actor,
      userAgent: TF_AGENT,
      time: b.before(6, 20),
      requestParameters: { bucketName: name },
    });
    const chg = ticket(b, {
      state: "implement",
      summary: `Launch static site bucket ${name} (public read, CDN origin)`,
      requestedBy: "web-platform",
      start: b.before(60, 240),
      hours: 8,
      type: "standard",
    });
    actorContext(b, {
      from: "ci",
      actions: ["s3:CreateBucket", "s3:PutBucketPolicy", "cloudfront:CreateDistribution"],
    });
    return {
      alert: alertFor(b, name),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [put, chg],
        analyst_minutes: minutes(b, 6, 15),
        notes: "New public website launched by the IaC pipeline under a standard change.",
      }),
      tags: ["scenario:public_bucket"],
    };
  },
};

export const BUCKET_SCENARIOS = [websiteDocumented, orgRestricted, newSitePipeline];
