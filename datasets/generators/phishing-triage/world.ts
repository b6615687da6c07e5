import type { Rng } from "../rng.js";

/**
 * The fictional organisation the phishing cases happen to: Kestrel Logistics, its staff, the
 * vendors that legitimately mail it and the infrastructure attackers use. Every domain sits under a
 * reserved TLD (.example, .test) and every address in a documentation range, so nothing names a
 * real company, person or host.
 */

export const ORG_DOMAIN = "kestrel-logistics.example";
export const MX_HOST = "mx-in-02.mailsec.kestrel-logistics.example";
export const MBX_HOST = "mbx-eu03.mail.kestrel-logistics.example";

export type Asn = {
  asn: string;
  org: string;
  kind: "isp" | "mobile" | "corporate" | "hosting" | "vpn";
  country: string;
};

export type Person = {
  name: string;
  upn: string;
  title: string;
  department: string;
  office: string;
  country: string;
  vip: boolean;
  privileged_roles: string[];
  legal_hold: boolean;
  manager: string;
  created: string;
  home: Asn;
  home_ip: string;
  city: string;
  device: { os: string; browser: string; id: string };
};

export type Vendor = {
  name: string;
  domain: string;
  kind: "payroll" | "supplies" | "insurance" | "customs" | "saas" | "esign" | "fileshare" | "travel" | "benefits";
  mta: string;
  ip: string;
  since_days: number;
};

export type World = {
  staff: Person[];
  executives: Person[];
  admins: Person[];
  legal: Person[];
  vendors: Vendor[];
  newsletters: Vendor[];
};

const FIRST = [
  "Ana",
  "Bram",
  "Chiara",
  "Dev",
  "Elif",
  "Farid",
  "Greta",
  "Hugo",
  "Ines",
  "Jonas",
  "Keiko",
  "Liam",
  "Maren",
  "Nikhil",
  "Olga",
  "Pavel",
  "Quinn",
  "Rosa",
  "Sami",
  "Tove",
  "Umar",
  "Vera",
  "Wes",
  "Xenia",
  "Yusuf",
  "Zofia",
  "Amara",
  "Bjorn",
  "Carmen",
  "Dario",
  "Esme",
  "Florin",
  "Hana",
  "Ivo",
  "Jade",
  "Kofi",
  "Lena",
  "Mateo",
  "Noor",
  "Oskar",
] as const;
const LAST = [
  "Abernethy",
  "Brandvold",
  "Castellanos",
  "Dunmore",
  "Eriksen",
  "Fairweather",
  "Galloway",
  "Halloran",
  "Iversen",
  "Jablonski",
  "Kowalczyk",
  "Lindqvist",
  "Marchetti",
  "Nakagawa",
  "Okonkwo",
  "Pellegrino",
  "Quaresma",
  "Rasmussen",
  "Szabo",
  "Thorsby",
  "Underhill",
  "Valdivia",
  "Whitcombe",
  "Yilmaz",
  "Zeller",
  "Achterberg",
  "Bellweather",
  "Cardoso",
  "Drummond",
  "Esterhazy",
] as const;

const DEPARTMENTS: [string, string[]][] = [
  ["Finance", ["Financial Analyst", "Accountant", "Finance Manager"]],
  ["Accounts Payable", ["AP Specialist", "AP Clerk", "AP Team Lead"]],
  ["Operations", ["Dispatcher", "Route Planner", "Operations Manager", "Fleet Coordinator"]],
  ["Sales", ["Account Executive", "Sales Manager", "Key Account Manager"]],
  ["Procurement", ["Buyer", "Procurement Officer"]],
  ["Customer Service", ["Customer Service Agent", "Service Desk Lead"]],
  ["Warehouse", ["Warehouse Supervisor", "Inventory Controller"]],
  ["Marketing", ["Marketing Coordinator", "Content Manager"]],
  ["Human Resources", ["HR Business Partner", "Recruiter"]],
];

