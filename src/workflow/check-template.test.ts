import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATE } from "../providers/prompt.js";
import { checkPromptTemplate, promptContextShape, templateProblem } from "./check-template.js";
import { loadSuite, loadWorkflow } from "./load.js";

const mini = loadWorkflow(resolve("test/fixtures/mini/workflow.yaml"));
const ctx = promptContextShape({ tools: "all" }, mini);
const problem = (text: string) => templateProblem(text, ctx);
/** A template that is fine but for `bit`: the alert is included, so only `bit` can be refused. */
const withAlert = (bit: string) => problem(`${bit}\n{{alert_json}}`);

describe("templateProblem: what a prompt template may not do", () => {
  it("passes the built-in default, every bundled suite's prompt and the test fixture's", () => {
    expect(problem(DEFAULT_TEMPLATE)).toBeUndefined();
    for (const suite of readdirSync("suites")) {
      const ls = loadSuite(resolve("suites", suite, "shadow.suite.yaml"));
      const prompted = ls.agents.filter((a) => a.promptText !== undefined);
      expect(prompted.length, suite).toBeGreaterThan(0);
      for (const a of prompted)
        expect(templateProblem(a.promptText!, promptContextShape(a, ls.workflow))).toBeUndefined();
      expect(templateProblem(DEFAULT_TEMPLATE, promptContextShape({ tools: "all" }, ls.workflow))).toBeUndefined();
    }
    expect(problem(readFileSync("test/fixtures/mini/prompt.hbs", "utf8"))).toBeUndefined();
  });

  it("a parse error: one line, with the line Handlebars reports", () => {
    const p = problem("line one\n{{alert_json}}\n{{#each tools}- {{name}}\n{{/each}}");
    expect(p?.line).toBe(3);
    expect(p?.message).toMatch(
      /^parse error: expecting 'CLOSE_RAW_BLOCK', 'CLOSE', 'CLOSE_UNESCAPED', …, got 'INVALID'/,
    );
    expect(p?.message).not.toContain("\n");
    expect(problem("{{alert_json}}\n{{#each tools}}\n{{name}}")).toMatchObject({ line: 3, message: /got 'EOF'/ });
    expect(problem("{{alert_json}}\n{{#each tools}}\n{{/if}}")).toEqual({
      line: 2,
      message: "parse error: each doesn't match if",
    });
    expect(problem("{{alert_json}} {{!-- open")?.message).toMatch(/^lexical error/);
  });

  it("an unknown helper, with its line and the helpers there are", () => {
    expect(withAlert("x\n{{shout workflow.name}}")).toEqual({
      line: 2,
      message: 'unknown helper "shout" (helpers: each, if, unless, log, lookup, with)',
    });
    expect(withAlert("{{#each alert.entities}}{{shout this}}{{/each}}")?.message).toMatch(/^unknown helper "shout"/);
    expect(withAlert("{{#iff workflow.name}}x{{/iff}}")?.message).toMatch(/^unknown helper "iff"/);
    expect(withAlert("{{#eachh}}x{{/eachh}}")?.message).toMatch(/^unknown helper "eachh"/);
    expect(withAlert("{{x (shout 1)}}")?.message).toMatch(/^unknown helper "x"/);
    expect(withAlert("{{lookup tools (shout 1)}}")?.message).toMatch(/^unknown helper "shout"/);
    expect(withAlert("{{workflow.name key=1}}")?.message).toMatch(/^unknown helper "workflow.name"/);
    // the built-ins as Handlebars would throw on them at render time
    expect(withAlert("{{if workflow.name}}")?.message).toBe('"if" is a block helper: write {{#if …}}…{{/if}}');
    expect(withAlert("{{#each}}x{{/each}}")?.message).toBe("{{#each}} takes exactly one argument (found 0)");
    expect(withAlert("{{#with workflow tools}}x{{/with}}")?.message).toBe(
      "{{#with}} takes exactly one argument (found 2)",
    );
    expect(withAlert("{{lookup tools}}")?.message).toMatch(/lookup" takes two arguments/);
    expect(withAlert("{{> header}}")?.message).toMatch(/^unknown partial "header"/);
  });

  it("an unknown variable, with its line and what the context has there", () => {
    expect(withAlert("a\nb\n{{workflow.ownr}}")).toEqual({
      line: 3,
      message: 'unknown variable "workflow.ownr" (workflow has: id, name, description, owner, version)',
    });
    expect(withAlert("{{alrt_json}}")?.message).toBe(
      'unknown variable "alrt_json" (the prompt has: workflow, alert, alert_json, tools, actions, approval_policy, ' +
        "negative_playbook, playbook, output_schema, submit_tool)",
    );
    expect(withAlert("{{alert.titel}}")?.message).toMatch(/^unknown variable "alert.titel" \(alert has: title, rule,/);
    expect(withAlert("{{approval_policy.by_risk.hihg}}")?.message).toMatch(/by_risk has: low, medium, high/);
    expect(withAlert("{{tools.name}}")?.message).toMatch(/tools is a list \(use \{\{#each tools\}\}\)/);
    // a playbook step's tool is its name, not an object: Handlebars renders tool.name as nothing
    expect(withAlert("{{#each playbook}}{{tool.name}}{{/each}}")?.message).toBe(
      'unknown variable "tool.name": tool is a single value (text, a number or a flag) with no field "name"',
    );
    expect(withAlert("{{alert.severity.level}}")?.message).toMatch(/alert\.severity is a single value/);
  });

  it("an object or a list printed whole: Handlebars writes [object Object]", () => {
    // {{alert}} also counted as including the alert, so the model got none and nothing said so
    expect(problem("<alert>\n{{alert}}\n</alert>")).toEqual({
      line: 2,
      message:
        '"{{alert}}" is an object and renders as [object Object]: write {{alert_json}} for the whole alert, or one field ({{alert.title}})',
    });
    expect(withAlert("{{workflow}}")?.message).toBe(
      '"{{workflow}}" is an object and renders as [object Object]: write one of its fields ({{workflow.id}})',
    );
    expect(withAlert("{{tools}}")?.message).toBe(
      '"{{tools}}" is a list and renders as [object Object]: go through it with {{#each tools}}…{{/each}}',
    );
    expect(withAlert("{{#each tools}}{{this}}{{/each}}")?.message).toBe(
      '"{{this}}" is an object and renders as [object Object]: write one of its fields ({{name}})',
    );
    expect(withAlert("{{{alert.entities}}}")?.message).toMatch(/is a list and renders as \[object Object\]/);
    // a value, a helper's result and alert.raw (free-form: often text) still print
    expect(
      withAlert("{{#each approval_policy.by_risk}}{{this}}{{/each}} {{lookup tools 0}} {{alert.raw}}"),
    ).toBeUndefined();
    expect(withAlert("{{workflow.constructor}}")?.message).toMatch(/^unknown variable "workflow.constructor"/);
    expect(withAlert("{{#if tools}}{{else if alert.severty}}x{{/if}}")?.message).toMatch(/"alert.severty"/);
    expect(withAlert("{{#with workflow}}{{ownr}}{{/with}}")?.message).toMatch(
      /^unknown variable "ownr" \(inside \{\{#with workflow\}\} it has: id, name/,
    );
    // inside #each the context is the item: a top-level name there renders empty in Handlebars
    expect(withAlert("{{#each tools}}{{nam}}{{/each}}")?.message).toBe(
      'unknown variable "nam" (inside {{#each tools}} it has: name, description, source, scope)',
    );
    expect(withAlert("{{#each tools}}{{workflow.name}}{{/each}}")?.message).toMatch(
      /the prompt's own is @root\.workflow\.name/,
    );
    expect(withAlert("{{@index}}")?.message).toBe('"@index" is only set inside {{#each}}');
    expect(withAlert("{{@indx}}")?.message).toMatch(/^unknown data variable "@indx"/);
    expect(withAlert("{{../workflow}}")?.message).toBe('"../workflow" goes above the top of the template');
  });

  it("accepts what Handlebars resolves: this, ../, @root, @index, @key, block params, sections, alert.raw", () => {
    for (const ok of [
      "{{#each tools}}{{@index}} {{this.name}} {{name}} {{../workflow.name}} {{@root.submit_tool}}{{/each}}",
      "{{#each tools as |t i|}}{{#each ../actions}}{{t.name}} {{i}} {{id}} {{@first}}{{/each}}{{/each}}",
      "{{#each approval_policy.by_risk}}{{@key}}={{this}}{{/each}}",
      "{{#each tools}}{{#if scope}}{{@index}} {{../workflow.id}}{{else}}{{description}}{{/if}}{{/each}}",
      "{{#with workflow as |w|}}{{owner}} {{w.name}} {{../submit_tool}}{{/with}}",
      "{{#workflow}}{{name}}{{/workflow}}{{#tools}}{{scope}}{{/tools}}{{^playbook}}no steps{{/playbook}}",
      "{{alert.raw.message.anything.deep}} {{#each alert.entities}}{{type}}={{value}}{{/each}}",
      "{{tools.length}} {{lookup tools 0}} {{log workflow.name}} {{#each (lookup approval_policy 'raise')}}{{/each}}",
      '{{#*inline "row"}}- {{whatever}}{{/inline}}{{#each tools}}{{> row}}{{/each}}',
      "{{{workflow.name}}} {{!-- a comment --}} {{! another }}",
      "{{workflow.name.length}} {{#each tools}}{{description.length}}{{/each}}",
    ])
      expect(withAlert(ok), ok).toBeUndefined();
  });

  it("a template that never includes the alert, and an empty one, are refused", () => {
    const why = "the prompt never includes the alert ({{alert_json}}): the model would triage without it";
    expect(problem("Triage {{workflow.name}} with {{#each tools}}{{name}}{{/each}}.")).toEqual({
      line: 1,
      message: why,
    });
    expect(problem("")).toEqual({ line: 1, message: `the file is empty: ${why}` });
    expect(problem(" \n\n")).toEqual({ line: 1, message: `the file is empty: ${why}` });
    // a reference anywhere counts: the JSON, the alert or one of its fields, also through @root or #with
    for (const ok of [
      "{{alert_json}}",
      "{{alert.title}}",
      "{{#each tools}}{{@root.alert_json}}{{/each}}",
      "{{#with alert}}{{title}}{{/with}}",
    ])
      expect(problem(ok), ok).toBeUndefined();
    // not a tool's field that happens to be named alert
    expect(problem("{{#with workflow}}{{#if alert}}{{/if}}{{/with}}")?.message).toMatch(/unknown variable "alert"/);
  });
});

describe("checkPromptTemplate", () => {
  it("throws an InputError naming the template file and the line", () => {
    const file = join("suites", "x", "prompts", "triage.hbs");
    expect(() => checkPromptTemplate("{{alert_json}}\n{{workflow.ownr}}", file, { tools: "all" }, mini)).toThrow(
      expect.objectContaining({
        name: "InputError",
        message: `${file}:2: template: unknown variable "workflow.ownr" (workflow has: id, name, description, owner, version)`,
        file,
        line: 2,
      }),
    );
  });

  it("knows a tool item's fields from the tools in the agent's scope", () => {
    const scoped = promptContextShape({ tools: ["get_signins"] }, mini);
    expect(templateProblem("{{#each tools}}{{name}}{{/each}}{{alert_json}}", scoped)).toBeUndefined();
    expect(templateProblem("{{#each tools}}{{nme}}{{/each}}{{alert_json}}", scoped)?.message).toMatch(/"nme"/);
  });
});
