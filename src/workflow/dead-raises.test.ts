import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deadRaises } from "./dead-raises.js";
import { loadWorkflow } from "./load.js";

const MINI = readFileSync("test/fixtures/mini/workflow.yaml", "utf8");
const RAISES = "    - { reason: irreversible, raise_to: ciso }\n    - { reason: low_confidence, below: 0.6 }\n";

/** The mini workflow with its raises (and, given, its by_risk) replaced, written out so warnings carry real lines. */
function mini(raises: string, byRisk?: string): { warnings: string[]; file: string; line: number } {
  expect(MINI).toContain(RAISES);
  let text = MINI.replace(RAISES, raises);
  if (byRisk) text = text.replace("by_risk: { low: none, medium: analyst, high: lead }", `by_risk: ${byRisk}`);
  const file = join(mkdtempSync(join(tmpdir(), "soceval-raises-")), "workflow.yaml");
  writeFileSync(file, text);
  const line = text.split("\n").findIndex((l) => l.includes("- { reason:")) + 1;
  return { warnings: deadRaises(loadWorkflow(file), file), file, line };
}

describe("approval raises that can change no action's approval", () => {
  it("the mini workflow's raises each raise something: no warning", () => {
    expect(mini(RAISES).warnings).toEqual([]);
  });

  it("irreversible to lead, when its one irreversible action is high risk and high already needs lead", () => {
    const { warnings, file, line } = mini("    - { reason: irreversible, raise_to: lead }\n");
    expect(warnings).toEqual([
      `${file}:${line}: approval_policy.raise[0]: irreversible → lead never raises: every action it applies to already needs as much under by_risk: disable_account (high risk → lead) (warning)`,
    ]);
    // the same raise does raise once high risk needs less
    expect(
      mini("    - { reason: irreversible, raise_to: lead }\n", "{ low: none, medium: analyst, high: analyst }")
        .warnings,
    ).toEqual([]);
  });

  it("one level up raises nothing only when every action it applies to already needs ciso", () => {
    const all = "{ low: ciso, medium: ciso, high: ciso }";
    const { warnings, file, line } = mini("    - { reason: low_confidence }\n", all);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${line}: approval_policy.raise\\[0\\]: low_confidence → one level up never raises`,
      ),
    );
    expect(mini("    - { reason: low_confidence }\n", "{ low: lead, medium: ciso, high: ciso }").warnings).toEqual([]);
  });

  it("the bundled identity workflow raises nothing dead, and its irreversible action still needs lead", () => {
    const file = "suites/identity-suspicious-login/workflow.yaml";
    const wf = loadWorkflow(file);
    expect(deadRaises(wf, file)).toEqual([]);
    const reset = wf.actions.find((a) => a.id === "force_password_reset")!;
    expect([reset.reversible, wf.approval_policy.by_risk[reset.risk]]).toEqual([false, "lead"]);
  });
});
