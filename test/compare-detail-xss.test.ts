import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildComparison, resolveSides } from "../src/analytics/compare.js";
import type { CompareDoc } from "../src/analytics/compare-schema.js";
import { renderComparison } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { dumpDom, findChromium } from "./fixtures/report/chromium.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";

/** A model's summary written to close the drill-down and the table, then run a script. */
const BREAKOUT = "</details></td></tr></table><script>alert(1)</script><details open><summary>x";

describe("a disagreement's drill-down holds attacker-controlled text as text", () => {
  let store: Store;
  let doc: CompareDoc;
  let html: string;
  let caseId: string;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    caseId = (await buildComparison(store, await resolveSides(store, ["latest"]))).disagreements[0]!.case_id;
    const key = "run_id = ? AND agent = 'playbook' AND case_id = ? AND epoch = 0";
    const output = {
      summary: BREAKOUT,
      hypotheses: [{ kind: "benign", explanation: BREAKOUT, evidence: [BREAKOUT] }],
      recommended_actions: [{ action: BREAKOUT, target: BREAKOUT, rationale: BREAKOUT, evidence: [] }],
    };
    await store.run(`UPDATE transcripts SET output = json_merge_patch(output, ?) WHERE ${key}`, [
      JSON.stringify(output),
      FIXTURE_RUN,
      caseId,
    ]);
    await store.run(`UPDATE findings SET detail = ? WHERE ${key}`, [BREAKOUT, FIXTURE_RUN, caseId]);
    doc = await buildComparison(store, await resolveSides(store, ["latest"]));
    html = await renderComparison(doc, "html");
  });
  afterAll(() => store.close());

  it("escapes every field: nothing closes the <details>, nothing runs", () => {
    const row = doc.disagreements.find((d) => d.case_id === caseId)!;
    expect(row.detail.answers[0]!.summary).toBe(BREAKOUT); // the JSON keeps the text as stored
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toContain(BREAKOUT);
    expect(html).toContain("&lt;/details&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;");
    // as many drill-downs open as close: one per listed case, the command's own, and a pairing's
    // cases behind its only candidate / only baseline counts
    const body = html.slice(html.indexOf("<body"));
    const opened = body.match(/<details\b/g)?.length ?? 0;
    const behind = doc.pairings.filter((p) => p.metrics.some((m) => (m.candidate_only ?? 0) + (m.baseline_only ?? 0)));
    expect(opened).toBe(doc.disagreements.length + 1 + behind.length);
    expect(body.match(/<\/details>/g)).toHaveLength(opened);
  });

  it("says plainly when a side gave no answer", () => {
    const failed = doc.disagreements.find((d) => d.detail.answers.some((a) => a.failed))!;
    expect(failed).toBeDefined();
    const side = failed.detail.answers.find((a) => a.failed)!;
    expect(side).toMatchObject({ verdict: null, summary: null, hypotheses: [], error: "provider error: 500" });
    const why = html.split('<tr class="why">')[doc.disagreements.indexOf(failed) + 1]!;
    expect(why).toContain("No output: this side gave no answer");
    expect(why).toContain("Error: provider error: 500");
    // no answer, so no hand-off either way: a dash like its escalation, not "no"
    expect(why).toContain("escalate —, human-only —");
  });

  const chromium = findChromium();
  it.skipIf(!chromium)("Chromium parses no injected element out of the drill-down", () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-cmp-xss-"));
    writeFileSync(join(dir, "compare.html"), html);
    const dom = dumpDom(chromium!, join(dir, "compare.html"));
    expect(dom).not.toMatch(/<script\b/i);
    // every drill-down is still in its own row of the disagreements table
    const start = dom.indexOf('<table class="disagreements">');
    const table = dom.slice(start, dom.indexOf("</table></div>", start));
    expect(table.match(/<details class="why">/g)).toHaveLength(doc.disagreements.length);
    expect(dom).toContain("&lt;/details&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;");
  });
  if (!chromium) it("Chromium check skipped: install Debian's chromium (apt-get install -y chromium)", () => {});
});
