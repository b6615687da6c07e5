import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPrompt } from "../providers/prompt.js";
import { Case } from "../schema/index.js";
import { loadAgent, loadSuite, loadWorkflow } from "./load.js";

const MINI = "test/fixtures/mini";
const wf = loadWorkflow(join(MINI, "workflow.yaml"));
const prompt = readFileSync(join(MINI, "prompt.hbs"));

/** The mini gpt agent reading a prompt of these bytes, from a folder of its own. */
function agentWith(bytes: Buffer) {
  const dir = mkdtempSync(join(tmpdir(), "soceval-prompt-"));
  copyFileSync(join(MINI, "agents", "gpt.yaml"), join(dir, "gpt.yaml"));
  writeFileSync(join(dir, "prompt.hbs"), bytes);
  const text = readFileSync(join(dir, "gpt.yaml"), "utf8").replace(/prompt: .*/, "prompt: prompt.hbs");
  writeFileSync(join(dir, "gpt.yaml"), text);
  return () => loadAgent(join(dir, "gpt.yaml"), wf);
}

describe("an agent's prompt template file", () => {
  it("is refused, naming its line, when a byte is not UTF-8 (the model would read U+FFFD)", () => {
    const latin1 = Buffer.concat([prompt, Buffer.from("Analyst: Jos\xe9\n", "latin1")]);
    const lines = prompt.toString("utf8").split("\n").length;
    expect(agentWith(latin1)).toThrow(new RegExp(`prompt\\.hbs:${lines}: not UTF-8 text`));
  });

  it("saved with a byte-order mark is the same prompt, with the same agent hash", () => {
    const plain = agentWith(prompt)();
    const bom = agentWith(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), prompt]))();
    expect(bom.promptText).toBe(plain.promptText);
    expect(bom.hash).toBe(plain.hash);
  });

  it("saved with Windows line endings (CRLF) is the same prompt: same agent hash, and the model reads LF", () => {
    const plain = agentWith(prompt)();
    const crlf = agentWith(Buffer.from(prompt.toString("utf8").replace(/\n/g, "\r\n")))();
    const bomCrlf = agentWith(Buffer.from(`\uFEFF${prompt.toString("utf8").replace(/\n/g, "\r\n")}`))();
    expect(prompt.includes("\n")).toBe(true);
    expect(crlf.promptText).toBe(plain.promptText);
    expect(crlf.hash).toBe(plain.hash);
    expect(bomCrlf.hash).toBe(plain.hash);
    const alert = Case.parse(JSON.parse(readFileSync(join(MINI, "cases.jsonl"), "utf8").split("\n")[0]!)).alert;
    const system = renderPrompt(crlf, wf, alert);
    expect(system).toBe(renderPrompt(plain, wf, alert));
    expect(system).not.toContain("\r");
  });

  it("with LF line endings keeps the hash stored runs, baselines and recordings were made with", () => {
    // the mini suite's model agent, as every soceval before line endings were normalized hashed it
    const gpt = loadSuite(join(MINI, "suite.yaml")).agents.find((a) => a.name === "gpt-test")!;
    expect(gpt.promptText).toBe(prompt.toString("utf8"));
    expect(gpt.hash).toBe("ed7a5b5714d8cf77");
  });
});
