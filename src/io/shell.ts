/**
 * A value as one shell word: as it is when it holds only characters no shell acts on, else in single
 * quotes, or in $'…' when it holds characters no terminal should be sent (see ansiC). Printed
 * commands carry case ids and paths from data and flags; pasted back, a space or a `$(…)` in one
 * must not split the command or run anything.
 */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9._/:@%+=,-]+$/.test(s)) return s;
  return INVISIBLE.test(s) ? ansiC(s) : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Control characters (an escape sequence among them) and the bidi and zero-width ones printable() shows. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const INVISIBLE = /[\x00-\x1f\x7f-\x9f\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/;

/**
 * A value holding such characters, in bash's and zsh's $'…' quoting (as GNU ls quotes such file
 * names): in single quotes they would be printed raw, or, once printable() has shown them as
 * `\x1b` text, pasted back as that text, naming another case. Here each is an escape the shell
 * turns back into the character, and the printed command holds none of them.
 */
function ansiC(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === "'") out += `\\${ch}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (INVISIBLE.test(ch)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `$'${out}'`;
}

/**
 * `soceval show` for one case, the case id quoted; an id that starts with "-" goes after `--`, so
 * it is never read as an option. `options`: the flags, e.g. "--run <id> --agent a".
 */
export function showCommand(caseId: string, options: string): string {
  return caseId.startsWith("-")
    ? `soceval show ${options} -- ${shellWord(caseId)}`
    : `soceval show ${shellWord(caseId)} ${options}`;
}

/**
 * `soceval query "<sql>"` as one pasteable command: the SQL on one line in double quotes, what a
 * shell expands in them escaped. `dbFlag`: `--db <path>` where the store is not the default, else "".
 */
export function queryCommand(sql: string, dbFlag: string): string {
  return `soceval query${dbFlag ? ` ${dbFlag}` : ""} "${sql.replace(/\s+/g, " ").replace(/(["\\$`])/g, "\\$1")}"`;
}
