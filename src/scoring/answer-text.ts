import { keepLongIntegers } from "../io/json-numbers.js";

// a Markdown code fence, optionally tagged json (any case): the first one in the text
const FENCE = /```(?:json)?[ \t]*\r?\n?([\s\S]*?)```/i;

/**
 * The JSON a model's final answer given as text holds: the whole text, or else the first Markdown
 * code fence in it (```json … ```), as models often wrap their answer. Null when it holds no JSON
 * (prose, which the scorers still read as such). `soceval run` reads a final message this way and
 * `soceval score` an imported transcript's text output, so both accept exactly the same answers.
 */
export function parseAnswerText(text: string): { value: unknown } | null {
  const whole = tryJson(text);
  if (whole) return whole;
  const fenced = FENCE.exec(text);
  return fenced ? tryJson(fenced[1]!) : null;
}

function tryJson(text: string): { value: unknown } | null {
  try {
    // a 64-bit id the answer cites as a bare number kept as its digits, as a case's is (io/jsonl.ts)
    return { value: keepLongIntegers(text, JSON.parse(text)) };
  } catch {
    return null;
  }
}
