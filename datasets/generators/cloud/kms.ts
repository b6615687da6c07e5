import { ciPipeline, iamUser, REGIONS, ssoHuman, type Who } from "./actors.js";
import type { CaseBuilder } from "./builder.js";
import { actorContext } from "./context.js";
import { type Account, account, accountId, fakeSecret } from "./org.js";
import { analysis, crossAccountDecrypt, keyPolicy } from "./policies.js";
import { config, finding, findingType, owner, TF_AGENT, ticket, trail } from "./records.js";
import { minutes, type Scenario } from "./scenario.js";

/** Key policy changes (internal role, partner, unknown outside account) and a secret left in plain function configuration. */

/** KMS key policy changes: the new policy document and who changed it. */
function keyChange(b: CaseBuilder, o: { who: Who; acct: Account; extraAccount?: string; newRole?: string }) {
  const region = b.rng.pick(REGIONS);
  const keyId = `${b.rng.hex(8)}-${b.rng.hex(4)}-${b.rng.hex(4)}-${b.rng.hex(4)}-${b.rng.hex(12)}`;
  b.s = {
    acct: o.acct,
    resource: `arn:aws:kms:${region}:${o.acct.id}:key/${keyId}`,
    resourceType: "AWS::KMS::Key",
    region,
    principal: o.who.principal,
    ip: o.who.ip,
    ...(o.who.accessKey ? { accessKey: o.who.accessKey } : {}),
  };
  const roles = [
    `arn:aws:iam::${o.acct.id}:role/orders-api`,
    ...(o.newRole ? [`arn:aws:iam::${o.acct.id}:role/${o.newRole}`] : []),
  ];
  const extra = o.extraAccount ? [crossAccountDecrypt(o.extraAccount)] : [];
  const cfg = config(b, {
    classification: "confidential",
    teamId: "payments",
    configuration: {
      key_usage: "ENCRYPT_DECRYPT",
      key_spec: "SYMMETRIC_DEFAULT",
      aliases: ["alias/orders-data"],
      rotation_enabled: true,
    },
  });
  const pol = b.add("iam", b.before(1, 10), b.resourceEntities(), {
    policy_type: "key_policy",
    attached_to: b.s.resource,
    document: keyPolicy(o.acct.id, roles, extra),
    analysis: analysis({ external_accounts: o.extraAccount ? [o.extraAccount] : [] }),
  });
  const put = trail(b, {
    eventName: "PutKeyPolicy",
    eventSource: "kms.amazonaws.com",
    actor: o.who.actor,
    userAgent: o.who.actor.kind === "ci_pipeline" ? TF_AGENT : undefined,
    requestParameters: { keyId, policyName: "default" },
  });
  const a = {
    title: `KMS key policy changed on key ${keyId}`,
    rule: "siem/kms-key-policy-modified",
    source: "SIEM correlation (CloudTrail)",
    severity: "medium" as const,
    description: "PutKeyPolicy changed who may use or administer a customer managed key.",
  };
  finding(b, { product: "SIEM", type: findingType(a.rule), severity: "MEDIUM", title: a.title });
  return { cfg, pol, put, alert: b.alert({ ...a, raw: { ...a, keyId, tags: b.tags({ Name: "orders-data" }) } }) };
}

const kmsPipeline: Scenario = {
  name: "kms_pipeline_ticket",
  drop: ["ticket"],
  build(b) {
    const acct = b.org.accounts.find((a) => a.alias.endsWith("prod-payments"))!;
    if (b.rng.chance(0.5)) b.atHour(b.rng.int(1, 5));
    const who = ciPipeline(b, acct);
    const { put, alert } = keyChange(b, { who, acct, newRole: "refunds-worker" });
    owner(b, "payments", { service: "order data encryption" });
    const chg = ticket(b, {
      state: "implement",
      summary: "Grant refunds-worker use of orders-data key",
      requestedBy: "payments",
      start: b.before(30, 200),
      hours: 6,
      type: "standard",
    });
    const { reach: r } = actorContext(b, { from: "ci", actions: ["kms:PutKeyPolicy", "lambda:UpdateFunctionCode"] });
    return {
      alert,
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [put, chg, r],
        analyst_minutes: minutes(b, 6, 15),
        notes: "Key policy change by the pipeline adding an internal role, under a standard change.",
      }),
      tags: ["scenario:kms_policy", "trap:exonerating_evidence"],
    };
  },
};

