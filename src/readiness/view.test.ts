import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type AnswerSet, answersHash } from "./answers.js";
import { loadAnswerFiles } from "./load.js";
import { loadMatrix } from "./matrix.js";
import { scoreAll, scoreCandidate } from "./score.js";
import { candidateText, rankingText } from "./text.js";
import { renderReadiness } from "./view.js";

const matrix = loadMatrix("test/fixtures/readiness/matrix.yaml");
const hostile = "<script>alert(1)</script> | [x](http://evil.example)";
const answers = { q_bounded: 2, q_escalation: "no", q_runbook: "yes", q_downside: "severe", q_fresh: "1h", q_api: 3 };
const set: AnswerSet = {
  candidate: hostile,
  workflow: "mini",
  answers,
  notes: { q_downside: '<img src=x onerror="alert(2)">' },
  file: "x.yaml",
  hash: answersHash(matrix, answers),
};
const doc = scoreAll(matrix, [set], new Date("2025-05-12T09:00:00Z"));

describe("readiness report rendering", () => {
  it("HTML escapes answer text (it is user-supplied) and stays self-contained", async () => {
    const html = await renderReadiness(doc, "html");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("No documented escalation criteria");
    expect(html).not.toMatch(/<script|src="http|href="http/i);
  });

  it("Markdown cannot be restructured by answer text", async () => {
    const md = await renderReadiness(doc, "md");
    const row = md.split("\n").find((l) => l.startsWith("| 1 |"))!;
    // the candidate's pipe and link brackets are escaped: the row keeps its 8 cells
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(8);
    expect(md).not.toContain("[x](http");
    expect(md).toContain("**blocked**");
  });

  it("a candidate not ready for shadow reads as a phase, not as an instruction inside a sentence", async () => {
    expect(doc.candidates[0]!.recommended_phase).toBe("readiness");
    const md = await renderReadiness(doc, "md");
    expect(md).toContain("Start in **readiness (not yet shadow)**:");
    expect(md).not.toContain("stay in readiness");
  });

  it("JSON is the scored document itself", async () => {
    expect(JSON.parse(await renderReadiness(doc, "json"))).toEqual(doc);
  });

  it("a tie is shown as one (1=, with what it means) in Markdown, HTML and the terminal table", async () => {
    const twin = (candidate: string, workflow: string): AnswerSet => ({ ...set, candidate, workflow });
    const tied = scoreAll(matrix, [twin("Beta", "b"), twin("Alpha", "a")], new Date("2025-05-12T09:00:00Z"));
    const md = await renderReadiness(tied, "md");
    expect(md).toMatch(/^\| 1= \| Alpha \|/m);
    expect(md).toMatch(/^\| 1= \| Beta \|/m);
    expect(md).toContain("1= marks a tie");
    // Handlebars writes "=" as an entity; a browser shows it as "="
    const html = (await renderReadiness(tied, "html")).replaceAll("&#x3D;", "=");
    expect(html).toContain("1= marks a tie");
    expect(html).toMatch(/<td class="num">1=<\/td><th scope="row"><a href="#candidate-1">Alpha/);
    expect(rankingText(tied)).toMatch(/1= .*Alpha[\s\S]*1= .*Beta[\s\S]*1= marks a tie/);
    expect(await renderReadiness(doc, "md")).not.toContain("marks a tie");
  });

  it("Markdown traces every area score to the answers that cost it, and the overall to the area weights", async () => {
    const m = loadMatrix();
    const sets = await loadAnswerFiles(
      ["readiness/answers/phishing-triage.yaml", "readiness/answers/firewall-changes.yaml"],
      m,
    );
    const scored = scoreAll(m, sets);
    const md = await renderReadiness(scored, "md");
    for (const c of scored.candidates) {
      const block = md.slice(md.indexOf(`. ${c.candidate} — `));
      expect(block).toContain(`Answers: \`${c.file}\` (hash \`${c.answers_hash}\`)`);
      let weighted = 0;
      let weights = 0;
      for (const a of c.areas) {
        const line = block.split("\n").find((l) => l.startsWith(`- ${a.name} **`))!;
        const [, score, weight] = line.match(/\*\*([\d.]+)\*\* \(weight (\d+)\)/)!;
        const lost = [...line.matchAll(/ −([\d.]+)/g)].reduce((sum, x) => sum + Number(x[1]), 0);
        for (const l of a.lost) expect(line).toContain(`\`${l.question}\``);
        expect(Math.abs(100 - lost - Number(score)), line).toBeLessThanOrEqual(0.2);
        weighted += Number(score) * Number(weight);
        weights += Number(weight);
      }
      expect(Math.abs(weighted / weights - c.overall)).toBeLessThanOrEqual(0.2);
    }
  });

  it("for every bundled answers file, 100 less the points shown lost is the shown area score, in Markdown and HTML", async () => {
    const m = loadMatrix();
    const files = readdirSync("readiness/answers")
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => `readiness/answers/${f}`);
    expect(files.length).toBeGreaterThan(5);
    const scored = scoreAll(m, await loadAnswerFiles(files, m));
    // in tenths, so float noise cannot pass a sum that is a tenth out
    const tenths = (x: string) => Math.round(Number(x) * 10);
    const md = await renderReadiness(scored, "md");
    const mdAreas = md.split("\n").filter((l) => /^- .+ \*\*[\d.]+\*\* \(weight \d+\)/.test(l));
    expect(mdAreas).toHaveLength(scored.candidates.length * m.areas.length);
    for (const line of mdAreas) {
      const score = line.match(/\*\*([\d.]+)\*\*/)![1]!;
      const lost = [...line.matchAll(/ −([\d.]+)/g)].reduce((sum, x) => sum + tenths(x[1]!), 0);
      expect(1000 - lost, line).toBe(tenths(score));
    }
    const html = await renderReadiness(scored, "html");
    const htmlAreas = [
      ...html.matchAll(/<summary><strong>[^<]*<\/strong> <span class="score \w+">([\d.]+)<\/span>[\s\S]*?<\/details>/g),
    ];
    expect(htmlAreas).toHaveLength(scored.candidates.length * m.areas.length);
    for (const [area, score] of htmlAreas) {
      const lost = [...area.matchAll(/<td class="num">([\d.]+)<\/td>/g)].reduce((sum, x) => sum + tenths(x[1]!), 0);
      expect(1000 - lost, area).toBe(tenths(score!));
    }
    // the case this was found on: 4.55 lost, a score rounded down to 95.4, and −4.5 printed beside it
    const dedup = scored.candidates.find((c) => c.workflow === "alert-deduplication")!;
    expect(dedup.areas.find((a) => a.id === "evidence_sources")?.lost.map((l) => l.points)).toEqual([4.6]);
  });

  it("a gate step says it unblocks only when it is the workflow's last gate", async () => {
    const m = loadMatrix();
    const [one] = await loadAnswerFiles(["readiness/answers/phishing-triage.yaml"], m);
    const gated = (no: string[]) => ({
      ...one!,
      answers: { ...one!.answers, ...Object.fromEntries(no.map((q) => [q, "no"])) },
    });
    const single = scoreCandidate(m, gated(["review_assigned"]));
    expect(candidateText(single)).toMatch(/^ {4}unblocks {2}Assign a named reviewer/m);
    const three = scoreCandidate(
      m,
      gated(["review_assigned", "actions_forbidden_list", "decisions_escalation_documented"]),
    );
    const text = candidateText(three);
    expect(text).not.toContain("unblocks");
    expect(text.match(/^ {4}clears 1 of 3 gates {2}/gm)).toHaveLength(3);
    const md = await renderReadiness(scoreAll(m, [gated(["review_assigned", "actions_forbidden_list"])]), "md");
    expect(md.match(/^1\. \(clears 1 of 2 gates\) /gm)).toHaveLength(2);
    expect(md).not.toContain("(unblocks)");
  });
});
