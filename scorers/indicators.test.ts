import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractIndicators, extractIndicatorsOfLines, KnownIndicators, mentions, normalizeText } from "./indicators.js";

const values = (text: string) => extractIndicators(text).map((i) => `${i.kind}:${i.value}`);

describe("indicator extraction", () => {
  it("refangs and lower-cases before extracting", () => {
    expect(normalizeText("HXXPS://Evil[.]com [@] x[:]y")).toBe("https://evil.com @ x:y");
    expect(values("Go to hxxps://Evil[.]COM/Login.")).toEqual(["url:evil.com/login"]);
  });

  it("finds each kind once, and not the host of a URL or the domain of an e-mail again", () => {
    expect(
      values(
        "mail from a.b@evil.ru via 10.1.2.3 and 2001:DB8::1 to CORP\\bob, file 44d88612fea8a8f36de82e1278abb02f, see https://x.evil.io/p and evil.io.",
      ).sort(),
    ).toEqual(
      [
        "email:a.b@evil.ru",
        "ipv4:10.1.2.3",
        "ipv6:2001:db8:0:0:0:0:0:1",
        "account:corp\\bob",
        "hash:44d88612fea8a8f36de82e1278abb02f",
        "url:x.evil.io/p",
        "domain:evil.io",
      ].sort(),
    );
  });

  it("reads the same e-mail from plain and defanged text, a dot before it not being part of it", () => {
    // the counterexample fast-check found (src/scoring/score.test.ts, property: honest investigations)
    expect(values("{.}a.a@a.aa")).toEqual(["email:a.a@a.aa"]);
    expect(values("{[.]}a[.]a[@]a[.]aa")).toEqual(["email:a.a@a.aa"]);
    expect(values("see mail.john@corp.example now")).toEqual(["email:mail.john@corp.example"]);
  });

  it("strips trailing dots and treats equivalent IPv6 spellings alike", () => {
    expect(values("the domain is evil.com.")).toEqual(["domain:evil.com"]);
    expect(values("2001:db8:0:0:0:0:0:1")).toEqual(values("2001:0db8::0001"));
  });

  it("ignores file names, namespaces, versions, times, MACs, paths and built-in principals", () => {
    expect(
      values(
        "cmd.exe invoice.pdf README.md script.py run.sh archive.zip e.g. System.Net.Http 1.2.3.4.5 v10.0.0.1 12:30:45 00:1a:2b:3c:4d:5e C:\\Windows\\System32\\drivers NT AUTHORITY\\SYSTEM HKLM\\Software",
      ),
    ).toEqual([]);
  });
});

describe("known indicators", () => {
  const known = new KnownIndicators().add({
    url: "https://a.evil.com/x?y=1",
    from: "Bob@Evil.RU",
    user: { domain: "CORP", name: "alice" },
    ip: "10.0.0[.]1",
  });

  it("matches a parent domain of a known host but not an invented sub-domain", () => {
    expect(known.has({ kind: "domain", value: "evil.com" })).toBe(true);
    expect(known.has({ kind: "domain", value: "a.evil.com" })).toBe(true);
    expect(known.has({ kind: "domain", value: "b.evil.com" })).toBe(false);
  });

  it("matches accounts assembled from separate fields or from an e-mail's local part", () => {
    expect(known.has({ kind: "account", value: "corp\\alice" })).toBe(true);
    expect(known.has({ kind: "account", value: "evil\\bob" })).toBe(true);
    expect(known.has({ kind: "account", value: "corp\\mallory" })).toBe(false);
  });

  it("matches an account a Windows event's rendered text names as Account Name and Account Domain", () => {
    // a 4688's Message as the Security log renders it (OTRF LSASS-dump recording), no other field
    const rendered = new KnownIndicators().add({
      message:
        "A new process has been created.\r\n\r\nCreator Subject:\r\n\tSecurity ID:\t\tS-1-5-21-1-2-3-500\r\n" +
        "\tAccount Name:\t\twardog\r\n\tAccount Domain:\t\tWORKSTATION5\r\n\tLogon ID:\t\t0xC61D9\r\n\r\n" +
        "Target Subject:\r\n\tSecurity ID:\t\tS-1-0-0\r\n\tAccount Name:\t\t-\r\n\tAccount Domain:\t\t-\r\n",
    });
    expect(rendered.has({ kind: "account", value: "workstation5\\wardog" })).toBe(true);
    expect(rendered.has({ kind: "account", value: "workstation5\\mallory" })).toBe(false);
    expect(rendered.has({ kind: "account", value: "corp\\wardog" })).toBe(false);
    // a name and a domain of two different subjects are no pair
    const apart = new KnownIndicators().add({ message: "Account Name: wardog\nLogon ID: 0x1\nAccount Domain: EVIL" });
    expect(apart.has({ kind: "account", value: "evil\\wardog" })).toBe(false);
  });

  it("matches refanged values and URL prefixes", () => {
    expect(known.has({ kind: "ipv4", value: "10.0.0.1" })).toBe(true);
    expect(known.has({ kind: "url", value: "a.evil.com/x" })).toBe(true);
    expect(known.has({ kind: "url", value: "a.evil.com/z" })).toBe(false);
  });
});

