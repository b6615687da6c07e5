import Handlebars from "handlebars";
import { z } from "zod";
import { InputError } from "../io/errors.js";
import { precompilePrompt, promptContext, promptHelperNames } from "../providers/prompt.js";
import { type AgentConfig, Alert, type Workflow } from "../schema/index.js";

type Program = ReturnType<typeof Handlebars.parse>;
type Path = { type: "PathExpression"; data: boolean; depth: number; parts: string[]; original: string };
type Expr = { type: string; loc: Program["loc"] } & Partial<Omit<Path, "type">> & {
    path?: Expr;
    params?: Expr[];
    hash?: { pairs: { value: Expr }[] };
    value?: unknown;
  };
type Block = Expr & { program?: Program; inverse?: Program; name?: Expr };

/**
 * What a template can read at a path: an object with a closed set of keys, a list of items, a scalar
 * (string, number, …), or anything (not known here: nothing past it is checked).
 */
export type Shape =
  | { kind: "object"; keys: Map<string, Shape> }
  | { kind: "list"; item: Shape }
  | { kind: "value" }
  | { kind: "any" };

const ANY: Shape = { kind: "any" };
const VALUE: Shape = { kind: "value" };

function merge(a: Shape, b: Shape): Shape {
  if (a.kind === "object" && b.kind === "object") {
    const keys = new Map(a.keys);
    for (const [k, s] of b.keys) keys.set(k, keys.has(k) ? merge(keys.get(k)!, s) : s);
    return { kind: "object", keys };
  }
  if (a.kind === "list" && b.kind === "list") return { kind: "list", item: merge(a.item, b.item) };
  return a.kind === b.kind ? a : ANY;
}

/** The shape of a value built by promptContext: its own keys, and a list's items merged (an empty list: any). */
function shapeOf(v: unknown): Shape {
  if (Array.isArray(v))
    return {
      kind: "list",
      item: v.map(shapeOf).reduce<Shape | undefined>((a, b) => (a ? merge(a, b) : b), undefined) ?? ANY,
    };
  if (v !== null && typeof v === "object")
    return { kind: "object", keys: new Map(Object.entries(v).map(([k, x]) => [k, shapeOf(x)])) };
  return VALUE;
}

/** The shape a zod schema accepts: objects keep their declared keys (optional ones too). */
function shapeOfSchema(s: z.ZodType): Shape {
  if (s instanceof z.ZodObject)
    return {
      kind: "object",
      keys: new Map(Object.entries(s.shape as Record<string, z.ZodType>).map(([k, x]) => [k, shapeOfSchema(x)])),
    };
  if (s instanceof z.ZodArray) return { kind: "list", item: shapeOfSchema(s.element as z.ZodType) };
  if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable)
    return shapeOfSchema(s.unwrap() as z.ZodType);
  if (
    s instanceof z.ZodString ||
    s instanceof z.ZodNumber ||
    s instanceof z.ZodBoolean ||
    s instanceof z.ZodEnum ||
    s instanceof z.ZodLiteral
  )
    return VALUE;
  return ANY;
}

/**
 * The context a prompt renders against, for this agent and workflow: built by promptContext itself,
 * so a key added there is known here. The alert differs per case: its shape is the Alert schema's.
 */
export function promptContextShape(agent: Pick<AgentConfig, "tools">, wf: Workflow): Shape {
  // a stand-in alert: promptContext only passes it through and serialises it
  const ctx = shapeOf(promptContext(agent, wf, {} as Alert));
  if (ctx.kind === "object") ctx.keys.set("alert", shapeOfSchema(Alert));
  return ctx;
}

export type TemplateProblem = { line: number; message: string };

class Problem extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const ITERATION_DATA = new Set(["index", "key", "first", "last"]);
/** Helpers that need a block and exactly this many arguments: Handlebars throws at render otherwise. */
const BLOCK_HELPERS: Record<string, number> = { if: 1, unless: 1, with: 1, each: 1 };
const NO_ALERT = "the prompt never includes the alert ({{alert_json}}): the model would triage without it";

