import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAnswersYaml, loadPartialAnswers } from "./answers.js";
import { loadAnswersCsv } from "./answers-csv.js";
import { answersYaml } from "./answers-write.js";
import { loadAnswerFiles } from "./load.js";
import { loadMatrix } from "./matrix.js";
import { scoreAll } from "./score.js";

const FIX = "test/fixtures/readiness";
const matrix = loadMatrix(`${FIX}/matrix.yaml`);

function write(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "soceval-readiness-")), name);
  writeFileSync(file, text);
  return file;
}

const MID = `candidate: Mid candidate
workflow: mini-triage
answers:
  q_bounded: 3
  q_escalation: yes
  q_runbook: yes
  q_downside: moderate
  q_fresh: 1h
  q_api: 5
`;

describe("answer files are validated like every input", () => {
  it("a missing answer names the file, the answers block's line and the question", () => {
    const file = write("a.yaml", MID.replace("  q_runbook: yes\n", ""));
    expect(() => loadAnswersYaml(file, matrix)).toThrow(`${file}:4: answers.q_runbook: missing answer`);
  });

  it("a half-filled file names every unanswered question at once, and the command that asks only those", () => {
    const file = write("half.yaml", MID.replace("  q_runbook: yes\n", "").replace("  q_api: 5\n", ""));
    expect(() => loadAnswersYaml(file, matrix)).toThrow(
      `${file}:4: answers: 2 of 6 questions have no answer: q_runbook, q_api; \`soceval readiness ask --out ${file} --matrix ${FIX}/matrix.yaml\` asks only what is missing`,
    );
    // a wrong value that is there is still named first, at its own line
    const bad = write("bad.yaml", MID.replace("  q_runbook: yes\n", "").replace("q_bounded: 3", "q_bounded: 9"));
    expect(() => loadAnswersYaml(bad, matrix)).toThrow(`${bad}:4: answers.q_bounded:`);
  });

  it("an empty answer counts as missing, at its own line", () => {
    const file = write("a.yaml", MID.replace("q_api: 5", "q_api:"));
    expect(() => loadAnswersYaml(file, matrix)).toThrow(`${file}:9: answers.q_api: missing answer`);
  });

  it("an unknown question id names its line and the nearest known id", () => {
    const file = write("a.yaml", `${MID}  q_runbok: yes\n`);
    expect(() => loadAnswersYaml(file, matrix)).toThrow(
      `${file}:10: answers.q_runbok: unknown question id "q_runbok" (did you mean "q_runbook"?)`,
    );
  });

  it("an unknown id in notes is an error too", () => {
    const file = write("a.yaml", `${MID}notes:\n  nonsense: text\n`);
    expect(() => loadAnswersYaml(file, matrix)).toThrow(`${file}:11: notes.nonsense: unknown question id "nonsense"`);
  });

  it("a value outside the question's answers names the allowed ones", () => {
    const file = write("a.yaml", MID.replace("q_downside: moderate", "q_downside: catastrophic"));
    expect(() => loadAnswersYaml(file, matrix)).toThrow(
      `${file}:7: answers.q_downside: expected one of low, moderate, severe`,
    );
    const scale = write("b.yaml", MID.replace("q_bounded: 3", "q_bounded: 6"));
    expect(() => loadAnswersYaml(scale, matrix)).toThrow(`${scale}:4: answers.q_bounded:`);
  });

  it("an unknown header field is an error", () => {
    const file = write("a.yaml", `canddate: x\n${MID}`);
    expect(() => loadAnswersYaml(file, matrix)).toThrow(`${file}:1: canddate: unknown field "canddate"`);
  });

  it("a half-filled file loads for the questionnaire, but still rejects unknown ids", () => {
    const half = write("h.yaml", "candidate: Half\nanswers:\n  q_bounded: 2\n");
    expect(loadPartialAnswers(half, matrix)).toEqual({ candidate: "Half", answers: { q_bounded: 2 }, notes: {} });
    const bad = write("b.yaml", "answers:\n  q_nope: 2\n");
    expect(() => loadPartialAnswers(bad, matrix)).toThrow(`${bad}:2: answers.q_nope: unknown question id`);
  });

  it("the written form names the bundled matrix as soceval ships it, and a team's own matrix in the resume command", () => {
    const set = loadAnswersYaml(`${FIX}/mid.yaml`, matrix);
    const own = answersYaml(set, matrix).split("\n").slice(0, 2);
    expect(own).toEqual([
      `# soceval readiness answers; the questions are in ${FIX}/matrix.yaml.`,
      `# \`soceval readiness ask --out <this file> --matrix ${FIX}/matrix.yaml\` asks only what is still unanswered.`,
    ]);
    const bundled = loadMatrix();
    const phishing = loadAnswersYaml("readiness/answers/phishing-triage.yaml", bundled);
    expect(answersYaml(phishing, bundled).split("\n").slice(0, 2)).toEqual([
      "# soceval readiness answers; the questions are in readiness/matrix.yaml.",
      "# `soceval readiness ask --out <this file>` asks only what is still unanswered.",
    ]);
  });

  it("the written form reads back to the same answers", () => {
    const set = loadAnswersYaml(`${FIX}/mid.yaml`, matrix);
    const again = loadAnswersYaml(write("w.yaml", answersYaml(set, matrix)), matrix);
    expect(again.answers).toEqual(set.answers);
    expect(again.notes).toEqual(set.notes);
    expect(again.hash).toBe(set.hash);
  });
});

