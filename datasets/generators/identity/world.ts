import type { Rng } from "../rng.js";

/**
 * The fictional tenant the identity cases happen in: Halvorsen Logistics (halvorsen.example), its
 * people, their devices, and the networks they and their attackers sign in from. Every name,
 * domain and network here is invented; addresses come from documentation and shared (CGNAT) ranges
 * and AS numbers from the private-use range.
 */
export const DOMAIN = "halvorsen.example";
export const TENANT = "Halvorsen Logistics";

export type Place = { city: string; country: string; lat: number; lon: number };

const P = (city: string, country: string, lat: number, lon: number): Place => ({ city, country, lat, lon });
export const PLACES = {
  chicago: P("Chicago", "US", 41.88, -87.63),
  rotterdam: P("Rotterdam", "NL", 51.92, 4.48),
  singapore: P("Singapore", "SG", 1.35, 103.82),
  manchester: P("Manchester", "GB", 53.48, -2.24),
  frankfurt: P("Frankfurt", "DE", 50.11, 8.68),
  amsterdam: P("Amsterdam", "NL", 52.37, 4.9),
  ashburn: P("Ashburn", "US", 39.04, -77.49),
  london: P("London", "GB", 51.51, -0.13),
  lisbon: P("Lisbon", "PT", 38.72, -9.14),
  madrid: P("Madrid", "ES", 40.42, -3.7),
  tokyo: P("Tokyo", "JP", 35.68, 139.69),
  saopaulo: P("São Paulo", "BR", -23.55, -46.63),
  dubai: P("Dubai", "AE", 25.2, 55.27),
  mumbai: P("Mumbai", "IN", 19.08, 72.88),
  toronto: P("Toronto", "CA", 43.65, -79.38),
  bucharest: P("Bucharest", "RO", 44.43, 26.1),
  lagos: P("Lagos", "NG", 6.52, 3.38),
  sydney: P("Sydney", "AU", -33.87, 151.21),
  newyork: P("New York", "US", 40.71, -74.01),
  hamburg: P("Hamburg", "DE", 53.55, 9.99),
  warsaw: P("Warsaw", "PL", 52.23, 21.01),
} as const;

export const OFFICES = [PLACES.chicago, PLACES.rotterdam, PLACES.singapore, PLACES.manchester] as const;
export const TRAVEL_DESTINATIONS = [
  PLACES.lisbon,
  PLACES.madrid,
  PLACES.tokyo,
  PLACES.saopaulo,
  PLACES.dubai,
  PLACES.mumbai,
  PLACES.toronto,
  PLACES.sydney,
  PLACES.newyork,
  PLACES.hamburg,
  PLACES.warsaw,
  PLACES.london,
] as const;

export function distanceKm(a: Place, b: Place): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * 6371 * Math.asin(Math.sqrt(h)));
}

export type NetType = "residential" | "mobile_carrier" | "hosting" | "corporate_vpn" | "business";

/** One autonomous system as an IP-intelligence lookup describes it. */
export type Net = {
  asn: number;
  org: string;
  type: NetType;
  place: Place;
  /** how addresses in it are drawn */
  range: "residential" | "cgnat" | "hosting" | "sase" | "hotel" | "vpn";
  privacyVpn?: boolean;
  orgOwned?: boolean;
};

const RESIDENTIAL: Record<string, [number, string][]> = {
  US: [
    [64601, "Lakeshore Broadband"],
    [64602, "Prairie Cable Communications"],
    [64603, "Summit Fiber LLC"],
  ],
  NL: [
    [64611, "Polder Net B.V."],
    [64612, "Delta Kabel B.V."],
  ],
  SG: [
    [64621, "Straits Home Fibre Pte"],
    [64622, "Lion City Broadband"],
  ],
  GB: [
    [64631, "Thamesline Broadband"],
    [64632, "Pennine Fibre Ltd"],
  ],
};
const MOBILE: Record<string, [number, string]> = {
  US: [64701, "Vireo Mobile"],
  NL: [64711, "Tulip Mobiel"],
  SG: [64721, "Merlion Mobile"],
  GB: [64731, "Albion Wireless"],
  PT: [64741, "Ibérica Móvel"],
  ES: [64742, "Ibérica Móvil"],
  JP: [64751, "Kaze Mobile"],
  BR: [64761, "Ipê Celular"],
  AE: [64771, "Falcon Mobile"],
  IN: [64781, "Monsoon Telecom"],
  CA: [64791, "Maple Wireless"],
  AU: [64795, "Southern Cross Mobile"],
  DE: [64796, "Rheinfunk Mobil"],
  PL: [64797, "Wisła Mobile"],
};
export const HOSTERS: [number, string][] = [
  [65010, "Nimbus VPS Ltd"],
  [65011, "CloudForge Hosting"],
  [65012, "Bitstack Servers SRL"],
  [65013, "Overland Compute Inc"],
  [65014, "Grayhaven Datacenter"],
];
const HOSTING_SITES = [
  PLACES.amsterdam,
  PLACES.frankfurt,
  PLACES.ashburn,
  PLACES.bucharest,
  PLACES.lagos,
  PLACES.saopaulo,
  PLACES.singapore,
  PLACES.warsaw,
];
export const SASE_POPS = [PLACES.frankfurt, PLACES.amsterdam, PLACES.ashburn, PLACES.london, PLACES.singapore];