/** A parse error from Handlebars, on one line: its line and what it expected. */
function parseProblem(e: unknown): Problem {
  const err = e as { message?: string; lineNumber?: number };
  const text = String(err.message ?? e);
  const lines = text.split("\n");
  const at = /(?:Parse|Lexical) error on line (\d+)/.exec(lines[0] ?? "");
  const line = err.lineNumber ?? (at ? Number(at[1]) : 1);
  if (!at) return new Problem(line, `parse error: ${lines[0]!.replace(/ - \d+:\d+$/, "")}`);
  const near = lines[1]?.trim();
  // "Expecting 'CLOSE_RAW_BLOCK', 'CLOSE', … (15 tokens), got 'INVALID'": the first three say enough
  const expected = /^Expecting (.*), got (.*)$/.exec(lines.slice(3).join(" "));
  const tokens = expected?.[1]?.split(", ") ?? [];
  const what = expected
    ? `expecting ${tokens.slice(0, 3).join(", ")}${tokens.length > 3 ? ", …" : ""}, got ${expected[2]}`
    : lines.slice(3).join(" ");
  const kind = lines[0]!.startsWith("Lexical") ? "lexical error: unrecognized text" : `parse error: ${what}`;
  return new Problem(line, `${kind}${near ? ` near "${near}"` : ""}`);
}

function isPath(e: Expr | undefined): e is Expr & Path {
  return e?.type === "PathExpression";
}

/** `{{name}}`, not `{{this.name}}`, `{{../name}}`, `{{@name}}` or `{{a.b}}`: the only form that can call a helper. */
function simpleName(e: Expr | undefined): string | undefined {
  if (!isPath(e) || e.data || e.depth > 0 || e.parts.length !== 1 || /^(\.|this\b)/.test(e.original)) return undefined;
  return e.parts[0];
}

function list(keys: Iterable<string>): string {
  return [...keys].join(", ") || "nothing";
}

type Scope = { shape: Shape; label: string };

class Checker {
  readonly helpers: Set<string>;
  readonly contexts: Scope[];
  readonly blockParams: Map<string, Shape>[] = [];
  readonly partials = new Set<string>();
  iterating = 0;
  alert = false;

  constructor(root: Shape) {
    this.helpers = new Set(promptHelperNames());
    this.contexts = [{ shape: root, label: "" }];
  }

  fail(node: { loc?: Program["loc"] }, message: string): never {
    throw new Problem(node.loc?.start.line ?? 1, message);
  }

  program(p: Program | undefined, scope?: Scope, params: Shape[] = [], iterating = false): void {
    if (!p) return;
    if (scope) this.contexts.push(scope);
    const names = p.blockParams ?? [];
    if (names.length) this.blockParams.push(new Map(names.map((n, i) => [n, params[i] ?? ANY])));
    if (iterating) this.iterating++;
    for (const n of p.body) this.statement(n as Block);
    if (iterating) this.iterating--;
    if (names.length) this.blockParams.pop();
    if (scope) this.contexts.pop();
  }

  statement(n: Block): void {
    switch (n.type) {
      case "ContentStatement":
      case "CommentStatement":
        return;
      case "MustacheStatement": {
        // Handlebars prints an object or a list as "[object Object]": `{{alert}}` would hand the
        // model no alert at all, while counting as including it
        const shape = this.call(n);
        if (shape.kind === "object" || shape.kind === "list") {
          const what = n.path && isPath(n.path) ? n.path.original : "this";
          const field = shape.kind === "object" ? [...shape.keys.keys()][0] : undefined;
          const own = /^(this|\.)$/.test(what) ? "" : `${what}.`;
          const instead =
            what === "alert"
              ? "write {{alert_json}} for the whole alert, or one field ({{alert.title}})"
              : shape.kind === "list"
                ? `go through it with {{#each ${what}}}…{{/each}}`
                : `write one of its fields (${field === undefined ? "none" : `{{${own}${field}}}`})`;
          this.fail(
            n,
            `"{{${what}}}" is ${shape.kind === "list" ? "a list" : "an object"} and renders as [object Object]: ${instead}`,
          );
        }
        return;
      }
      case "SubExpression":
        this.call(n);
        return;
      case "BlockStatement":
        this.block(n);
        return;
      case "PartialStatement":
      case "PartialBlockStatement": {
        const name = isPath(n.name) ? n.name.original : undefined;
        if (!name || (!this.partials.has(name) && n.type === "PartialStatement"))
          this.fail(n, `unknown partial "${name ?? "(dynamic)"}": prompts have no partials but {{#*inline}} ones`);
        this.args(n);
        this.program(n.program);
        return;
      }
      case "DecoratorBlock": {
        // {{#*inline "name"}}: the body renders wherever {{> name}} is called, so its context is not known here
        if (simpleName(n.path) !== "inline") this.fail(n, `unknown decorator "*${n.path?.original}"`);
        this.program(n.program, { shape: ANY, label: "" });
        return;
      }
      default:
        this.fail(n, `"${n.type}" is not supported in prompts`);
    }
  }

