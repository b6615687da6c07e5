import type { Rng } from "../rng.js";

/**
 * The fictional tenant every cloud case happens in: one company, its AWS-style accounts, people,
 * teams, CI pipelines and networks. Drawn from the case generator's Rng so the whole dataset stays
 * a function of the seed. Autonomous system numbers come from the private-use range (64512–65534)
 * and company names are invented, so nothing names a real network or organisation.
 */

export type Env = "production" | "staging" | "development" | "sandbox" | "security";
export type Account = { id: string; alias: string; env: Env; ou: string; team: string };
export type Team = { id: string; name: string; oncall: string; channel: string };
export type Person = { user: string; name: string; team: string };
export type Network = { asn: number; org: string; kind: "corporate" | "ztna" | "isp" | "mobile" | "hosting" | "ci" };
export type Partner = { name: string; account: string };

export type Org = {
  name: string;
  domain: string;
  prefix: string;
  accounts: Account[];
  teams: Team[];
  people: Person[];
  partners: Partner[];
  corpEgress: string[];
  ztnaEgress: string[];
  networks: Network[];
};

const TEAMS: [string, string][] = [
  ["web-platform", "Web Platform"],
  ["payments", "Payments Engineering"],
  ["data-eng", "Data Engineering"],
  ["ml-research", "ML Research"],
  ["platform-infra", "Platform Infrastructure"],
  ["secops", "Security Operations"],
];

const ACCOUNTS: [string, Env, string, string][] = [
  ["prod-web", "production", "Workloads/Prod", "web-platform"],
  ["prod-payments", "production", "Workloads/Prod", "payments"],
  ["prod-data", "production", "Workloads/Prod", "data-eng"],
  ["staging", "staging", "Workloads/NonProd", "platform-infra"],
  ["dev", "development", "Workloads/NonProd", "web-platform"],
  ["sandbox-ml", "sandbox", "Sandbox", "ml-research"],
  ["shared-ci", "production", "Infrastructure", "platform-infra"],
  ["security-tooling", "security", "Security", "secops"],
  ["log-archive", "security", "Security", "secops"],
  ["dr-backup", "production", "Infrastructure", "platform-infra"],
  ["org-management", "production", "Root", "secops"],
];

const PEOPLE: [string, string][] = [
  ["a.moreau", "Anaïs Moreau"],
  ["d.okonkwo", "Dayo Okonkwo"],
  ["s.lindqvist", "Saga Lindqvist"],
  ["r.tanaka", "Ren Tanaka"],
  ["m.haddad", "Mira Haddad"],
  ["j.castellanos", "Julián Castellanos"],
  ["p.nowak", "Piotr Nowak"],
  ["l.ferreira", "Luísa Ferreira"],
  ["k.osei", "Kwame Osei"],
  ["e.varga", "Eszter Varga"],
  ["t.brennan", "Tadhg Brennan"],
  ["n.iyer", "Nandini Iyer"],
  ["h.kowalczyk", "Hanna Kowalczyk"],
  ["b.adeyemi", "Bola Adeyemi"],
];

const NETWORKS: Network[] = [
  { asn: 64512, org: "Kestrel Ridge Corporate Egress", kind: "corporate" },
  { asn: 64555, org: "Palisade Secure Access (ZTNA)", kind: "ztna" },
  { asn: 64990, org: "Meridian Broadband", kind: "isp" },
  { asn: 65010, org: "Tollgate Fiber", kind: "isp" },
  { asn: 65022, org: "Harbourline Cable", kind: "isp" },
  { asn: 65100, org: "Corvid Mobile", kind: "mobile" },
  { asn: 64700, org: "Nimbuscale Hosting", kind: "hosting" },
  { asn: 64731, org: "BlueFerry VPS", kind: "hosting" },
  { asn: 64802, org: "Quartzline Cloud", kind: "hosting" },
  { asn: 64620, org: "CodeForge Hosted Runners", kind: "ci" },
];

export function accountId(rng: Rng): string {
  return `${rng.int(1, 9)}${Array.from({ length: 11 }, () => rng.int(0, 9)).join("")}`;
}

export function makeOrg(rng: Rng): Org {
  const prefix = "kro";
  return {
    name: "Kestrel Ridge Outfitters (fictional)",
    domain: "kestrelridge.example",
    prefix,
    accounts: ACCOUNTS.map(([alias, env, ou, team]) => ({
      id: accountId(rng),
      alias: `${prefix}-${alias}`,
      env,
      ou,
      team,
    })),
    teams: TEAMS.map(([id, name]) => ({
      id,
      name,
      oncall: `${id}-primary`,
      channel: `#${id}-alerts`,
    })),
    people: PEOPLE.map(([user, name], i) => ({ user, name, team: TEAMS[i % TEAMS.length]![0] })),
    partners: [
      { name: "Lumenfold Analytics (fictional vendor)", account: accountId(rng) },
      { name: "Ostrava Payments Gateway (fictional vendor)", account: accountId(rng) },
      { name: "Brightwater Backup Services (fictional vendor)", account: accountId(rng) },
    ],
    corpEgress: [rng.ipv4Public(), rng.ipv4Public()],
    ztnaEgress: [rng.ipv4Public(), rng.ipv4Public(), rng.ipv4Public()],
    networks: NETWORKS,
  };
}

export function network(org: Org, kind: Network["kind"], rng: Rng): Network {
  return rng.pick(org.networks.filter((n) => n.kind === kind));
}

export function account(org: Org, pred: (a: Account) => boolean, rng: Rng): Account {
  return rng.pick(org.accounts.filter(pred));
}

export function byAlias(org: Org, alias: string): Account {
  return org.accounts.find((a) => a.alias === `${org.prefix}-${alias}`)!;
}

export function team(org: Org, id: string): Team {
  return org.teams.find((t) => t.id === id)!;
}

export function person(org: Org, rng: Rng, teamId?: string): Person {
  const pool = teamId ? org.people.filter((p) => p.team === teamId) : org.people;
  return rng.pick(pool.length ? pool : org.people);
}

/** SSO session principal the way CloudTrail spells it for an IAM Identity Center user. */
export function ssoPrincipal(org: Org, acct: Account, permissionSet: string, p: Person, rng: Rng): string {
  return `arn:aws:sts::${acct.id}:assumed-role/AWSReservedSSO_${permissionSet}_${rng.hex(16)}/${p.user}@${org.domain}`;
}

export type Pipeline = { role: string; repo: string; workflow: string };

export function pipeline(org: Org, rng: Rng): Pipeline {
  return rng.pick([
    { role: "gha-terraform-apply", repo: `${org.prefix}/infra-live`, workflow: "terraform-apply.yml" },
    { role: "gha-terraform-apply", repo: `${org.prefix}/platform-baseline`, workflow: "baseline.yml" },
    { role: "gha-app-deploy", repo: `${org.prefix}/storefront-web`, workflow: "deploy.yml" },
    { role: "gha-data-pipelines", repo: `${org.prefix}/data-platform`, workflow: "release.yml" },
  ]);
}

export function pipelinePrincipal(acct: Account, p: Pipeline, runId: string): string {
  return `arn:aws:sts::${acct.id}:assumed-role/${p.role}/GitHubActions-${runId}`;
}

export function accessKeyId(rng: Rng): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return `AKIA${Array.from({ length: 16 }, () => rng.pick([...alphabet])).join("")}`;
}

/** A plausible-looking but invented secret: base64-ish, 40 characters. */
export function fakeSecret(rng: Rng, len = 40): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  return Array.from({ length: len }, () => rng.pick([...alphabet])).join("");
}
