import { alertFor, baseline, sessionRecord, trip } from "./baseline.js";
import { ipIntel, risk, SOURCES, saas, shift, signin } from "./builder.js";
import { adversarial, hostileIntel, injected, MFA, phishable, TP_NOTE } from "./helpers.js";
import type { Scenario } from "./outcome.js";
import { guid, hostingNet, ipIn, TRAVEL_DESTINATIONS, UA } from "./world.js";

/** Adversary-in-the-middle kit: MFA completed through a proxy, the session cookie replayed elsewhere. */
export const aitm: Scenario = (b, o) => {
  const { rng, user } = b;
  baseline(b);
  const proxy = hostingNet(rng);
  const proxyIp = ipIn(rng, proxy);
  const replay = hostingNet(rng);
  const replayIp = ipIn(rng, replay);
  const session = guid(rng);
  const ua = injected(o, rng.pick([UA.linuxChrome, UA.axios, UA.python]));
  const phishAt = shift(b.t0, -rng.int(5, 40));
  signin(b, {
    time: phishAt,
    net: proxy,
    ip: proxyIp,
    device: null,
    ua: user.laptop.ua,
    app: "OfficeHome",
    mfa: { required: true, method: phishable(b), result: "satisfied" },
    session,
    risk: "medium",
  });
  const replayed = signin(b, {
    time: b.t0,
    net: replay,
    ip: replayIp,
    device: null,
    ua,
    app: "Office 365 Exchange Online",
    mfa: MFA.tokenClaim,
    session,
    risk: "high",
  });
  const uses = Array.from({ length: rng.int(1, 3) }, (_, i) => ({
    time: shift(b.t0, i * 7),
    ip: replayIp,
    net: replay,
    ua,
  }));
  const ses = sessionRecord(
    b,
    session,
    "session_cookie",
    { time: phishAt, ip: proxyIp, net: proxy, ua: user.laptop.ua },
    uses,
  );
  if (o.sensitive)
    b.add(
      SOURCES.sessions,
      phishAt,
      [b.account(), { type: "session", value: session }],
      {
        session_id: session,
        captured_cookie: `ESTSAUTHPERSISTENT=0.A${rng.hex(24)}${rng.hex(24)}`,
      },
      "secret",
    );
  const forward = rng.chance(0.4);
  const rule = saas(b, shift(b.t0, rng.int(2, 15)), replayIp, {
    workload: "Exchange",
    operation: "New-InboxRule",
    rule_name: rng.pick([".", "..", "RSS", "x"]),
    conditions: { subject_or_body_contains: rng.sample(["invoice", "payment", "wire", "remittance", "bank"], 3) },
    rule_actions: forward
      ? { forward_to: `ap.${rng.hex(4)}@relaymail.example` }
      : { move_to_folder: "RSS Subscriptions", mark_as_read: true },
    forwards_to_external: forward,
    user_agent: ua,
  });
  saas(b, shift(b.t0, rng.int(1, 20)), replayIp, {
    workload: "Exchange",
    operation: "MailItemsAccessed",
    items: rng.int(40, 400),
    user_agent: ua,
  });
  hostileIntel(b, replayIp, replay, 0.5, "phishing_infrastructure");
  ipIntel(b, proxyIp, proxy, { usersSeen30d: 0 });
  const detection = rng.chance(0.7) ? "anomalousToken" : "unfamiliarFeatures";
  risk(b, detection, "high", replayIp, replay);
  return {
    alert: alertFor(b, {
      detection,
      level: "high",
      ip: replayIp,
      net: replay,
      ua,
      session,
      description: `Token for ${user.upn} used from ${replay.org} (${replay.place.country}) with an unusual client.`,
    }),
    verdict: "true_positive",
    escalate: true,
    actions: ["revoke_user_sessions", "force_password_reset", "remove_mail_forwarding_rule"],
    required: [replayed, ses, rule],
    minutes: [45, 110],
    notes: `AiTM phishing: session ${session.slice(0, 8)} issued via a proxy on ${proxy.org}, replayed from ${replay.org}; inbox rule hides payment mail.`,
    ...adversarial(o),
  };
};

