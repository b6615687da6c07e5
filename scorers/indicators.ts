import { BlockList, isIPv4, isIPv6 } from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";
import { mayBeAccount, mayBeDomain } from "./indicator-names.js";
import { renderedAccounts, restOfSpacedPath } from "./windows-accounts.js";

/**
 * Indicators of compromise in free text, normalised so that the agent's spelling (upper case,
 * defanged `hxxp://evil[.]com`, a trailing full stop) compares equal to the evidence's spelling.
 */
export type IndicatorKind = "url" | "email" | "account" | "ipv6" | "ipv4" | "hash" | "domain";
export type Indicator = { kind: IndicatorKind; value: string };

const REFANG = /hxxp|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\[@\]|\[at\]|\[:\]/g;
const REFANG_TO: Record<string, string> = {
  hxxp: "http",
  "[.]": ".",
  "(.)": ".",
  "{.}": ".",
  "[dot]": ".",
  "(dot)": ".",
  "[@]": "@",
  "[at]": "@",
  "[:]": ":",
};

// Patterns run over normalised (lower-case, refanged) text, in this order; each match is masked
// before the next pattern runs so the host inside a URL is not reported again as a domain.
// A URL ends at white space, quotes (also typographic ones) and an ellipsis (the agent cut it
// there); `_https://…_` is Markdown emphasis, so an underscore may precede the scheme.
const URL_RE = /(?<![a-z0-9])(?:https?|ftp):\/\/[^\s"'<>`…“”‘’«»‹›]+/g;
// a local part never starts with a dot: "{.}a.b@c.de" holds a.b@c.de, however the text around it is defanged
const EMAIL_RE = /(?<![\w+%-])[a-z0-9_%+-][a-z0-9._%+-]{0,63}@(?:[a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}(?![\w-])/g;
// The same for text holding non-ASCII letters, so that `jürgen@bücher.de` is not cut at the `ü`. On
// text with no letter, digit or mark outside ASCII each `_U` pattern matches exactly what its ASCII
// twin does (\p{L}\p{N} there being [a-z0-9]); the twins are kept because the Unicode classes are
// slower and nearly all text is ASCII (see NON_ASCII_WORD).
const EMAIL_RE_U =
  /(?<![\p{L}\p{N}\p{M}_+%-])[\p{L}\p{N}_%+-][\p{L}\p{N}\p{M}._%+-]{0,63}@(?:[\p{L}\p{N}\p{M}-]{1,63}\.)+[\p{L}\p{N}\p{M}-]{2,63}(?![\p{L}\p{N}\p{M}_-])/gu;
const ACCOUNT_RE = /(?<![\w\\:./-])([a-z][a-z0-9.-]{0,30})\\([a-z0-9._$-]{1,64})(?![\w\\$-])/g;
const IPV6_RE = /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:]|\.\d)/g;
// every IPv6 match holds two colons at most four hex digits apart; prose colons ("Alert: ") rarely are
const IPV6_TELL = /:[0-9a-f]{0,4}:/;
const IPV4_RE = /(?<![\w./])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)/g;
// `203.0.113.0/24` right after an address: a range (what a block action takes), not that one host
const PREFIX_LENGTH = /^\/(\d{1,3})(?!\w|\.\w|\/)/;
// `version 1.2.3.4`, `Build: 10.0.0.1`: a version number, not an address (on the same line only);
// sticky, and tested at the match's start, so it looks back from there over the whole text
const AFTER_VERSION_WORD = /(?<=(?<![a-z0-9_])(?:version|ver|v|build|rev|release)\.?[ \t]*:?[ \t]*)/y;
// `198.051.100.007`: zero-padded octets, read as decimal (as log formats that pad them mean them)
const PADDED_OCTET = /(?:^|\.)0\d/;
// word boundaries rather than look-arounds: far cheaper, and a hex run inside a longer word is no hash;
// `0x` before the digits is a prefix, not part of the hash
const HASH_RE = /\b(?:0x)?[0-9a-f]{32,128}\b/g;
/** md5, sha1, sha256, sha384, sha512 */
const HASH_LENGTHS = new Set([32, 40, 64, 96, 128]);
// the TLD is letters, or the punycode form of an internationalised one
const DOMAIN_RE =
  /(?<![\w@.\\/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59})(?![\w-]|\.[a-z0-9])/g;
