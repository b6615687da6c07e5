import { formatKeyPath } from "../io/json-keys.js";
import { type LongInteger, longIntegers } from "../io/json-numbers.js";

/** How many of a file's lines, with their JSON paths, `dataset validate` names; the rest are counted. */
const SHOWN = 5;

export type LongIntegerCount = {
  count: number;
  /** the first few, in file order */
  first: { line: number; path: string; digits: string }[];
};

/** Counts a dataset's integers beyond 2^53 − 1 (json-numbers.ts), line by line. */
export class LongIntegerCounter {
  private readonly found: LongIntegerCount = { count: 0, first: [] };

  /** `text` is one JSONL line that JSON.parse took, at file line `line`; returns what it holds. */
  add(text: string, line: number): LongInteger[] {
    const long = longIntegers(text);
    for (const n of long) {
      this.found.count++;
      if (this.found.first.length < SHOWN)
        this.found.first.push({ line, path: formatKeyPath(n.path), digits: n.digits });
    }
    return long;
  }

  result(): LongIntegerCount | undefined {
    return this.found.count ? this.found : undefined;
  }
}

/**
 * The one warning about them, ending "(warning)": every command reads each as a string of its digits
 * (io/jsonl.ts), exact, but no longer a number, which a condition comparing numbers never matches.
 */
export function longIntegerWarning(file: string, r: LongIntegerCount): string {
  const one = r.first[0]!;
  const where = r.first.map((n) => `line ${n.line} ${n.path}`).join(", ");
  const more = r.count > r.first.length ? ` and ${r.count - r.first.length} more` : "";
  return (
    `${file}: ${r.count} integer${r.count === 1 ? " is" : "s are"} beyond ±${Number.MAX_SAFE_INTEGER} (2^53 − 1), ` +
    `more than a JSON number holds exactly, so where any value goes (evidence data, alert.raw) soceval reads each as ` +
    `a string of its digits ("${one.digits}"), as the importers write it, and a condition's equals, gte or lte with a ` +
    `number never holds on it: ${where}${more}; ` +
    `write each as a string to say so in the file (warning)`
  );
}