const kmsExternal: Scenario = {
  name: "kms_external_grant",
  drop: ["reach"],
  build(b) {
    const acct = b.org.accounts.find((a) => a.alias.endsWith("prod-payments"))!;
    const who = b.rng.chance(0.5) ? iamUser(b, acct) : ssoHuman(b, acct, "PowerUserAccess");
    const ext = accountId(b.rng);
    const { pol, put, alert } = keyChange(b, { who, acct, extraAccount: ext });
    owner(b, "payments", { service: "order data encryption" });
    const { reach: r } = actorContext(b, {
      from: b.rng.pick(["hosting", "usual"]),
      recon: b.rng.int(0, 3),
      actions: ["kms:PutKeyPolicy", "kms:ListKeys"],
      reach: { external: [{ account_id: ext, in_organization: false, known_partner: false, name: null }] },
    });
    return {
      alert,
      label: b.label({
        verdict: "true_positive",
        escalate: true,
        actions: ["revert_iam_policy", "escalate_severity", "notify_resource_owner"],
        required_evidence: [put, pol, r],
        analyst_minutes: minutes(b, 40, 120),
        notes: "Key policy now lets an unknown outside account decrypt order data; no change record.",
      }),
      tags: ["scenario:kms_policy"],
    };
  },
};

const kmsPartner: Scenario = {
  name: "kms_partner_ticket",
  build(b) {
    const acct = b.org.accounts.find((a) => a.alias.endsWith("prod-payments"))!;
    const who = ssoHuman(b, acct, "PlatformEngineer", "payments");
    const partner = b.rng.pick(b.org.partners);
    const { put, alert } = keyChange(b, { who, acct, extraAccount: partner.account });
    owner(b, "payments", { service: "order data encryption" });
    const chg = ticket(b, {
      state: "implement",
      summary: `Allow ${partner.name} to decrypt shared settlement exports`,
      requestedBy: who.actor.name,
      start: b.before(30, 300),
      hours: 24,
    });
    const { reach: r } = actorContext(b, {
      from: "usual",
      actions: ["kms:PutKeyPolicy"],
      reach: {
        external: [{ account_id: partner.account, in_organization: false, known_partner: true, name: partner.name }],
      },
    });
    return {
      alert,
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["add_case_note"],
        required_evidence: [put, chg, r],
        analyst_minutes: minutes(b, 8, 20),
        notes: "Cross-account use granted to a contracted vendor under an approved change.",
      }),
      tags: ["scenario:kms_policy"],
    };
  },
};

const lambdaSecret: Scenario = {
  name: "lambda_env_secret",
  build(b) {
    const acct = account(b.org, (a) => a.env !== "security", b.rng);
    const who = ciPipeline(b, acct);
    const region = b.rng.pick(REGIONS);
    const fn = b.rng.pick(["orders-sync", "invoice-export", "loyalty-points", "catalog-indexer"]);
    b.s = {
      acct,
      resource: `arn:aws:lambda:${region}:${acct.id}:function:${fn}`,
      resourceType: "AWS::Lambda::Function",
      region,
      principal: who.principal,
      ip: who.ip,
    };
    config(b, {
      classification: "confidential",
      teamId: acct.team,
      configuration: {
        runtime: "python3.12",
        role: `arn:aws:iam::${acct.id}:role/${fn}-exec`,
        last_modified: b.before(30, 600),
      },
    });
    const db = `${fn.split("-")[0]}-db.cluster-c${b.rng.hex(10)}.${region}.rds.amazonaws.com`;
    const env = b.add(
      "config",
      b.before(3, 40),
      b.resourceEntities(),
      {
        variables: {
          DATABASE_URL: `postgres://${fn.replace("-", "_")}_svc:${fakeSecret(b.rng, 24)}@${db}:5432/${fn.split("-")[0]}`,
          LOG_LEVEL: "info",
        },
      },
      "secret",
    );
    const upd = trail(b, {
      eventName: "UpdateFunctionConfiguration20150331v2",
      eventSource: "lambda.amazonaws.com",
      actor: who.actor,
      userAgent: TF_AGENT,
      requestParameters: { functionName: fn, environment: "HIDDEN_DUE_TO_SECURITY_REASONS" },
    });
    owner(b, acct.team, { service: fn });
    actorContext(b, { from: "ci", actions: ["lambda:UpdateFunctionConfiguration", "lambda:UpdateFunctionCode"] });
    const a = {
      title: `Lambda function ${fn} stores a database credential in plaintext environment variables`,
      rule: "cspm/lambda-plaintext-secret-in-environment",
      source: "CSPM scanner",
      severity: "medium" as const,
      description: "An environment variable looks like a connection string with an embedded password.",
    };
    finding(b, { product: "CSPM scanner", type: findingType(a.rule), severity: "MEDIUM", title: a.title });
    return {
      alert: b.alert({ ...a, raw: { ...a, functionName: fn } }),
      label: b.label({
        verdict: "benign_positive",
        escalate: false,
        actions: ["notify_resource_owner", "open_remediation_ticket"],
        required_evidence: [env, upd],
        analyst_minutes: minutes(b, 10, 25),
        notes:
          "Real misconfiguration, no sign of misuse; owner to move the credential to a secrets manager and rotate it.",
      }),
      tags: ["scenario:plaintext_secret", "trap:sensitive_record"],
    };
  },
};

export const KMS_SCENARIOS = [kmsPipeline, kmsExternal, kmsPartner, lambdaSecret];
