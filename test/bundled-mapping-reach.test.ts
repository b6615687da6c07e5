import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importCsv } from "../src/datasets/import-csv.js";
import { ReachCounter, readSources } from "../src/datasets/reach.js";
import { Case } from "../src/schema/index.js";
import { loadWorkflow } from "../src/workflow/load.js";

describe("the bundled Splunk ES mapping", () => {
  it("names sources the bundled workflows' tools read: each record reaches an agent of some bundled workflow", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "soceval-mapping-reach-")), "cases.jsonl");
    await importCsv("test/fixtures/datasets/splunk-notables.csv", "datasets/mappings/splunk-es-notables.yaml", out);
    const cases = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => Case.parse(JSON.parse(l)));
    const read = new Set(
      readdirSync("suites").flatMap((w) => [...readSources(loadWorkflow(`suites/${w}/workflow.yaml`)).keys()]),
    );
    const sources = new Set(cases.flatMap((c) => c.evidence.map((e) => e.source)));
    expect(sources.size).toBeGreaterThan(4);
    expect([...sources].filter((s) => !read.has(s))).toEqual([]);
    // the endpoint case, whose workflow reads all it holds, is investigated with every record in reach
    const counter = new ReachCounter(loadWorkflow("suites/endpoint-investigation/workflow.yaml"));
    for (const c of cases) counter.add(c);
    expect(counter.result()).toMatchObject({ records_out_of_reach: 0, unread_sources: {} });
  });
});
