import { encodePs, oneOff } from "./catalog.js";
import type { CaseDraft } from "./draft.js";
import { developer, regularUser } from "./org.js";
import { place, type Scenario } from "./scenario.js";

/**
 * Detections that fired on the wrong thing: management agents, builds, updaters and TI entries
 * that do not hold up. Analysts close these as false positives and often ask for tuning.
 */

export const SYSTEM = "NT AUTHORITY\\SYSTEM";
const sam = (d: CaseDraft) => d.user.account.split("\\")[1]!;
export const tune = (d: CaseDraft) =>
  d.critical()
    ? ["add_case_note", "escalate_severity"]
    : d.rng.chance(0.3)
      ? ["add_case_note", "add_detection_exclusion"]
      : ["add_case_note"];

export const sccmScript: Scenario = {
  id: "fp_sccm_script",
  setup: (rng, ho) => place(rng, rng.pick(["workstation", "workstation", "app_server"]), regularUser(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const ccm = d.proc(cat.bin("ccmexec"), "C:\\Windows\\CCM\\CcmExec.exe", {
      user: SYSTEM,
      integrity: "System",
      at: -86400 * rng.int(1, 20),
    });
    const script = rng.pick([
      "Install-Agent.ps1",
      "Remediate-BitLocker.ps1",
      "Set-PowerPlan.ps1",
      "Detect-Java.ps1",
      "Remove-LegacyVPN.ps1",
    ]);
    const ps = d.proc(
      cat.bin("powershell"),
      `"${cat.bin("powershell").image}" -NoLogo -Noninteractive -ExecutionPolicy Bypass -File "C:\\Windows\\ccmcache\\${rng.hex(2)}\\${script}"`,
      { parent: ccm, user: SYSTEM, integrity: "System" },
    );
    const ids = d.tree(ps, []);
    d.rep(cat.bin("powershell"));
    const chg = rng.chance(0.5)
      ? d.ticket({
          category: "software_deployment",
          title: `SCCM deployment: ${script.replace(".ps1", "")} to ${d.host.role === "workstation" ? "all workstations" : "application servers"}`,
          description: "Configuration Manager package/compliance script rolled out in waves.",
          requestedBy: "CORP\\endpoint-eng",
          startDays: rng.int(0, 4),
        })
      : undefined;
    d.setAlert({
      title: "PowerShell executed with execution policy bypass by SYSTEM",
      rule: "Execution: PowerShell -ExecutionPolicy Bypass",
      severity: rng.pick(["low", "medium"]),
      proc: ps,
      description: "powershell.exe ran a script file with -ExecutionPolicy Bypass as SYSTEM.",
    });
    d.setLabel(
      "false_positive",
      false,
      tune(d),
      chg ? [ids.get(ps)!, chg] : [ids.get(ps)!],
      [4, 12],
      "Configuration Manager client ran a deployment script from ccmcache; expected behaviour of the management agent.",
    );
  },
};

export const intuneScript: Scenario = {
  id: "fp_intune_script",
  setup: (rng) => place(rng, "workstation", regularUser(rng)),
  build(d) {
    const { rng, cat } = d;
    const ime = d.proc(cat.bin("ime"), `"${cat.bin("ime").image}"`, {
      user: SYSTEM,
      integrity: "System",
      at: -86400 * rng.int(1, 10),
    });
    const id = `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}_1`;
    const path = `C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Policies\\Scripts\\${id}.ps1`;
    const ax = d.proc(
      cat.bin("agentexecutor"),
      `"${cat.bin("agentexecutor").image}" -powershell "${path}" "C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Policies\\Results\\${id}.output" "C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Policies\\Results\\${id}.error" "C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Policies\\Results\\${id}.timeout" 960000 "C:\\Windows\\System32\\WindowsPowerShell\\v1.0" 0 "" 0 False`,
      { parent: ime, user: SYSTEM, integrity: "System", at: -rng.int(3, 8) },
    );
    const ps = d.proc(
      cat.bin("powershell"),
      `"${cat.bin("powershell").image}" -NoProfile -executionPolicy bypass -file  "${path}" `,
      { parent: ax, user: SYSTEM, integrity: "System" },
    );
    const ids = d.tree(ps, []);
    d.rep(cat.bin("powershell"));
    d.setAlert({
      title: "PowerShell script run from an unusual parent with policy bypass",
      rule: "Execution: PowerShell -ExecutionPolicy Bypass",
      severity: "low",
      proc: ps,
      description: "AgentExecutor.exe started powershell.exe with -executionPolicy bypass.",
    });
    d.setLabel(
      "false_positive",
      false,
      tune(d),
      [ids.get(ps)!],
      [3, 10],
      "Intune Management Extension platform script; signed Microsoft agent chain, expected.",
    );
  },
};

export const devBuild: Scenario = {
  id: "fp_dev_build",
  setup: (rng) => place(rng, "developer_workstation", developer(rng)),
  build(d) {
    const { rng, cat } = d;
    const proj = rng.pick(["InvoiceParser", "LedgerSync", "PricingEngine", "ReportExporter", "TelemetryShim"]);
    const kind = rng.pick(["msbuild", "dotnet", "python"] as const);
    const out =
      kind === "python"
        ? `C:\\Users\\${sam(d)}\\src\\${proj.toLowerCase()}\\dist\\${proj.toLowerCase()}.exe`
        : `C:\\Users\\${sam(d)}\\source\\repos\\${proj}\\bin\\Debug\\net8.0\\${proj}.exe`;
    const built = oneOff(rng, out);
    const ide = d.proc(
      cat.bin(kind === "python" ? "cmd" : "devenv"),
      kind === "python" ? "cmd.exe" : `"${cat.bin("devenv").image}" ${proj}.sln`,
      { at: -rng.int(3600, 20000) },
    );
    const builder = d.proc(
      cat.bin(kind),
      {
        msbuild: `"${cat.bin("msbuild").image}" /nologo /nodemode:1 /nodeReuse:true /low:false`,
        dotnet: `"${cat.bin("dotnet").image}" build ${proj}.csproj -c Debug`,
        python: `python.exe -m PyInstaller --onefile ${proj.toLowerCase()}.py`,
      }[kind],
      { parent: ide, at: -rng.int(30, 200) },
    );
    const run = d.proc(
      built,
      `"${out}" ${rng.pick(["--selftest", "--config appsettings.Development.json", ""])}`.trim(),
      { parent: ide, dir: out.slice(0, out.lastIndexOf("\\") + 1) },
    );
    const ids = d.tree(run, []);
    d.rep(built, { verdict: "unknown", prevalence: 1, firstSeen: d.at(-rng.int(30, 200)) });
    const w = d.file(builder, out, { sha256: built.sha256, at: -rng.int(5, 25) });
    d.setAlert({
      title: "Unsigned, low-prevalence executable launched from user profile",
      rule: "Execution: rare unsigned binary in user directory",
      severity: rng.pick(["low", "medium"]),
      proc: run,
      description: "A never-before-seen unsigned executable ran from a folder under the user's profile.",
    });
    d.setLabel(
      "false_positive",
      false,
      tune(d),
      [ids.get(run)!, w],
      [5, 15],
      "Developer's own build output (written by the build tool seconds before) on a developer workstation.",
    );
  },
};

export const updaterAppdata: Scenario = {
  id: "fp_updater_appdata",
  setup: (rng) => place(rng, "workstation", regularUser(rng)),
  build(d) {
    const { rng, cat } = d;
    const base = cat.bin("syncapp");
    const bin = { ...base, image: `C:\\Users\\${sam(d)}\\AppData\\Local\\Quillnote\\Update.exe` };
    const ex = d.proc(cat.bin("explorer"), "C:\\Windows\\Explorer.EXE", { at: -rng.int(600, 20000) });
    const up = d.proc(
      bin,
      `"${bin.image}" --processStart "Quillnote.exe" ${rng.pick(['--process-start-args "--autostart"', ""])}`.trim(),
      { parent: ex },
    );
    const ids = d.tree(up, []);
    const rep = d.rep(bin);
    d.net(up, { ip: rng.ipv4Public(), port: 443, domain: "updates.quillnote.example.com", at: rng.int(2, 30) });
    d.setAlert({
      title: "Process launched from user AppData directory",
      rule: "Execution: binary in AppData\\Local",
      severity: "low",
      proc: up,
      description: "An executable in the user's AppData\\Local folder was started at logon.",
    });
    d.setLabel(
      "false_positive",
      false,
      tune(d),
      [ids.get(up)!, rep],
      [3, 10],
      "Per-user installer/updater of a sanctioned note-taking app; validly signed, widely deployed.",
    );
  },
};

const INVENTORY = [
  "Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object Caption,Version,LastBootUpTime | ConvertTo-Json -Compress",
  "Get-ItemProperty HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\* | Select-Object DisplayName,DisplayVersion,Publisher | ConvertTo-Json -Compress",
  "Get-Service | Where-Object {$_.Status -eq 'Stopped' -and $_.StartType -eq 'Automatic'} | Select-Object Name | ConvertTo-Json -Compress",
  "Get-BitLockerVolume | Select-Object MountPoint,ProtectionStatus,EncryptionPercentage | ConvertTo-Json -Compress",
];

export const rmmEncoded: Scenario = {
  id: "fp_rmm_encoded",
  setup: (rng, ho) => place(rng, rng.pick(["workstation", "app_server"]), regularUser(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const script = rng.chance(0.25)
      ? `Invoke-WebRequest -Uri 'https://rmm.corp.example.com/agent/${rng.int(4, 6)}.${rng.int(0, 9)}/update.zip' -OutFile "$env:ProgramData\\HelixRMM\\update.zip" -UseBasicParsing`
      : rng.pick(INVENTORY);
    const agent = d.proc(cat.bin("rmm"), `"${cat.bin("rmm").image}" --service`, {
      user: SYSTEM,
      integrity: "System",
      at: -86400 * rng.int(1, 30),
    });
    const ps = d.proc(
      cat.bin("powershell"),
      `powershell.exe -NoProfile -NonInteractive -EncodedCommand ${encodePs(script)}`,
      { parent: agent, user: SYSTEM, integrity: "System", decoded: script },
    );
    const ids = d.tree(ps, []);
    d.rep(cat.bin("powershell"));
    const agentRep = d.rep(cat.bin("rmm"));
    d.setAlert({
      title: "Encoded PowerShell command executed",
      rule: "Execution: PowerShell -EncodedCommand",
      severity: "medium",
      proc: ps,
      description: "powershell.exe ran a base64-encoded command.",
    });
    d.setLabel(
      "false_positive",
      false,
      tune(d),
      [ids.get(ps)!, agentRep],
      [5, 15],
      "Company RMM agent's scheduled inventory/update script; the decoded command is benign and the parent is the signed agent service.",
    );
  },
};

export const certutilPki: Scenario = {
  id: "fp_certutil_pki",
  setup: (rng) => place(rng, rng.pick(["app_server", "workstation"]), regularUser(rng)),
  build(d) {
    const { rng, cat } = d;
    const url = `http://pki.corp.example.com/CertEnroll/${rng.pick(["CORP-ISSUING-CA01.crl", "CORP-ROOT-CA.crt", "CORP-ISSUING-CA02+.crl"])}`;
    const sched = d.proc(cat.bin("svchost"), "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", {
      user: SYSTEM,
      at: -86400 * 2,
    });
    const cmd = d.proc(cat.bin("cmd"), 'cmd.exe /c "C:\\Scripts\\refresh-crl.cmd"', {
      parent: sched,
      user: SYSTEM,
      at: -rng.int(2, 8),
    });
    const cu = d.proc(cat.bin("certutil"), `certutil.exe -urlcache -split -f ${url} C:\\Windows\\Temp\\ca.crl`, {
      parent: cmd,
      user: SYSTEM,
    });
    const ids = d.tree(cu, []);
    d.rep(cat.bin("certutil"));
    const n = d.net(cu, {
      ip: `10.${rng.int(1, 9)}.1.${rng.int(10, 40)}`,
      port: 80,
      domain: "pki.corp.example.com",
      at: 1,
    });
    d.setAlert({
      title: "Certutil used to download a file",
      rule: "LOLBin: certutil -urlcache download",
      severity: "medium",
      proc: cu,
      description: "certutil.exe fetched a URL with -urlcache -split -f.",
    });
    d.setLabel(
      "false_positive",
      false,
      tune(d),
      [ids.get(cu)!, n],
      [4, 12],
      "Scheduled CRL refresh from the internal PKI server; the LOLBin rule lacks an internal-destination exception.",
    );
  },
};