// every label whole, however many non-ASCII letters it holds: `bücher-login.de`, not `cher-login.de`
const DOMAIN_RE_U =
  /(?<![\p{L}\p{N}\p{M}_@.\\/-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]{0,61}[\p{L}\p{N}\p{M}])?\.)+(?:\p{L}[\p{L}\p{M}]{1,23}|xn--[a-z0-9-]{1,59})(?![\p{L}\p{N}\p{M}_-]|\.[\p{L}\p{N}])/gu;
// any code unit above ASCII (surrogate halves included): a quick test, rarely true...
const NON_ASCII = /[\u0080-\uffff]/;
// ...and, only then, the exact one: a letter, digit or mark outside ASCII ("–" and "…" are not)
const NON_ASCII_WORD = /[\u00aa-\u{10ffff}](?<=[\p{L}\p{N}\p{M}])/u;
// sentence punctuation and Markdown (`**emphasis**`, `_emphasis_`, `~~strike~~`, a table's `|`) after a URL
const URL_TRAILING = /[.,;:!?)\]}'"*_~|]+$/;
const URL_SCHEME = /^[a-z]+:\/\//;
const TRAILING_SLASH_OR_DOT = /[/.]+$/;
const TRAILING_DOTS = /\.+$/;
const URL_PATH_START = /[/?#]/;
const PORT = /:\d+$/;
const LEADING_ZEROS = /^0+(?=.)/;

const MAYBE_DEFANGED = /hxxp|[[({]/;
// `parcelway-delivery-⏎notice.test`: text wrapped after a hyphen inside a word is one word again
// (the letter before the hyphen is checked apart: a pattern led by "-" is found far faster)
const WRAPPED_AT_HYPHEN = /-[ \t]*\r?\n[ \t]*(?=[\p{L}\p{N}])/gu;
const ENDS_IN_WORD = /[\p{L}\p{N}]$/u;

export function normalizeText(s: string): string {
  const lower = s.toLowerCase();
  const refanged = MAYBE_DEFANGED.test(lower) ? lower.replace(REFANG, (m) => REFANG_TO[m] ?? m) : lower;
  return refanged.includes("\n") && refanged.includes("-")
    ? refanged.replace(WRAPPED_AT_HYPHEN, (m, at: number, text: string) =>
        ENDS_IN_WORD.test(text.slice(Math.max(0, at - 2), at)) ? "-" : m,
      )
    : refanged;
}

/**
 * One spelling of a domain name: the ASCII (punycode) form, so that `bücher.de` and
 * `xn--bcher-kva.de` compare equal. An ASCII name is returned as it is.
 */
function asciiDomain(name: string): string {
  return NON_ASCII.test(name) ? domainToASCII(name) || name : name;
}

/** A URL key with its host in ASCII form. */
function asciiUrlKey(key: string): string {
  const host = urlHost(key);
  if (!NON_ASCII.test(host)) return key;
  const authority = key.split(URL_PATH_START, 1)[0] ?? "";
  const at = key.indexOf(host, authority.lastIndexOf("@") + 1);
  return `${key.slice(0, at)}${asciiDomain(host)}${key.slice(at + host.length)}`;
}

/** The value as found, and for a punycode name its Unicode form too: `xn--bcher-kva.de (bücher.de)`. */
export function describeValue(i: Indicator): string {
  if (!i.value.includes("xn--")) return i.value;
  const v = i.value;
  const host =
    i.kind === "url" ? urlHost(v) : i.kind === "email" ? v.slice(v.indexOf("@") + 1) : i.kind === "domain" ? v : "";
  const unicode = host ? domainToUnicode(host) : "";
  return unicode && unicode !== host ? `${v} (${v.replace(host, unicode)})` : v;
}

/** `evil.com/a/` and `https://evil.com/a` are the same place: drop the scheme and trailing slashes. */
function urlKey(url: string): string {
  return url.replace(URL_SCHEME, "").replace(TRAILING_SLASH_OR_DOT, "");
}

export function urlHost(key: string): string {
  const authority = key.split(URL_PATH_START, 1)[0] ?? "";
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  return host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(PORT, "").replace(TRAILING_DOTS, "");
}

/** Eight groups without leading zeros, so every spelling of one address compares equal. */
function canonicalIPv6(ip: string): string {
  const [head = "", tail] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => g.replace(LEADING_ZEROS, "")).join(":");
}

function afterVersionWord(text: string, at: number): boolean {
  // the look-behind only when a space, tab or colon could end the word: addresses are mostly whole values
  const prev = text[at - 1];
  if (prev !== " " && prev !== "\t" && prev !== ":") return false;
  AFTER_VERSION_WORD.lastIndex = at;
  return AFTER_VERSION_WORD.test(text);
}

/** `ip/length` when a prefix length (at most `bits`) follows the address at `end`, else the address. */
function withPrefix(ip: string, text: string, end: number, bits: number): string {
  const p = text[end] === "/" ? PREFIX_LENGTH.exec(text.slice(end, end + 6)) : null;
  return p && Number(p[1]) <= bits ? `${ip}/${Number(p[1])}` : ip;
}

function unpadIPv4(ip: string): string {
  return ip
    .split(".")
    .map((o) => o.replace(LEADING_ZEROS, ""))
    .join(".");
}

/** Indicators in already-normalised text. Each pattern runs only if its tell-tale character is present. */
function extractNormalized(text: string, out: Indicator[]): void {
  const dot = text.includes(".");
  const colon = text.includes(":");
  if (!dot && !colon && !text.includes("\\") && text.length < 32) return;
  let rest = text;
  const unicode = NON_ASCII.test(text) && NON_ASCII_WORD.test(text);
  if (colon && rest.includes("://"))
    rest = rest.replace(URL_RE, (m) => {
      const key = urlKey(m.replace(URL_TRAILING, ""));
      if (urlHost(key)) out.push({ kind: "url", value: unicode ? asciiUrlKey(key) : key });
      return " ";
    });
  if (dot && rest.includes("@"))
    rest = rest.replace(unicode ? EMAIL_RE_U : EMAIL_RE, (m) => {
      const at = m.indexOf("@");
      out.push({ kind: "email", value: unicode ? m.slice(0, at + 1) + asciiDomain(m.slice(at + 1)) : m });
      return " ";
    });
  if (rest.includes("\\"))
    rest = rest.replace(ACCOUNT_RE, (m, domain: string, _user: string, at: number, s: string) => {
      const value = m.replace(TRAILING_DOTS, "");
      if (mayBeAccount(domain, value) && !restOfSpacedPath(s, at, m.length)) out.push({ kind: "account", value });
      return " ";
    });
  if (colon && IPV6_TELL.test(rest))
    rest = rest.replace(IPV6_RE, (m, at: number, s: string) => {
      if (!(m.includes("::") || m.split(":").length === 8) || !isIPv6(m)) return m;
      out.push({ kind: "ipv6", value: withPrefix(canonicalIPv6(m), s, at + m.length, 128) });
      return " ";
    });
  if (dot)
    rest = rest.replace(IPV4_RE, (m, at: number, s: string) => {
      const ip = PADDED_OCTET.test(m) ? unpadIPv4(m) : m;
      if (!isIPv4(ip) || afterVersionWord(s, at)) return m;
      out.push({ kind: "ipv4", value: withPrefix(ip, s, at + m.length, 32) });
      return " ";
    });
  if (rest.length >= 32)
    rest = rest.replace(HASH_RE, (m) => {
      const hex = m.startsWith("0x") ? m.slice(2) : m;
      if (!HASH_LENGTHS.has(hex.length)) return m;
      out.push({ kind: "hash", value: hex });
      return " ";
    });
  if (dot)
    for (const m of rest.matchAll(unicode ? DOMAIN_RE_U : DOMAIN_RE)) {
      const d = m[0];
      if (mayBeDomain(d)) out.push({ kind: "domain", value: unicode ? asciiDomain(d) : d });
    }
}

/** Indicators in free text, deduplicated by normalised value. */
export function extractIndicators(text: string): Indicator[] {
  const found: Indicator[] = [];
  extractNormalized(normalizeText(text), found);
  return firstOfEachValue(found);
}

/** The first indicator of each normalised value, in order, as fresh objects. */
function firstOfEachValue(found: readonly Indicator[]): Indicator[] {
  const seen = new Set<string>();
  const out: Indicator[] = [];
  for (const i of found)
    if (!seen.has(i.value)) {
      seen.add(i.value);
      out.push({ kind: i.kind, value: i.value });
    }
  return out;
}

/** The order extractNormalized finds kinds in. */
const KIND_RANK: Record<IndicatorKind, number> = { url: 0, email: 1, account: 2, ipv6: 3, ipv4: 4, hash: 5, domain: 6 };

// Templated prose (a playbook's rule descriptions and rationales) repeats the same fields across
// thousands of cases; bounded so free-form model output cannot grow it without limit.
const FIELD_CACHE_MAX = 4096;
const FIELD_CACHE_MAX_LENGTH = 2048;
const fieldCache = new Map<string, readonly Indicator[]>();

/** Every indicator in one text, in extraction order and not deduplicated; treat as read-only. */
function fieldIndicators(text: string): readonly Indicator[] {
  const hit = fieldCache.get(text);
  if (hit) return hit;
  const found: Indicator[] = [];
  extractNormalized(normalizeText(text), found);
  if (text.length <= FIELD_CACHE_MAX_LENGTH) {
    if (fieldCache.size >= FIELD_CACHE_MAX) fieldCache.clear();
    fieldCache.set(text, found);
  }
  return found;
}

/**
 * Exactly `extractIndicators(texts.join("\n\n"))`, computed field by field so repeated fields are
 * extracted once. Equal because no pattern, look-around or refang spans a blank line (its edges read
 * like text edges: only a hyphen right before a single line break joins two lines), the Unicode
 * patterns match on ASCII lines what the ASCII ones do, and masking stays within a match; the merge
 * restores kind-major order.
 */
export function extractIndicatorsOfLines(texts: readonly string[]): Indicator[] {
  const found: Indicator[] = [];
  for (const t of texts) for (const i of fieldIndicators(t)) found.push(i);
  found.sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind]);
  return firstOfEachValue(found);
}

/** Whether extractIndicators(text) finds this value, from the per-field cache. */
export function mentions(text: string, value: string): boolean {
  for (const i of fieldIndicators(text)) if (i.value === value) return true;
  return false;
}

function isTokenChar(ch: string | undefined): boolean {
  return (
    ch !== undefined &&
    ((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") || ch === "_" || ch === "-" || ch === "\\")
  );
}

/** The token before `end` goes on after it: `203.0.113.25` is not whole in `203.0.113.250` or `….25.1`. */
function goesOn(text: string, end: number): boolean {
  const next = text[end];
  return isTokenChar(next) || (next === "." && isTokenChar(text[end + 1]));
}

/** A URL key with a path, query or fragment: its host is whole wherever the key appears. */
function hasPath(key: string): boolean {
  return URL_PATH_START.test(key);
}

/**
 * The normalised value occurs in the text as a whole token. A domain may follow a dot (it is a
 * parent of the host written there); a URL may be followed by more path (the agent shortened it),
 * but not by more host (`http://203.0.113.25` is not `203.0.113.250`);
 * an account may sit between backslashes (`Contoso\Agent` is part of `C:\ProgramData\Contoso\Agent\a.exe`,
 * so the agent copied it).
 */
function appearsIn(text: string, i: Indicator): boolean {
  const v = i.value;
  const account = i.kind === "account";
  const url = i.kind === "url";
  const urlWithPath = url && hasPath(v);
  for (let at = text.indexOf(v); at !== -1; at = text.indexOf(v, at + 1)) {
    const prev = text[at - 1];
    if ((isTokenChar(prev) && !(account && prev === "\\")) || (prev === "." && i.kind !== "domain")) continue;
    if (urlWithPath) return true;
    const end = at + v.length;
    if (account && text[end] === "\\") return true;
    if (goesOn(text, end)) continue;
    return true;
  }
  return false;
}

/** Indicators extracted from known text, for what a plain token search cannot see. */
class ExtractedIndicators {
  readonly values = new Set<string>();
  readonly urls: string[] = [];
  readonly domains = new Set<string>();
  readonly emails: string[] = [];
  /** single addresses (not ranges), for a range the agent names around one it was shown */
  readonly addresses: { ip: string; family: "ipv4" | "ipv6" }[] = [];
  private readonly scratch: Indicator[] = [];

  addText(text: string): void {
    this.scratch.length = 0;
    extractNormalized(text, this.scratch);
    for (const i of this.scratch) {
      this.values.add(i.value);
      if (i.kind === "url") {
        this.urls.push(i.value);
        this.domains.add(urlHost(i.value));
      } else if (i.kind === "email") {
        this.emails.push(i.value);
        this.domains.add(i.value.slice(i.value.indexOf("@") + 1));
      } else if (i.kind === "domain") this.domains.add(i.value);
      else if ((i.kind === "ipv4" || i.kind === "ipv6") && !i.value.includes("/"))
        this.addresses.push({ ip: i.value, family: i.kind });
    }
  }

  /** A range holding an address the agent was shown: blocking the /24 of a sign-in's IP invents nothing. */
  private holdsKnownAddress(i: Indicator): boolean {
    const slash = i.value.indexOf("/");
    if (slash < 0 || (i.kind !== "ipv4" && i.kind !== "ipv6")) return false;
    const range = new BlockList();
    range.addSubnet(i.value.slice(0, slash), Number(i.value.slice(slash + 1)), i.kind);
    return this.addresses.some((a) => a.family === i.kind && range.check(a.ip, a.family));
  }

  has(i: Indicator): boolean {
    if (this.values.has(i.value)) return true;
    switch (i.kind) {
      case "url":
        // the agent may shorten a URL (drop the query string) but not invent a path or cut the host
        return this.urls.some((u) => u.startsWith(i.value) && (hasPath(i.value) || !goesOn(u, i.value.length)));
      case "domain": {
        if (this.domains.has(i.value)) return true;
        const suffix = `.${i.value}`;
        for (const d of this.domains) if (d.endsWith(suffix)) return true;
        return false;
      }
      case "account": {
        const [domain = "", user = ""] = i.value.split("\\");
        return this.emails.some((e) => e.startsWith(`${user}@`) && e.slice(user.length + 1).split(".")[0] === domain);
      }
      case "ipv4":
      case "ipv6":
        return this.holdsKnownAddress(i);
      default:
        return false;
    }
  }
}

/** A key holding one of these may be an indicator (as text does, see extractNormalized); a hash is 32+ long. */
const KEY_TELL = /[.:\\@[({]/;

/**
 * What the agent was shown: the alert and the evidence it gathered. Checking is two-step: a token
 * search over the normalised text answers the common case cheaply; only indicators it cannot
 * place (IPv6 spellings, `CORP\\alice` assembled from separate fields) pay for full extraction.
 */
export class KnownIndicators {
  private readonly texts: string[] = [];
  private haystack: string | null = null;
  private words: Set<string> | null = null;
  private rendered: Set<string> | null = null;
  private readonly extracted = new ExtractedIndicators();
  private extractedUpTo = 0;

  /**
   * Add every string inside a value. Objects and arrays are walked; a key is added too when it may
   * be an indicator (telemetry keyed by IP or hash), which `sending_ip` and other field names are not.
   */
  add(v: unknown, depth = 0): this {
    if (typeof v === "string") this.push(normalizeText(v));
    else if (typeof v === "number") this.push(String(v));
    else if (v !== null && typeof v === "object" && depth < 32) {
      if (Array.isArray(v)) for (const x of v) this.add(x, depth + 1);
      else
        for (const k in v) {
          if (k.length >= 32 || KEY_TELL.test(k)) this.push(normalizeText(k));
          this.add((v as Record<string, unknown>)[k], depth + 1);
        }
    }
    return this;
  }

  private push(text: string): void {
    this.texts.push(text);
    this.haystack = null;
    this.words = null;
    this.rendered = null;
  }

  /** The cheap check alone: the indicator occurs as a token in the known text. */
  appears(i: Indicator): boolean {
    this.haystack ??= this.texts.join("\n");
    return appearsIn(this.haystack, i);
  }

  has(i: Indicator): boolean {
    if (this.appears(i)) return true;
    if (i.kind === "account") {
      // `CORP\\alice` is known when the record spells domain and user in separate fields
      this.words ??= new Set(this.texts.map((t) => t.trim().replace(TRAILING_DOTS, "")));
      const [domain = "", user = ""] = i.value.split("\\");
      if (this.words.has(user) && this.words.has(domain)) return true;
      // or when a Windows event's rendered text (its Message) names the subject
      this.rendered ??= renderedAccounts(this.texts);
      if (this.rendered.has(i.value)) return true;
    }
    for (; this.extractedUpTo < this.texts.length; this.extractedUpTo++)
      this.extracted.addText(this.texts[this.extractedUpTo]!);
    return this.extracted.has(i);
  }
}
