import type { CaseBuilder } from "./builder.js";
import { type Network, network } from "./org.js";
import { activity, reach, ti } from "./records.js";

type ActivityOpts = Parameters<typeof activity>[1];
type ReachOpts = Parameters<typeof reach>[1];

const HOME = [
  { country: "IE", city: "Dublin" },
  { country: "PT", city: "Lisbon" },
  { country: "PL", city: "Kraków" },
];
const AWAY = [
  { country: "JP", city: "Osaka" },
  { country: "US", city: "Denver" },
  { country: "BR", city: "Recife" },
  { country: "SG", city: "Singapore" },
];
const HOSTILE = [
  { country: "NL", city: "Amsterdam" },
  { country: "RO", city: "Bucharest" },
  { country: "US", city: "Ashburn" },
  { country: "HK", city: "Hong Kong" },
];

export const RECON = [
  "sts:GetCallerIdentity",
  "iam:ListUsers",
  "iam:ListAttachedUserPolicies",
  "s3:ListAllMyBuckets",
  "ec2:DescribeInstances",
  "iam:ListRoles",
  "secretsmanager:ListSecrets",
  "organizations:DescribeOrganization",
];

/** Where the actor's calls came from and how that compares with its history. */
export type Origin = "usual" | "travel" | "hosting" | "ci" | "ztna";

export function origin(b: CaseBuilder, o: Origin): Pick<ActivityOpts, "net" | "newAsn" | "usual" | "geo"> {
  const corp = network(b.org, "corporate", b.rng);
  const ztna = network(b.org, "ztna", b.rng);
  const ci = network(b.org, "ci", b.rng);
  switch (o) {
    case "usual":
      return { net: b.rng.pick([corp, ztna]), newAsn: false, usual: [corp, ztna], geo: b.rng.pick(HOME) };
    case "ztna":
      return { net: ztna, newAsn: false, usual: [ztna, corp], geo: b.rng.pick(HOME) };
    case "ci":
      return { net: ci, newAsn: false, usual: [ci], geo: { country: "US", city: "Ashburn" } };
    case "travel":
      return {
        net: b.rng.pick([network(b.org, "isp", b.rng), network(b.org, "mobile", b.rng)]),
        newAsn: true,
        usual: [corp, ztna],
        geo: b.rng.pick(AWAY),
      };
    case "hosting":
      return { net: network(b.org, "hosting", b.rng), newAsn: true, usual: [corp, ztna], geo: b.rng.pick(HOSTILE) };
  }
}

/**
 * The principal's side of the story: its last 24h of activity, what it can reach, and the
 * reputation of the address it came from.
 */
export function actorContext(
  b: CaseBuilder,
  o: {
    from: Origin;
    actions?: string[];
    recon?: number;
    denied?: number;
    mfa?: boolean;
    reach?: Partial<ReachOpts>;
    intel?: { verdict: "malicious" | "suspicious" | "benign" | "unknown"; confidence: number; categories: string[] };
    net?: Network;
  },
): { act: string; reach: string; ti?: string } {
  const og = origin(b, o.from);
  if (o.net) og.net = o.net;
  const recon = o.recon ?? 0;
  const actions = o.actions ?? [
    "s3:GetObject",
    "ec2:DescribeInstances",
    "logs:FilterLogEvents",
    "cloudwatch:GetMetricData",
  ];
  const act = activity(b, {
    ...og,
    topActions: [...b.rng.sample(RECON, Math.min(recon, RECON.length)), ...actions].slice(0, 8),
    recon,
    denied: o.denied ?? 0,
    total: b.rng.int(20, 900) + recon * 3,
    mfa: o.mfa ?? o.from !== "ci",
  });
  const r = reach(b, {
    permissions: "scoped",
    admin: false,
    counts: {
      s3_buckets: b.rng.int(2, 30),
      kms_keys: b.rng.int(0, 6),
      secrets: b.rng.int(0, 8),
      rds_instances: b.rng.int(0, 3),
    },
    ...o.reach,
  });
  const ip = b.s.ip;
  const intel = ip
    ? ti(b, ip, {
        ...(o.intel ?? { verdict: "unknown", confidence: 0, categories: [] }),
        net: og.net,
      })
    : undefined;
  return { act, reach: r, ti: intel };
}
