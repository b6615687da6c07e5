/**
 * Bidirectional-text controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates,
 * U+200E/U+200F marks, U+061C): invisible, yet they reorder what a reader sees — an alert title can
 * pose as another. Zero-width spaces and joiners that split a word without showing (U+200B,
 * U+200C, U+2060, U+FEFF) hide "pay\u200Bpal" from a reader's eye the same way; U+200D stays, since
 * emoji sequences need it. In a security report all of them are shown as text, e.g. "[U+202E]".
 */
export const BIDI_CONTROLS = /[\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

export function visibleControls(s: string): string {
  return s.replace(BIDI_CONTROLS, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`);
}

/**
 * Alert fields, tool inputs, model outputs and finding details are attacker- or model-controlled
 * text. Written raw to a terminal, a control character (an escape sequence among them) could
 * rewrite what an analyst sees; each is shown as a visible `\xNN` escape instead, and bidi and
 * zero-width controls as `[U+202E]` as in the reports. Tabs and newlines stay.
 */
export function printable(text: string): string {
  const s = visibleControls(text);
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) {
      out += `${s.slice(from, i)}\\x${c.toString(16).padStart(2, "0")}`;
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * Text for a report (HTML or Markdown) as printable() shows it on a terminal: a Markdown report
 * goes to stdout by default and an HTML one is read with `less` too, so an escape sequence in an
 * alert title must not reach either raw. A CRLF line end (a Windows export's description) is a
 * line end there, not a `\x0d` before each one.
 */
export function reportText(text: string): string {
  return printable(text.replace(/\r\n/g, "\n"));
}
