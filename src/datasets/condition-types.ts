import { fieldError } from "../io/yaml.js";
import type { Case, Condition, Workflow } from "../schema/index.js";
import { getPath } from "../workflow/conditions.js";
import { conditionsOf } from "../workflow/named.js";

type Path = (string | number)[];
type Kind = "string" | "number" | "boolean";
const TYPED = ["equals", "not_equals", "in", "not_in", "gte", "lte"] as const;
type TypedTest = (typeof TYPED)[number];

type Target = {
  at: Path;
  test: TypedTest;
  literal: unknown;
  want: Set<Kind>;
  source?: string;
  path: string;
  /** kinds of the values the dataset holds at the path, and a few of them */
  seen: Set<string>;
  examples: unknown[];
  compatible: boolean;
};

const WORDS: Record<string, string> = { string: "text", number: "a number", boolean: "true/false" };
const words = (kinds: Iterable<string>) => [...kinds].map((k) => WORDS[k] ?? k).join(" or ");

function kindOf(v: unknown): Kind | undefined {
  const t = typeof v;
  return t === "string" || t === "number" || t === "boolean" ? t : undefined;
}

/** The kinds a test's literal can match: the evaluator compares with === (text case aside), and gte/lte need numbers. */
function wanted(test: TypedTest, literal: unknown): Set<Kind> {
  if (test === "gte" || test === "lte") return new Set(["number"]);
  const items = Array.isArray(literal) ? literal : [literal];
  return new Set(items.map(kindOf).filter((k): k is Kind => k !== undefined));
}

/**
 * Conditions whose literal is of another type than every value the dataset holds at their field:
 * `equals: true` against "true" (a CSV export's text), `gte: 500000000` against "500000000". The
 * evaluator compares without converting (src/workflow/conditions.ts), so such a test never holds,
 * and a not_equals or not_in always does, on every case, without a word.
 */
export class ConditionTypeCounter {
  private readonly targets: Target[] = [];

  constructor(private readonly wf: Workflow) {
    for (const [at, c] of conditionsOf(wf)) {
      const path = pathOf(c);
      if (path === undefined) continue;
      for (const test of TYPED) {
        const literal = c[test];
        if (literal === undefined) continue;
        const want = wanted(test, literal);
        if (want.size === 0) continue;
        this.targets.push({
          at,
          test,
          literal,
          want,
          source: c.source,
          path,
          seen: new Set(),
          examples: [],
          compatible: false,
        });
      }
    }
  }

  add(c: Case): void {
    if (c.workflow !== this.wf.id) return;
    for (const t of this.targets) {
      if (t.compatible) continue;
      const roots =
        t.source === undefined ? [c.alert] : c.evidence.filter((e) => e.source === t.source).map((e) => e.data);
      for (const root of roots) {
        const v = getPath(root, t.path);
        for (const x of Array.isArray(v) ? v : [v]) {
          if (x === undefined || x === null) continue;
          const kind = kindOf(x) ?? (Array.isArray(x) ? "list" : "object");
          if (t.want.has(kind as Kind)) {
            t.compatible = true;
            break;
          }
          t.seen.add(kind);
          if (t.examples.length < 3 && !t.examples.some((e) => e === x)) t.examples.push(x);
        }
        if (t.compatible) break;
      }
    }
  }

  warnings(workflowFile: string, dataset: string): string[] {
    return this.targets
      .filter((t) => !t.compatible && t.seen.size > 0)
      .map((t) => {
        const where = fieldError(workflowFile, [...t.at, t.test], "").message.replace(/: $/, "");
        const what = t.source === undefined ? `alert ${t.path}` : `${t.path} of ${t.source}`;
        const eg = t.examples.map((e) => JSON.stringify(e)).join(", ");
        const outcome = t.test.startsWith("not_") ? "always holds" : "never holds";
        return (
          `${where}: ${t.test} ${JSON.stringify(t.literal)} compares ${words(t.want)}, but every ${what} in ${dataset} ` +
          `is ${words(t.seen)} (${eg}), and values are compared unconverted: the test ${outcome} (warning)`
        );
      });
  }
}

/** The path a condition reads a value at: a record field of its source, or an alert path below raw. */
function pathOf(c: Condition): string | undefined {
  if (c.missing !== undefined || c.sensitivity !== undefined) return undefined;
  if (c.source !== undefined) return c.field;
  return c.alert?.startsWith("raw.") ? c.alert : undefined;
}
