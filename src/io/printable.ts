/**
 * Alert fields, tool inputs, model outputs and finding details are attacker- or model-controlled
 * text. Written raw to a terminal, a control character (an escape sequence among them) could
 * rewrite what an analyst sees; each is shown as a visible `\xNN` escape instead. Tabs and
 * newlines stay.
 */
export function printable(s: string): string {
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
