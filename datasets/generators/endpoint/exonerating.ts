import { benignNote, rdpShell, sam } from "./benign-admin.js";
import { adminUser, makeHost, regularUser, serviceAccount, type User } from "./org.js";
import { place, type Scenario } from "./scenario.js";

/**
 * Scary credential access that the evidence clears: a contracted red team inside its engagement,
 * the backup agent's nightly system-state job, a one-off LSASS dump for a vendor support case.
 * The exonerating record is a ticket or a fleet-wide signed agent, not the alert itself.
 */
const TESTERS = ["Northgate Security Testing", "Redline Assurance"];

export const pentestDump: Scenario = {
  id: "bp_pentest_dump",
  setup: (rng) => {
    const t = regularUser(rng);
    const user: User = {
      ...t,
      account: `CORP\\ext-rt-${sam(t)}`,
      upn: `ext-rt-${sam(t)}@corp.example.com`,
      department: "Information Security",
      title: "Penetration Tester (contractor)",
      groups: ["GG-RedTeam-Engagement", "GG-Contractors"],
    };
    return { user, host: makeHost(rng, rng.pick(["workstation", "workstation", "app_server"]), regularUser(rng)) };
  },
  build(d) {
    const { rng, cat } = d;
    const dump = `C:\\Windows\\Temp\\${rng.hex(6)}.dmp`;
    const ps = d.proc(cat.bin("powershell"), `"${cat.bin("powershell").image}" -ep bypass`, {
      integrity: "High",
      at: -rng.int(60, 900),
    });
    const tool = rng.chance(0.6)
      ? d.proc(
          cat.bin("rundll32"),
          `"C:\\Windows\\System32\\rundll32.exe" C:\\windows\\System32\\comsvcs.dll, MiniDump ${rng.int(600, 900)} ${dump} full`,
          {
            parent: ps,
            integrity: "High",
            access: [{ target_image: "C:\\Windows\\system32\\lsass.exe", granted_access: "0x1fffff" }],
          },
        )
      : d.proc(cat.bin("procdump"), `procdump64.exe -accepteula -ma lsass.exe ${dump}`, {
          parent: ps,
          integrity: "High",
          access: [{ target_image: "C:\\Windows\\system32\\lsass.exe", granted_access: "0x1fffff" }],
        });
    const ids = d.tree(tool, []);
    d.rep(tool.bin);
    const dmp = d.file(tool, dump, { size: rng.int(38, 70) * 1048576, at: 2 });
    const listed = rng.chance(0.6);
    const chg = d.ticket({
      category: "penetration_test",
      title: `2025 internal penetration test - ${rng.pick(TESTERS)}`,
      hosts: listed ? [d.host.name] : [],
      ci: listed
        ? [d.host.name]
        : [`Finance and application VLANs (${d.host.ip.split(".").slice(0, 2).join(".")}.0.0/16)`],
      accounts: [d.user.account],
      description:
        "Authorised assumed-breach test including credential access (LSASS) on in-scope hosts. SOC informed; do not contain tester accounts without calling the engagement lead.",
      requestedBy: "CORP\\ciso-office",
      startDays: rng.int(1, 6),
      days: 14,
    });
    d.setAlert({
      title: "LSASS memory dumped by a credential-access tool",
      rule: "Credential dumping: LSASS memory access",
      severity: "high",
      proc: tool,
      description: "A process opened lsass.exe with full access and wrote a memory dump.",
    });
    d.setLabel(
      "benign_positive",
      false,
      ["add_case_note"],
      [ids.get(tool)!, chg, dmp],
      [15, 40],
      "Contracted red-team account inside the approved engagement window and scope; confirmed with the engagement lead.",
    );
  },
};

