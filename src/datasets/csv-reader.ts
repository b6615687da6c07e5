import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import Papa from "papaparse";
import { InputError } from "../io/errors.js";
import { NotUtf8, notUtf8Error, utf8Text } from "../io/utf8-text.js";

export type CsvRow = { line: number; row: Record<string, string> };
export type CsvOptions = {
  delimiter?: string;
  quote?: string;
  /** called once with the header's columns, before the first row; may throw to reject the file */
  onHeader?: (columns: string[], line: number) => void;
};

/** Delimiters we try when none is given; `❖` is what Sentinel/ExCyTIn exports use. */
const CANDIDATES = [",", ";", "\t", "|", "\u2756"];
const HIGH_WATER = 500;
const LOW_WATER = 50;

function cannotRead(file: string, e: unknown): InputError {
  return new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
}

/**
 * The header line (outside quotes) decides: the candidate that occurs most often wins. Blank lines
 * before it are skipped, as the parser skips them: otherwise a ❖ or ; export that starts with one
 * was read as comma-separated, and its whole header became one column.
 */
export function detectDelimiter(file: string, quote = '"'): string {
  let head: string;
  try {
    const fd = openSync(file, "r");
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    head = buf.subarray(0, n).toString("utf8");
  } catch (e) {
    throw cannotRead(file, e);
  }
  const counts = new Map<string, number>();
  let quoted = false;
  let started = false;
  for (const ch of head) {
    if (!started && (ch === "\n" || ch === "\r" || ch === "\ufeff")) continue;
    started = true;
    if (ch === quote) quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && CANDIDATES.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ",";
  let bestCount = 0;
  for (const [d, n] of counts)
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  return best;
}

/** Counts lines lazily over the text papaparse has consumed, so rows spanning lines keep true line numbers. */
class LineTracker {
  private text = "";
  /** absolute offset of text[0] */
  private base = 0;
  /** position in text up to which newlines are counted */
  private pos = 0;
  private lines = 1;
  push(chunk: string): void {
    // drop what is already counted only now and then, so rows cost no copying
    if (this.pos > 1 << 20) {
      this.text = this.text.slice(this.pos);
      this.base += this.pos;
      this.pos = 0;
    }
    this.text += chunk;
  }
  /** 1-based line of the first non-newline character at or after absolute `offset`. */
  lineAt(offset: number): number {
    let i = offset - this.base;
    while (i < this.text.length && (this.text[i] === "\n" || this.text[i] === "\r")) i++;
    for (let k = this.pos; k < i; k++) if (this.text.charCodeAt(k) === 10) this.lines++;
    this.pos = Math.max(this.pos, i);
    return this.lines;
  }
}

type Parsed = { line: number; values: string[]; error?: Papa.ParseError } | { done: true } | { failure: unknown };

/**
 * A papaparse error in the user's terms. An unterminated quote swallows the rest of the file into
 * the row's last field, so that field is the one whose quote never closed.
 */
function describeCsvError(err: Papa.ParseError, values: string[], header: string[] | null, quote = '"'): string {
  const col = header?.[values.length - 1];
  if (err.code === "MissingQuotes" && col !== undefined)
    return `${col}: quoted field never closed (the file ends inside it: truncated, or a stray quote?)`;
  if (err.code === "InvalidQuotes") {
    // the cell the stray quote is in: the first that kept one
    const at = values.findIndex((v) => v.includes(quote));
    const where = header?.[at] ?? (at >= 0 ? `column ${at + 1}` : "csv");
    return `${where}: ${err.message} (a quote inside a quoted field must be doubled: ${quote}${quote})`;
  }
  return `csv: ${err.code}: ${err.message}`;
}

/**
 * The cell as a string of its own. Papaparse cuts cells out of the chunk it parsed, and V8 keeps a
 * substring as a view that holds its whole parent: an importer that keeps a cell (an alert id, for
 * its duplicate check) would keep every chunk of the file alive, and 20,000 Sentinel alerts took
 * 900 MB. The text is valid UTF-8 by now, so the round trip changes nothing.
 */
function ownCopy(cell: string): string {
  return Buffer.from(cell, "utf8").toString("utf8");
}

/** A row with the wrong number of fields, naming where it stops matching the header. */
function describeWidth(values: string[], header: string[], delimiter: string): string {
  const n = values.length;
  if (n < header.length)
    return `${header[n]}: missing; the row ends after column ${header[n - 1]} (${n} of ${header.length} fields, delimiter "${delimiter}"; a truncated row?)`;
  return `csv: ${n} fields where the header has ${header.length} (delimiter "${delimiter}"); a delimiter in an unquoted field, or a quote left open?`;
}

/**
 * Stream a CSV file as header-keyed rows with the line each row starts on. Papaparse does the
 * quoting (JSON cells, newlines in cells); we pause the file stream when the consumer falls behind,
 * so memory stays bounded whatever the file size.
 */
export async function* readCsv(file: string, opts: CsvOptions = {}): AsyncGenerator<CsvRow, void, undefined> {
  const quote = opts.quote ?? '"';
  const delimiter = opts.delimiter ?? detectDelimiter(file, quote);
  const bytes = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    bytes.once("open", () => resolve());
    bytes.once("error", (e) => reject(cannotRead(file, e)));
  });
  const stream = bytes.pipe(utf8Text());
  bytes.on("error", (e) => stream.destroy(e));
  const tracker = new LineTracker();
  stream.on("data", (chunk: string) => tracker.push(chunk));
  const queue: Parsed[] = [];
  let wake: (() => void) | null = null;
  const put = (p: Parsed) => {
    queue.push(p);
    if (queue.length > HIGH_WATER && !stream.isPaused()) stream.pause();
    wake?.();
    wake = null;
  };
  let prevCursor = 0;
  Papa.parse(stream, {
    delimiter,
    quoteChar: quote,
    escapeChar: quote,
    skipEmptyLines: true,
    beforeFirstChunk: (chunk) => (chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk),
    step: (r: Papa.ParseStepResult<string[]>) => {
      const line = tracker.lineAt(prevCursor);
      prevCursor = r.meta.cursor;
      put({ line, values: r.data, error: r.errors[0] });
    },
    complete: () => put({ done: true }),
    error: (e: Error) => put({ failure: e }),
  });

  let header: string[] | null = null;
  try {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const item = queue.shift()!;
      if (queue.length < LOW_WATER && stream.isPaused()) stream.resume();
      if ("done" in item) {
        if (!header) throw new InputError(`${file}:1: header: the file is empty`, file, 1);
        return;
      }
      if ("failure" in item)
        throw item.failure instanceof NotUtf8 ? await notUtf8Error(file) : cannotRead(file, item.failure);
      if (item.error)
        throw new InputError(
          `${file}:${item.line}: ${describeCsvError(item.error, item.values, header, quote)}`,
          file,
          item.line,
        );
      if (!header) {
        header = item.values.map((h) => h.trim());
        const seen = new Set<string>();
        for (const h of header) {
          // a spreadsheet saves the empty columns beside its data as unnamed ones (`a,b,c,,`): allowed while empty
          if (h === "") continue;
          if (seen.has(h))
            throw new InputError(`${file}:${item.line}: header: duplicate column "${h}"`, file, item.line);
          seen.add(h);
        }
        opts.onHeader?.(header, item.line);
        continue;
      }
      // a line of only spaces, or of empty cells (`,,,`, a spreadsheet's trailing rows), holds no data
      if (item.values.every((v) => v.trim() === "")) continue;
      if (item.values.length !== header.length)
        throw new InputError(`${file}:${item.line}: ${describeWidth(item.values, header, delimiter)}`, file, item.line);
      const row: Record<string, string> = {};
      header.forEach((h, i) => {
        const v = item.values[i]!;
        if (h !== "") row[h] = ownCopy(v);
        else if (v.trim() !== "")
          throw new InputError(
            `${file}:${item.line}: column ${i + 1} has no name in the header but holds ${JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v)}: name it in the header, or remove it`,
            file,
            item.line,
          );
      });
      yield { line: item.line, row };
    }
  } finally {
    stream.destroy();
    bytes.destroy();
  }
}
