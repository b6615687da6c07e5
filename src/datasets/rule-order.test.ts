import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MINI_CASES, warningsAfter } from "../../test/helpers/workflow-checks.js";
import type { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { RuleOrderCounter } from "./rule-order.js";
import { validateDataset } from "./validate.js";

const MINI_WF = readFileSync("test/fixtures/mini/workflow.yaml", "utf8");
const MINI = MINI_CASES;

/** The mini workflow with these rules after its own, written to a file so warnings carry real lines. */
function miniWith(rules: string): { file: string; line: (id: string) => number } {
  const text = MINI_WF.replace("default_decision:", `${rules}default_decision:`);
  const file = join(mkdtempSync(join(tmpdir(), "soceval-rule-order-")), "workflow.yaml");
  writeFileSync(file, text);
  const lines = text.split("\n");
  return { file, line: (id) => lines.findIndex((l) => l.includes(`- id: ${id}`)) + 1 };
}

const warningsOf = (file: string, cases: Case[], whole = true) =>
  warningsAfter(new RuleOrderCounter(loadWorkflow(file)), file, cases, whole);

const rule = (id: string, conditions: string) =>
  `  - id: ${id}\n    description: ${id}\n    when:\n      all:\n${conditions}    verdict: true_positive\n    escalate: true\n    confidence: 0.8\n    actions: [{ action: revoke_sessions, target_entity: account }]\n`;
const MALICIOUS = "        - { source: ti.ip, field: verdict, equals: malicious }\n";
const NEW_DEVICE = "        - { source: idp.signins, field: device_known, equals: false }\n";

describe("decision rules the data shows never decide a case", () => {
  const decidedByFirst = () => {
    // what the mini workflow's one rule decides, as the playbook agent sees it
    const counter = new RuleOrderCounter(loadWorkflow("test/fixtures/mini/workflow.yaml"));
    for (const c of MINI) counter.add(c);
    return counter;
  };

  it("a later rule that only matches cases an earlier one takes is shadowed, with the rule and the count", () => {
    const { file, line } = miniWith(rule("same-again", MALICIOUS + NEW_DEVICE));
    const [w, ...rest] = warningsOf(file, MINI);
    expect(rest).toEqual([]);
    expect(w).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${line("same-again")}: decision_rules\\[1\\]: rule same-again matches (\\d+) cases in cases.jsonl but decides none: decision rules are first-match and it is shadowed by rule bad-ip-and-new-device on \\1 cases \\(warning\\)$`,
      ),
    );
    expect(decidedByFirst().warnings("w", "d")).toEqual([]);
  });

  it("a rule no case matches says so; a later rule that decides even one case is not warned of", () => {
    const { file, line } = miniWith(
      rule("never", "        - { source: ti.ip, field: verdict, equals: no-such-verdict }\n") +
        rule("wider", MALICIOUS),
    );
    const malicious = MINI.filter((c) =>
      c.evidence.some((e) => e.source === "ti.ip" && (e.data as { verdict?: string }).verdict === "malicious"),
    );
    const newDevice = (c: Case) =>
      c.evidence.some(
        (e) => e.source === "idp.signins" && (e.data as { device_known?: boolean }).device_known === false,
      );
    // the test means something only if the data has a malicious IP beside a known device
    expect(malicious.some((c) => !newDevice(c))).toBe(true);
    expect(warningsOf(file, MINI)).toEqual([
      `${file}:${line("never")}: decision_rules[1]: rule never matches no case in cases.jsonl, so it decides none (warning)`,
    ]);
    // a sample (run's and gate's first cases) may just not reach a rare rule's cases: not said there
    expect(warningsOf(file, MINI, false)).toEqual([]);
  });

  it("follows the agent: a source a case has unavailable gives its rule nothing; other workflows' cases are not counted", () => {
    const { file } = miniWith("");
    const down = MINI.map((c) => ({ ...c, unavailable: ["ti.ip"] }));
    expect(warningsOf(file, down)).toEqual([
      `${file}:57: decision_rules[0]: rule bad-ip-and-new-device matches no case in cases.jsonl, so it decides none (warning)`,
    ]);
    expect(
      warningsOf(
        file,
        MINI.map((c) => ({ ...c, workflow: "other" })),
      ),
    ).toEqual([]);
  });

  it("the bundled identity workflow, with spray_legacy_success as it was, shadows spray_attempt", async () => {
    const bundled = readFileSync("suites/identity-suspicious-login/workflow.yaml", "utf8");
    const narrowing =
      "        - { source: saas.audit, field: client, in: [IMAP4, POP3, Authenticated SMTP, Other clients] }\n";
    expect(bundled).toContain(narrowing);
    const dir = mkdtempSync(join(tmpdir(), "soceval-rule-order-"));
    const file = join(dir, "workflow.yaml");
    writeFileSync(file, bundled.replace(narrowing, ""));
    const line = bundled.replace(narrowing, "").split("\n").indexOf("  - id: spray_attempt") + 1;
    const s = await validateDataset("datasets/identity-suspicious-login/cases.jsonl", () => {}, {
      workflow: loadWorkflow(file),
      workflowFile: file,
    });
    expect(s.workflowWarnings).toEqual([
      `${file}:${line}: decision_rules[4]: rule spray_attempt matches 14 cases in datasets/identity-suspicious-login/cases.jsonl but decides none: decision rules are first-match and it is shadowed by rule spray_legacy_success on 14 cases (warning)`,
    ]);
  });

  it.each(["phishing-triage", "endpoint-investigation", "identity-suspicious-login", "cloud-alert-enrichment"])(
    "bundled %s validates against its data with no workflow warning",
    async (wf) => {
      const file = `suites/${wf}/workflow.yaml`;
      const s = await validateDataset(`datasets/${wf}/cases.jsonl`, () => {}, {
        workflow: loadWorkflow(file),
        workflowFile: file,
      });
      expect(s.workflowWarnings).toEqual([]);
    },
  );
});
