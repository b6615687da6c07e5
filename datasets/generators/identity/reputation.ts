import { alertFor, baseline } from "./baseline.js";
import { ipIntel, risk, shift, signin } from "./builder.js";
import { defaultMethod, MFA } from "./helpers.js";
import type { Scenario } from "./outcome.js";
import { companyCloudNet, consumerVpnNet, ipIn, mobileNet, PLACES, SASE_POPS, saseNet, UA } from "./world.js";

/** Threat intel lists a carrier NAT address that hundreds of phones, ours included, share. */
export const cgnatTi: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  baseline(b);
  const net = mobileNet(user.office);
  const ip = ipIn(rng, net);
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: user.phone,
    ua: user.phone.ua,
    clientApp: "Mobile Apps and Desktop clients",
    mfa: MFA.satisfied(defaultMethod(b)),
    risk: "medium",
  });
  const intel = ipIntel(b, ip, net, {
    ti: {
      feeds: rng.sample(["Kestrel TI", "OpenBrute blocklist", "Sentry Commons"], rng.int(1, 2)),
      category: rng.pick(["brute_force", "botnet_proxy"]),
      confidence: rng.int(45, 80),
      firstSeen: shift(b.t0, -rng.int(3, 60) * 1440).slice(0, 10),
    },
    sharedNat: true,
    usersSeen30d: rng.int(25, 300),
    note: `Carrier-grade NAT pool of ${net.org}`,
  });
  risk(b, "maliciousIPAddress", "medium", ip, net);
  return {
    alert: alertFor(b, {
      detection: "maliciousIPAddress",
      level: rng.pick(["medium", "high"]),
      ip,
      net,
      ua: user.phone.ua,
      device: user.phone,
      description: `Sign-in for ${user.upn} from an IP address listed by threat intelligence.`,
    }),
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [intel, flagged],
    minutes: [5, 12],
    notes: `Listed address is ${net.org} CGNAT shared by many of our phones; user's compliant phone, MFA satisfied.`,
  };
};

/** Threat intel lists our own SASE egress after a scan from that pool. */
export const vpnTi: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  baseline(b);
  const pop = rng.pick(SASE_POPS);
  const net = saseNet(pop);
  const ip = ipIn(rng, net);
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.tokenClaim,
    risk: "medium",
  });
  const intel = ipIntel(b, ip, net, {
    ti: {
      feeds: ["Kestrel TI"],
      category: "scanner",
      confidence: rng.int(35, 70),
      firstSeen: shift(b.t0, -rng.int(1, 20) * 1440).slice(0, 10),
    },
    usersSeen30d: rng.int(120, 900),
    note: `Zephyr SASE egress, ${pop.city} POP; listed after an authorised external scan`,
  });
  risk(b, "maliciousIPAddress", "medium", ip, net);
  return {
    alert: alertFor(b, {
      detection: "maliciousIPAddress",
      level: "medium",
      ip,
      net,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `Sign-in for ${user.upn} from an IP address with a poor reputation.`,
    }),
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [intel, flagged],
    minutes: [5, 12],
    notes: "The listed IP is our own SASE egress; a feed listed it after the quarterly external scan.",
  };
};

/** A personal privacy VPN on the corporate laptop. */
export const consumerVpn: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  const base = baseline(b);
  const net = consumerVpnNet(rng);
  const ip = ipIn(rng, net);
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.satisfied(defaultMethod(b)),
    risk: "medium",
  });
  const listed = rng.chance(0.2);
  const intel = ipIntel(b, ip, net, {
    ...(listed
      ? {
          ti: {
            feeds: ["Sentry Commons"],
            category: "anonymizer",
            confidence: 40,
            firstSeen: shift(b.t0, -90 * 1440).slice(0, 10),
          },
        }
      : {}),
    usersSeen30d: rng.int(0, 4),
  });
  risk(b, "anonymizedIPAddress", "medium", ip, net);
  return {
    alert: alertFor(b, {
      detection: "anonymizedIPAddress",
      level: "medium",
      ip,
      net,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `Sign-in for ${user.upn} from an anonymous IP address (${net.org}).`,
    }),
    verdict: "benign_positive",
    escalate: false,
    actions: ["confirm_with_user", "add_case_note"],
    required: [intel, flagged, base.laptop],
    minutes: [8, 15],
    notes: `User confirmed ${net.org} on the corporate laptop (against policy); compliant device, MFA passed. Reminded of policy.`,
  };
};

/** A service account running from the company's own cloud runners. */
export const sanctionedAutomation: Scenario = (b) => {
  const { rng, user } = b;
  const base = baseline(b);
  const net = { ...companyCloudNet(), place: rng.pick([PLACES.frankfurt, PLACES.singapore, PLACES.amsterdam]) };
  const ip = ipIn(rng, net);
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: null,
    ua: UA.python,
    app: "Office 365 Exchange Online",
    clientApp: "Mobile Apps and Desktop clients",
    mfa: { required: false, method: null, result: "not_required" },
    risk: "low",
  });
  const intel = ipIntel(b, ip, net, {
    usersSeen30d: 3,
    note: "In the egress inventory: reporting runners (new region)",
  });
  risk(b, "unfamiliarFeatures", "low", ip, net);
  return {
    alert: alertFor(b, {
      detection: "unfamiliarFeatures",
      level: "low",
      ip,
      net,
      ua: UA.python,
      description: `${user.upn} signed in from a new location (${net.place.city}).`,
    }),
    verdict: "benign_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [intel, flagged, base.dir],
    minutes: [6, 12],
    notes: "Service account moved to a new runner region; address is in our egress inventory.",
  };
};
