import type { Rng } from "../rng.js";

/**
 * The synthetic organisation every endpoint case happens in: one AD domain, its people, its hosts
 * and the vulnerability findings a scanner would report. Nothing here names a real person or host.
 */
export const DOMAIN = "CORP";
export const DNS = "corp.example.com";

const FIRST =
  "amara ben chloe dmitri elena farid grace hiro ines jonas kavya liam maya nikos olga pavel quinn rosa sanjay tara umar vera wen yusuf zoe aaron bianca carlos dana emeka fatima gustav hana ivan julia kofi lena mateo".split(
    " ",
  );
const LAST =
  "okafor lindqvist castillo tanaka haddad novak brennan moreau schmidt kowalski oliveira nguyen petrov fischer rahman costa weber jansen rossi murphy santos ito kaur dubois larsen silva ahmed keller varga horvat mendes sato berg".split(
    " ",
  );

export type Department = { name: string; code: string; titles: string[] };
export const DEPARTMENTS: Department[] = [
  { name: "Finance", code: "FIN", titles: ["Accounts Payable Specialist", "Financial Analyst", "Controller"] },
  { name: "Human Resources", code: "HR", titles: ["HR Business Partner", "Recruiter", "Payroll Coordinator"] },
  { name: "Sales", code: "SAL", titles: ["Account Executive", "Sales Operations Analyst", "Regional Manager"] },
  { name: "Marketing", code: "MKT", titles: ["Content Strategist", "Campaign Manager", "Graphic Designer"] },
  { name: "Legal", code: "LEG", titles: ["Paralegal", "Contracts Manager", "Counsel"] },
  { name: "Customer Support", code: "CS", titles: ["Support Agent", "Support Team Lead"] },
];
export const IT_DEPTS = ["IT Operations", "Service Desk", "Infrastructure"];
export const ENGINEERING = {
  name: "Engineering",
  code: "ENG",
  titles: ["Software Engineer", "Senior Software Engineer", "Build Engineer"],
};

export type User = {
  account: string;
  upn: string;
  display: string;
  department: string;
  title: string;
  type: "user" | "admin" | "service";
  tier: number | null;
  groups: string[];
  mfa: boolean;
};