  /** Parameters and hash values: expressions in the current context. */
  args(n: Expr): void {
    for (const p of n.params ?? []) this.expr(p);
    for (const { value } of n.hash?.pairs ?? []) this.expr(value);
  }

  expr(e: Expr): Shape {
    if (e.type === "SubExpression") return this.call(e);
    if (isPath(e)) return this.resolve(e);
    return VALUE;
  }

  /** `{{x}}`, `{{helper a b}}`, `(helper a b)`: a helper call if it has arguments or names a helper. */
  call(n: Expr): Shape {
    const name = simpleName(n.path);
    const hasArgs = (n.params?.length ?? 0) > 0 || (n.hash?.pairs.length ?? 0) > 0;
    if (name && this.helpers.has(name)) {
      if (name in BLOCK_HELPERS) this.fail(n, `"${name}" is a block helper: write {{#${name} …}}…{{/${name}}}`);
      if (name === "lookup" && n.params?.length !== 2)
        this.fail(n, `"lookup" takes two arguments: {{lookup object key}}`);
      this.args(n);
      return ANY;
    }
    if (hasArgs || !n.path || !isPath(n.path))
      this.fail(n, `unknown helper "${n.path?.original ?? String(n.path?.value)}" (helpers: ${list(this.helpers)})`);
    return this.resolve(n.path);
  }

  block(n: Block): void {
    const name = simpleName(n.path);
    const params = n.params ?? [];
    if (name && this.helpers.has(name)) {
      const want = BLOCK_HELPERS[name];
      if (want !== undefined && params.length !== want)
        this.fail(n, `{{#${name}}} takes exactly one argument (found ${params.length})`);
      this.args(n);
      const arg = params[0];
      const shape = arg ? this.expr(arg) : ANY;
      const label = `{{#${name} ${arg && isPath(arg) ? arg.original : "…"}}}`;
      const keepsContext = arg && isPath(arg) && !arg.data && arg.depth === 0 && arg.parts.length === 0;
      if (name === "each") {
        const item = shape.kind === "list" ? shape.item : ANY;
        this.program(n.program, { shape: item, label }, [item, VALUE], true);
      } else if (name === "with") {
        this.program(n.program, keepsContext ? undefined : { shape, label }, [shape]);
      } else if (name === "if" || name === "unless") {
        this.program(n.program);
      } else {
        this.program(n.program, { shape: ANY, label });
      }
      this.program(n.inverse);
      return;
    }
    if (params.length || n.hash?.pairs.length || !isPath(n.path))
      this.fail(n, `unknown helper "${n.path?.original}" (helpers: ${list(this.helpers)})`);
    // {{#name}}…{{/name}} without arguments: a section over the value (a list is iterated)
    let shape: Shape;
    try {
      shape = this.resolve(n.path);
    } catch (e) {
      if (e instanceof Problem && name) this.fail(n, `unknown helper "${name}" (helpers: ${list(this.helpers)})`);
      throw e;
    }
    const label = `{{#${n.path.original}}}`;
    if (shape.kind === "list") this.program(n.program, { shape: shape.item, label }, [], true);
    else this.program(n.program, { shape: shape.kind === "object" ? shape : ANY, label });
    this.program(n.inverse);
  }

