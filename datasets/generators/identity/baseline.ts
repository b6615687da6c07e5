import type { Entity, Severity } from "../../../src/schema/index.js";
import {
  type CaseBuilder,
  deviceRecord,
  directoryRecord,
  mfaInventory,
  SOURCES,
  saas,
  shift,
  signin,
} from "./builder.js";
import { APPS, companyCloudNet, type Device, guid, ipIn, type Net, type Place, TRAVEL_DESTINATIONS } from "./world.js";

const ROUTINE_SAAS = [
  ["Exchange", "MailboxLogin"],
  ["Exchange", "Send"],
  ["SharePoint", "FileAccessed"],
  ["SharePoint", "FileModified"],
  ["OneDrive", "FileAccessed"],
  ["OneDrive", "FileUploaded"],
] as const;

const MFA_OK = (method: string) => ({ required: true, method, result: "satisfied" });

/**
 * The user's ordinary life before the alert, present in every case: recent sign-ins from home,
 * the directory entry, enrolled devices and MFA methods, a little mailbox and file activity,
 * sometimes an old trip or a routine password change. Analysts compare the alert against this.
 */
export function baseline(
  b: CaseBuilder,
  away = 0,
): { homeIp: string; dir: string; laptop: string; phone: string; inv: string } {
  // a traveller's home activity stops when they leave: `away` minutes before the alert
  const { rng, user } = b;
  if (user.kind === "service") return serviceBaseline(b);
  const homeIp = ipIn(rng, user.home);
  const method = user.mfaMethods[0] ?? "none";
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    const onPhone = rng.chance(0.35);
    const dev = onPhone ? user.phone : user.laptop;
    signin(b, {
      time: shift(b.t0, -away - rng.int(90, 4 * 1440)),
      net: user.home,
      ip: homeIp,
      device: dev,
      ua: dev.ua,
      app: rng.pick(APPS),
      clientApp: onPhone ? "Mobile Apps and Desktop clients" : "Browser",
      mfa: rng.chance(0.6) ? MFA_OK(method) : { required: true, method: null, result: "satisfied_by_token_claim" },
    });
  }
  const dir = directoryRecord(b);
  const laptop = deviceRecord(b, user.laptop);
  const phone = deviceRecord(b, user.phone);
  const inv = mfaInventory(b);
  for (let i = rng.int(0, 2); i > 0; i--) {
    const [workload, operation] = rng.pick(ROUTINE_SAAS);
    saas(b, shift(b.t0, -away - rng.int(60, 2000)), homeIp, { workload, operation, user_agent: user.laptop.ua });
  }
  if (rng.chance(0.3)) {
    const dest = rng.pick(TRAVEL_DESTINATIONS);
    const depart = shift(b.t0, -rng.int(40, 200) * 1440);
    trip(b, dest, depart, shift(depart, rng.int(3, 9) * 1440), "completed");
  }
  if (rng.chance(0.25))
    b.add(SOURCES.audit, shift(b.t0, -rng.int(20, 80) * 1440), [b.account()], {
      event: "password_change",
      initiated_by: "user",
      method: "change_password_portal",
      from_ip: homeIp,
    });
  return { homeIp, dir, laptop, phone, inv };
}

/** A service account has no devices or MFA: it signs in from the company's cloud runners. */
function serviceBaseline(b: CaseBuilder) {
  const net = companyCloudNet();
  const homeIp = ipIn(b.rng, net);
  for (let i = b.rng.int(2, 3); i > 0; i--)
    signin(b, {
      time: shift(b.t0, -b.rng.int(60, 3 * 1440)),
      net,
      ip: homeIp,
      device: null,
      ua: "python-requests/2.31.0",
      app: "Office 365 Exchange Online",
      clientApp: "Mobile Apps and Desktop clients",
      mfa: { required: false, method: null, result: "not_required" },
    });
  return { homeIp, dir: directoryRecord(b), laptop: "", phone: "", inv: mfaInventory(b, []) };
}

export function trip(b: CaseBuilder, dest: Place, depart: string, ret: string, status: string): string {
  return b.add(SOURCES.travel, depart, [b.account()], {
    trip_id: `TRP-${b.rng.int(100000, 999999)}`,
    traveller: b.user.upn,
    destination_city: dest.city,
    destination_country: dest.country,
    depart: depart.slice(0, 10),
    return: ret.slice(0, 10),
    trip_status: status,
    booked_via: "TripDesk",
  });
}

export type Use = { time: string; ip: string; net: Net; ua: string };

