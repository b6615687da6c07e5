/**
 * A value as one shell word: as it is when it holds only characters no shell acts on, else in single
 * quotes. Printed commands carry case ids and paths from data and flags; pasted back, a space or a
 * `$(…)` in one must not split the command or run anything.
 */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9._/:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
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
