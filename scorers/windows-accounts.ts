/**
 * What Windows text says about accounts, beyond the `DOMAIN\user` pattern itself (indicators.ts):
 * where such a pair is really part of a path holding spaces, and which accounts an event's rendered
 * text names without ever writing `DOMAIN\user`. Both were found on real Security and Sysmon
 * events (test/real-telemetry.test.ts).
 */

// `Control\Session Manager\Environment`: right after a directory and one space the pair is the rest
// of a directory name holding a space (registry keys, Program Files), not DOMAIN\user; a file
// (`x.exe CORP\bob`) or a line break ends the path before it
const DIRECTORY_AND_SPACE_BEFORE = /\\[^\s\\.]{1,64} $/;
// ...but only inside a path whose names are known to hold spaces: a registry key or Program Files.
// After any other folder the pair is as likely a principal (`C:\Users\Public CORP\administrator`),
// and reading it as a path would let a fabricated account pass unseen.
const SPACED_PATH_TO_PAIR =
  /(?:\\registry\\|(?<![\w-])hk(?:lm|cu|u|cr|cc|ey_[a-z_]+)\\|(?<![\w-])[a-z]:\\program files(?: \(x86\))?\\)(?:[^\s\\]+(?: [^\s\\]+)*\\)*[^\s\\]+$/;

/** Whether the DOMAIN\user-looking pair at `at` continues a registry or Program Files path after a space. */
export function restOfSpacedPath(text: string, at: number, length: number): boolean {
  return (
    DIRECTORY_AND_SPACE_BEFORE.test(text.slice(Math.max(0, at - 66), at)) &&
    SPACED_PATH_TO_PAIR.test(text.slice(Math.max(0, at - 400), at + length))
  );
}

// Windows renders a subject as `Account Name:\t\twardog\r\n\tAccount Domain:\t\tWORKSTATION5` (text
// normalised to lower case): consecutive lines, so a name and a domain of two subjects never pair
const RENDERED_ACCOUNT = /account name:[ \t]*([^\s\\]+)[ \t]*\r?\n[ \t]*account domain:[ \t]*([^\s\\]+)/g;

/** `domain\user` for each subject a rendered Windows event names. */
export function renderedAccounts(texts: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const t of texts)
    if (t.includes("account domain:")) for (const m of t.matchAll(RENDERED_ACCOUNT)) out.add(`${m[2]}\\${m[1]}`);
  return out;
}
