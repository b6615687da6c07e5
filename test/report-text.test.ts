import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildComparison, resolveSides } from "../src/analytics/compare.js";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { clip, mdCell, visibleControls } from "../src/report/format.js";
import { renderComparison, renderReport } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";

const RLO = "\u202E";
const TITLE = `Run \`rm -rf\` *now* _please_ [x](y) a|b ${RLO}fdp.exe<b>&amp;`;
const LONG = 200_000;

/** c01 (a worst case of both agents) with a hostile title and a 200,000-character description. */
async function seedHostile(store: Store): Promise<void> {
  await seedFixture(store);
  const [row] = await store.query<{ alert: string }>(
    "SELECT alert::VARCHAR AS alert FROM cases WHERE run_id = ? AND case_id = 'c01'",
    [FIXTURE_RUN],
  );
  const alert = { ...JSON.parse(row!.alert), title: TITLE, description: "A".repeat(LONG) };
  await store.run("UPDATE cases SET alert = ?::JSON WHERE run_id = ? AND case_id = 'c01'", [
    JSON.stringify(alert),
    FIXTURE_RUN,
  ]);
}

describe("alert text renders as written, visibly and within the page", () => {
  let store: Store;
  let doc: ReportDoc;
  let md: string;
  let html: string;
  /** the same run's report without the hostile text: what the long description adds is measured against it */
  let plain: string;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedHostile(store);
    doc = await buildReport(store, "latest");
    md = await renderReport(doc, "md");
    html = await renderReport(doc, "html");
    const clean = await Store.open(":memory:");
    await seedFixture(clean);
    plain = await renderReport(await buildReport(clean, "latest"), "html");
    clean.close();
  });
  afterAll(() => store.close());

  it("Markdown: punctuation and < > & are backslash-escaped, never HTML entities (no &lt;, no \\&#x60;)", () => {
    expect(md).toContain("Run \\`rm -rf\\` \\*now\\* \\_please\\_ \\[x\\](y) a\\|b \\[U+202E\\]fdp.exe\\<b\\>\\&amp;");
    expect(md).not.toMatch(/&lt;|&gt;|&amp;amp;|&#x60;|&#x3D;|&#x27;|&quot;/);
    expect(mdCell('<img src="x">&`')).toBe('\\<img src="x"\\>\\&\\`');
  });

  it("Markdown: an attacker's links are defanged, so GitHub does not make them clickable", () => {
    expect(mdCell("Invoice https://pay.evil.example/login or HTTP://x.example and www.evil.example")).toBe(
      "Invoice hxxps://pay.evil.example/login or HxxP://x.example and www\\[.\\]evil.example",
    );
    expect(mdCell("mail.example.com and user@corp.example stay as written")).toBe(
      "mail.example.com and user@corp.example stay as written",
    );
  });

  it("compare Markdown: a McNemar p below 0.001 and a note with < > & are written without entities", async () => {
    const cmp = await buildComparison(store, await resolveSides(store, ["latest"]));
    cmp.pairings[0]!.metrics[0]!.mcnemar_p = 0.0004;
    cmp.notes.push("agent <a> & <b>");
    const text = await renderComparison(cmp, "md");
    expect(text).toMatch(/^\| Verdict agreement \| .* \| \\< 0\.001 \| .* \|$/m);
    expect(text).toContain("> agent \\<a\\> \\& \\<b\\>");
    // the p-value can be traced from the Markdown alone: discordant counts (incidents where they
    // differ from cases), pairs and incidents, and the method
    const agree = cmp.pairings[0]!.metrics[0]!;
    expect(text).toContain(`| ${agree.candidate_only} / ${agree.baseline_only}`);
    expect(text).toContain(`| ${agree.n} (${agree.units}) |`);
    expect(text).toContain("McNemar's exact test counts discordant incidents");
    expect(text).not.toMatch(/&lt;|&gt;|&amp;|&#/);
    // HTML keeps escaping
    const html = await renderComparison(cmp, "html");
    expect(html).toContain("&lt; 0.001");
    expect(html).toContain("agent &lt;a&gt; &amp; &lt;b&gt;");
  });

  it("bidi controls are shown as text in HTML and Markdown", () => {
    expect(html).not.toContain(RLO);
    expect(html).toContain("[U+202E]fdp.exe");
    expect(md).not.toContain(RLO);
    expect(md).toContain("\\[U+202E\\]fdp.exe"); // GitHub shows [U+202E]
    expect(visibleControls("a\u2066b\u200Fc\u061C")).toBe("a[U+2066]b[U+200F]c[U+061C]");
    // zero-width splitters too; the joiner inside an emoji sequence stays
    expect(visibleControls("pay\u200Bpal \uFEFFx\u2060y \u{1F469}\u200D\u{1F4BB}")).toBe(
      "pay[U+200B]pal [U+FEFF]x[U+2060]y \u{1F469}\u200D\u{1F4BB}",
    );
    // the JSON document keeps the data as stored
    expect(JSON.stringify(doc)).toContain(RLO);
  });

  it("HTML: a 200,000-character description is capped with a note, and long text wraps", () => {
    const note = (n: number) =>
      `… (${n.toLocaleString("en-US")} more characters; full text in <code>soceval export</code>)`;
    expect(html).toContain(note(LONG - 4000));
    expect(html).not.toContain("A".repeat(10_001));
    // shown clipped in the case's table and its stored alert, for each agent that lists it: a few
    // thousand characters each, never the 200,000
    expect(html.length - plain.length).toBeLessThan(LONG / 5);
    // attacker text (and only it: headers and ids keep their words) wraps anywhere
    expect(html).toMatch(/\.text,\s*\.text code\s*\{\s*overflow-wrap:\s*anywhere/);
    expect(html).toMatch(/<td class="text">A{4000}<span class="more">/);
  });

  it("clips by code points, never half a surrogate pair", () => {
    expect(clip("😀😀😀", 2)).toEqual({ text: "😀😀", more: 1 });
    expect(clip("short", 10)).toEqual({ text: "short", more: 0 });
  });
});