describe("token boundaries", () => {
  const known = new KnownIndicators().add(["10.0.0.15", "evil.com.au", "notevil.net", "x.bob@corp.io"]);
  it("a value inside a longer token is not the same indicator", () => {
    expect(known.has({ kind: "ipv4", value: "10.0.0.1" })).toBe(false);
    expect(known.has({ kind: "domain", value: "evil.com" })).toBe(false);
    expect(known.has({ kind: "domain", value: "evil.net" })).toBe(false);
    expect(known.has({ kind: "email", value: "bob@corp.io" })).toBe(false);
    expect(known.has({ kind: "ipv4", value: "10.0.0.15" })).toBe(true);
  });
});

describe("reserved and mixed forms", () => {
  it("extracts .example domains (synthetic data uses them) and the IPv4 inside a mapped IPv6", () => {
    expect(values("beacon to cdn.evil.example")).toEqual(["domain:cdn.evil.example"]);
    expect(values("from ::ffff:10.9.8.7.")).toEqual(["ipv4:10.9.8.7"]);
    expect(values("from 2001:db8::7.")).toEqual(["ipv6:2001:db8:0:0:0:0:0:7"]);
  });
});

describe("field-by-field extraction", () => {
  const piece = fc.constantFrom(
    "http://evil.com/",
    "HXXPS://Evil[.]COM/a?b=1.",
    "evil.com",
    "x.evil.com",
    "a.b@evil.ru",
    "bob@corp",
    "CORP\\bob",
    "NT AUTHORITY\\SYSTEM",
    "fe80::1",
    "2001:DB8:0:0:0:0:0:1",
    "10.1.2.3",
    "10.1.2.3.4",
    "44d88612fea8a8f36de82e1278abb02f",
    "[.]",
    "(dot)",
    "[@]",
    ".",
    ":",
    "::",
    "\\",
    "@",
    "/",
    "-",
    " ",
    "\n",
    "Alert: ",
    "report.pdf",
    "ΌΣ",
    "x",
    // audit 10: paths, Markdown, padded and version numbers, wrapped and Unicode names
    "Temp\\a.ps1",
    "Contoso\\Agent",
    "**",
    "_",
    "…",
    "198.051.100.007",
    "version ",
    "0x",
    "-\n",
    "bücher-login.de",
    "xn--bcher-kva.de",
    "abc.onion",
  );
  const field = fc.array(piece, { maxLength: 8 }).map((p) => p.join(""));

  it("finds exactly what one pass over the fields, a blank line apart, finds, in the same order", () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), (fields) => {
        expect(extractIndicatorsOfLines(fields)).toEqual(extractIndicators(fields.join("\n\n")));
        // a second time from the cache
        expect(extractIndicatorsOfLines(fields)).toEqual(extractIndicators(fields.join("\n\n")));
        for (const f of fields)
          for (const i of extractIndicators(fields.join("\n\n")))
            expect(mentions(f, i.value)).toBe(extractIndicators(f).some((j) => j.value === i.value));
      }),
      { numRuns: 500 },
    );
  });
});