const OFFICES: [string, string][] = [
  ["Rotterdam HQ", "NL"],
  ["Hamburg", "DE"],
  ["Felixstowe", "GB"],
  ["Gdansk", "PL"],
];

/** Documentation ASNs (RFC 5398) stand in for real networks. */
export const HOME_ASNS: Asn[] = [
  { asn: "AS64496", org: "Polder Fibre B.V.", kind: "isp", country: "NL" },
  { asn: "AS64497", org: "Hanse Kabel GmbH", kind: "isp", country: "DE" },
  { asn: "AS64498", org: "Anglia Broadband Ltd", kind: "isp", country: "GB" },
  { asn: "AS64499", org: "Baltyk Net Sp. z o.o.", kind: "isp", country: "PL" },
  { asn: "AS64500", org: "Noordzee Mobiel", kind: "mobile", country: "NL" },
];
export const CORP_ASN: Asn = {
  asn: "AS64501",
  org: "Kestrel Logistics corporate network",
  kind: "corporate",
  country: "NL",
};
export const CORP_VPN: Asn[] = [
  { asn: "AS64502", org: "Kestrel Logistics VPN egress (Lisbon PoP)", kind: "corporate", country: "PT" },
  { asn: "AS64502", org: "Kestrel Logistics VPN egress (Singapore PoP)", kind: "corporate", country: "SG" },
  { asn: "AS64502", org: "Kestrel Logistics VPN egress (Chicago PoP)", kind: "corporate", country: "US" },
];
export const HOSTILE_ASNS: Asn[] = [
  { asn: "AS64503", org: "Nimbus VPS Hosting LLC", kind: "hosting", country: "US" },
  { asn: "AS64504", org: "Quickdrop Servers SRL", kind: "hosting", country: "RO" },
  { asn: "AS64505", org: "Anon Tunnel Networks", kind: "vpn", country: "SC" },
  { asn: "AS64506", org: "Sunrise Datacenter Ltd", kind: "hosting", country: "NG" },
  { asn: "AS64507", org: "Eastlake Cloud Compute", kind: "hosting", country: "VN" },
];

const VENDOR_DEFS: [string, string, Vendor["kind"]][] = [
  ["Brightline Payroll", "brightline-payroll.example", "payroll"],
  ["Meridian Office Supply", "meridian-office-supply.example", "supplies"],
  ["Tallis Cargo Insurance", "tallis-insurance.example", "insurance"],
  ["Harbourgate Customs Brokers", "harbourgate-customs.example", "customs"],
  ["Cobalt CRM", "cobaltcrm.example", "saas"],
  ["SignWell Hub", "signwellhub.example", "esign"],
  ["Driftbox", "driftbox-files.example", "fileshare"],
  ["Wayfarer Corporate Travel", "wayfarer-travel.example", "travel"],
  ["Lumen Benefits", "lumen-benefits.example", "benefits"],
];
const NEWSLETTER_DEFS: [string, string][] = [
  ["Freight Week", "freightweek-news.example"],
  ["Cold Chain Insider", "coldchain-insider.example"],
  ["Port Authority Bulletin", "portbulletin.example"],
  ["Supply Chain Digest", "scdigest.example"],
  ["Fleet Telematics Today", "fleettelematics.example"],
];

function person(rng: Rng, used: Set<string>, title: string, department: string, manager: string): Person {
  let first: string;
  let last: string;
  do {
    first = rng.pick(FIRST);
    last = rng.pick(LAST);
  } while (used.has(`${first}.${last}`));
  used.add(`${first}.${last}`);
  const [office, country] = rng.pick(OFFICES);
  const home = HOME_ASNS.find((a) => a.country === country) ?? HOME_ASNS[0]!;
  const os = rng.weighted([
    ["Windows 11", 6],
    ["macOS 14", 2],
    ["Windows 10", 2],
  ] as const);
  return {
    name: `${first} ${last}`,
    upn: `${first}.${last}@${ORG_DOMAIN}`.toLowerCase(),
    title,
    department,
    office,
    country,
    vip: false,
    privileged_roles: [],
    legal_hold: false,
    manager,
    created: `20${rng.int(16, 24)}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}`,
    home,
    home_ip: rng.ipv4Public(),
    city: office.split(" ")[0]!,
    device: { os, browser: os.startsWith("mac") ? "Safari 17" : "Edge 122", id: `KL-${rng.hex(6).toUpperCase()}` },
  };
}