export type Host = {
  name: string;
  fqdn: string;
  ip: string;
  role: string;
  criticality: "low" | "medium" | "high" | "crown_jewel";
  environment: "production" | "development" | "lab";
  owner: string;
  ownerTeam: string;
  service: string;
  os: string;
  managedBy: "sccm" | "intune";
  guidPrefix: string;
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function person(rng: Rng): { first: string; last: string } {
  return { first: rng.pick(FIRST), last: rng.pick(LAST) };
}

export function regularUser(rng: Rng, dept?: Department): User {
  const d = dept ?? rng.pick(DEPARTMENTS);
  const p = person(rng);
  const sam = `${p.first.charAt(0)}${p.last}${rng.chance(0.3) ? rng.int(2, 9) : ""}`;
  return {
    account: `${DOMAIN}\\${sam}`,
    upn: `${sam}@${DNS}`,
    display: `${cap(p.first)} ${cap(p.last)}`,
    department: d.name,
    title: rng.pick(d.titles),
    type: "user",
    tier: null,
    groups: [`GG-${d.code}-Staff`, "GG-AllEmployees", rng.pick(["GG-VPN-Users", "GG-M365-E5"])],
    mfa: true,
  };
}

export function developer(rng: Rng): User {
  return { ...regularUser(rng, ENGINEERING), groups: ["GG-ENG-Staff", "GG-AllEmployees", "GG-Dev-LocalAdmin"] };
}

/** An IT administrator's separate admin account; tier 0 only when a case needs a domain admin. */
export function adminUser(rng: Rng, tier: 0 | 1 = 1): User {
  const p = person(rng);
  const sam = `adm-${p.first.charAt(0)}${p.last}`;
  const dept = rng.pick(IT_DEPTS);
  const groups =
    tier === 0
      ? ["Domain Admins", "GG-Tier0-Admins", "Protected Users"]
      : ["GG-Server-Admins", "GG-Tier1-Admins", dept === "Service Desk" ? "GG-Workstation-Admins" : "GG-Sysinternals"];
  return {
    account: `${DOMAIN}\\${sam}`,
    upn: `${sam}@${DNS}`,
    display: `${cap(p.first)} ${cap(p.last)} (admin)`,
    department: dept,
    title:
      tier === 0
        ? "Identity Platform Engineer"
        : rng.pick(["Systems Administrator", "Desktop Engineer", "Windows Engineer"]),
    type: "admin",
    tier,
    groups,
    mfa: true,
  };
}

export function serviceAccount(name: string, dept: string): User {
  return {
    account: `${DOMAIN}\\${name}`,
    upn: `${name}@${DNS}`,
    display: name,
    department: dept,
    title: "Service account",
    type: "service",
    tier: 1,
    groups: ["GG-Service-Accounts"],
    mfa: false,
  };
}

const WIN_CLIENT = [
  "Windows 11 Enterprise 23H2 (22631)",
  "Windows 10 Enterprise 22H2 (19045)",
  "Windows 11 Enterprise 22H2 (22621)",
];
const WIN_SERVER = ["Windows Server 2022 Datacenter (20348)", "Windows Server 2019 Standard (17763)"];

export type HostKind =
  | "workstation"
  | "developer_workstation"
  | "app_server"
  | "database_server"
  | "file_server"
  | "jump_host"
  | "domain_controller"
  | "crown_server";

export function makeHost(rng: Rng, kind: HostKind, owner: User): Host {
  const seg = `${rng.int(1, 9)}${rng.int(0, 9)}${rng.int(0, 9)}${rng.int(0, 9)}`;
  const dept = DEPARTMENTS.find((d) => d.name === owner.department)?.code ?? "IT";
  const n2 = String(rng.int(1, 24)).padStart(2, "0");
  const spec: Record<HostKind, [string, Host["role"], Host["criticality"], string, string]> = {
    workstation: [
      `${rng.pick(["WKS", "LT"])}-${dept}-${seg}`,
      "workstation",
      rng.pick(["low", "medium"]),
      "End-user computing",
      "Desktop Engineering",
    ],
    developer_workstation: [
      `DEV-${seg}`,
      "developer_workstation",
      "medium",
      "Product engineering",
      "Engineering Productivity",
    ],
    app_server: [
      `SRV-APP-${n2}`,
      "app_server",
      rng.pick(["medium", "high"]),
      rng.pick(["Customer portal", "Intranet", "Reporting"]),
      "Application Operations",
    ],
    database_server: [
      `SQL-PRD-${n2}`,
      "database_server",
      "high",
      rng.pick(["ERP database", "CRM database"]),
      "Database Operations",
    ],
    file_server: [
      `FS-${n2}`,
      "file_server",
      rng.pick(["medium", "high"]),
      "Departmental file shares",
      "Infrastructure",
    ],
    jump_host: [`JMP-${n2}`, "jump_host", "high", "Administrative access", "Infrastructure"],
    domain_controller: [
      `DC-${rng.pick(["HQ", "EU", "US"])}-${n2}`,
      "domain_controller",
      "crown_jewel",
      "Active Directory",
      "Identity Platform",
    ],
    crown_server: [
      rng.pick([`PAY-PRD-${n2}`, `SAP-PRD-${n2}`, `HSM-GW-${n2}`]),
      rng.pick(["payment_server", "erp_server", "hsm_gateway"]),
      "crown_jewel",
      rng.pick(["Card payments", "SAP S/4HANA finance", "Key management"]),
      "Critical Platforms",
    ],
  };
  const [name, role, criticality, service, ownerTeam] = spec[kind];
  const server = !["workstation", "developer_workstation"].includes(kind);
  return {
    name,
    fqdn: `${name.toLowerCase()}.${DNS}`,
    ip: server
      ? `10.${rng.int(1, 9)}.${rng.int(0, 40)}.${rng.int(5, 250)}`
      : `10.${rng.int(20, 60)}.${rng.int(0, 255)}.${rng.int(5, 250)}`,
    role,
    criticality,
    environment: kind === "developer_workstation" && rng.chance(0.2) ? "development" : "production",
    owner: server ? ownerTeam : owner.display,
    ownerTeam,
    service,
    os: server ? rng.pick(WIN_SERVER) : rng.pick(WIN_CLIENT),
    managedBy: server || rng.chance(0.5) ? "sccm" : "intune",
    guidPrefix: rng.hex(8),
  };
}

/** Scanner findings; CVSS and KEV status as published for these CVEs. */
type Vuln = { cve: string; title: string; cvss: number; kev: boolean; product: string; server: boolean };
const V = (cve: string, title: string, cvss: number, kev: boolean, product: string, server = false): Vuln => ({
  cve,
  title,
  cvss,
  kev,
  product,
  server,
});
export const VULNS: Vuln[] = [
  V("CVE-2021-34527", "Windows Print Spooler remote code execution (PrintNightmare)", 8.8, true, "Windows"),
  V("CVE-2023-23397", "Microsoft Outlook elevation of privilege", 9.8, true, "Outlook"),
  V("CVE-2021-40444", "MSHTML remote code execution", 8.8, true, "Windows"),
  V("CVE-2022-30190", "Microsoft Support Diagnostic Tool remote code execution (Follina)", 7.8, true, "Windows"),
  V("CVE-2023-36884", "Office and Windows HTML remote code execution", 8.8, true, "Office"),
  V("CVE-2024-21412", "Internet Shortcut Files security feature bypass", 8.1, true, "Windows"),
  V("CVE-2024-38063", "Windows TCP/IP remote code execution (IPv6)", 9.8, false, "Windows"),
  V("CVE-2021-36934", "Windows elevation of privilege via SAM hive ACLs (HiveNightmare)", 7.8, true, "Windows"),
  V("CVE-2019-0708", "Remote Desktop Services remote code execution (BlueKeep)", 9.8, true, "Windows", true),
  V("CVE-2020-1472", "Netlogon elevation of privilege (Zerologon)", 10, true, "Windows Server", true),
  V("CVE-2017-0144", "SMBv1 remote code execution (EternalBlue)", 8.1, true, "Windows", true),
];

export const ANALYSTS = ["a.okafor", "m.lindqvist", "r.castillo", "j.tanaka", "s.haddad", "k.novak", "t.brennan"];
