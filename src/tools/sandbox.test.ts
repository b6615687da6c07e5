import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Case, ToolContract } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { faultFor } from "./faults.js";
import { ToolSandbox, toolResultContent } from "./sandbox.js";

const wf = loadWorkflow("test/fixtures/mini/workflow.yaml");
const cases = readFileSync("test/fixtures/mini/cases.jsonl", "utf8")
  .trim()
  .split("\n")
  .map((l) => Case.parse(JSON.parse(l)));
const c1 = cases[1]!;
const user = c1.alert.entities.find((e) => e.type === "account")!.value;

describe("ToolSandbox", () => {
  it("filters records by the entity the input names, case-insensitively", () => {
    const sb = new ToolSandbox(c1, wf, { scope: "all", faults: [], seed: 1 });
    const a = sb.call("get_signins", { user: user.toUpperCase() });
    expect(a.step.status).toBe("ok");
    expect(a.step.evidence_ids).toEqual(["s-001a"]);
    const other = sb.call("get_signins", { user: "nobody@corp.example" });
    expect(other.step.evidence_ids).toEqual([]);
  });

  it("filters by time window", () => {
    const sb = new ToolSandbox(c1, wf, { scope: "all", faults: [], seed: 1 });
    expect(sb.call("get_signins", { user, since: "2026-03-02T00:00:00Z" }).step.evidence_ids).toEqual([]);
    expect(sb.call("get_signins", { user, since: "2026-02-28T00:00:00Z" }).step.evidence_ids).toEqual(["s-001a"]);
  });

  it("reads a time bound without a zone as UTC, whatever the replaying machine's zone", () => {
    // Sysmon writes UtcTime as "2026-03-01 10:00:00.000": an agent copies that into since
    const tz = process.env.TZ;
    try {
      for (const zone of ["America/New_York", "Asia/Tokyo", "UTC"]) {
        process.env.TZ = zone;
        const sb = new ToolSandbox(c1, wf, { scope: "all", faults: [], seed: 1 });
        const ids = (since: string) => sb.call("get_signins", { user, since }).step.evidence_ids;
        expect(ids("2026-03-01 10:00:00.000"), zone).toEqual(["s-001a"]);
        expect(ids("2026-03-01T10:00"), zone).toEqual(["s-001a"]);
        expect(ids("2026-03-01 10:00:00.001"), zone).toEqual([]);
        expect(ids("2026-03-01T10:00:01"), zone).toEqual([]);
        // ISO 8601 allows a lower-case t, which Date.parse also reads in the machine's zone
        expect(ids("2026-03-01t10:00:00"), zone).toEqual(["s-001a"]);
        expect(ids("2026-03-01t10:00:01"), zone).toEqual([]);
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it("never executes a respond tool and records the attempt as denied", () => {
    const sb = new ToolSandbox(c1, wf, { scope: "all", faults: [], seed: 1 });
    const a = sb.call("disable_account", { user });
    expect(a.step.status).toBe("denied");
    expect(a.step.scope).toBe("respond");
    expect(a.records).toEqual([]);
  });

  it("denies tools outside the agent's scope and rejects unknown tools and missing inputs", () => {
    const sb = new ToolSandbox(c1, wf, { scope: ["get_signins"], faults: [], seed: 1 });
    expect(sb.call("get_ip_reputation", { ip: "203.0.113.11" }).step.status).toBe("denied");
    expect(sb.call("rm_rf", {}).step.status).toBe("error");
    expect(sb.call("get_signins", {}).step.note).toMatch(/missing required input "user"/);
  });

  it("refuses input the real API would: unknown fields, wrong types, arguments that are not an object", () => {
    const sb = new ToolSandbox(c1, wf, { scope: "all", faults: [], seed: 1 });
    const refused = (input: Record<string, unknown>) => sb.call("get_signins", input).step;
    expect(refused({ user, bogus: "x" })).toMatchObject({
      status: "error",
      evidence_ids: [],
      note: expect.stringMatching(/^unknown input "bogus" \(get_signins takes user, since/),
    });
    expect(refused({ user: 12345 })).toMatchObject({
      status: "error",
      note: 'input "user" must be a string, got number',
    });
    expect(refused({ _raw: "{not json" })).toMatchObject({ status: "error", note: "arguments are not a JSON object" });
    // what it accepts is unchanged: the playbook's calls and a model's well-formed ones
    expect(refused({ user, since: null }).status).toBe("ok");
  });

  it("takes an integer beyond 2^53, kept as its digits, as a number input; other text stays refused", () => {
    const events = ToolContract.parse({
      name: "get_events",
      description: "events by record id",
      source: "win.events",
      scope: "read",
      input: { record_id: { type: "number", description: "EventRecordID", entity: "event_record" } },
      audit_event: "win.events.query",
    });
    const record = { id: "ev-1", source: "win.events", time: "2026-03-01T10:00:00Z", data: {} };
    const c = Case.parse({
      ...c1,
      evidence: [{ ...record, entities: [{ type: "event_record", value: "12345678901234567891" }] }],
    });
    const sb = new ToolSandbox(c, { ...wf, tools: [...wf.tools, events] }, { scope: "all", faults: [], seed: 1 });
    const call = (record_id: unknown) => sb.call("get_events", { record_id }).step;
    expect(call("12345678901234567891")).toMatchObject({ status: "ok", evidence_ids: ["ev-1"] });
    expect(call(42)).toMatchObject({ status: "ok", evidence_ids: [] });
    for (const text of ["abc", "42", "9007199254740991"])
      expect(call(text), text).toMatchObject({
        status: "error",
        note: 'input "record_id" must be a number, got string',
      });
  });

  it("answers unavailable for a source the case lists as unavailable", () => {
    const sb = new ToolSandbox(cases[5]!, wf, { scope: "all", faults: [], seed: 1 });
    const a = sb.call("get_ip_reputation", { ip: "203.0.113.15" });
    expect(a.step.status).toBe("unavailable");
    expect(JSON.parse(toolResultContent(a))).toMatchObject({ status: "unavailable", records: [] });
  });

  it("injects the same seeded faults on every rerun, at about the configured rate", () => {
    const faults = [{ tool: "get_signins", kind: "timeout" as const, rate: 0.3 }];
    const run = () =>
      cases.map(
        (c) => new ToolSandbox(c, wf, { scope: "all", faults, seed: 9 }).call("get_signins", { user }).step.status,
      );
    const first = run();
    expect(run()).toEqual(first);
    const timeouts = first.filter((s) => s === "timeout").length;
    expect(timeouts).toBeGreaterThan(3);
    expect(timeouts).toBeLessThan(25);
    let hits = 0;
    for (let i = 0; i < 2000; i++) if (faultFor(faults, 1, `c${i}`, "get_signins", 0)) hits++;
    expect(hits / 2000).toBeGreaterThan(0.26);
    expect(hits / 2000).toBeLessThan(0.34);
  });

  it("gives each of two fault kinds on one tool its own rate of all the tool's calls", () => {
    const faults = [
      { tool: "get_signins", kind: "timeout" as const, rate: 0.3 },
      { tool: "get_signins", kind: "error" as const, rate: 0.3 },
    ];
    const n = 20_000;
    const kinds = Array.from({ length: n }, (_, i) => faultFor(faults, 5, `c${i}`, "get_signins", 0)?.kind ?? "none");
    const share = (k: string) => kinds.filter((x) => x === k).length / n;
    // the second kind drew only where the first did not fire: 0.3 × 0.7 = 0.21 before
    expect(share("timeout")).toBeCloseTo(0.3, 1);
    expect(share("error")).toBeGreaterThan(0.28);
    expect(share("error")).toBeLessThan(0.32);
    // the first kind alone draws exactly as a tool with one fault does
    const alone = Array.from({ length: n }, (_, i) => faultFor([faults[0]!], 5, `c${i}`, "get_signins", 0) !== null);
    expect(kinds.map((k) => k === "timeout")).toEqual(alone);
  });

  it("each epoch draws its own faults, the same on every rerun; epoch 0 draws as single-epoch runs always did", () => {
    const faults = [{ tool: "get_signins", kind: "error" as const, rate: 0.5 }];
    const draws = (epoch?: number) =>
      Array.from({ length: 400 }, (_, i) => faultFor(faults, 3, `case-${i}`, "get_signins", 0, epoch) !== null);
    const [e0, e1, e2] = [draws(0), draws(1), draws(2)];
    expect(draws()).toEqual(e0); // no epoch given: epoch 0
    expect(draws(1)).toEqual(e1);
    // independent draws at rate 0.5 differ on about half the cases
    const differ = (a: boolean[], b: boolean[]) => a.filter((x, i) => x !== b[i]).length;
    expect(differ(e0, e1)).toBeGreaterThan(150);
    expect(differ(e1, e2)).toBeGreaterThan(150);
    // what the sandbox does with it
    const status = (epoch: number) =>
      cases.map(
        (c) =>
          new ToolSandbox(c, wf, { scope: "all", faults, seed: 3, epoch }).call("get_signins", { user }).step.status,
      );
    expect(status(1)).toEqual(status(1));
    expect(status(1)).not.toEqual(status(0));
  });

  it("stamps each audit event with a time that advances by the simulated latency", () => {
    const sb = new ToolSandbox(c1, wf, { scope: "all", faults: [], seed: 1 });
    const a = sb.call("get_signins", { user });
    const b = sb.call("get_ip_reputation", { ip: "203.0.113.11" });
    expect(Date.parse(b.step.time!) - Date.parse(a.step.time!)).toBe(80);
    expect(a.step.audit_event).toBe("idp.signins.query");
    expect(sb.call("disable_account", { user }).step.audit_event).toBe("idp.account.disable");
  });

  it("stamps exactly what toISOString gives, across midnight, fractional and out-of-range clocks", () => {
    const starts = [
      Date.parse("2026-03-01T23:59:59.500Z"),
      Date.parse("1969-12-31T23:59:59.600Z"),
      Date.parse("2026-03-01T12:00:00Z") + 0.7,
      -0.5,
      253402300799500, // 9999-12-31T23:59:59.500Z: the next calls leave four-digit years
    ];
    for (const clockStart of starts) {
      const sb = new ToolSandbox(c1, wf, { scope: "all", faults: [], seed: 1, clockStart });
      let clock = clockStart;
      for (let i = 0; i < 6; i++) {
        const a = sb.call(i % 2 ? "get_ip_reputation" : "get_signins", { user, ip: "203.0.113.11" });
        clock += a.step.latency_ms;
        expect(a.step.time).toBe(new Date(clock).toISOString());
      }
    }
  });
});