describe("Windows path fragments (audit 10 #2)", () => {
  it("a path fragment ending in a file, under a version directory or a system directory is no account", () => {
    expect(values("Parent Office16\\WINWORD.EXE spawned v1.0\\powershell.exe.")).toEqual([]);
    expect(values("Spawned system32\\cmd.exe then Temp\\a.ps1, see System32\\drivers and Users\\alice.")).toEqual([]);
    // a user name may hold dots; only a file extension at its end makes it a file
    expect(values("CORP\\mallory and CORP\\john.smith.")).toEqual([
      "account:corp\\mallory",
      "account:corp\\john.smith",
    ]);
  });

  it("a directory name holding a space is no account: registry keys as Windows Security events print them", () => {
    // 4656/4663 Object Name and Sysmon 13 TargetObject, from the OTRF LSASS-dump recordings
    expect(values("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager\\Environment")).toEqual([]);
    expect(
      values(
        "HKU\\S-1-5-21-1-2-3-500\\Software\\Microsoft\\Windows\\CurrentVersion\\WinTrust\\Trust Providers\\Software Publishing",
      ),
    ).toEqual([]);
    expect(values("C:\\Program Files\\Acme Tools\\bin")).toEqual([]);
    // a principal after a word, a file or a line break is still one
    expect(values("Ran as CORP\\alice, NT AUTHORITY\\SYSTEM.")).toEqual(["account:corp\\alice"]);
    expect(values("C:\\Temp\\x.exe CORP\\bob\nSession\\Manager")).toEqual([
      "account:corp\\bob",
      "account:session\\manager",
    ]);
  });

  it("after any other folder and a space, DOMAIN\\user is still an account (a fabricated one must not pass)", () => {
    expect(values("Logged on from C:\\Users\\Public CORP\\administrator")).toEqual(["account:corp\\administrator"]);
    expect(values("The share \\\\fs01\\finance CORP\\j.smith opened it")).toEqual(["account:corp\\j.smith"]);
    expect(values("Dropped in C:\\Windows\\Temp CORP\\j.smith")).toEqual(["account:corp\\j.smith"]);
    // the registry and Program Files still hold spaces in their names
    expect(values("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion")).toEqual([]);
    expect(values("C:\\Program Files (x86)\\Acme Tools\\bin")).toEqual([]);
  });

  it("a DOMAIN\\user-looking fragment of a known path is known; the same pair elsewhere is not", () => {
    const known = new KnownIndicators().add({ image: "C:\\ProgramData\\Contoso\\Agent\\agent.exe" });
    expect(known.has({ kind: "account", value: "contoso\\agent" })).toBe(true);
    expect(known.has({ kind: "account", value: "programdata\\contoso" })).toBe(true);
    expect(known.has({ kind: "account", value: "contoso\\mallory" })).toBe(false);
    expect(known.has({ kind: "account", value: "x\\contoso" })).toBe(false);
  });
});