describe("CSV answers", () => {
  it("wide and long CSV exports score exactly like the YAML files", async () => {
    const at = new Date("2025-05-12T09:00:00Z");
    const strip = (d: ReturnType<typeof scoreAll>) => d.candidates.map(({ file: _f, ...c }) => c);
    const yaml = scoreAll(
      matrix,
      await loadAnswerFiles([`${FIX}/mid.yaml`, `${FIX}/high-but-blocked.yaml`], matrix),
      at,
    );
    const wide = scoreAll(matrix, await loadAnswerFiles([`${FIX}/mid-wide.csv`], matrix), at);
    expect(strip(wide)).toEqual(strip(yaml));
    const long = scoreAll(matrix, await loadAnswerFiles([`${FIX}/mid-long.csv`], matrix), at);
    const midYaml = scoreAll(matrix, await loadAnswerFiles([`${FIX}/mid.yaml`], matrix), at);
    expect(strip(long)).toEqual(strip(midYaml));
    expect(long.candidates[0]!.answers_hash).toBe(midYaml.candidates[0]!.answers_hash);
  });

  it("a missing answer in a wide CSV names the candidate's row", async () => {
    const file = write(
      "w.csv",
      "candidate,workflow,q_bounded,q_runbook,q_downside,q_fresh,q_api\nA,mini,3,yes,low,1h,5\n",
    );
    await expect(loadAnswersCsv(file, matrix)).rejects.toThrow(`${file}:2: answers.q_escalation: missing answer`);
  });

  it("a wide CSV row that skipped several questions names them all", async () => {
    const file = write("w.csv", "candidate,workflow,q_bounded,q_runbook,q_api\nA,mini,3,,\n");
    await expect(loadAnswersCsv(file, matrix)).rejects.toThrow(
      `${file}:2: candidate "A": answers: 5 of 6 questions have no answer: q_escalation, q_runbook, q_downside, q_fresh, q_api`,
    );
  });

  it("a scale cell a spreadsheet wrote with decimals (4.0, 4,0) is the whole number; 3.5 or 80% is refused with what was given", async () => {
    const head = "candidate;workflow;q_bounded;q_escalation;q_runbook;q_downside;q_fresh;q_api";
    const ok = write("d.csv", `${head}\nA;mini;3.0;yes;yes;low;1h;"5,0"\n`);
    expect((await loadAnswersCsv(ok, matrix))[0]!.answers).toMatchObject({ q_bounded: 3, q_api: 5 });
    const half = write("h.csv", `${head}\nA;mini;3.5;yes;yes;low;1h;5\n`);
    await expect(loadAnswersCsv(half, matrix)).rejects.toThrow(
      `${half}:2: answers.q_bounded: expected a whole number from 1 to 5 (got "3.5")`,
    );
    const pct = write("p.csv", `${head}\nA;mini;3;yes;yes;low;1h;80%\n`);
    await expect(loadAnswersCsv(pct, matrix)).rejects.toThrow(
      `${pct}:2: answers.q_api: expected a whole number from 1 to 5 (got "80%")`,
    );
  });

  it("a choice typed with capitals (Low) is its value, as Yes is yes; a wrong one names the cell's value", async () => {
    const head = "candidate,workflow,q_bounded,q_escalation,q_runbook,q_downside,q_fresh,q_api";
    const ok = write("c.csv", `${head}\nA,mini,3,Yes,TRUE,Moderate,1H,5\n`);
    expect((await loadAnswersCsv(ok, matrix))[0]!.answers).toMatchObject({ q_downside: "moderate", q_fresh: "1h" });
    const bad = write("b.csv", `${head}\nA,mini,3,yes,maybe,moderate,1h,5\nB,mini-b,3,yes,yes,dire,1h,5\n`);
    await expect(loadAnswersCsv(bad, matrix)).rejects.toThrow(
      `${bad}:2: answers.q_runbook: expected yes or no (got "maybe")`,
    );
    const choice = write("c2.csv", `${head}\nB,mini-b,3,yes,yes,dire,1h,5\n`);
    await expect(loadAnswersCsv(choice, matrix)).rejects.toThrow(
      `${choice}:2: answers.q_downside: expected one of low, moderate, severe (got "dire")`,
    );
  });

  it("an unknown question column in a wide CSV names the header line", async () => {
    const head = "candidate,workflow,q_bounded,q_escalation,q_runbook,q_downside,q_fresh,q_api,q_extra";
    const file = write("w.csv", `${head}\nA,mini,3,yes,yes,low,1h,5,x\n`);
    await expect(loadAnswersCsv(file, matrix)).rejects.toThrow(`${file}:1: answers.q_extra: unknown question id`);
  });

  it("a long CSV refuses an unknown column, a header with only one of question and answer, and a row for another workflow", async () => {
    const extra = write("l1.csv", "candidate,workflow,question,answer,reviewer\nA,mini,q_bounded,3,me\n");
    await expect(loadAnswersCsv(extra, matrix)).rejects.toThrow(`${extra}:1: header: unknown column "reviewer"`);
    const typo = write("l2.csv", "candidate,workflow,question,answr\nA,mini,q_bounded,3\n");
    await expect(loadAnswersCsv(typo, matrix)).rejects.toThrow(`${typo}:1: header: missing column "answer"`);
    const other = write("l3.csv", "candidate,workflow,question,answer\nA,mini,q_bounded,3\nA,maxi,q_api,5\n");
    await expect(loadAnswersCsv(other, matrix)).rejects.toThrow(
      `${other}:3: workflow: "maxi" differs from "mini" for candidate "A" on line 2`,
    );
  });

  it("a spreadsheet's empty trailing column (Excel, ';', CRLF, BOM) is skipped in both shapes; a value under it is refused at its row", async () => {
    const wide = await readFile(`${FIX}/mid-wide.csv`, "utf8");
    const semi = (text: string) =>
      `\ufeff${text
        .trimEnd()
        .split("\n")
        .map((l) => `${l.replaceAll(",", ";")};`)
        .join("\r\n")}\r\n`;
    const sets = await loadAnswersCsv(write("t.csv", semi(wide)), matrix);
    const plain = await loadAnswersCsv(`${FIX}/mid-wide.csv`, matrix);
    expect(sets.map((s) => [s.candidate, s.hash])).toEqual(plain.map((s) => [s.candidate, s.hash]));
    const long = await loadAnswersCsv(write("l.csv", semi(await readFile(`${FIX}/mid-long.csv`, "utf8"))), matrix);
    expect(long[0]!.hash).toBe((await loadAnswersCsv(`${FIX}/mid-long.csv`, matrix))[0]!.hash);
    const stray = write("s.csv", semi(wide).replace(/;\r\n$/, ";oops\r\n"));
    await expect(loadAnswersCsv(stray, matrix)).rejects.toThrow(
      /s\.csv:3: column \d+ has no name in the header but holds "oops"/,
    );
  });

  it("an unknown question in a long CSV names its row", async () => {
    const file = write("l.csv", "candidate,workflow,question,answer\nA,mini,q_bounded,3\nA,mini,q_bunded,4\n");
    await expect(loadAnswersCsv(file, matrix)).rejects.toThrow(
      `${file}:3: answers.q_bunded: unknown question id "q_bunded" (did you mean "q_bounded"?)`,
    );
  });

  it("a CSV without the candidate column is rejected at its header", async () => {
    const file = write("n.csv", "name,workflow,q_bounded\nA,mini,3\n");
    await expect(loadAnswersCsv(file, matrix)).rejects.toThrow(`${file}:1: header: missing column "candidate"`);
  });
});

