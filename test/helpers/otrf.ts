/**
 * Real Windows telemetry from OTRF Security-Datasets (MIT), read by path from the shared fixtures
 * and wrapped by the test into an endpoint-investigation case. The events are real; the case
 * around them (alert, label, evidence ids, which source each event is served from) is ours.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { z } from "zod";
import type { Case, EvidenceRecord } from "../../src/schema/index.js";

export const OTRF_DIR = resolve(import.meta.dirname, "../../../shared/fixtures/real/otrf");
export const RECORDINGS = {
  comsvcs: "psh_lsass_memory_dump_comsvcs.zip",
  dumpert: "cmd_lsass_memory_dumpert_syscalls.zip",
} as const;
export type RecordingName = keyof typeof RECORDINGS;

export const haveOtrf = Object.values(RECORDINGS).every((f) => existsSync(resolve(OTRF_DIR, f)));
export const OTRF_ABSENT = `skipped: the OTRF recordings are not at ${OTRF_DIR} (only the project's shared fixtures have them)`;

/** The fields of a Windows event this helper reads; every other field is kept as recorded. */
export const RawEvent = z.looseObject({
  EventID: z.number().int(),
  Channel: z.string(),
  TimeCreated: z.string(),
  Hostname: z.string(),
  Message: z.string().optional(),
  UtcTime: z.string().optional(),
});
export type RawEvent = z.infer<typeof RawEvent>;

/** The recording's events in file order. */
export function readRecording(name: RecordingName): RawEvent[] {
  const files = unzipSync(readFileSync(resolve(OTRF_DIR, RECORDINGS[name])));
  const json = Object.entries(files).filter(([path]) => path.endsWith(".json"));
  if (json.length !== 1) throw new Error(`${RECORDINGS[name]}: expected one .json file, found ${json.length}`);
  return strFromU8(json[0]![1])
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => RawEvent.parse(JSON.parse(l)));
}

const str = (e: RawEvent, field: string): string | undefined => {
  const v = e[field];
  return typeof v === "string" && v !== "" && v !== "-" ? v : undefined;
};

/** "2020-10-18 23:50:05.910" (no zone) read as UTC. */
const utcMs = (s: string): number => Date.parse(`${s.replace(" ", "T")}Z`);

/**
 * How far this export's TimeCreated is behind UTC. Sysmon writes UtcTime into each of its events;
 * in these exports TimeCreated trails it by a whole number of hours (the exporter's wall clock),
 * so Security events, which carry only TimeCreated, are moved by what the Sysmon events measure.
 * Refuses a recording whose Sysmon events disagree by more than a second.
 */
export function timeCreatedOffsetMs(events: readonly RawEvent[]): number {
  const gaps = events.flatMap((e) => (e.UtcTime ? [utcMs(e.UtcTime) - utcMs(e.TimeCreated)] : []));
  if (gaps.length === 0) throw new Error("no Sysmon event with UtcTime to calibrate TimeCreated");
  const hour = 3_600_000;
  const offset = Math.round(gaps[0]! / hour) * hour;
  for (const g of gaps) if (Math.abs(g - offset) > 1000) throw new Error(`TimeCreated offset varies: ${g} ms`);
  return offset;
}

/** The event's time in ISO-8601 UTC: Sysmon's own UtcTime, else TimeCreated moved by the offset. */
export function eventTime(e: RawEvent, offsetMs: number): string {
  const ms = e.UtcTime ? utcMs(e.UtcTime) : utcMs(e.TimeCreated) + offsetMs;
  return new Date(ms).toISOString();
}

/** `SHA1=…,MD5=…,SHA256=…,IMPHASH=…` → its SHA-256, lower case. */
export function sha256Of(hashes: string | undefined): string | undefined {
  return hashes
    ?.split(",")
    .find((h) => h.startsWith("SHA256="))
    ?.slice(7)
    .toLowerCase();
}

/** Which of the workflow's sources serves an event; null for events no endpoint tool returns. */
export function sourceOf(e: RawEvent): string | null {
  const sysmon = e.Channel === "Microsoft-Windows-Sysmon/Operational";
  if (sysmon && (e.EventID === 1 || e.EventID === 5 || e.EventID === 10)) return "edr.process_tree";
  if (sysmon && (e.EventID === 7 || e.EventID === 11)) return "edr.file_events";
  if (!sysmon && (e.EventID === 4688 || e.EventID === 4689)) return "edr.process_tree";
  // a handle requested on / access to a process object (lsass) is cross-process access
  if (!sysmon && (e.EventID === 4656 || e.EventID === 4663) && e.ObjectType === "Process") return "edr.process_tree";
  if (!sysmon && (e.EventID === 5156 || e.EventID === 5158)) return "edr.network";
  return null;
}

function entitiesOf(e: RawEvent): EvidenceRecord["entities"] {
  const out: EvidenceRecord["entities"] = [{ type: "host", value: e.Hostname }];
  for (const f of ["ProcessGuid", "ParentProcessGuid", "SourceProcessGUID", "TargetProcessGUID"]) {
    const v = str(e, f);
    if (v && !out.some((x) => x.type === "process" && x.value === v)) out.push({ type: "process", value: v });
  }
  const sha = sha256Of(str(e, "Hashes"));
  if (sha) out.push({ type: "file_hash", value: sha });
  const user = str(e, "User");
  if (user) out.push({ type: "account", value: user });
  // the remote end only, as the bundled cases do: the local address is the host's own
  const remote = str(e, "DestAddress");
  if (remote) out.push({ type: "ip", value: remote });
  return out;
}