describe("URLs in Markdown and typographic punctuation (audit 10 #3)", () => {
  it("emphasis, an ellipsis or typographic quotes around a URL are not part of it", () => {
    for (const text of [
      "Link **https://x.test/l/1?rid=2a** is a sim.",
      "Link *https://x.test/l/1?rid=2a*.",
      "Link _https://x.test/l/1?rid=2a_.",
      "Link __https://x.test/l/1?rid=2a__.",
      "Link ~~https://x.test/l/1?rid=2a~~.",
      "Link https://x.test/l/1?rid=2a… and more",
      "Link “https://x.test/l/1?rid=2a”, «https://x.test/l/1?rid=2a».",
      "| https://x.test/l/1?rid=2a|",
    ])
      expect(values(text), text).toEqual(["url:x.test/l/1?rid=2a"]);
    // an ellipsis inside a URL ends it: what comes before is what the agent quoted
    expect(values("https://x.test/l/1…?rid=2a")).toEqual(["url:x.test/l/1"]);
    // underscores inside a URL stay
    expect(values("https://x.test/a_b_/c_d")).toEqual(["url:x.test/a_b_/c_d"]);
  });
});

describe("a URL's host is whole (audit 10 #8)", () => {
  const known = new KnownIndicators().add([
    "203.0.113.250",
    "10.20.4.12",
    "https://a.evil.com/x?y=1",
    "http://evil.com:8080/p",
  ]);
  it("a host that is only the start of a known value is not known", () => {
    expect(known.has({ kind: "url", value: "203.0.113.25" })).toBe(false);
    expect(known.has({ kind: "url", value: "10.20.4.1" })).toBe(false);
    expect(known.has({ kind: "url", value: "a.evil.co" })).toBe(false);
    expect(known.has({ kind: "url", value: "a.evil.co/x" })).toBe(false);
    expect(known.has({ kind: "url", value: "evil.com:80" })).toBe(false);
  });
  it("near miss: a known host, or a known URL shortened, still is", () => {
    expect(known.has({ kind: "url", value: "203.0.113.250" })).toBe(true);
    expect(known.has({ kind: "url", value: "a.evil.com" })).toBe(true);
    expect(known.has({ kind: "url", value: "a.evil.com/x" })).toBe(true);
    expect(known.has({ kind: "url", value: "evil.com" })).toBe(true);
    expect(known.has({ kind: "url", value: "evil.com:8080" })).toBe(true);
  });
});

describe("indicators the extractor did not recognise (audit 10 #9)", () => {
  const sha512 =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
  const sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  it("an IPv4 address with leading zeros is read as the address it pads", () => {
    expect(values("Beacon to 198.051.100.007 and 010.000.000.001.")).toEqual(["ipv4:198.51.100.7", "ipv4:10.0.0.1"]);
    expect(values("not an address: 198.051.100.256")).toEqual([]);
    const known = new KnownIndicators().add({ dst: "198.051.100.007" });
    expect(known.has({ kind: "ipv4", value: "198.51.100.7" })).toBe(true);
    expect(known.has({ kind: "ipv4", value: "198.51.100.70" })).toBe(false);
  });

  it("SHA-384 and SHA-512 digests, and hashes written with 0x", () => {
    expect(values(`sha512 ${sha512}.`)).toEqual([`hash:${sha512}`]);
    expect(values(`sha384 ${sha512.slice(0, 96)}`)).toEqual([`hash:${sha512.slice(0, 96)}`]);
    expect(values(`digest 0x${sha256.toUpperCase()}`)).toEqual([`hash:${sha256}`]);
    // neither a longer hex run nor a 0x number of another length is a hash
    expect(values(`${sha512}00 0x${sha256}00`)).toEqual([]);
    const known = new KnownIndicators().add({ sha256: `0x${sha256}`, sha512 });
    expect(known.has({ kind: "hash", value: sha256 })).toBe(true);
    expect(known.has({ kind: "hash", value: sha512.slice(0, 64) })).toBe(false);
  });

  it("bare domains under TLDs common in threats", () => {
    expect(values("abcxyz.onion, login-microsoft.ms, paypa1.so, update.gd, cdn.vu")).toEqual([
      "domain:abcxyz.onion",
      "domain:login-microsoft.ms",
      "domain:paypa1.so",
      "domain:update.gd",
      "domain:cdn.vu",
    ]);
  });

  it("near miss: shared objects and TLDs that are file extensions stay file names", () => {
    expect(
      values("libc.so libcrypto.so ld-linux.so application/vnd.ms-excel secure-login.app invoice-portal.zip a.mov"),
    ).toEqual([]);
  });
});

