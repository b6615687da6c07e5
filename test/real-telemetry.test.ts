/**
 * Real Windows telemetry (OTRF Security-Datasets: two LSASS memory dumps, ATT&CK T1003.001) through
 * the tool sandbox, the playbook agent and the hallucinated-evidence scorer. The events are real;
 * the case wrapped around them (alert, label, ids, which source serves each event) is built by
 * test/helpers/otrf.ts. Every expectation is computed here from the raw events' own fields.
 */
import { describe, expect, it } from "vitest";
import { extractIndicators } from "../scorers/indicators.js";
import { crossCheckCase } from "../src/datasets/checks.js";
import { replayCase } from "../src/replay/replay-case.js";
import { Case, Transcript, type TriageOutput } from "../src/schema/index.js";
import { scoreTranscript } from "../src/scoring/score.js";
import { ToolSandbox } from "../src/tools/sandbox.js";
import { loadSuite } from "../src/workflow/load.js";
import {
  eventTime,
  haveOtrf,
  OTRF_ABSENT,
  type RawEvent,
  type RealCase,
  type RecordingName,
  readRecording,
  realCase,
  sha256Of,
  sourceOf,
} from "./helpers/otrf.js";

const NAMES: RecordingName[] = ["comsvcs", "dumpert"];
const GUID_FIELDS = ["ProcessGuid", "ParentProcessGuid", "SourceProcessGUID", "TargetProcessGUID"];
const field = (e: RawEvent, f: string): string | undefined => (typeof e[f] === "string" ? (e[f] as string) : undefined);
const guidsOf = (e: RawEvent): string[] => GUID_FIELDS.flatMap((f) => field(e, f) ?? []);
const ms = (iso: string) => Date.parse(iso);

// vitest collects a skipped describe's body too, and this one reads the recordings: without them
// it registers only the skipped test that says why
describe.skipIf(!haveOtrf)(
  "real OTRF endpoint telemetry (LSASS dumps)",
  haveOtrf ? realTelemetry : () => it(OTRF_ABSENT, () => {}),
);

