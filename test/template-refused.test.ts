import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

// a broken prompt template is refused when its agent loads: exit 2, the .hbs file and line, no store
const dir = mkdtempSync(join(tmpdir(), "soceval-template-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
mkdirSync(join(dir, "prompts"));

const HEAD = "name: x\nworkflow: workflow.yaml\ndataset: cases.jsonl\n";

describe("soceval run refuses a prompt template it would only fail on (or silently blank) while cases run", () => {
  const cases = [
    [
      "parse",
      "Alert: {{alert_json}}\nTools:\n{{#each tools}- {{name}}\n{{/each}}",
      3,
      "template: parse error: expecting",
    ],
    ["helper", "{{shout workflow.name}}\n{{alert_json}}", 1, 'template: unknown helper "shout"'],
    [
      "helper-in-each",
      "{{alert_json}}\n{{#each alert.entities}}{{shout this}}{{/each}}",
      2,
      'template: unknown helper "shout"',
    ],
    ["variable", "{{alert_json}}\nOwner:\n{{workflow.ownr}}", 3, 'template: unknown variable "workflow.ownr"'],
    ["no-alert", "Triage {{workflow.name}}.", 1, "template: the prompt never includes the alert ({{alert_json}})"],
    ["empty", "", 1, "template: the file is empty: the prompt never includes the alert"],
  ] as const;

  for (const [name, text, line, message] of cases)
    it(`${name}: exit 2 naming ${name}.hbs:${line}, and no file at --db`, async () => {
      writeFileSync(join(dir, "prompts", `${name}.hbs`), text);
      writeFileSync(
        join(dir, "agents", `${name}.yaml`),
        `name: llm-${name}\nprovider: openai-compatible\nmodel: m\nbase_url: http://127.0.0.1:9/v1\nprompt: ../prompts/${name}.hbs\nprice: { input_per_mtok: 0, output_per_mtok: 0 }\n`,
      );
      // the template is checked even when only the playbook agent is asked for: the suite loads every agent
      writeFileSync(join(dir, `${name}.suite.yaml`), `${HEAD}agents: [agents/playbook.yaml, agents/${name}.yaml]\n`);
      for (const agent of [`llm-${name}`, "playbook"]) {
        const db = join(dir, `fresh-${name}-${agent}`, "s.duckdb");
        const r = await soceval(["run", `${name}.suite.yaml`, "--agent", agent, "--db", db, "--quiet"], dir);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toContain(`${join(dir, "prompts", `${name}.hbs`)}:${line}: ${message}`);
        expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
        expect(existsSync(join(dir, `fresh-${name}-${agent}`))).toBe(false);
      }
    });

  it("the fixture's own prompt still runs", async () => {
    const db = join(dir, "ok.duckdb");
    const r = await soceval(["run", "suite.yaml", "--db", db, "--quiet", "--limit", "2"], dir);
    expect(r.status, r.stderr).toBe(0);
  });
});
