import { SYSTEM, tune } from "./benign-fp.js";
import { regularUser } from "./org.js";
import { place, type Scenario } from "./scenario.js";

/**
 * Intel and generic rules that do not hold up: a vendor updater a few engines flag, a shared CDN
 * address on a stale community list, the antivirus engine reading LSASS.
 */
export const tiHashFp: Scenario = {
  id: "fp_ti_hash",
  setup: (rng) => place(rng, "workstation", regularUser(rng)),
  build(d) {
    const { rng, cat } = d;
    const bin = cat.bin("pdfupd");
    const svc = d.proc(cat.bin("services"), "C:\\Windows\\system32\\services.exe", {
      user: SYSTEM,
      integrity: "System",
      at: -86400 * 5,
    });
    const up = d.proc(bin, `"${bin.image}" /silent /check`, { parent: svc, user: SYSTEM, integrity: "System" });
    const ids = d.tree(up, []);
    const rep = d.rep(bin, {
      verdict: "malicious",
      positives: rng.int(2, 5),
      names: ["Generic.PUA.Updater", "Riskware.Win32.Bundler"],
      prevalence: rng.int(400, 900),
    });
    d.file(up, `C:\\Windows\\Temp\\blupdate_${rng.hex(4)}.tmp\\setup.msi`, { at: rng.int(5, 40) });
    d.net(up, { ip: rng.ipv4Public(), port: 443, domain: "updates.brightline.example.com", at: rng.int(1, 10) });
    d.setAlert({
      title: "File hash matches threat intelligence indicator",
      rule: "TI match: file hash on IOC list",
      severity: "high",
      proc: up,
      description: "The SHA-256 of a running process matched a threat-intelligence indicator.",
    });
    d.setLabel(
      "false_positive",
      false,
      ["add_case_note", "add_detection_exclusion"],
      [rep, ids.get(up)!],
      [8, 20],
      "A handful of engines flag the vendor's updater generically; validly signed, on hundreds of managed hosts for years, talking to the vendor's update server.",
    );
  },
};

export const tiIpFp: Scenario = {
  id: "fp_ti_ip",
  setup: (rng) => place(rng, "workstation", regularUser(rng)),
  build(d) {
    const { rng, cat } = d;
    const app = rng.pick(["syncapp", "teams", "chrome"]);
    const ip = rng.ipv4Public();
    const domain = {
      syncapp: "cdn.quillnote.example.com",
      teams: "statics.teams-edge.example.net",
      chrome: "fonts.static-cdn.example.org",
    }[app]!;
    const ex = d.proc(cat.bin("explorer"), "C:\\Windows\\Explorer.EXE", { at: -rng.int(600, 20000) });
    const p = d.proc(
      cat.bin(app),
      `"${cat.bin(app).image}"${app === "chrome" ? " --type=utility --utility-sub-type=network.mojom.NetworkService" : ""}`,
      { parent: ex, at: -rng.int(60, 3000) },
    );
    const ids = d.tree(p, []);
    d.rep(cat.bin(app));
    const n = d.net(p, { ip, port: 443, domain, at: -rng.int(1, 20) });
    const rep = d.ipRep(ip, {
      verdict: "malicious",
      confidence: rng.int(25, 45),
      categories: ["c2"],
      asOrg: "Example Edge CDN",
      feed: "community-blocklist",
      lastSeenDays: rng.int(150, 400),
    });
    d.setAlert({
      title: "Connection to IP address on threat intelligence blocklist",
      rule: "TI match: outbound connection to IOC address",
      severity: "medium",
      proc: p,
      ip,
      description: `Outbound HTTPS to ${ip}, listed on a threat-intelligence feed.`,
    });
    d.setLabel(
      "false_positive",
      false,
      ["add_case_note"],
      [rep, n, ids.get(p)!],
      [6, 18],
      "Shared CDN address on a stale, low-confidence community entry; the connection is the signed app fetching static content by its vendor hostname.",
    );
  },
};

/** A generic Sysmon process-access rule firing on the antivirus engine scanning LSASS. */
export const avLsass: Scenario = {
  id: "fp_av_lsass",
  setup: (rng) => place(rng, rng.pick(["workstation", "app_server"]), regularUser(rng)),
  build(d) {
    const { rng, cat } = d;
    const svc = d.proc(cat.bin("services"), "C:\\Windows\\system32\\services.exe", {
      user: SYSTEM,
      integrity: "System",
      at: -86400 * rng.int(2, 20),
    });
    const av = d.proc(cat.bin("msmpeng"), `"${cat.bin("msmpeng").image}"`, {
      parent: svc,
      user: SYSTEM,
      integrity: "System",
      at: -86400 * rng.int(1, 2),
      access: [
        {
          target_image: "C:\\Windows\\system32\\lsass.exe",
          granted_access: rng.pick(["0x1010", "0x1410", "0x101000"]),
        },
      ],
    });
    const ids = d.tree(av, []);
    const rep = d.rep(cat.bin("msmpeng"));
    d.setAlert({
      title: "Process accessed LSASS memory",
      rule: "Credential access: LSASS process access (Sysmon EID 10)",
      severity: "medium",
      proc: av,
      description: "A process opened a handle to lsass.exe with memory-read rights.",
    });
    d.setLabel(
      "false_positive",
      false,
      tune(d),
      [ids.get(av)!, rep],
      [4, 12],
      "Microsoft Defender engine scanning LSASS with query/read rights; the generic process-access rule lacks an exclusion for the AV platform path.",
    );
  },
};
