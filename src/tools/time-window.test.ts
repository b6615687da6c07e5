import { describe, expect, it } from "vitest";
import { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { refusedInput, ToolSandbox } from "./sandbox.js";

const wf = loadWorkflow("test/fixtures/mini/workflow.yaml");
const user = "alice@corp.example";
const signin = (id: string, time: string) => ({
  id,
  source: "idp.signins",
  time,
  entities: [{ type: "account", value: user }],
  data: {},
});
// 08:00:00Z written four ways, and records a hair either side of it
const c = Case.parse({
  id: "tw-1",
  workflow: "mini",
  alert: { title: "t", rule: "r", source: "idp", severity: "low", time: "2026-03-01T08:00:00Z" },
  evidence: [
    signin("before-100ns", "2026-03-01T07:59:59.9999999Z"),
    signin("at", "2026-03-01T08:00:00Z"),
    signin("at-offset", "2026-03-01T09:00:00+01:00"),
    signin("at-7-digits", "2026-03-01T08:00:00.0000000Z"),
    signin("after-100ns", "2026-03-01T08:00:00.0000001Z"),
    signin("after-1ms", "2026-03-01T03:00:00.001-05:00"),
  ],
});

const ids = (input: Record<string, unknown>) =>
  new ToolSandbox(c, wf, { scope: "all", faults: [], seed: 1 }).call("get_signins", { user, ...input }).step;

describe("a tool's time window", () => {
  it("keeps the records at its bound, in any offset, and none a fraction of a millisecond outside it", () => {
    // counted by hand: since 08:00:00Z keeps every record at or after it, whatever zone it is written in
    expect(ids({ since: "2026-03-01T08:00:00Z" }).evidence_ids).toEqual([
      "at",
      "at-offset",
      "at-7-digits",
      "after-100ns",
      "after-1ms",
    ]);
    expect(ids({ since: "2026-03-01T10:30:00+02:30" }).evidence_ids).toEqual(
      ids({ since: "2026-03-01T08:00Z" }).evidence_ids,
    );
    // 100 ns after the bound is after it, though both fall in the same millisecond
    expect(ids({ since: "2026-03-01T08:00:00.0000001Z" }).evidence_ids).toEqual(["after-100ns", "after-1ms"]);
    expect(ids({ since: "2026-03-01T08:00:00.00000011Z" }).evidence_ids).toEqual(["after-1ms"]);
  });

  it("reads a bound as the real query API does, whatever the replaying machine's zone, or refuses it", () => {
    const tz = process.env.TZ;
    try {
      for (const zone of ["America/New_York", "Asia/Tokyo", "UTC"]) {
        process.env.TZ = zone;
        // no zone: UTC, as EDR and SIEM query languages read it; a date alone is its midnight
        expect(ids({ since: "2026-03-01 08:00:00.0000001" }).evidence_ids, zone).toEqual(["after-100ns", "after-1ms"]);
        expect(ids({ since: "2026-03-02" }).evidence_ids, zone).toEqual([]);
        // Date.parse reads these in the machine's zone: another machine would return other records
        for (const since of [
          "03/01/2026 08:00",
          "1 Mar 2026 08:00",
          "2026/03/01 08:00",
          "yesterday",
          "24h",
          "2026-02-30",
        ]) {
          const step = ids({ since });
          expect(step, `${zone} ${since}`).toMatchObject({
            status: "error",
            evidence_ids: [],
            note: `input "since" must be an ISO-8601 time such as 2026-03-01T08:00:00Z, got ${JSON.stringify(since)}`,
          });
          // the agent's malformed call, not a source that failed (fail_open, tool_error's wording)
          expect(refusedInput(wf.tools[0]!, step)).toBe(true);
        }
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it("an empty bound filters nothing", () => {
    expect(ids({ since: "" }).evidence_ids).toHaveLength(6);
    expect(ids({ since: null }).evidence_ids).toHaveLength(6);
  });
});
