import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editedMini, refusal } from "../../test/helpers/mini-workflow.js";
import type { Fault } from "../schema/index.js";
import { checkFaults } from "./check-names.js";
import { loadWorkflow } from "./load.js";

const edited = (from: string, to: string) => editedMini([from, to]);
const dir = mkdtempSync(join(tmpdir(), "soceval-check-names-"));
let n = 0;

describe("a workflow declares each name once", () => {
  it("the mini fixture loads as it is", () => {
    expect(() => loadWorkflow("test/fixtures/mini/workflow.yaml")).not.toThrow();
  });

  it("a second tool of one name, naming the first and its line", () => {
    const file = edited("  - name: get_ip_reputation", "  - name: get_signins");
    expect(refusal(file)).toBe(':19: tools[1].name: "get_signins" is already declared (tools[0], line 8)');
  });

  it("a second tool of one name is named, not the playbook step that no longer finds the renamed one", () => {
    // the playbook still calls get_ip_reputation, which is gone: the duplicate is the mistake to report
    const file = edited("  - name: disable_account", "  - name: get_ip_reputation");
    expect(refusal(file)).toBe(':28: tools[2].name: "get_ip_reputation" is already declared (tools[1], line 19)');
  });

  it("a second action of one id", () => {
    const file = edited("{ id: revoke_sessions,", "{ id: add_case_note,");
    expect(refusal(file)).toBe(':37: actions[1].id: "add_case_note" is already declared (actions[0], line 36)');
  });

  it("a second decision rule of one id, and a default decision with a rule's id", () => {
    const twoRules = edited(
      "default_decision:",
      [
        "  - id: bad-ip-and-new-device",
        "    description: again",
        "    when: { any: [{ source: ti.ip, exists: true }] }",
        "    verdict: true_positive",
        "    escalate: true",
        "    confidence: 0.5",
        "default_decision:",
      ].join("\n"),
    );
    expect(refusal(twoRules)).toBe(
      ':67: decision_rules[1].id: "bad-ip-and-new-device" is already declared (decision_rules[0], line 57)',
    );
    const dflt = edited("  id: default\n", "  id: bad-ip-and-new-device\n");
    expect(refusal(dflt)).toBe(
      ':68: default_decision.id: "bad-ip-and-new-device" is already declared (decision_rules[0], line 57)',
    );
  });

  it("a second human-only condition, forbidden action or insufficient-alone source of one key", () => {
    const human = edited(
      "\nplaybook:\n",
      '\n    - { id: privileged, description: again, when: { any: [{ entity: account, matches: "^root" }] } }\nplaybook:\n',
    );
    expect(refusal(human)).toBe(
      ':53: negative_playbook.human_only[1].id: "privileged" is already declared (negative_playbook.human_only[0], line 50)',
    );
    const forbidden = edited(
      "  insufficient_alone:",
      "    - { action: delete_account, reason: again }\n  insufficient_alone:",
    );
    expect(refusal(forbidden)).toBe(
      ':47: negative_playbook.forbidden_actions[1].action: "delete_account" is already listed (negative_playbook.forbidden_actions[0], line 46)',
    );
    const alone = edited("  human_only:", "    - { source: ti.ip, reason: again }\n  human_only:");
    expect(refusal(alone)).toBe(
      ':49: negative_playbook.insufficient_alone[1].source: "ti.ip" is already listed (negative_playbook.insufficient_alone[0], line 48)',
    );
  });

  it("the same name in two different lists is fine (an action may share its respond tool's name)", () => {
    // disable_account is both a tool and an action id in the fixture already
    expect(() => loadWorkflow(edited("  - id: privileged", "  - id: add_case_note"))).not.toThrow();
  });
});

describe("a suite's faults can each fire, and each counts", () => {
  const wf = loadWorkflow("test/fixtures/mini/workflow.yaml");
  /** checkFaults over these faults, written to a suite file (it reads the file only for lines). */
  function faults(...list: Fault[]): () => void {
    const file = join(dir, `s${n++}.suite.yaml`);
    const lines = list.map((f) => `  - { tool: ${f.tool}, kind: ${f.kind}, rate: ${f.rate} }\n`).join("");
    writeFileSync(file, `name: x\nworkflow: w.yaml\ndataset: c.jsonl\nagents: [a.yaml]\nfaults:\n${lines}`);
    return () => checkFaults(list, wf, file);
  }

  it("different kinds on one tool, and one kind on different tools, are fine", () => {
    expect(
      faults(
        { tool: "get_signins", kind: "timeout", rate: 0.1 },
        { tool: "get_signins", kind: "error", rate: 0.1 },
        { tool: "get_ip_reputation", kind: "timeout", rate: 0.1 },
      ),
    ).not.toThrow();
  });

  it("a second fault of one kind on one tool, naming the first", () => {
    expect(
      faults(
        { tool: "get_signins", kind: "timeout", rate: 0.1 },
        { tool: "get_ip_reputation", kind: "error", rate: 0.1 },
        { tool: "get_signins", kind: "timeout", rate: 0.3 },
      ),
    ).toThrow(
      /\.suite\.yaml:8: faults\[2\]: a second timeout fault on get_signins \(faults\[0\], line 6\): the two draw the same numbers, so only the larger rate would count/,
    );
  });

  it("kinds on one tool whose rates add up to more than every call", () => {
    expect(
      faults(
        { tool: "get_signins", kind: "timeout", rate: 0.6 },
        { tool: "get_ip_reputation", kind: "error", rate: 0.9 },
        { tool: "get_signins", kind: "error", rate: 0.5 },
      ),
    ).toThrow(
      /\.suite\.yaml:8: faults\[2\]\.rate: the faults on get_signins add up to a rate of 1\.1: one call fails one way at most/,
    );
    expect(
      faults({ tool: "get_signins", kind: "timeout", rate: 0.5 }, { tool: "get_signins", kind: "error", rate: 0.5 }),
    ).not.toThrow();
  });

  it("a fault on a respond tool, which is never executed", () => {
    expect(faults({ tool: "disable_account", kind: "error", rate: 1 })).toThrow(
      /\.suite\.yaml:6: faults\[0\]\.tool: disable_account is a respond tool: never executed in shadow mode, so the fault can never fire$/,
    );
  });
});
