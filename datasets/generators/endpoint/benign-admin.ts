import type { CaseDraft, Proc } from "./draft.js";
import { adminUser, makeHost, regularUser, serviceAccount, type User } from "./org.js";
import { password, place, type Scenario } from "./scenario.js";

/**
 * Administrators doing their jobs with tools attackers also use. The alert is real activity
 * (benign positive); what clears it is who ran it, from where, and the ticket behind it.
 */

export const sam = (u: User) => u.account.split("\\")[1]!;

export function rdpShell(d: CaseDraft, user = d.user.account): Proc {
  const ex = d.proc(d.cat.bin("explorer"), "C:\\Windows\\Explorer.EXE", { user, at: -d.rng.int(1800, 20000) });
  return d.proc(d.cat.bin("cmd"), '"C:\\Windows\\system32\\cmd.exe" ', {
    parent: ex,
    user,
    integrity: "High",
    at: -d.rng.int(60, 1200),
  });
}

export function benignNote(d: CaseDraft, extra: string[] = []): string[] {
  return d.critical() ? ["add_case_note", "escalate_severity"] : ["add_case_note", ...extra];
}

export const adminPsexec: Scenario = {
  id: "bp_admin_psexec",
  setup: (rng, ho) => place(rng, rng.pick(["jump_host", "jump_host", "workstation"]), adminUser(rng, 1), ho),
  build(d) {
    const { rng, cat } = d;
    const target = rng.pick([`SRV-APP-${rng.int(10, 40)}`, `FS-${rng.int(10, 30)}`, `SQL-PRD-${rng.int(10, 20)}`]);
    const task = rng.pick([
      'cmd /c "net stop Spooler && net start Spooler"',
      "gpupdate /force",
      "cmd /c C:\\Tools\\collect-logs.cmd",
      "ipconfig /flushdns",
      'cmd /c "wevtutil qe System /c:50 /rd:true /f:text > C:\\Temp\\sys.txt"',
    ]);
    const cmd = rdpShell(d);
    const px = d.proc(
      cat.bin("psexec"),
      `PsExec64.exe \\\\${target} -accepteula ${rng.pick(["-s", "-h", ""])} ${task}`.replace("  ", " "),
      { parent: cmd, integrity: "High" },
    );
    const ids = d.tree(px, []);
    d.rep(cat.bin("psexec"));
    d.net(px, { ip: `10.${rng.int(1, 9)}.${rng.int(0, 40)}.${rng.int(5, 250)}`, port: 445, at: 1 });
    const chg = rng.chance(0.35)
      ? d.ticket({
          category: "incident_support",
          title: `Remote maintenance on ${target} for INC00${rng.int(70000, 99999)}`,
          hosts: [d.host.name, target],
          accounts: [d.user.account],
          description: "Service restart / log collection on the affected server.",
          requestedBy: "CORP\\servicedesk",
        })
      : undefined;
    d.setAlert({
      title: "PsExec used to run a command on a remote host",
      rule: "Lateral movement: PsExec remote service execution",
      severity: "medium",
      proc: px,
      description: `PsExec64.exe started a remote service on ${target}.`,
    });
    d.setLabel(
      "benign_positive",
      false,
      benignNote(d),
      [ids.get(px)!, chg ?? d.userRecord],
      [6, 18],
      "Signed Sysinternals PsExec run by an IT admin account from an admin host against a managed server; routine administration.",
    );
  },
};

