import { alertFor, baseline, trip } from "./baseline.js";
import { ipIntel, risk, shift, signin } from "./builder.js";
import { defaultMethod, MFA } from "./helpers.js";
import type { Scenario } from "./outcome.js";
import { distanceKm, hotelNet, ipIn, mobileNet, PLACES, SASE_POPS, saseNet, TRAVEL_DESTINATIONS } from "./world.js";

/** The user really is abroad; a roaming phone still egressing at home makes the trip look impossible. */
export const travelReal: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  const away = rng.int(1, 4) * 1440;
  const base = baseline(b, away);
  const booked = rng.chance(0.75);
  const dest = rng.pick(TRAVEL_DESTINATIONS.filter((p) => p.country !== user.office.country));
  const onPhone = rng.chance(0.4);
  const net = onPhone ? mobileNet(dest) : hotelNet(dest);
  const ip = ipIn(rng, net);
  const dev = onPhone ? user.phone : user.laptop;
  const detection = rng.weighted([
    ["impossibleTravel", 5],
    ["newCountry", 3],
    ["unfamiliarFeatures", 2],
  ] as const);
  const gap = rng.int(20, 90);
  const roamNet = mobileNet(user.office);
  const roamIp = ipIn(rng, roamNet);
  signin(b, {
    time: shift(b.t0, -gap),
    net: roamNet,
    ip: roamIp,
    device: user.phone,
    ua: user.phone.ua,
    clientApp: "Mobile Apps and Desktop clients",
    mfa: MFA.tokenClaim,
  });
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: dev,
    ua: dev.ua,
    clientApp: onPhone ? "Mobile Apps and Desktop clients" : "Browser",
    mfa: MFA.satisfied(defaultMethod(b)),
    risk: "medium",
  });
  const km = distanceKm(user.office, dest);
  risk(b, detection, "medium", ip, net, {
    previous: { ip: roamIp, city: user.office.city, country: user.office.country, minutes_before: gap },
    distance_km: km,
    required_speed_kmh: Math.round(km / (gap / 60)),
  });
  ipIntel(b, ip, net, { usersSeen30d: rng.int(0, 3) });
  const depart = shift(b.t0, -away);
  const trv = booked ? trip(b, dest, depart, shift(b.t0, rng.int(2, 6) * 1440), "in_progress") : "";
  const dv = onPhone ? base.phone : base.laptop;
  return {
    alert: alertFor(b, {
      detection,
      level: "medium",
      ip,
      net,
      ua: dev.ua,
      device: dev,
      description: `Sign-in for ${user.upn} from ${dest.city}, ${dest.country} ${gap} minutes after a sign-in from ${user.office.country}.`,
    }),
    verdict: "benign_positive",
    escalate: false,
    actions: booked ? ["add_case_note"] : ["confirm_with_user", "add_case_note"],
    required: booked ? [flagged, trv, dv] : [flagged, dv],
    minutes: booked ? [6, 14] : [10, 22],
    notes: booked
      ? `Booked trip to ${dest.city} in TripDesk; compliant ${dev.name}; home sign-in was the roaming phone. Closed.`
      : `No booking, but user confirmed a personal trip to ${dest.city} on a known number; compliant ${dev.name}.`,
  };
};

/** Corporate SASE egress in another country makes a home worker look like they teleported. */
export const vpnEgress: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  const base = baseline(b);
  const pop = rng.pick(SASE_POPS.filter((p) => p.country !== user.office.country));
  const net = saseNet(pop);
  const ip = ipIn(rng, net);
  const gap = rng.int(4, 35);
  signin(b, {
    time: shift(b.t0, -gap),
    net: user.home,
    ip: base.homeIp,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.satisfied(defaultMethod(b)),
  });
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: rng.chance(0.5) ? MFA.tokenClaim : MFA.satisfied(defaultMethod(b)),
    risk: "medium",
  });
  const detection = rng.chance(0.8) ? "impossibleTravel" : "newCountry";
  const km = distanceKm(user.office, pop);
  risk(b, detection, "medium", ip, net, { distance_km: km, required_speed_kmh: Math.round(km / (gap / 60)) });
  const intel = ipIntel(b, ip, net, {
    usersSeen30d: rng.int(80, 600),
    note: `Dedicated egress of the Halvorsen Logistics Zephyr SASE tenant (${pop.city} POP)`,
  });
  return {
    alert: alertFor(b, {
      detection,
      level: "medium",
      ip,
      net,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `${user.upn} signed in from ${pop.city}, ${pop.country} ${gap} minutes after ${user.office.city}.`,
    }),
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [flagged, intel],
    minutes: [4, 10],
    notes: `Second location is our Zephyr SASE egress in ${pop.city}; same compliant laptop. Detection artefact.`,
  };
};