export function sessionRecord(
  b: CaseBuilder,
  id: string,
  tokenType: string,
  issued: Use,
  uses: Use[],
  o: { deviceBound?: boolean; secret?: string } = {},
): string {
  const all = [issued, ...uses];
  const entities: Entity[] = [b.account(), { type: "session", value: id }];
  for (const ip of new Set(all.map((u) => u.ip))) entities.push({ type: "ip", value: ip });
  return b.add(
    SOURCES.sessions,
    issued.time,
    entities,
    {
      session_id: id,
      token_type: tokenType,
      issued_at: issued.time,
      issued_ip: issued.ip,
      issued_user_agent: issued.ua,
      device_bound: o.deviceBound ?? false,
      uses: uses.map((u) => ({
        time: u.time,
        ip: u.ip,
        as_org: u.net.org,
        country: u.net.place.country,
        user_agent: u.ua,
      })),
      distinct_ips: new Set(all.map((u) => u.ip)).size,
      distinct_countries: new Set(all.map((u) => u.net.place.country)).size,
      distinct_user_agents: new Set(all.map((u) => u.ua)).size,
      ...(o.secret ? { cookie: o.secret } : {}),
    },
    o.secret ? "secret" : undefined,
  );
}

export function pushActivity(
  b: CaseBuilder,
  time: string,
  ip: string,
  net: Net,
  p: { prompts: number; denied: number; approved: number; window: number; numberMatching: boolean },
): string {
  return b.add(SOURCES.mfa, time, [b.account(), { type: "ip", value: ip }], {
    event: "mfa_push_activity",
    method: p.numberMatching ? "Authenticator push (number matching)" : "Authenticator push",
    prompts: p.prompts,
    denied: p.denied,
    approved: p.approved,
    ignored: p.prompts - p.denied - p.approved,
    number_matching: p.numberMatching,
    window_minutes: p.window,
    requesting_ip: ip,
    requesting_country: net.place.country,
    first_prompt: shift(time, -p.window),
    last_prompt: time,
  });
}

export function methodRegistered(
  b: CaseBuilder,
  time: string,
  ip: string,
  net: Net,
  method: string,
  deviceName: string,
  auth: string,
): string {
  return b.add(SOURCES.mfa, time, [b.account(), { type: "ip", value: ip }], {
    event: "method_registered",
    method,
    device_name: deviceName,
    from_ip: ip,
    from_country: net.place.country,
    registration_auth: auth,
  });
}

export const DETECTIONS: Record<string, { title: string; source: string }> = {
  impossibleTravel: { title: "Atypical travel", source: "Microsoft Entra ID Protection" },
  newCountry: { title: "Activity from infrequent country", source: "Microsoft Defender for Cloud Apps" },
  unfamiliarFeatures: { title: "Unfamiliar sign-in properties", source: "Microsoft Entra ID Protection" },
  anonymizedIPAddress: { title: "Anonymous IP address", source: "Microsoft Entra ID Protection" },
  maliciousIPAddress: { title: "Malicious IP address", source: "Microsoft Entra ID Protection" },
  passwordSpray: { title: "Password spray", source: "Microsoft Entra ID Protection" },
  anomalousToken: { title: "Anomalous token", source: "Microsoft Entra ID Protection" },
  mfaPushBurst: { title: "Repeated MFA push denials followed by sign-in", source: "Sentinel analytics rule" },
  suspiciousInboxForwarding: { title: "Suspicious inbox forwarding", source: "Microsoft Defender for Cloud Apps" },
  oauthConsent: {
    title: "Consent granted to unverified OAuth application",
    source: "Microsoft Defender for Cloud Apps",
  },
  emergencyAccessSignin: { title: "Emergency access account sign-in", source: "Sentinel analytics rule" },
};

export type AlertSpec = {
  detection: keyof typeof DETECTIONS;
  level: "low" | "medium" | "high";
  ip: string;
  net: Net;
  ua: string;
  device?: Device | null;
  session?: string;
  description: string;
  extra?: Record<string, unknown>;
};

/** The alert as the SIEM shows it; `raw` mirrors the product's export, attacker-controlled fields included. */
export function alertFor(b: CaseBuilder, a: AlertSpec) {
  const d = DETECTIONS[a.detection]!;
  const entities: Entity[] = [b.account(), { type: "ip", value: a.ip }];
  if (a.device) entities.push({ type: "device", value: a.device.id });
  if (a.session) entities.push({ type: "session", value: a.session });
  const severity: Severity = a.level;
  return {
    title: d.title,
    rule: `identity.${a.detection}`,
    source: d.source,
    severity,
    time: b.t0,
    entities,
    description: a.description,
    raw: {
      id: guid(b.rng),
      riskEventType: a.detection,
      riskLevel: a.level,
      riskState: "atRisk",
      activity: "signin",
      activityDateTime: b.t0,
      userPrincipalName: b.user.upn,
      userDisplayName: b.user.name,
      ipAddress: a.ip,
      location: { city: a.net.place.city, countryOrRegion: a.net.place.country },
      additionalInfo: [
        { Key: "userAgent", Value: a.ua },
        ...(a.device ? [{ Key: "deviceName", Value: a.device.name }] : []),
      ],
      ...a.extra,
    },
  };
}
