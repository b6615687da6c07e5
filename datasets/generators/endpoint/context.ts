import type { CaseDraft } from "./draft.js";
import { VULNS } from "./org.js";

/**
 * What every host has whatever the alert: its directory and CMDB records, scanner findings, the
 * autoruns the whole fleet shares, background network traffic and the odd unrelated change.
 * This is the noise an analyst reads past; rules that key on "a persistence entry exists" or
 * "there is a change ticket" trip over it, as they would in a real SOC.
 */
export function addContext(d: CaseDraft): void {
  const { rng, host, user } = d;
  d.userRecord = d.add("user", "idp.directory", d.at(-rng.int(60, 600)), [{ type: "account", value: user.account }], {
    account: user.account,
    upn: user.upn,
    display_name: user.display,
    department: user.department,
    title: user.title,
    account_type: user.type,
    admin_tier: user.tier,
    privileged: user.tier === 0,
    groups: user.groups,
    enabled: true,
    mfa_registered: user.mfa,
    password_last_set: d.at(-86400 * rng.int(3, 180)),
    last_logon: d.at(-rng.int(600, 86400)),
  });
  d.assetRecord = d.add("asset", "cmdb.assets", d.at(-86400 * rng.int(1, 30)), [d.hostEntity()], {
    hostname: host.name,
    fqdn: host.fqdn,
    ip_address: host.ip,
    role: host.role,
    criticality: host.criticality,
    environment: host.environment,
    owner: host.owner,
    owner_team: host.ownerTeam,
    business_service: host.service,
    os: host.os,
    managed_by: host.managedBy,
    edr_sensor: rng.pick(["healthy", "healthy", "healthy", "degraded"]),
  });

  const server = !host.role.includes("workstation");
  const pool = VULNS.filter(
    (v) => (server ? true : !v.server) && (v.cve !== "CVE-2020-1472" || host.role === "domain_controller"),
  );
  for (const v of rng.sample(
    pool,
    rng.weighted([
      [0, 4],
      [1, 4],
      [2, 2],
      [3, 1],
    ] as const),
  )) {
    d.add("vuln", "vuln.scanner", d.at(-86400 * rng.int(2, 120)), [d.hostEntity()], {
      cve: v.cve,
      title: v.title,
      cvss: v.cvss,
      severity: v.cvss >= 9 ? "critical" : v.cvss >= 7 ? "high" : "medium",
      known_exploited: v.kev,
      product: v.product,
      status: "open",
      scanner: "authenticated scan",
    });
  }

  const autoruns = [
    {
      mechanism: "scheduled_task",
      name: "\\MicrosoftEdgeUpdateTaskMachineCore",
      location: "C:\\Windows\\System32\\Tasks\\MicrosoftEdgeUpdateTaskMachineCore",
      command: '"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe" /c',
      signer: "Microsoft Corporation",
    },
    {
      mechanism: "service",
      name: "CcmExec",
      location: "HKLM\\SYSTEM\\CurrentControlSet\\Services\\CcmExec",
      command: "C:\\Windows\\CCM\\CcmExec.exe",
      signer: "Microsoft Corporation",
    },
    {
      mechanism: "run_key",
      name: "OneDrive",
      location: "HKU\\<sid>\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
      command: '"C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe" /background',
      signer: "Microsoft Corporation",
    },
    {
      mechanism: "service",
      name: "Sysmon64",
      location: "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Sysmon64",
      command: "C:\\Windows\\Sysmon64.exe",
      signer: "Sysinternals - www.sysinternals.com",
    },
    {
      mechanism: "scheduled_task",
      name: "\\GoogleSystem\\GoogleUpdater\\GoogleUpdaterTaskSystem",
      location: "C:\\Windows\\System32\\Tasks\\GoogleSystem\\GoogleUpdater",
      command: '"C:\\Program Files (x86)\\Google\\GoogleUpdater\\updater.exe" --wake --system',
      signer: "Google LLC",
    },
  ];
  for (const a of rng.sample(autoruns, rng.int(1, 3)))
    d.persist({ ...a, prevalence: rng.int(900, 5200), firstSeen: d.at(-86400 * rng.int(90, 700)) });

  // background traffic from processes outside the alert's tree; servers run no browsers
  const wsus = `10.${rng.int(1, 9)}.0.${rng.int(10, 30)}`;
  for (let i = rng.int(0, 3); i > 0; i--) {
    const key = server ? "svchost" : rng.pick(["svchost", "chrome", "teams"]);
    const web = {
      chrome: rng.pick(["www.example.com", "docs.example.org", "news.example.net"]),
      teams: "teams-edge.example.net",
    };
    const system = key === "svchost";
    const p = d.proc(
      d.cat.bin(key),
      system ? "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s wuauserv" : `"${d.cat.bin(key).image}"`,
      { at: -rng.int(600, 7200), user: system ? "NT AUTHORITY\\SYSTEM" : user.account },
    );
    d.net(p, {
      ip: system ? wsus : rng.ipv4Public(),
      port: system ? 8530 : 443,
      domain: system ? "wsus01.corp.example.com" : web[key as keyof typeof web],
      at: rng.int(-3000, 3000),
    });
  }

  if (rng.chance(0.15)) {
    const t = rng.pick([
      {
        category: "patching",
        title: "Monthly Windows cumulative update - ring 2",
        description: "Install the monthly cumulative update via SCCM; reboot in maintenance window.",
      },
      {
        category: "software_deployment",
        title: "Deploy Adobe Acrobat Reader 2024 update",
        description: "Package pushed through SCCM to all managed endpoints.",
      },
      {
        category: "config_change",
        title: "Update Windows Firewall baseline GPO",
        description: "Tighten inbound SMB rules on endpoints per hardening standard.",
      },
    ]);
    d.ticket({ ...t, requestedBy: "CORP\\svc-changebot", startDays: rng.int(0, 3) });
  }
}