export const supportAnydesk: Scenario = {
  id: "bp_support_anydesk",
  setup: (rng) => ({
    user: { ...adminUser(rng, 1), department: "Service Desk", title: "Service Desk Analyst" },
    host: makeHost(rng, "workstation", regularUser(rng)),
  }),
  build(d) {
    const { rng, cat } = d;
    const bin = { ...cat.bin("anydesk"), image: `C:\\Users\\${sam(d.user)}\\Downloads\\AnyDesk.exe` };
    const cmd = rdpShell(d);
    const ad = d.proc(
      bin,
      `"${bin.image}" --install "C:\\Program Files (x86)\\AnyDesk" --start-with-win --silent --create-desktop-icon`,
      { parent: cmd, integrity: "High" },
    );
    const ids = d.tree(ad, []);
    d.rep(bin);
    d.net(ad, { ip: rng.ipv4Public(), port: 443, domain: `relay-${rng.hex(8)}.net.anydesk.com`, at: rng.int(20, 90) });
    d.persist({
      mechanism: "service",
      name: "AnyDesk",
      location: "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AnyDesk",
      command: '"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe" --service',
      by: ad,
      prevalence: rng.int(25, 90),
      signer: "AnyDesk Software GmbH",
    });
    const chg = rng.chance(0.7)
      ? d.ticket({
          category: "incident_support",
          title: `Remote support session for ${d.host.owner}: ${rng.pick(["printer mapping", "VPN client repair", "Outlook profile rebuild"])}`,
          accounts: [d.user.account],
          description:
            "Service desk to install the approved remote support tool for the session and remove it afterwards.",
          requestedBy: "CORP\\servicedesk",
          startDays: 0,
          days: 2,
        })
      : undefined;
    d.setAlert({
      title: "Remote access software installed",
      rule: "Persistence: remote access tool installation",
      severity: "medium",
      proc: ad,
      description: "AnyDesk was installed as a service with start-with-windows.",
    });
    d.setLabel(
      "benign_positive",
      false,
      ["add_case_note"],
      [ids.get(ad)!, chg ?? d.userRecord],
      [8, 20],
      "Service desk analyst installed the sanctioned remote support tool for a logged support request.",
    );
  },
};

export const adminProcdump: Scenario = {
  id: "bp_admin_procdump",
  setup: (rng, ho) => place(rng, rng.pick(["app_server", "app_server", "database_server"]), adminUser(rng, 1), ho),
  build(d) {
    const { rng, cat } = d;
    const target =
      d.host.role === "database_server" ? "sqlservr.exe" : rng.pick(["w3wp.exe", "java.exe", "dotnet.exe"]);
    const pid = rng.int(1200, 9000);
    const out = `D:\\Dumps\\${target.replace(".exe", "")}_${pid}.dmp`;
    const cmd = rdpShell(d);
    const pd = d.proc(
      cat.bin("procdump"),
      `procdump64.exe -accepteula -ma ${rng.chance(0.5) ? pid : `-e 1 ${target}`} ${out}`,
      { parent: cmd, integrity: "High", access: [{ target_image: target, granted_access: "0x1fffff" }] },
    );
    const ids = d.tree(pd, []);
    d.rep(cat.bin("procdump"));
    d.file(pd, out, { size: rng.int(300, 4000) * 1048576, at: rng.int(5, 40) });
    const chg = rng.chance(0.6)
      ? d.ticket({
          category: "incident_support",
          title: `Intermittent crash of ${target} on ${d.host.name} - collect dump for vendor`,
          accounts: [d.user.account],
          description: "Capture a full memory dump of the crashing worker process for the application vendor.",
          requestedBy: "CORP\\app-ops",
        })
      : undefined;
    d.setAlert({
      title: "Process memory dump created with ProcDump",
      rule: "Credential access: process memory dump tool",
      severity: "medium",
      proc: pd,
      description: `procdump64.exe wrote a full memory dump of ${target}.`,
    });
    d.setLabel(
      "benign_positive",
      false,
      benignNote(d),
      [ids.get(pd)!, chg ?? d.userRecord],
      [8, 20],
      `Admin dumped ${target} (not LSASS) for crash analysis on an application server.`,
    );
  },
};