describe("answer file loading", () => {
  it("rejects files that are neither YAML nor CSV, and files that do not exist", async () => {
    await expect(loadAnswerFiles(["README.md"], matrix)).rejects.toThrow(
      "README.md: answers must be .yaml, .yml or .csv",
    );
    await expect(loadAnswerFiles(["nope.yaml"], matrix)).rejects.toThrow("nope.yaml: no such file");
  });

  it("rejects the same candidate answered twice in one scoring", async () => {
    await expect(loadAnswerFiles([`${FIX}/mid.yaml`, `${FIX}/mid-long.csv`], matrix)).rejects.toThrow(
      `${FIX}/mid-long.csv: workflow mini-triage is also answered in ${FIX}/mid.yaml; score one answer sheet per workflow at a time`,
    );
  });

  it("rejects a second sheet for the same workflow under another candidate name: the gate would read either", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-answers-"));
    const other = join(dir, "other-name.yaml");
    writeFileSync(other, readFileSync(`${FIX}/mid.yaml`, "utf8").replace(/candidate: .*/, "candidate: Mid v3"));
    await expect(loadAnswerFiles([`${FIX}/mid.yaml`, other], matrix)).rejects.toThrow(
      `${other}: workflow mini-triage is also answered in ${FIX}/mid.yaml (as "Mid candidate")`,
    );
  });
});