/** The event's fields under the names the workflow's tools describe, plus the rendered message. */
function dataOf(e: RawEvent): EvidenceRecord["data"] {
  const pick: Record<string, string> = {
    Image: "image",
    CommandLine: "command_line",
    ProcessGuid: "process_guid",
    ProcessId: "pid",
    ParentImage: "parent_image",
    ParentCommandLine: "parent_command_line",
    ParentProcessGuid: "parent_process_guid",
    User: "user",
    IntegrityLevel: "integrity_level",
    CurrentDirectory: "current_directory",
    Hashes: "hashes",
    NewProcessName: "image_path",
    ParentProcessName: "parent_image_path",
    SourceImage: "source_image",
    SourceProcessGUID: "source_process_guid",
    TargetImage: "target_image",
    TargetProcessGUID: "target_process_guid",
    GrantedAccess: "granted_access",
    CallTrace: "call_trace",
    ObjectName: "object_name",
    AccessMask: "access_mask",
    ProcessName: "process_name",
    ImageLoaded: "image_loaded",
    Signed: "signed",
    Signature: "signer",
    SignatureStatus: "signature_status",
    TargetFilename: "path",
    Application: "application",
    SourceAddress: "local_ip",
    SourcePort: "local_port",
    DestAddress: "remote_ip",
    DestPort: "remote_port",
  };
  const data: Record<string, unknown> = { event_id: e.EventID, channel: e.Channel };
  for (const [from, to] of Object.entries(pick)) {
    const v = str(e, from);
    if (v !== undefined) data[to] = v;
  }
  const sha = sha256Of(str(e, "Hashes"));
  if (sha) data.sha256 = sha;
  if (e.Message) data.message = e.Message;
  return data;
}

export type RealCase = { case: Case; events: RawEvent[]; offsetMs: number; idOf: Map<RawEvent, string> };

/**
 * An endpoint-investigation case around one recording. The alert is the LSASS access the recording
 * documents (ATT&CK T1003.001); the label is the recording's own description, not an analyst's.
 */
export function realCase(name: RecordingName): RealCase {
  const events = readRecording(name);
  const offsetMs = timeCreatedOffsetMs(events);
  const idOf = new Map<RawEvent, string>();
  const evidence: EvidenceRecord[] = [];
  events.forEach((e, i) => {
    const source = sourceOf(e);
    if (!source) return;
    const id = `otrf-${String(i + 1).padStart(3, "0")}`;
    idOf.set(e, id);
    evidence.push({ id, source, time: eventTime(e, offsetMs), entities: entitiesOf(e), data: dataOf(e) });
  });
  // the dumping process: the one Sysmon process creation in each recording
  const created = events.filter((e) => e.EventID === 1 && e.Channel.includes("Sysmon"));
  if (created.length !== 1) throw new Error(`${name}: expected one Sysmon process creation, found ${created.length}`);
  const proc = created[0]!;
  const guid = str(proc, "ProcessGuid")!;
  const access = events.find(
    (e) => e.EventID === 10 && e.SourceProcessGUID === guid && /lsass\.exe$/i.test(String(e.TargetImage)),
  );
  const dump = events.find(
    (e) => e.EventID === 11 && e.ProcessGuid === guid && /\.dmp$/i.test(String(e.TargetFilename)),
  );
  const required = [proc, access, dump].flatMap((e) => (e && idOf.has(e) ? [idOf.get(e)!] : []));
  const sha = sha256Of(str(proc, "Hashes"))!;
  const c: Case = {
    id: `otrf-${name}`,
    workflow: "endpoint-investigation",
    alert: {
      title: "Process opened LSASS memory and wrote a dump file",
      rule: "Credential access: LSASS memory dump (T1003.001)",
      source: "Sysmon (OTRF Security-Datasets recording)",
      severity: "high",
      time: eventTime(access ?? proc, offsetMs),
      entities: [
        { type: "host", value: proc.Hostname },
        { type: "account", value: str(proc, "User")! },
        { type: "process", value: guid },
        { type: "file_hash", value: sha },
      ],
      description: `${str(proc, "Image")} accessed lsass.exe on ${proc.Hostname}.`,
      raw: { recording: RECORDINGS[name], event_id: 1, process_guid: guid },
    },
    evidence,
    // the recording holds endpoint telemetry only: no intel, directory, CMDB, scanner or ITSM
    unavailable: [
      "ti.file_reputation",
      "ti.ip_reputation",
      "idp.directory",
      "cmdb.assets",
      "vuln.scanner",
      "itsm.changes",
      "edr.persistence",
    ],
    label: {
      verdict: "true_positive",
      escalate: true,
      actions: ["isolate_host", "force_password_reset"],
      required_evidence: required,
      notes: "Test-built label from the recording's documented technique (T1003.001); no analyst triaged it.",
    },
    tags: ["real:otrf", "attack:T1003.001"],
  };
  return { case: c, events, offsetMs, idOf };
}
