import { describe, expect, it } from "vitest";
import { type AnswerSet, answersHash } from "./answers.js";
import { loadMatrix } from "./matrix.js";
import { scoreAll } from "./score.js";
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
});
