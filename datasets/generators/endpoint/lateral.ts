import type { Rng } from "../rng.js";
import type { CaseDraft, Proc } from "./draft.js";
import { encodedCradle } from "./lolbins.js";
import { adminUser, type Host, type HostKind, makeHost, regularUser, type User } from "./org.js";
import { containment } from "./scenario.js";

export type NewDraft = (time: string, host: Host, user: User) => CaseDraft;

/** Remote execution landing on `d.host` from `fromIp`, the way PsExec or wmiexec look on the target. */
function remoteExec(d: CaseDraft, fromIp: string, task: string, viaWmi: boolean): { alert: Proc; inbound: string } {
  const { rng, cat } = d;
  const sys = "NT AUTHORITY\\SYSTEM";
  let parent: Proc;
  let line: string;
  if (viaWmi) {
    parent = d.proc(cat.bin("wmiprvse"), "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", {
      user: "NT AUTHORITY\\NETWORK SERVICE",
      integrity: "System",
      at: -rng.int(30, 300),
    });
    line = `cmd.exe /Q /c ${task} 1> \\\\127.0.0.1\\ADMIN$\\__${rng.int(1700000000, 1760000000)}.${rng.int(1000000, 9999999)} 2>&1`;
  } else {
    const svc = d.proc(cat.bin("services"), "C:\\Windows\\system32\\services.exe", {
      user: sys,
      integrity: "System",
      at: -86400 * rng.int(3, 40),
    });
    parent = d.proc(cat.bin("psexesvc"), "C:\\Windows\\PSEXESVC.exe", {
      parent: svc,
      user: sys,
      integrity: "System",
      at: -rng.int(5, 30),
    });
    line = `"cmd" /c ${task}`;
    d.persist({
      mechanism: "service",
      name: "PSEXESVC",
      location: "HKLM\\SYSTEM\\CurrentControlSet\\Services\\PSEXESVC",
      command: "%SystemRoot%\\PSEXESVC.exe",
      by: svc,
      prevalence: rng.int(20, 70),
      signer: "Microsoft Corporation",
      firstSeen: d.at(-rng.int(5, 30)),
    });
  }
  const alert = d.proc(cat.bin("cmd"), line, { parent, user: viaWmi ? d.user.account : sys, integrity: "High" });
  const inbound = d.net(parent, { ip: fromIp, port: viaWmi ? 135 : 445, inbound: true, at: -rng.int(5, 60) });
  return { alert, inbound };
}

/**
 * One intrusion seen as several alerts: a phished workstation, then remote execution with the
 * same stolen account on further hosts. Each case is labelled on its own evidence; the shared
 * incident_id is what lets an agent (or a scorer) see they are one story.
 */
export function lateralIncident(rng: Rng, start: string, size: number, make: NewDraft): CaseDraft[] {
  const incident = `INC-2025-${rng.int(1000, 9999)}`;
  const user = regularUser(rng);
  const p0 = make(start, makeHost(rng, "workstation", user), user);
  encodedCradle.build(p0);
  const drafts = [p0];
  let t = Date.parse(start);
  for (let i = 1; i < size; i++) {
    t += rng.int(8, 90) * 60000;
    const kind = rng.pick<HostKind>(["file_server", "app_server", "workstation", "database_server"]);
    const d = make(new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"), makeHost(rng, kind, regularUser(rng)), user);
    const task = rng.pick([
      'whoami /all & net group "Domain Admins" /domain & nltest /dclist:corp',
      "net localgroup administrators & quser & ipconfig /all",
      "reg save HKLM\\SAM C:\\Windows\\Temp\\s.hiv & reg save HKLM\\SYSTEM C:\\Windows\\Temp\\y.hiv",
      "tasklist /v & netstat -ano",
    ]);
    const viaWmi = rng.chance(0.5);
    const { alert, inbound } = remoteExec(d, p0.host.ip, task, viaWmi);
    const ids = d.tree(alert, []);
    d.rep(d.cat.bin("cmd"));
    d.setAlert({
      title: viaWmi
        ? "Remote command execution via WMI (wmiexec pattern)"
        : "PsExec service executed commands sent from a workstation",
      rule: "Lateral movement: remote service/WMI command execution",
      severity: "high",
      proc: alert,
      ip: p0.host.ip,
      description: `Commands arrived over ${viaWmi ? "WMI" : "SMB/PsExec"} from ${p0.host.ip} using ${user.account}.`,
    });
    d.setLabel(
      "true_positive",
      true,
      [...containment(d, "force_password_reset"), "disable_account"],
      [ids.get(alert)!, inbound, d.userRecord],
      [30, 90],
      `Non-admin ${user.department} account executing discovery remotely from the phished workstation ${p0.host.name}; part of ${incident}.`,
    );
    drafts.push(d);
  }
  for (const d of drafts) {
    d.incident = incident;
    d.tags.add("trap:correlated");
  }
  return drafts;
}

/** The distractor: an admin's patch run fans out over several servers and the SIEM groups the alerts. */
export function patchFanOut(rng: Rng, start: string, size: number, make: NewDraft): CaseDraft[] {
  const incident = `INC-2025-${rng.int(1000, 9999)}`;
  const admin = adminUser(rng, 1);
  const jump = makeHost(rng, "jump_host", admin);
  const kb = `KB50${rng.int(30000, 49999)}`;
  const targets = Array.from({ length: size }, () =>
    makeHost(rng, rng.pick<HostKind>(["app_server", "file_server"]), admin),
  );
  const drafts: CaseDraft[] = [];
  let t = Date.parse(start);
  for (const host of targets) {
    t += rng.int(1, 6) * 60000;
    const d = make(new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"), host, admin);
    const { alert, inbound } = remoteExec(d, jump.ip, `C:\\Patching\\apply-kb.cmd ${kb}`, false);
    const ids = d.tree(alert, []);
    d.rep(d.cat.bin("cmd"));
    const chg = d.ticket({
      category: "patching",
      title: `Out-of-band install of ${kb} on application and file servers`,
      hosts: targets.map((h) => h.name),
      accounts: [admin.account],
      description: `Emergency patch pushed with PsExec from ${jump.name} by the server team.`,
      requestedBy: "CORP\\server-team",
      startDays: 0,
      days: 1,
    });
    d.setAlert({
      title: "PsExec service executed commands sent from another host",
      rule: "Lateral movement: remote service/WMI command execution",
      severity: "medium",
      proc: alert,
      ip: jump.ip,
      description: `Commands arrived over SMB/PsExec from ${jump.ip} using ${admin.account}.`,
    });
    d.setLabel(
      "benign_positive",
      false,
      ["add_case_note"],
      [ids.get(alert)!, chg, inbound],
      [6, 15],
      `Server admin's emergency patch run from ${jump.name} under an approved change; the grouped alerts are one maintenance job.`,
    );
    d.incident = incident;
    d.tags.add("trap:correlated");
    drafts.push(d);
  }
  return drafts;
}