  /** What a path reads, failing on a key the context does not have. */
  resolve(p: Path & Expr): Shape {
    let parts = p.parts;
    let atRoot: boolean;
    let where: Scope;
    if (p.data) {
      const [head, ...rest] = parts;
      if (head === "root") {
        where = this.contexts[0]!;
        parts = rest;
        atRoot = true;
      } else if (ITERATION_DATA.has(head ?? "")) {
        if (!this.iterating) this.fail(p, `"@${head}" is only set inside {{#each}}`);
        return VALUE;
      } else return this.fail(p, `unknown data variable "@${head}" (known: @root, @index, @key, @first, @last)`);
    } else {
      const bp = !/^(\.|this\b)/.test(p.original) && parts.length ? this.blockParam(parts[0]!) : undefined;
      if (bp) return this.walk(bp, parts.slice(1), p, { shape: bp, label: `|${parts[0]}|` });
      const at = this.contexts.length - 1 - p.depth;
      if (at < 0) this.fail(p, `"${p.original}" goes above the top of the template`);
      where = this.contexts[at]!;
      atRoot = at === 0;
    }
    if (atRoot && (parts[0] === "alert" || parts[0] === "alert_json")) this.alert = true;
    return this.walk(where.shape, parts, p, where);
  }

  blockParam(name: string): Shape | undefined {
    for (let i = this.blockParams.length - 1; i >= 0; i--) {
      const s = this.blockParams[i]!.get(name);
      if (s) return s;
    }
    return undefined;
  }

  walk(shape: Shape, parts: string[], p: Path & Expr, scope: Scope): Shape {
    let s = shape;
    for (const [i, seg] of parts.entries()) {
      if (s.kind === "any") return ANY;
      const before = parts.slice(0, i).join(".") || "this";
      // Handlebars renders a field of text or a number as nothing; only a string's length is there
      if (s.kind === "value") {
        if (seg === "length") return VALUE;
        this.fail(
          p,
          `unknown variable "${p.original}": ${before} is a single value (text, a number or a flag) with no field "${seg}"`,
        );
      }
      if (s.kind === "list") {
        if (seg === "length") s = VALUE;
        else if (/^\d+$/.test(seg)) s = s.item;
        else this.fail(p, `unknown variable "${p.original}": ${before} is a list (use {{#each ${before}}})`);
        continue;
      }
      const next = s.keys.get(seg);
      if (!next) {
        let has: string;
        if (i > 0) has = `${before} has: ${list(s.keys.keys())}`;
        else if (scope.label === "") has = `the prompt has: ${list(s.keys.keys())}`;
        else {
          has = `inside ${scope.label} it has: ${list(s.keys.keys())}`;
          const root = this.contexts[0]!.shape;
          if (root.kind === "object" && root.keys.has(seg)) has += `; the prompt's own is @root.${p.parts.join(".")}`;
        }
        this.fail(p, `unknown variable "${p.original}" (${has})`);
      }
      s = next;
    }
    return s;
  }
}

/** Inline partials are set up before their program renders, wherever in it they are declared. */
function collectPartials(node: unknown, into: Set<string>): void {
  if (!node || typeof node !== "object") return;
  const n = node as Block;
  if (n.type === "DecoratorBlock" && simpleName(n.path) === "inline") {
    const first = n.params?.[0];
    if (first?.type === "StringLiteral") into.add(String(first.value));
    else if (isPath(first)) into.add(first.original);
  }
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) for (const c of v) collectPartials(c, into);
    else if (v && typeof v === "object" && "type" in v) collectPartials(v, into);
  }
}

/**
 * What is wrong with a prompt template, or nothing: it must parse and compile, call only known
 * helpers, read only variables the context has (`context`), and include the alert somewhere.
 */
export function templateProblem(text: string, context: Shape): TemplateProblem | undefined {
  try {
    let ast: Program;
    try {
      ast = Handlebars.parse(text);
      precompilePrompt(ast);
    } catch (e) {
      throw parseProblem(e);
    }
    if (!text.replace(/^\uFEFF/, "").trim()) return { line: 1, message: `the file is empty: ${NO_ALERT}` };
    const checker = new Checker(context);
    collectPartials(ast, checker.partials);
    checker.program(ast);
    if (!checker.alert) return { line: 1, message: NO_ALERT };
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return { line: e.line, message: e.message };
    throw e;
  }
}

/**
 * A prompt template is checked when its agent loads, before any store is touched: Handlebars would
 * only parse it on the first case, and an unknown variable renders as empty text.
 */
export function checkPromptTemplate(text: string, file: string, agent: Pick<AgentConfig, "tools">, wf: Workflow): void {
  const problem = templateProblem(text, promptContextShape(agent, wf));
  if (problem) throw new InputError(`${file}:${problem.line}: template: ${problem.message}`, file, problem.line);
}