export const backupLsass: Scenario = {
  id: "bp_backup_lsass",
  setup: (rng, ho) =>
    place(
      rng,
      rng.pick(["file_server", "app_server", "database_server"]),
      serviceAccount("svc-cvbackup", "Infrastructure"),
      ho,
    ),
  build(d) {
    const { rng, cat } = d;
    const svc = d.proc(cat.bin("services"), "C:\\Windows\\system32\\services.exe", {
      user: "NT AUTHORITY\\SYSTEM",
      at: -86400 * rng.int(2, 30),
      integrity: "System",
    });
    const agent = d.proc(cat.bin("backup"), `"${cat.bin("backup").image}" --service`, {
      parent: svc,
      at: -86400 * rng.int(1, 2),
      integrity: "System",
    });
    const job = d.proc(
      cat.bin("backup"),
      `"${cat.bin("backup").image}" --job system-state --vss --target \\\\BKP-01\\systemstate$\\${d.host.name}`,
      {
        parent: agent,
        integrity: "System",
        access: [{ target_image: "C:\\Windows\\system32\\lsass.exe", granted_access: "0x1410" }],
      },
    );
    const ids = d.tree(job, []);
    const rep = d.rep(cat.bin("backup"));
    const shadow = `\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy${rng.int(2, 9)}`;
    const hives =
      d.host.role === "domain_controller"
        ? ["Windows\\System32\\config\\SAM", "Windows\\System32\\config\\SYSTEM", "Windows\\NTDS\\ntds.dit"]
        : ["Windows\\System32\\config\\SAM", "Windows\\System32\\config\\SYSTEM"];
    for (const h of hives) d.file(job, `${shadow}\\${h}`, { action: "read", at: rng.int(5, 60) });
    d.file(job, `D:\\CorvaneStage\\SystemState\\${d.time.slice(0, 10)}\\SAM`, { at: rng.int(60, 120) });
    const chg = d.ticket({
      category: "backup_onboarding",
      title: `Onboard ${d.host.role.replace("_", " ")}s to Corvane system-state backup`,
      state: rng.chance(0.7) ? "approved" : "closed",
      hosts: [d.host.name],
      accounts: [d.user.account],
      description:
        "Nightly system-state backup via VSS. Vendor notes the agent opens LSASS with query/read rights and copies registry hives from the shadow copy; SOC to expect credential-access detections.",
      requestedBy: "CORP\\infra-backup",
      startDays: rng.int(20, 120),
      days: 30,
    });
    d.setAlert({
      title: "Suspicious access to LSASS and SAM hive from a volume shadow copy",
      rule: "Credential access: LSASS handle and SAM hive read",
      severity: "high",
      proc: job,
      description: "A process opened lsass.exe and read registry hives through a shadow copy device path.",
    });
    d.setLabel(
      "benign_positive",
      false,
      benignNote(d, rng.chance(0.3) ? ["add_detection_exclusion"] : []),
      [ids.get(job)!, chg, rep],
      [10, 30],
      "Approved Corvane backup agent (signed, fleet-wide, running as its service account) doing its nightly system-state job per the backup change.",
    );
  },
};

export const supportLsassDump: Scenario = {
  id: "bp_support_lsass_dump",
  setup: (rng) => {
    const admin = adminUser(rng, 1);
    return { user: admin, host: makeHost(rng, "app_server", admin) };
  },
  build(d) {
    const { rng, cat } = d;
    const out = "D:\\Support\\lsass.dmp";
    const cmd = rdpShell(d);
    const pd = d.proc(cat.bin("procdump"), `procdump64.exe -accepteula -ma lsass.exe ${out}`, {
      parent: cmd,
      integrity: "High",
      access: [{ target_image: "C:\\Windows\\system32\\lsass.exe", granted_access: "0x1fffff" }],
    });
    const ids = d.tree(pd, []);
    d.rep(cat.bin("procdump"));
    d.file(pd, out, { size: rng.int(40, 80) * 1048576, at: rng.int(3, 20) });
    const chg = d.ticket({
      category: "incident_support",
      title: `Collect LSASS dump for vendor support case ${rng.int(2500000000, 2599999999)} (Kerberos authentication failures)`,
      hosts: [d.host.name],
      accounts: [d.user.account],
      description:
        "CAB-approved one-off LSASS dump; file to be encrypted, uploaded to the vendor workspace and deleted within 24h.",
      requestedBy: "CORP\\identity-platform",
      startDays: 0,
      days: 2,
    });
    d.setAlert({
      title: "LSASS memory dumped with ProcDump",
      rule: "Credential dumping: LSASS memory access",
      severity: "high",
      proc: pd,
      description: "procdump64.exe created a full memory dump of lsass.exe.",
    });
    d.setLabel(
      "benign_positive",
      false,
      ["add_case_note"],
      [ids.get(pd)!, chg],
      [15, 35],
      "LSASS dump by the named admin under an approved one-off change for a vendor support case.",
    );
  },
};
