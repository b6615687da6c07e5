import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { loadAnswersYaml } from "./answers.js";
import { loadMatrix } from "./matrix.js";
import { askQuestionnaire } from "./questionnaire.js";
import { scoreCandidate } from "./score.js";

const matrix = loadMatrix("test/fixtures/readiness/matrix.yaml");
const KEY = { enter: "\r", down: "\x1b[B", ctrlC: "\x03" };

/**
 * A pseudo-terminal for the real @inquirer/prompts: keys go in through a stream, the rendered
 * screen comes out through another, and the test answers each question once it is on screen.
 */
class Terminal {
  readonly input = new PassThrough();
  private screen = "";
  private seen = 0;
  private waiters: (() => void)[] = [];
  readonly output = new Writable({
    write: (chunk, _enc, done) => {
      this.screen += stripVTControlCharacters(String(chunk));
      for (const w of this.waiters.splice(0)) w();
      done();
    },
  });

  /** Wait until `text` is drawn after what was already answered, then type `keys`. */
  async answer(text: string, keys: string): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const at = this.screen.indexOf(text, this.seen);
      if (at >= 0) {
        this.seen = at + text.length;
        break;
      }
      if (Date.now() > deadline) throw new Error(`"${text}" never appeared; screen:\n${this.screen.slice(-800)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    this.input.write(keys);
  }

  get text(): string {
    return this.screen;
  }
}

const tmpFile = () => join(mkdtempSync(join(tmpdir(), "soceval-ask-")), "answers.yaml");

describe("readiness ask (interactive questionnaire)", () => {
  it("asks every question through the real prompts and writes a valid answer file", async () => {
    const file = tmpFile();
    const term = new Terminal();
    const done = askQuestionnaire({ matrix, file, io: term });
    await term.answer("Candidate use case", `Mini triage${KEY.enter}`);
    await term.answer("Workflow id", KEY.enter); // accept the suggested id
    await term.answer("[1/6] Scope · How bounded is it?", `4${KEY.enter}`); // number key picks level 4
    await term.answer("[2/6] Scope · Are escalation criteria documented?", KEY.enter); // yes
    await term.answer("[3/6] Scope · Is there a runbook?", `${KEY.down}${KEY.enter}`); // no
    await term.answer("[4/6] Fit · Downside if wrong?", `${KEY.down}${KEY.enter}`); // moderate
    await term.answer("[5/6] Fit · How fresh must evidence be?", KEY.enter); // 15m
    await term.answer("[6/6] Fit · How many sources have an API?", `${KEY.down}${KEY.down}${KEY.enter}`); // 3
    const r = await done;

    expect(r.complete).toBe(true);
    expect(r.asked).toBe(6);
    const set = loadAnswersYaml(file, matrix);
    expect(set.candidate).toBe("Mini triage");
    expect(set.workflow).toBe("mini-triage");
    expect(set.answers).toEqual({
      q_bounded: 4,
      q_escalation: "yes",
      q_runbook: "no",
      q_downside: "moderate",
      q_fresh: "15m",
      q_api: 3,
    });
    // the file reads like the questionnaire: each answer under its question
    expect(readFileSync(file, "utf8")).toContain("  # Is there a runbook?\n  q_runbook: no\n");
    expect(scoreCandidate(matrix, set).overall).toBeGreaterThan(0);
  });

  it("saves every answer as it goes, so Ctrl-C loses nothing, and resumes where it stopped", async () => {
    const file = tmpFile();
    const first = new Terminal();
    const interrupted = askQuestionnaire({ matrix, file, workflow: "mini-triage", io: first });
    await first.answer("Candidate use case", `Resumed${KEY.enter}`);
    await first.answer("[1/6]", `2${KEY.enter}`);
    await first.answer("[2/6]", `${KEY.down}${KEY.enter}`); // escalation: no
    await first.answer("[3/6]", KEY.ctrlC);
    const r1 = await interrupted;
    expect(r1).toMatchObject({ complete: false, asked: 2, remaining: 4 });
    expect(first.text).not.toContain("Workflow id"); // given by --workflow
    const saved = readFileSync(file, "utf8");
    expect(saved).toContain("q_bounded: 2");
    expect(saved).toContain("q_escalation: no");
    expect(saved).not.toContain("q_runbook");

    const second = new Terminal();
    const resumed = askQuestionnaire({ matrix, file, io: second });
    await second.answer("[3/6] Scope · Is there a runbook?", KEY.enter);
    await second.answer("[4/6]", KEY.enter);
    await second.answer("[5/6]", `${KEY.down}${KEY.enter}`);
    await second.answer("[6/6]", `5${KEY.enter}`);
    const r2 = await resumed;
    expect(r2).toMatchObject({ complete: true, asked: 4, remaining: 0 });
    // answered questions and the header were not asked again
    expect(second.text).not.toContain("How bounded is it?");
    expect(second.text).not.toContain("Candidate use case");
    const set = loadAnswersYaml(file, matrix);
    expect(set.answers).toEqual({
      q_bounded: 2,
      q_escalation: "no",
      q_runbook: "yes",
      q_downside: "low",
      q_fresh: "1h",
      q_api: 5,
    });
    expect(scoreCandidate(matrix, set).blocked).toBe(true);
  });

  it("refuses to resume a file that answers another workflow, before asking anything", async () => {
    const file = tmpFile();
    writeFileSync(file, "candidate: X\nworkflow: other-flow\nanswers:\n  q_bounded: 2\n");
    await expect(askQuestionnaire({ matrix, file, workflow: "mini-triage", io: new Terminal() })).rejects.toThrow(
      `${file}: workflow: the file answers "other-flow", not "mini-triage"`,
    );
    expect(existsSync(file)).toBe(true);
  });
});