/** Scary on its face (high risk, two countries in minutes) but every fact exonerates it. */
export const exonerating: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  const away = rng.int(1, 3) * 1440;
  const base = baseline(b, away);
  const dest = rng.pick(TRAVEL_DESTINATIONS.filter((p) => p.country !== user.office.country));
  const pop = rng.pick(SASE_POPS.filter((p) => p.country !== dest.country));
  const hotel = hotelNet(dest);
  const hotelIp = ipIn(rng, hotel);
  const net = saseNet(pop);
  const ip = ipIn(rng, net);
  const gap = rng.int(6, 30);
  const first = signin(b, {
    time: shift(b.t0, -gap),
    net: hotel,
    ip: hotelIp,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.satisfied(defaultMethod(b)),
  });
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.tokenClaim,
    risk: "high",
  });
  const km = distanceKm(dest, pop);
  risk(b, "impossibleTravel", "high", ip, net, {
    previous: { ip: hotelIp, city: dest.city, country: dest.country, minutes_before: gap },
    distance_km: km,
    required_speed_kmh: Math.round(km / (gap / 60)),
  });
  if (rng.chance(0.5)) risk(b, "newCountry", "medium", ip, net);
  const intel = ipIntel(b, ip, net, { usersSeen30d: rng.int(80, 600), note: `Zephyr SASE egress, ${pop.city} POP` });
  ipIntel(b, hotelIp, hotel, { usersSeen30d: rng.int(0, 2) });
  const trv = trip(b, dest, shift(b.t0, -away), shift(b.t0, rng.int(2, 5) * 1440), "in_progress");
  return {
    alert: alertFor(b, {
      detection: "impossibleTravel",
      level: "high",
      ip,
      net,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `High-risk atypical travel: ${dest.city} → ${pop.city} (${km} km) in ${gap} minutes for ${user.upn}.`,
    }),
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [flagged, intel, trv, base.laptop, first],
    minutes: [10, 20],
    notes: `User is on a booked trip in ${dest.city}; VPN connected to the ${pop.city} SASE POP on the same compliant laptop.`,
  };
};

/** The geolocation vendor moved the user's home prefix to another country. */
export const geoipError: Scenario = (b) => {
  b.withCompliantDevices();
  const { user } = b;
  const base = baseline(b);
  const wrong = { US: PLACES.toronto, NL: PLACES.hamburg, GB: PLACES.amsterdam, SG: PLACES.mumbai }[
    user.office.country
  ];
  const net = { ...user.home, place: wrong ?? PLACES.toronto };
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip: base.homeIp,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.satisfied(defaultMethod(b)),
  });
  const intel = ipIntel(b, base.homeIp, net, {
    usersSeen30d: 1,
    note: `Geolocation changed recently; prefix registered to ${user.home.org} in ${user.office.country}`,
  });
  risk(b, "newCountry", "low", base.homeIp, net);
  return {
    alert: alertFor(b, {
      detection: "newCountry",
      level: "low",
      ip: base.homeIp,
      net,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `Activity from ${net.place.country}, a country ${user.upn} has not used before.`,
    }),
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [intel, flagged],
    minutes: [6, 12],
    notes: `Same home IP as every day; the geo database now places ${user.home.org}'s prefix in ${net.place.country}.`,
  };
};