describe("keys that are indicators (audit 10 #10)", () => {
  const sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  it("an IP, hash or domain used as a key of known data is known", () => {
    const known = new KnownIndicators().add({
      by_ip: { "198.51.100.23": { hits: 3 } },
      by_hash: { [sha256.toUpperCase()]: "seen" },
      "cdn.evil.example": true,
    });
    expect(known.appears({ kind: "ipv4", value: "198.51.100.23" })).toBe(true);
    expect(known.has({ kind: "hash", value: sha256 })).toBe(true);
    expect(known.has({ kind: "domain", value: "cdn.evil.example" })).toBe(true);
    // near miss: plain field names are no indicators, and values stay what they were
    expect(known.has({ kind: "ipv4", value: "198.51.100.2" })).toBe(false);
  });
});

describe("versions, wrapped lines and Unicode domains (audit 10 #11)", () => {
  it("a version number after version/ver/v/build/rev/release is no address", () => {
    expect(values("Outlook add-in version 1.2.3.4, Build: 10.0.0.1, v 1.2.3.4, ver. 2.0.0.1, release 3.1.0.2")).toEqual(
      [],
    );
    // near miss: the word must stand alone, and on the same line
    expect(values("server 10.0.0.5, conversion 10.0.0.6, version\n10.0.0.7")).toEqual([
      "ipv4:10.0.0.5",
      "ipv4:10.0.0.6",
      "ipv4:10.0.0.7",
    ]);
  });

  it("a name wrapped after one of its hyphens is read whole", () => {
    expect(values("Lure from parcelway-delivery-\nnotice.test today")).toEqual([
      "domain:parcelway-delivery-notice.test",
    ]);
    expect(values("see https://parcelway-delivery-  \r\n   notice.test/l/1 and bob@mail-\nrelay.test")).toEqual([
      "url:parcelway-delivery-notice.test/l/1",
      "email:bob@mail-relay.test",
    ]);
    // near miss: a dash standing alone is not a hyphen inside a name
    expect(values("the list -\nnotice.test")).toEqual(["domain:notice.test"]);
    const known = new KnownIndicators().add({ note: "seen at parcelway-delivery-\nnotice.test" });
    expect(known.appears({ kind: "domain", value: "parcelway-delivery-notice.test" })).toBe(true);
  });

  it("a Unicode domain is extracted whole and compares equal to its punycode form", () => {
    expect(values("Lure at bücher-login.de and раураl.com.")).toEqual([
      "domain:xn--bcher-login-thb.de",
      "domain:xn--l-7sba6dbr.com",
    ]);
    expect(values("Lure at xn--bcher-login-thb.de, пример.рф and xn--e1afmkfd.xn--p1ai")).toEqual([
      "domain:xn--bcher-login-thb.de",
      "domain:xn--e1afmkfd.xn--p1ai",
    ]);
    expect(values("https://Bücher.de/straße bob@bücher.de jürgen@bücher.de")).toEqual([
      "url:xn--bcher-kva.de/straße",
      "email:bob@xn--bcher-kva.de",
      "email:jürgen@xn--bcher-kva.de",
    ]);
    const unicode = new KnownIndicators().add({ host: "bücher-login.de", url: "https://bücher.de/a" });
    expect(unicode.has({ kind: "domain", value: "xn--bcher-login-thb.de" })).toBe(true);
    expect(unicode.has({ kind: "url", value: "xn--bcher-kva.de/a" })).toBe(true);
    expect(unicode.has({ kind: "domain", value: "xn--l-7sba6dbr.com" })).toBe(false);
    const puny = new KnownIndicators().add({ host: "xn--bcher-login-thb.de" });
    expect(puny.has(extractIndicators("bücher-login.de")[0]!)).toBe(true);
  });
});