export function residentialNet(rng: Rng, place: Place): Net {
  const [asn, org] = rng.pick(RESIDENTIAL[place.country] ?? RESIDENTIAL.US!);
  return { asn, org, type: "residential", place, range: "residential" };
}
export function mobileNet(place: Place): Net {
  const [asn, org] = MOBILE[place.country] ?? MOBILE.US!;
  return { asn, org, type: "mobile_carrier", place, range: "cgnat" };
}
export function hotelNet(place: Place): Net {
  return { asn: 64900, org: "Wayfarer Hospitality Networks", type: "business", place, range: "hotel" };
}
export function hostingNet(rng: Rng, place?: Place): Net {
  const [asn, org] = rng.pick(HOSTERS);
  return { asn, org, type: "hosting", place: place ?? rng.pick(HOSTING_SITES), range: "hosting" };
}
export function consumerVpnNet(rng: Rng): Net {
  const org = rng.pick(["HushRoute VPN", "Veilgate Privacy Network"]);
  return {
    asn: org.startsWith("Hush") ? 65020 : 65021,
    org,
    type: "hosting",
    place: rng.pick(HOSTING_SITES),
    range: "vpn",
    privacyVpn: true,
  };
}
export function saseNet(place: Place): Net {
  return { asn: 65200, org: "Zephyr SASE Edge", type: "corporate_vpn", place, range: "sase", orgOwned: true };
}
export function companyCloudNet(): Net {
  return {
    asn: 65013,
    org: "Overland Compute Inc",
    type: "hosting",
    place: PLACES.ashburn,
    range: "hosting",
    orgOwned: true,
  };
}

/** An address drawn from the range the network's kind uses; v6 from 2001:db8::/32. */
export function ipIn(rng: Rng, net: Net): string {
  const v6 = () => `2001:db8:${(net.asn % 4096).toString(16)}:${rng.hex(4)}::${rng.hex(3)}`;
  switch (net.range) {
    case "residential":
      return rng.chance(0.3) ? v6() : `198.51.100.${rng.int(2, 254)}`;
    case "cgnat":
      return `100.${rng.int(64, 127)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    case "hosting":
      return `203.0.113.${rng.int(2, 254)}`;
    case "sase":
      return `192.0.2.${rng.int(10, 60)}`;
    case "hotel":
      return `192.0.2.${rng.int(130, 190)}`;
    case "vpn":
      return `192.0.2.${rng.int(200, 250)}`;
  }
}

export type Device = {
  id: string;
  name: string;
  os: string;
  kind: "laptop" | "phone";
  ownership: "corporate" | "personal";
  managed: boolean;
  compliant: boolean;
  ua: string;
};

export type UserKind = "standard" | "privileged" | "executive" | "break_glass" | "service";

export type User = {
  upn: string;
  name: string;
  title: string;
  department: string;
  office: Place;
  kind: UserKind;
  roles: string[];
  home: Net;
  laptop: Device;
  phone: Device;
  mfaMethods: string[];
};

export const UA = {
  edge: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
  chrome:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
  safariMac:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  outlookIos: "Outlook-iOS/709.2226530.prod.iphone (4.2425.0)",
  teamsAndroid:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36 Teams/1416/1.0.0.2024",
  linuxChrome: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  python: "python-requests/2.31.0",
  axios: "axios/1.6.8",
  ropc: "BAV2ROPC",
} as const;

export const APPS = [
  "Office 365 Exchange Online",
  "Microsoft Teams",
  "OfficeHome",
  "SharePoint Online",
  "Workday (SSO)",
];
export const ANALYSTS = ["a.okafor", "m.lindqvist", "r.tanaka", "s.mehta", "j.beaumont", "k.novak"];

export function guid(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(["8", "9", "a", "b"])}${rng.hex(3)}-${rng.hex(12)}`;
}
