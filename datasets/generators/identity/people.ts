import type { Rng } from "../rng.js";
import {
  type Device,
  DOMAIN,
  guid,
  OFFICES,
  type Place,
  residentialNet,
  UA,
  type User,
  type UserKind,
} from "./world.js";

const FIRST = [
  "Maria",
  "Daan",
  "Priya",
  "Tomasz",
  "Aisha",
  "Lucas",
  "Mei",
  "Oliver",
  "Fatima",
  "Jonas",
  "Grace",
  "Ravi",
  "Sofia",
  "Kwame",
  "Elena",
  "Hiroshi",
  "Noor",
  "Liam",
  "Ana",
  "Sven",
  "Chloe",
  "Mateo",
  "Yuki",
  "Ibrahim",
  "Hannah",
  "Diego",
  "Lena",
  "Arjun",
  "Zoe",
  "Emeka",
  "Ingrid",
  "Wei",
  "Camila",
  "Pieter",
  "Leila",
  "Marcus",
];
const LAST = [
  "Jansen",
  "Okonkwo",
  "Reyes",
  "Kowalski",
  "Tan",
  "Brennan",
  "Haddad",
  "Visser",
  "Nakamura",
  "Osei",
  "Lindgren",
  "Sharma",
  "Moreau",
  "Fischer",
  "Adeyemi",
  "Costa",
  "Novak",
  "Whitfield",
  "de Boer",
  "Iyer",
  "Castillo",
  "Lim",
  "Petrov",
  "Ahmed",
  "Bakker",
  "Ferreira",
  "Olsen",
  "Chandra",
];
const DEPARTMENTS: [string, string[]][] = [
  ["Finance", ["Accounts Payable Specialist", "Financial Analyst", "Payroll Coordinator"]],
  ["Operations", ["Dispatch Planner", "Warehouse Operations Lead", "Fleet Coordinator"]],
  ["Sales", ["Account Executive", "Sales Operations Analyst", "Key Account Manager"]],
  ["Customer Service", ["Customer Service Agent", "Claims Handler"]],
  ["HR", ["HR Business Partner", "Recruiter"]],
  ["Engineering", ["Software Engineer", "Data Engineer", "QA Engineer"]],
  ["Legal", ["Contracts Manager", "Paralegal"]],
];
const EXEC_TITLES = [
  "Chief Executive Officer",
  "Chief Financial Officer",
  "Chief Operating Officer",
  "General Counsel",
];
const ADMIN_ROLES = [
  ["Global Administrator"],
  ["Privileged Role Administrator"],
  ["Exchange Administrator"],
  ["Security Administrator"],
  ["User Administrator", "Authentication Administrator"],
];

function device(rng: Rng, kind: "laptop" | "phone", owner: string): Device {
  if (kind === "laptop") {
    const mac = rng.chance(0.25);
    return {
      id: guid(rng),
      name: `HLV-${mac ? "MB" : "LT"}-${rng.int(1000, 9999)}`,
      os: mac ? "macOS 14.5" : "Windows 11 23H2",
      kind,
      ownership: "corporate",
      managed: true,
      compliant: rng.chance(0.96),
      ua: mac ? UA.safariMac : rng.pick([UA.edge, UA.chrome]),
    };
  }
  const ios = rng.chance(0.6);
  const corporate = rng.chance(0.4);
  return {
    id: guid(rng),
    name: ios ? `iPhone (${owner.split(" ")[0]})` : rng.pick(["Pixel 8", "Galaxy S23", "Pixel 7a"]),
    os: ios ? "iOS 17.5.1" : "Android 14",
    kind,
    ownership: corporate ? "corporate" : "personal",
    managed: true,
    compliant: rng.chance(0.93),
    ua: ios ? UA.outlookIos : UA.teamsAndroid,
  };
}

function person(rng: Rng, used: Set<string>, kind: UserKind, office: Place): User {
  let first = "";
  let last = "";
  let upn = "";
  do {
    first = rng.pick(FIRST);
    last = rng.pick(LAST);
    upn = `${first}.${last.replace(/ /g, "")}@${DOMAIN}`.toLowerCase();
  } while (used.has(upn));
  used.add(upn);
  const [department, titles] = rng.pick(DEPARTMENTS);
  const name = `${first} ${last}`;
  const strong = rng.chance(0.35);
  const methods = strong
    ? ["FIDO2 security key", "Authenticator push (number matching)"]
    : rng.chance(0.8)
      ? ["Authenticator push (number matching)", "SMS"]
      : ["Authenticator push (number matching)", "TOTP (authenticator app code)"];
  return {
    upn,
    name,
    title: rng.pick(titles),
    department,
    office,
    kind,
    roles: [],
    home: residentialNet(rng, office),
    laptop: device(rng, "laptop", name),
    phone: device(rng, "phone", name),
    mfaMethods: methods,
  };
}

export type People = { standard: User[]; privileged: User[]; executive: User[]; breakGlass: User[]; service: User[] };

/** The tenant's directory: mostly standard staff, a few admins, executives and break-glass accounts. */
export function makePeople(rng: Rng): People {
  const used = new Set<string>();
  const standard = Array.from({ length: 140 }, () => person(rng, used, "standard", rng.pick(OFFICES)));
  const privileged = ADMIN_ROLES.map((roles) => {
    const u = person(rng, used, "privileged", rng.pick(OFFICES));
    return {
      ...u,
      department: "IT",
      title: rng.pick(["Identity Engineer", "Cloud Platform Engineer", "IT Operations Lead"]),
      roles,
    };
  });
  const executive = EXEC_TITLES.map((title) => ({
    ...person(rng, used, "executive", OFFICES[0]),
    title,
    department: "Executive Office",
  }));
  const breakGlass = ["bg-admin01", "bg-admin02"].map((local) => ({
    ...person(rng, used, "break_glass", OFFICES[0]),
    upn: `${local}@${DOMAIN}`,
    name: `Emergency access ${local.slice(-2)}`,
    title: "Emergency access account",
    department: "IT",
    roles: ["Global Administrator"],
    mfaMethods: ["FIDO2 security key"],
  }));
  const service = ["svc-reporting", "svc-edi-sync", "svc-scanner"].map((local) => ({
    ...person(rng, used, "service", OFFICES[0]),
    upn: `${local}@${DOMAIN}`,
    name: local,
    title: "Service account",
    department: "IT",
    mfaMethods: [],
  }));
  return { standard, privileged, executive, breakGlass, service };
}
