import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { behindView } from "../src/report/behind-view.js";
import { renderReport } from "../src/report/render.js";
import { HEADLINE } from "../src/report/report-view.js";
import { Store } from "../src/store/db.js";
import { seedFixture } from "./fixtures/report/run.js";

/** One agent's "Cases behind the numbers" table, as rendered. */
function behindTable(html: string, agentIndex: number): string {
  const section = html.slice(html.indexOf(`id="agent-${agentIndex}"`));
  const start = section.indexOf("<h3>Cases behind the numbers</h3>");
  return section.slice(start, section.indexOf("</table>", start));
}

/** Text of a rendered fragment: tags and word breaks out, entities decoded. */
const decode = (t: string) =>
  t
    .replace(/<wbr>/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

describe("the report names the cases behind each rate", () => {
  let store: Store;
  let doc: ReportDoc;
  let html: string;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    doc = await buildReport(store, "latest");
    html = await renderReport(doc, "html");
  });
  afterAll(() => store.close());

  it("lists every counted case of every rate, linking those the report writes up", () => {
    Object.values(doc.agents).forEach((a, i) => {
      const table = behindTable(html, i);
      const articles = new Map(a.worst_cases.map((w) => [w.case_id, w.anchor]));
      for (const b of a.cases_behind) {
        const anchor = `agent-${i}-behind-${b.metric}`;
        expect(table, `${a.agent} ${b.metric}`).toContain(`<tr id="${anchor}">`);
        const row = table.slice(table.indexOf(`<tr id="${anchor}">`)).split("</tr>")[0]!;
        // a ratio of items counts its items, and says in how many investigations
        expect(row).toContain(b.rows === 0 ? ">none<" : `${b.counts === "items" ? b.items : b.rows} of `);
        // the Quality table's rate, or the violation table's case count, links here when a case counts
        const shown =
          HEADLINE.includes(b.metric as (typeof HEADLINE)[number]) || b.metric.startsWith("violation_rate.");
        expect(html.includes(`href="#${anchor}"`), `${a.agent} ${b.metric} linked`).toBe(b.rows > 0 && shown);
        for (const c of b.listed) {
          const article = articles.get(c.case_id);
          if (article) {
            expect(row).toContain(`<a href="#${article}"><code class="id">${c.case_id}</code></a>`);
            expect(html).toContain(`id="${article}"`);
          } else expect(row).toContain(`<code class="id">${c.case_id}</code>`);
        }
      }
      expect(table).toContain(`${a.cases_behind.find((b) => b.metric === "verdict_agreement")!.rows} of 12`);
    });
  });

  it("counts a ratio of items by its items, with the investigations holding them and each case's count", () => {
    const i = Object.keys(doc.agents).indexOf("model-x");
    const a = doc.agents["model-x"]!;
    const table = behindTable(html, i);
    for (const [metric, items, each] of [
      ["context_recall", "required items", "item"],
      ["tool_error_rate", "tool calls", "call"],
    ] as const) {
      const b = a.cases_behind.find((m) => m.metric === metric)!;
      const e = a.metrics[metric]!;
      expect(b.rows, metric).toBeGreaterThan(0);
      const row = table.slice(table.indexOf(`<tr id="agent-${i}-behind-${metric}">`)).split("</tr>")[0]!;
      expect(row).toContain(`${b.items} of ${e.n}<div class="small">${items}</div>`);
      expect(row).toContain(`in ${b.rows} investigation${b.rows === 1 ? "" : "s"}`);
      const c = b.listed[0]!;
      // after its id, linked to its write-up or not
      expect(row).toMatch(new RegExp(`${c.case_id}</code>(</a>)?&nbsp;<span class="muted small">${c.items} ${each}<`));
    }
  });

  it("counts audit completeness by its missing items, of six per investigation: 1 − items ÷ all is the mean", () => {
    const i = Object.keys(doc.agents).indexOf("model-x");
    const a = doc.agents["model-x"]!;
    const b = a.cases_behind.find((m) => m.metric === "audit_completeness")!;
    const e = a.metrics.audit_completeness!;
    expect(b).toMatchObject({ counts: "items", item_counts: "complement" });
    expect(b.items).toBeGreaterThan(0);
    // the JSON rounds the mean to six places: the items are the integer it came from
    expect(Math.round((1 - e.value!) * 6 * e.n)).toBe(b.items);
    const row = behindTable(html, i).slice(
      behindTable(html, i).indexOf(`<tr id="agent-${i}-behind-audit_completeness">`),
    );
    expect(row.split("</tr>")[0]).toContain(`${b.items} of ${6 * e.n}<div class="small">audit items</div>`);
    // the playbook's trail is complete: nothing behind the mean, and nothing linked from it
    const p = doc.agents.playbook!.cases_behind.find((m) => m.metric === "audit_completeness")!;
    expect(p).toMatchObject({ rows: 0, items: 0, listed: [] });
  });

  it("says how many are not listed", async () => {
    const a = doc.agents["model-x"]!;
    const trimmed: ReportDoc = {
      ...doc,
      agents: {
        ...doc.agents,
        "model-x": {
          ...a,
          cases_behind: a.cases_behind.map((b) => ({ ...b, listed: b.listed.slice(0, 1) })),
        },
      },
    };
    const disagree = a.cases_behind.find((b) => b.metric === "verdict_agreement")!;
    expect(disagree.cases).toBeGreaterThan(1);
    const table = behindTable(await renderReport(trimmed, "html"), Object.keys(doc.agents).indexOf("model-x"));
    expect(table).toContain(`and ${disagree.cases - 1} more`);
  });

  it("gives, under each rate, the soceval cases command for it", () => {
    const view = behindView(doc.agents.playbook!, doc.run.run_id, false, 0);
    for (const v of view)
      expect(v.command).toBe(`soceval cases --run ${doc.run.run_id} --agent playbook --rate ${v.metric}`);
    expect(behindTable(html, 0)).toContain(view[0]!.command);
  });

  it("says in the Markdown that the item ratios' investigations are listed too, and what they hold", async () => {
    const md = await renderReport(doc, "md");
    expect(md).toContain(
      `soceval cases --run ${doc.run.run_id} --rate RATE (for context\\_recall, tool\\_error\\_rate and audit\\_completeness, ratios of items: those holding a required item not gathered, a failed tool call or a missing audit item, each with how many)`,
    );
  });

  it("names the store in every printed command when it is not the default, quoted for a shell", async () => {
    const other = await renderReport(doc, "html", "/tmp/our stores/soc's.duckdb");
    const ref = `--run ${doc.run.run_id} --db &#x27;/tmp/our stores/soc&#x27;\\&#x27;&#x27;s.duckdb&#x27;`;
    expect(behindTable(other, 0)).toContain(`soceval cases ${ref} --agent playbook --rate`);
    // the worst cases' commands, read as the page shows them (without the word-break markup)
    const text = other.replace(/<wbr>|<span class="nw">|<\/span>/g, "");
    expect(text).toContain(`soceval show ${doc.agents.playbook!.worst_cases[0]!.case_id} ${ref}`);
    const md = await renderReport(doc, "md", "stores/a.duckdb");
    expect(md).toContain(`soceval cases --run ${doc.run.run_id} --db stores/a.duckdb --rate RATE`);
    // the default store, and a report built in memory, print no --db
    for (const db of [undefined, ".soceval/soceval.duckdb", ":memory:"])
      expect(await renderReport(doc, "md", db)).not.toContain("--db");
  });

  it("marks the epochs a case counts in when the run has several", () => {
    const a = doc.agents.playbook!;
    const view = behindView(
      {
        ...a,
        cases_behind: [{ ...a.cases_behind[0]!, listed: [{ case_id: "c99", epochs: 2, output_status: "valid" }] }],
      },
      doc.run.run_id,
      true,
    );
    expect(view[0]!.listed[0]!.note).toBe("×2");
    expect(behindView(a, doc.run.run_id, false).every((v) => v.listed.every((c) => !c.note.includes("×")))).toBe(true);
  });

  it("gives the query that lists a source's failed calls, which are its failure rate's x", async () => {
    const agents = Object.values(doc.agents);
    for (const [i, a] of agents.entries()) {
      const section = html.slice(html.indexOf(`id="agent-${i}"`));
      const at = section.indexOf("The failed calls behind a source");
      expect(at, a.agent).toBeGreaterThan(-1);
      const text = decode(section.slice(at, section.indexOf("</p>", at)));
      const quoted = /soceval query "(.*)"/.exec(text)?.[1];
      expect(quoted, text).toBeDefined();
      const sql = quoted!.replace(/\\(["\\$`])/g, "$1");
      for (const s of a.evidence_sources) {
        const rows = await store.query(sql.replace("'<source>'", `'${s.source}'`));
        expect(rows.length, `${a.agent} ${s.source}`).toBe(s.errors + s.timeouts);
        expect(rows.length).toBe(s.failure_rate.x ?? 0);
      }
    }
    expect(agents.some((a) => a.evidence_sources.some((s) => s.errors + s.timeouts > 0))).toBe(true);
  });

  it("gives the query that lists the findings behind each row of the trap-tag table", async () => {
    const agents = Object.values(doc.agents);
    expect(agents.some((a) => a.findings_by_trap.length > 0)).toBe(true);
    for (const [i, a] of agents.entries()) {
      if (a.findings_by_trap.length === 0) continue;
      const section = html.slice(html.indexOf(`id="agent-${i}"`));
      const at = section.indexOf("The findings behind a row");
      expect(at, a.agent).toBeGreaterThan(-1);
      const quoted = /soceval query "(.*)"/.exec(decode(section.slice(at, section.indexOf("</p>", at))))?.[1];
      expect(quoted, a.agent).toBeDefined();
      const sql = quoted!.replace(/\\(["\\$`])/g, "$1");
      for (const t of a.findings_by_trap) {
        const rows = await store.query(sql.replace("'<tag>'", `'${t.tag}'`).replace("'<kind>'", `'${t.kind}'`));
        expect(rows.length, `${a.agent} ${t.tag} ${t.kind}`).toBe(t.findings);
      }
    }
  });
});

describe("the policy-violation table's links", () => {
  it("says, on a violation row of one severity, that the cases it links to are the kind's of every severity", async () => {
    const store = await Store.open(":memory:");
    await seedFixture(store);
    // a second severity of one kind, in another case: the kind's list then holds both rows' cases
    await store.run(
      "INSERT INTO findings SELECT * REPLACE ('medium' AS severity, 'c02' AS case_id) FROM findings WHERE kind = 'fail_open' AND agent = 'playbook'",
    );
    const doc = await buildReport(store, "latest");
    const html = await renderReport(doc, "html");
    store.close();
    let multi = 0;
    Object.values(doc.agents).forEach((a, i) => {
      const section = html.slice(html.indexOf(`id="agent-${i}"`));
      const table = section.slice(section.indexOf("<h3>Policy violations</h3>"));
      const rows = table.slice(0, table.indexOf("</table>")).split("<tr>").slice(2);
      for (const v of a.violations) {
        const row = rows.find((r) => decode(r).startsWith(`${v.kind}${v.severity}`));
        expect(row, `${a.agent} ${v.kind} ${v.severity}`).toBeDefined();
        const severities = a.violations.filter((w) => w.kind === v.kind).length;
        const behind = a.cases_behind.find((b) => b.metric === `violation_rate.${v.kind}`)!;
        if (severities > 1) {
          multi++;
          expect(decode(row!)).toContain(`${v.cases} (of ${behind.cases}, all severities)`);
        } else expect(row).not.toContain("all severities");
      }
    });
    expect(multi).toBeGreaterThan(0);
  });
});