function realTelemetry(): void {
  const ls = loadSuite("suites/endpoint-investigation/shadow.suite.yaml");
  const wf = ls.workflow;
  const playbook = ls.agents.find((a) => a.name === "playbook")!;
  const built = Object.fromEntries(NAMES.map((n) => [n, realCase(n)])) as Record<RecordingName, RealCase>;

  /** The ids the raw events say a query of `source` should return, in case order. */
  function expected(r: RealCase, source: string, keep: (e: RawEvent, time: number) => boolean): string[] {
    const order = new Map(r.case.evidence.map((x, i) => [x.id, i]));
    return r.events
      .filter((e) => sourceOf(e) === source && keep(e, ms(eventTime(e, r.offsetMs))))
      .map((e) => r.idOf.get(e)!)
      .sort((a, b) => order.get(a)! - order.get(b)!);
  }

  describe.each(NAMES)("%s recording", (name) => {
    const r = built[name];
    const c = r.case;
    const sandbox = () => new ToolSandbox(c, wf, { scope: "all", faults: [], seed: 1 });
    const ids = (tool: string, input: Record<string, unknown>) => {
      const a = sandbox().call(tool, input);
      expect(a.step.status).toBe("ok");
      return a.step.evidence_ids;
    };

    it("is a valid endpoint-investigation case whose times are the events' UTC times", () => {
      expect(Case.safeParse(c).success).toBe(true);
      expect(crossCheckCase(Case.parse(c))).toEqual([]);
      for (const e of c.evidence) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // Security's 4688 and Sysmon's 1 record the same process start: once TimeCreated is moved
      // to UTC they agree within a second, which they would not if TimeCreated were UTC already
      const sysmon = r.events.find((e) => e.EventID === 1)!;
      const security = r.events.find((e) => e.EventID === 4688 && e.NewProcessName === sysmon.Image)!;
      expect(Math.abs(ms(eventTime(security, r.offsetMs)) - ms(`${sysmon.UtcTime!.replace(" ", "T")}Z`))).toBeLessThan(
        1000,
      );
      expect(Math.abs(ms(`${security.TimeCreated.replace(" ", "T")}Z`) - ms(eventTime(sysmon, 0)))).toBeGreaterThan(
        3_600_000,
      );
    });

    it("get_process_tree returns, for every process GUID, exactly the events naming it", () => {
      const host = c.alert.entities.find((e) => e.type === "host")!.value;
      const guids = new Set(r.events.flatMap(guidsOf));
      expect(guids.size).toBeGreaterThan(3);
      for (const g of guids)
        expect(ids("get_process_tree", { host, process_guid: g }), g).toEqual(
          expected(r, "edr.process_tree", (e) => guidsOf(e).includes(g)),
        );
      // no GUID: every process event of the host, Security's GUID-less ones included
      expect(ids("get_process_tree", { host })).toEqual(expected(r, "edr.process_tree", (e) => e.Hostname === host));
    });

    it("get_file_events and get_network_connections filter by process, remote address and host as the events say", () => {
      const host = r.events[0]!.Hostname;
      for (const g of new Set(r.events.flatMap(guidsOf)))
        expect(ids("get_file_events", { host, process_guid: g })).toEqual(
          expected(r, "edr.file_events", (e) => guidsOf(e).includes(g)),
        );
      const remotes = new Set(r.events.flatMap((e) => field(e, "DestAddress") ?? []));
      expect(remotes.size).toBeGreaterThan(0);
      for (const ip of remotes)
        expect(ids("get_network_connections", { host, remote_ip: ip })).toEqual(
          expected(r, "edr.network", (e) => e.DestAddress === ip),
        );
      // the host's own address is no remote end: a remote-address query does not match it
      const local = r.events.find((e) => e.EventID === 5156)!.SourceAddress as string;
      expect(remotes.has(local)).toBe(false);
      expect(ids("get_network_connections", { host, remote_ip: local })).toEqual([]);
      // WFP events carry a process id, not the sensor's GUID: a GUID query cannot return them
      expect(ids("get_network_connections", { host, process_guid: c.alert.entities[2]!.value })).toEqual([]);
    });

    it("matches the host as the events spell it, in any case, and no other spelling", () => {
      const all = expected(r, "edr.process_tree", () => true);
      const host = r.events[0]!.Hostname;
      expect(new Set(r.events.map((e) => e.Hostname))).toEqual(new Set([host]));
      expect(ids("get_process_tree", { host: host.toLowerCase() })).toEqual(all);
      // exact-name matching: the FQDN other OTRF recordings use is another spelling of the host
      expect(ids("get_process_tree", { host: `${host}.theshire.local` })).toEqual([]);
      expect(ids("get_process_tree", { host: host.slice(0, -1) })).toEqual([]);
    });

    it("a time window includes records exactly on either bound", () => {
      const host = r.events[0]!.Hostname;
      const times = [...new Set(c.evidence.filter((e) => e.source === "edr.process_tree").map((e) => e.time))];
      expect(times.length).toBeGreaterThan(10);
      for (const t of times) {
        const at = ms(t);
        expect(ids("get_process_tree", { host, since: t, until: t }), t).toEqual(
          expected(r, "edr.process_tree", (_, time) => time === at),
        );
        expect(ids("get_process_tree", { host, since: t })).toEqual(
          expected(r, "edr.process_tree", (_, time) => time >= at),
        );
        expect(ids("get_process_tree", { host, until: t })).toEqual(
          expected(r, "edr.process_tree", (_, time) => time <= at),
        );
      }
    });

    it("a bound copied from Sysmon's zone-less UtcTime reads as UTC on a machine in another zone", () => {
      const host = r.events[0]!.Hostname;
      const utc = r.events.find((e) => e.EventID === 1)!.UtcTime!;
      const at = ms(`${utc.replace(" ", "T")}Z`);
      const tz = process.env.TZ;
      try {
        process.env.TZ = "America/New_York";
        expect(ids("get_process_tree", { host, since: utc })).toEqual(
          expected(r, "edr.process_tree", (_, time) => time >= at),
        );
      } finally {
        if (tz === undefined) delete process.env.TZ;
        else process.env.TZ = tz;
      }
    });

    it("the playbook agent replays the case end to end; the transcript validates and agrees with the label", async () => {
      const s = await replayCase(Case.parse(c), ls, playbook, 0, null);
      expect(s.transcript.error).toBeNull();
      expect(Transcript.safeParse(s.transcript).success).toBe(true);
      expect(s.findings.filter((f) => f.kind === "schema_invalid")).toEqual([]);
      const inCase = new Set(c.evidence.map((e) => e.id));
      for (const step of s.transcript.steps)
        if (step.type === "tool_call") for (const id of step.evidence_ids) expect(inCase.has(id)).toBe(true);
      const out = s.transcript.output as TriageOutput;
      expect(out.verdict).toBe(c.label!.verdict);
      expect(out.escalate).toBe(c.label!.escalate);
      expect(s.findings.filter((f) => f.scorer === "hallucinated-evidence")).toEqual([]);
    });

    /** What an agent that made these three queries saw, and a summary quoting it verbatim. */
    function investigation() {
      const host = r.events[0]!.Hostname;
      const guid = c.alert.entities.find((e) => e.type === "process")!.value;
      const sb = sandbox();
      const steps = [
        sb.call("get_process_tree", { host }).step,
        sb.call("get_file_events", { host, process_guid: guid }).step,
        sb.call("get_network_connections", { host }).step,
      ];
      const proc = r.events.find((e) => e.EventID === 1)!;
      const access = r.events.find((e) => e.EventID === 10 && e.SourceProcessGUID === guid)!;
      const handle = r.events.find((e) => e.EventID === 4663 && e.ObjectType === "Process")!;
      const dump = r.events.find((e) => e.EventID === 11 && e.ProcessGuid === guid)!;
      const conn = r.events.find((e) => e.EventID === 5156)!;
      const hashes = Object.fromEntries(
        String(proc.Hashes)
          .split(",")
          .map((h) => h.split("=") as [string, string]),
      );
      const quoted = {
        ip: String(conn.DestAddress),
        sha256: hashes.SHA256!,
        md5: hashes.MD5!,
        account: String(proc.User),
      };
      const summary =
        `${proc.User} ran ${proc.CommandLine} (parent ${proc.ParentImage}, GUID ${guid}; SHA256=${quoted.sha256}, ` +
        `MD5=${quoted.md5}, IMPHASH=${hashes.IMPHASH}). It opened ${access.TargetImage} with ${access.GrantedAccess} ` +
        `(Security: ${handle.ObjectName} by ${handle.SubjectUserSid}) and wrote ${dump.TargetFilename}. ` +
        `Meanwhile ${conn.Application} connected ${conn.SourceAddress}:${conn.SourcePort} -> ${quoted.ip}:${conn.DestPort}.`;
      const cited = steps.flatMap((s) => s.evidence_ids).slice(0, 3);
      const output = (text: string): TriageOutput => ({
        verdict: "true_positive",
        confidence: 0.9,
        escalate: true,
        summary: text,
        hypotheses: [{ kind: "malicious", explanation: `LSASS dumped to ${dump.TargetFilename}.`, evidence: cited }],
        recommended_actions: [
          {
            action: "isolate_host",
            target: host,
            requires_approval: true,
            rationale: `Credential theft by ${proc.User}.`,
            evidence: cited,
            rollback: "Release the host from isolation.",
          },
        ],
        evidence: cited,
        missing_sources: [],
        human_only: false,
      });
      const score = (text: string) =>
        scoreTranscript({
          case: Case.parse(c),
          transcript: { case_id: c.id, agent: "quoting-agent", epoch: 0, steps, output: output(text), error: null },
          workflow: wf,
          agent: { name: "quoting-agent", tools: "all" },
        }).findings.filter((f) => f.scorer === "hallucinated-evidence");
      return { summary, quoted, score };
    }

    it("a summary quoting retrieved events verbatim is not a hallucination", () => {
      const { summary, score } = investigation();
      expect(extractIndicators(summary).length).toBeGreaterThanOrEqual(5);
      expect(score(summary)).toEqual([]);
    });

    it("the same summary with one value changed is one fabricated indicator", () => {
      const { summary, quoted, score } = investigation();
      const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}`;
      const changed: [string, string][] = [
        [quoted.ip, quoted.ip.replace(/\d+$/, (o) => String((Number(o) + 1) % 256))],
        [quoted.sha256, flip(quoted.sha256)],
        [quoted.md5, flip(quoted.md5)],
        [quoted.account, `${quoted.account}x`],
      ];
      for (const [from, to] of changed) {
        expect(summary).toContain(from);
        const findings = score(summary.replace(from, to));
        expect(
          findings.map((f) => f.kind),
          to,
        ).toEqual(["fabricated_indicator"]);
        expect(findings[0]!.detail).toContain(to.toLowerCase());
      }
    });

    it("an account quoted from a Security event's rendered Message alone is not a fabrication", () => {
      // the alert names no account here, so only the 4688's Message can make it known
      const bare = Case.parse({
        ...c,
        alert: { ...c.alert, entities: c.alert.entities.filter((e) => e.type !== "account"), description: "" },
      });
      // a Security process event no Sysmon event shares a millisecond with
      const timeOf = (e: RawEvent) => eventTime(e, r.offsetMs);
      const created = r.events.find(
        (e) =>
          sourceOf(e) === "edr.process_tree" &&
          e.Channel === "Security" &&
          e.SubjectUserName === "wardog" &&
          !r.events.some((o) => o.Channel !== "Security" && timeOf(o) === timeOf(e)),
      )!;
      const t = timeOf(created);
      const host = created.Hostname;
      const step = new ToolSandbox(bare, wf, { scope: "all", faults: [], seed: 1 }).call("get_process_tree", {
        host,
        since: t,
        until: t,
      }).step;
      const got = bare.evidence.filter((e) => step.evidence_ids.includes(e.id));
      expect(new Set(got.map((e) => e.data.channel))).toEqual(new Set(["Security"]));
      const account = `${created.SubjectDomainName}\\${created.SubjectUserName}`;
      expect(String(got[0]!.data.message)).not.toContain(account);
      const fabricated = (summary: string) =>
        scoreTranscript({
          case: bare,
          transcript: {
            case_id: c.id,
            agent: "quoting-agent",
            epoch: 0,
            steps: [step],
            output: {
              verdict: "true_positive",
              confidence: 0.8,
              escalate: true,
              summary,
              hypotheses: [],
              recommended_actions: [],
              evidence: step.evidence_ids,
              missing_sources: [],
              human_only: false,
            },
            error: null,
          },
          workflow: wf,
          agent: { name: "quoting-agent", tools: "all" },
        }).findings.filter((f) => f.kind === "fabricated_indicator");
      expect(fabricated(`${account} opened lsass.exe.`)).toEqual([]);
      expect(fabricated(`${account}x opened lsass.exe.`)).toHaveLength(1);
    });
  });

  describe("indicator extraction over every field of the raw events", () => {
    const events = NAMES.flatMap((n) => readRecording(n));
    const found = new Map<string, { kind: string; fields: Set<string> }>();
    for (const e of events)
      for (const [k, v] of Object.entries(e))
        if (typeof v === "string")
          for (const i of extractIndicators(v)) {
            const seen = found.get(i.value) ?? { kind: i.kind, fields: new Set<string>() };
            seen.fields.add(k);
            found.set(i.value, seen);
          }
    const ofKind = (kind: string) => [...found].filter(([, f]) => f.kind === kind).map(([v]) => v);
    const raw = (f: string) => new Set(events.flatMap((e) => field(e, f) ?? []));

    it("finds every SHA-256 Sysmon recorded, every address WFP logged and the one account", () => {
      const sha = new Set(events.flatMap((e) => sha256Of(field(e, "Hashes")) ?? []));
      expect(sha.size).toBeGreaterThan(20);
      for (const h of sha) expect(found.get(h)?.kind).toBe("hash");
      expect(new Set(ofKind("ipv4"))).toEqual(new Set([...raw("SourceAddress"), ...raw("DestAddress")]));
      // registry keys with spaces (Session Manager\Environment) are not accounts: only User is
      expect(new Set(ofKind("account"))).toEqual(new Set([...raw("User")].map((u) => u.toLowerCase())));
    });

    it("reads no domain, URL, e-mail or IPv6 into NetBIOS names, file names, .NET assemblies, GUIDs or SIDs", () => {
      // the recordings hold no DNS or network-connection events, only a NetBIOS host name
      expect([...found].filter(([, f]) => !["hash", "ipv4", "account"].includes(f.kind))).toEqual([]);
      const text = events.map((e) => JSON.stringify(e)).join("\n");
      const guidsAndSids = text.match(/\{[0-9A-F-]{36}\}|S-1-[\d-]+/gi) ?? [];
      expect(guidsAndSids.length).toBeGreaterThan(100);
      const inside = guidsAndSids.join(" ").toLowerCase();
      expect([...found.keys()].filter((v) => inside.includes(v))).toEqual([]);
    });

    it("takes hex outside the Hashes field only from .NET native-image directories (a judgement call, kept)", () => {
      const hashFields = new Set(["Hashes", "Message"]);
      const elsewhere = ofKind("hash").filter((v) => [...found.get(v)!.fields].some((f) => !hashFields.has(f)));
      expect(elsewhere.length).toBeGreaterThan(0);
      for (const v of elsewhere) {
        const fields = [...found.get(v)!.fields].filter((f) => !hashFields.has(f));
        expect(
          fields.every((f) => f === "ImageLoaded" || f === "CallTrace"),
          `${v} in ${fields}`,
        ).toBe(true);
      }
      for (const v of elsewhere)
        for (const e of events)
          for (const f of ["ImageLoaded", "CallTrace"])
            if (field(e, f)?.toLowerCase().includes(v))
              expect(field(e, f)!.toLowerCase()).toMatch(
                new RegExp(`\\\\nativeimages_[^\\\\|]+\\\\[^\\\\|]+\\\\${v}\\\\`),
              );
    });
  });
}