export const credsInCommandLine: Scenario = {
  id: "bp_creds_in_cmdline",
  setup: (rng) => {
    const svc = serviceAccount(rng.pick(["svc-finrpt", "svc-erpbatch", "svc-export", "svc-sqljobs"]), "IT Operations");
    const kind = rng.pick(["app_server", "app_server", "workstation"] as const);
    return { user: svc, host: makeHost(rng, kind, kind === "workstation" ? regularUser(rng) : svc) };
  },
  build(d) {
    const { rng, cat } = d;
    const pw = password(rng);
    const sched = d.proc(cat.bin("svchost"), "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", {
      user: "NT AUTHORITY\\SYSTEM",
      at: -86400 * 3,
    });
    const v = rng.pick(["net", "sqlcmd", "curl"] as const);
    const script = {
      net: "C:\\Scripts\\map-drives.cmd",
      sqlcmd: "D:\\Jobs\\nightly_backup.cmd",
      curl: "D:\\Jobs\\vendor_export.cmd",
    }[v];
    const cmd = d.proc(cat.bin("cmd"), `C:\\Windows\\system32\\cmd.exe /c "${script}"`, {
      parent: sched,
      at: -rng.int(2, 10),
    });
    const line = {
      net: `net  use Z: \\\\FS-${rng.int(10, 30)}\\finance$ /user:${d.user.account} ${pw} /persistent:no`,
      sqlcmd: `SQLCMD.EXE -S SQL-PRD-${rng.int(10, 20)} -U sa -P ${pw} -Q "BACKUP DATABASE [ERP] TO DISK='E:\\bak\\erp_full.bak' WITH COMPRESSION"`,
      curl: `curl.exe -s -H "X-Api-Key: hxk_${rng.hex(32)}" https://api.vendor.example.com/v2/export?since=yesterday -o D:\\Exports\\daily.csv`,
    }[v];
    d.secret =
      v === "curl"
        ? { kind: "cmdline_api_key", value: line.match(/hxk_[0-9a-f]+/)![0] }
        : { kind: "cmdline_password", value: pw };
    const p = d.proc(cat.bin(v), line, { parent: cmd });
    const ids = d.tree(p, [], p);
    d.rep(cat.bin(v));
    d.setAlert({
      title: "Plaintext credential passed on the command line",
      rule: "Credential exposure: secret in process command line",
      severity: rng.pick(["low", "medium"]),
      proc: p,
      description: `A scheduled job ran ${v} with a credential in its arguments.`,
    });
    d.setLabel(
      "benign_positive",
      false,
      ["open_remediation_ticket", "add_case_note"],
      [ids.get(p)!],
      [10, 25],
      "Legitimate scheduled job, but it exposes a credential in the command line; rotation and vaulting ticket opened. Do not repeat the secret.",
    );
  },
};

/** Administrators outside the IT departments: the database team looks after its own servers. */
export const dbaTools: Scenario = {
  id: "bp_dba_tools",
  setup: (rng) => {
    const a: User = {
      ...adminUser(rng, 1),
      department: "Data Platform",
      title: "Database Administrator",
      groups: ["GG-DBA-Admins", "GG-Tier1-Admins"],
    };
    return { user: a, host: makeHost(rng, "database_server", a) };
  },
  build(d) {
    const { rng, cat } = d;
    const cmd = rdpShell(d);
    const peer = `SQL-PRD-${rng.int(10, 24)}`;
    const viaPsexec = rng.chance(0.5);
    const p = viaPsexec
      ? d.proc(
          cat.bin("psexec"),
          `PsExec64.exe \\\\${peer} -accepteula -s cmd /c "net stop SQLSERVERAGENT && net start SQLSERVERAGENT"`,
          { parent: cmd, integrity: "High" },
        )
      : d.proc(
          cat.bin("procdump"),
          `procdump64.exe -accepteula -ma sqlservr.exe E:\\Dumps\\sqlservr_${rng.int(1000, 9999)}.dmp`,
          { parent: cmd, integrity: "High", access: [{ target_image: "sqlservr.exe", granted_access: "0x1fffff" }] },
        );
    const ids = d.tree(p, []);
    d.rep(p.bin);
    if (viaPsexec) d.net(p, { ip: `10.${rng.int(1, 9)}.${rng.int(0, 40)}.${rng.int(5, 250)}`, port: 445, at: 1 });
    d.setAlert({
      title: viaPsexec ? "PsExec used to run a command on a remote host" : "Process memory dump created with ProcDump",
      rule: viaPsexec
        ? "Lateral movement: PsExec remote service execution"
        : "Credential access: process memory dump tool",
      severity: "medium",
      proc: p,
      description: viaPsexec
        ? `PsExec64.exe started a remote service on ${peer}.`
        : "procdump64.exe wrote a full memory dump of sqlservr.exe.",
    });
    d.setLabel(
      "benign_positive",
      false,
      ["add_case_note"],
      [ids.get(p)!, d.userRecord],
      [8, 20],
      "Database administrator's admin account maintaining the SQL estate it owns; sanctioned activity by the data platform team.",
    );
  },
};
