import { formatKeyPath } from "../io/json-keys.js";
import { longIntegers } from "../io/json-numbers.js";

/** How many of a file's lines, with their JSON paths, `dataset validate` names; the rest are counted. */
const SHOWN = 5;

export type LongIntegerCount = {
  count: number;
  /** the first few, in file order */
  first: { line: number; path: string; digits: string }[];
};

/** Counts a dataset's integers that JSON.parse rounds (json-numbers.ts), line by line. */
export class LongIntegerCounter {
  private readonly found: LongIntegerCount = { count: 0, first: [] };

  /** `text` is one JSONL line that JSON.parse took, at file line `line`. */
  add(text: string, line: number): void {
    for (const n of longIntegers(text)) {
      this.found.count++;
      if (this.found.first.length < SHOWN)
        this.found.first.push({ line, path: formatKeyPath(n.path), digits: n.digits });
    }
  }

  result(): LongIntegerCount | undefined {
    return this.found.count ? this.found : undefined;
  }
}

/**
 * The one warning about them, ending "(warning)": the cases a run replays, and the values its scorers
 * compare, would hold a number the file does not, with nothing to say so.
 */
export function longIntegerWarning(file: string, r: LongIntegerCount): string {
  const one = r.first[0]!;
  const where = r.first.map((n) => `line ${n.line} ${n.path}`).join(", ");
  const more = r.count > r.first.length ? ` and ${r.count - r.first.length} more` : "";
  return (
    `${file}: ${r.count} integer${r.count === 1 ? " is" : "s are"} beyond ±${Number.MAX_SAFE_INTEGER} (2^53 − 1), ` +
    `which JSON.parse rounds (${one.digits} reads as ${Number(one.digits)}), so agents and scorers would see ` +
    `other values than the file holds: ${where}${more}; write each as a string of its digits ` +
    `("${one.digits}", not ${one.digits}) (warning)`
  );
}