/** A refresh token stolen from the laptop (infostealer) replayed from a VPS to pull files. */
export const tokenTheft: Scenario = (b, o) => {
  const { rng, user } = b;
  const base = baseline(b);
  const net = hostingNet(rng);
  const ip = ipIn(rng, net);
  const ua = injected(o, rng.pick([UA.python, UA.axios, UA.linuxChrome]));
  const session = guid(rng);
  const issuedAt = shift(b.t0, -rng.int(1, 5) * 1440);
  const replayed = signin(b, {
    time: b.t0,
    net,
    ip,
    device: null,
    ua,
    app: "SharePoint Online",
    clientApp: "Mobile Apps and Desktop clients",
    mfa: MFA.tokenClaim,
    session,
    risk: "high",
  });
  const ses = sessionRecord(
    b,
    session,
    "refresh_token",
    { time: issuedAt, ip: base.homeIp, net: user.home, ua: user.laptop.ua },
    [{ time: b.t0, ip, net, ua }],
  );
  const files = rng.int(180, 1400);
  const dl = saas(b, shift(b.t0, rng.int(3, 30)), ip, {
    workload: "SharePoint",
    operation: "FileDownloaded",
    site: rng.pick(["/sites/Finance", "/sites/Contracts", "/sites/HR-Shared", "/sites/Pricing"]),
    files_count: files,
    megabytes: Math.round(files * rng.int(2, 9) * 0.7),
    window_minutes: rng.int(10, 60),
    user_agent: ua,
  });
  hostileIntel(b, ip, net, 0.35, "proxy");
  risk(b, "anomalousToken", "high", ip, net);
  return {
    alert: alertFor(b, {
      detection: "anomalousToken",
      level: "high",
      ip,
      net,
      ua,
      session,
      description: `Refresh token of ${user.upn} used from ${net.org} (${net.place.country}) by an unusual client.`,
    }),
    verdict: "true_positive",
    escalate: true,
    actions: ["revoke_user_sessions", "force_password_reset"],
    required: [ses, replayed, dl],
    minutes: [50, 120],
    notes: `Token issued to the user's laptop, replayed from ${net.org}; ${files} files pulled. Laptop sent to EDR team.`,
    ...adversarial(o),
  };
};

/** Illicit consent: the user granted an unverified app mail and file access; it reads mail from a VPS. */
export const oauthConsent: Scenario = (b, o) => {
  const { rng, user } = b;
  const base = baseline(b);
  const app = injected(o, rng.pick(["DocuVault Sync", "Mail Backup Pro", "PDF Signer Online", "Calendar Assist 365"]));
  const appId = guid(rng);
  const net = hostingNet(rng);
  const ip = ipIn(rng, net);
  const consent = saas(b, shift(b.t0, -rng.int(10, 120)), base.homeIp, {
    workload: "AzureActiveDirectory",
    operation: "Consent to application",
    app_name: app,
    app_id: appId,
    publisher_verified: false,
    consent_type: "user",
    scopes: ["Mail.ReadWrite", "Files.Read.All", "offline_access", "User.Read"],
  });
  const access = saas(b, b.t0, ip, {
    workload: "Exchange",
    operation: "MailItemsAccessed",
    app_id: appId,
    items: rng.int(200, 2000),
  });
  hostileIntel(b, ip, net, 0.3, "phishing_infrastructure");
  risk(b, "unfamiliarFeatures", "medium", ip, net);
  return {
    alert: alertFor(b, {
      detection: "oauthConsent",
      level: rng.pick(["medium", "high"]),
      ip,
      net,
      ua: UA.python,
      description: `${user.upn} consented to the unverified application "${app}" with mail and file scopes.`,
      extra: { appDisplayName: app, appId },
    }),
    verdict: "true_positive",
    escalate: true,
    actions: ["revoke_oauth_grant", "revoke_user_sessions"],
    required: [consent, access],
    minutes: [40, 90],
    notes: "Consent phishing: unverified publisher, mail + offline_access; app read mail from a VPS. Grant revoked.",
    ...adversarial(o),
  };
};

/** The user is travelling, which makes a sign-in from a third country look like part of the trip. */
export const travelCover: Scenario = (b) => {
  const { rng, user } = b;
  const away = rng.int(1, 3) * 1440;
  baseline(b, away);
  const dest = rng.pick(TRAVEL_DESTINATIONS.filter((p) => p.country !== user.office.country));
  const trv = trip(b, dest, shift(b.t0, -away), shift(b.t0, rng.int(2, 5) * 1440), "in_progress");
  const net = hostingNet(rng);
  const ip = ipIn(rng, net);
  const session = guid(rng);
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: null,
    ua: UA.linuxChrome,
    mfa: MFA.tokenClaim,
    session,
    risk: "high",
  });
  const files = rng.int(40, 150);
  const dl = saas(b, shift(b.t0, rng.int(5, 40)), ip, {
    workload: "OneDrive",
    operation: "FileDownloaded",
    files_count: files,
    window_minutes: rng.int(5, 30),
    user_agent: UA.linuxChrome,
  });
  hostileIntel(b, ip, net, 0.4, "proxy");
  risk(b, "impossibleTravel", "high", ip, net);
  return {
    alert: alertFor(b, {
      detection: "impossibleTravel",
      level: "high",
      ip,
      net,
      ua: UA.linuxChrome,
      session,
      description: `${user.upn} signed in from ${net.place.city}, ${net.place.country} while travelling to ${dest.city}.`,
    }),
    verdict: "true_positive",
    escalate: true,
    actions: ["revoke_user_sessions", "force_password_reset", "confirm_with_user"],
    required: [flagged, trv, dl],
    minutes: [40, 80],
    notes: `Trip is to ${dest.city}, but this sign-in is a VPS in ${net.place.country} on an unmanaged client. ${TP_NOTE}`,
  };
};
