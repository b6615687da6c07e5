import type { Condition, When } from "../schema/index.js";

const value = (v: unknown) => JSON.stringify(v) ?? String(v);
const list = (vs: unknown[]) => vs.map(value).join(", ");

/** The tests of one condition on a value, in words: `is "x"`, `is one of "a", "b"`, `is at least 3`. */
function tests(c: Condition): string[] {
  const out: string[] = [];
  if (c.equals !== undefined) out.push(`is ${value(c.equals)}`);
  if (c.not_equals !== undefined) out.push(`is not ${value(c.not_equals)}`);
  if (c.in !== undefined) out.push(`is one of ${list(c.in)}`);
  if (c.not_in !== undefined) out.push(`is none of ${list(c.not_in)}`);
  if (c.gte !== undefined) out.push(`is at least ${c.gte}`);
  if (c.lte !== undefined) out.push(`is at most ${c.lte}`);
  if (c.contains !== undefined) out.push(`contains ${value(c.contains)}`);
  if (c.matches !== undefined) out.push(`matches /${c.matches}/i`);
  if (c.exists !== undefined) out.push(c.exists ? "is present" : "is absent");
  return out;
}

/**
 * One condition as a model or an analyst reads it, over the case's records as the scorers judge it,
 * in the order the evaluator reads its subject (src/workflow/conditions.ts): a missing source, a
 * sensitivity, then alert, entity or source.
 */
export function conditionText(c: Condition): string {
  if (c.missing !== undefined)
    return c.missing ? `${c.source} failed or was unavailable` : `${c.source} answered (it did not fail)`;
  if (c.sensitivity !== undefined)
    return `some record of the case is marked sensitivity ${c.sensitivity === "secret" ? "secret" : `${c.sensitivity} or secret`}`;
  const t = tests(c).join(" and ");
  if (c.alert !== undefined) return `the alert's ${c.alert} ${t}`;
  if (c.entity !== undefined) return `an alert entity of type ${c.entity} ${t}`;
  if (c.field === undefined)
    return c.exists === false ? `the case has no ${c.source} record` : `the case has a ${c.source} record`;
  return `some ${c.source} record's ${c.field} ${t}`;
}

/** A `when` in words: all joined by "and", any by "or", none as "not". */
export function whenText(w: When): string {
  const all = w.all?.length ? [w.all.map(conditionText).join(" and ")] : [];
  const none = w.none?.length ? [`not (${w.none.map(conditionText).join(" or ")})`] : [];
  if (w.any === undefined) return [...all, ...none].join(" and ");
  // `any: []` holds for no case: how a workflow switches a raise off
  if (w.any.length === 0) return "never";
  const any = w.any.map(conditionText).join(" or ");
  return all.length + none.length === 0 || w.any.length === 1
    ? [...all, any, ...none].join(" and ")
    : [...all, `(${any})`, ...none].join(" and ");
}