export function buildWorld(rng: Rng): World {
  const used = new Set<string>();
  const ceo = person(rng, used, "Chief Executive Officer", "Executive Office", "board");
  const executives = [
    ceo,
    person(rng, used, "Chief Financial Officer", "Finance", ceo.upn),
    person(rng, used, "Chief Operating Officer", "Operations", ceo.upn),
    person(rng, used, "General Counsel", "Legal", ceo.upn),
  ];
  for (const e of executives) e.vip = true;
  const it = person(rng, used, "Head of IT", "IT", ceo.upn);
  const admins = [
    it,
    person(rng, used, "Identity Administrator", "IT", it.upn),
    person(rng, used, "Messaging Administrator", "IT", it.upn),
  ];
  admins[0]!.privileged_roles = ["Global Administrator"];
  admins[1]!.privileged_roles = ["Privileged Role Administrator", "User Administrator"];
  admins[2]!.privileged_roles = ["Exchange Administrator"];
  const legal = [
    person(rng, used, "Senior Legal Counsel", "Legal", executives[3]!.upn),
    person(rng, used, "Paralegal", "Legal", executives[3]!.upn),
    person(rng, used, "Employee Relations Lead", "Human Resources", executives[3]!.upn),
  ];
  for (const l of legal) l.legal_hold = true;
  const staff: Person[] = [];
  for (let i = 0; i < 72; i++) {
    const [dept, titles] = rng.pick(DEPARTMENTS);
    staff.push(person(rng, used, rng.pick(titles), dept, executives[2]!.upn));
  }
  const vendors = VENDOR_DEFS.map(([name, domain, kind]) => ({
    name,
    domain,
    kind,
    mta: `mta-out-${String(rng.int(1, 40)).padStart(2, "0")}.${domain}`,
    ip: rng.ipv4Public(),
    since_days: rng.int(300, 2400),
  }));
  const newsletters = NEWSLETTER_DEFS.map(([name, domain]) => ({
    name,
    domain,
    kind: "saas" as const,
    mta: `bounce.mailer.${domain}`,
    ip: rng.ipv4Public(),
    since_days: rng.int(200, 1800),
  }));
  return { staff, executives, admins, legal, vendors, newsletters };
}

/** A domain an attacker registered to pass for `target` at a glance. */
export function lookalike(rng: Rng, target: string): string {
  const [label, ...rest] = target.split(".");
  const base = label!;
  const tld = rng.pick(["test", "example", ...(rest.length ? [rest.join(".")] : [])]);
  const tricks = [
    () => base.replace("l", "1"),
    () => base.replace("i", "l"),
    () => base.replace("m", "rn"),
    () => base.replace("o", "0"),
    () => base.replace("-", ""),
    () => `${base}-${rng.pick(["secure", "portal", "sso", "billing", "docs", "verify"])}`,
    () => `${rng.pick(["secure", "login", "mail"])}-${base}`,
    () => base.replace(/(.)(.)$/, "$2$1"),
  ];
  let out = base;
  for (let i = 0; i < 6 && out === base; i++) out = rng.pick(tricks)();
  return `${out}.${tld}`;
}

/** Attacker infrastructure that is not a lookalike: throwaway domains and a free-mail provider. */
export const FREEMAIL = "freemail.example";
export function throwawayDomain(rng: Rng): string {
  const a = rng.pick(["cloud", "doc", "share", "secure", "mail", "office", "file", "portal", "view", "auth"]);
  const b = rng.pick(["hub", "vault", "box", "center", "link", "desk", "point", "gate", "zone", "net"]);
  return `${a}${b}-${rng.hex(4)}.${rng.pick(["test", "example"])}`;
}
