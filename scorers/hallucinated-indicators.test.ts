/**
 * Scorer-level tests of fabricated indicators (scorers/hallucinated-evidence.ts `fabricatedIndicators`
 * over scorers/indicators.ts): what the agent's prose names against what the alert and the evidence
 * it gathered hold. Extraction details are unit-tested in scorers/indicators.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Case } from "../src/schema/index.js";
import { goodOutput, phishCase, score, transcript } from "../test/fixtures/scoring/phishing.js";

/** The fixture case with extra fields in the returned click record (ev-click-1) and in the alert. */
function caseWith(opts: { clickData?: Record<string, unknown>; alert?: Partial<Case["alert"]> } = {}): Case {
  const c = phishCase();
  const click = c.evidence.find((e) => e.id === "ev-click-1")!;
  Object.assign(click.data, opts.clickData ?? {});
  Object.assign(c.alert, opts.alert ?? {});
  return c;
}

/** The fabricated indicators' details when the summary says this. */
function fabricated(summary: string, c: Case = phishCase()): string[] {
  const s = score({ case: c, transcript: transcript({ output: goodOutput({ summary }) }) });
  return s.findings.filter((f) => f.kind === "fabricated_indicator").map((f) => f.detail);
}

describe("Windows paths and accounts (audit 10 #2)", () => {
  const paths = caseWith({
    clickData: {
      parent: "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
      child: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
      dropped: "C:\\Users\\alice\\AppData\\Local\\Temp\\a.ps1",
      agent: "C:\\ProgramData\\Contoso\\Agent\\agent.exe",
    },
  });

  it("fragments of paths in returned evidence are neither accounts nor fabricated", () => {
    expect(fabricated("Parent Office16\\WINWORD.EXE spawned v1.0\\powershell.exe.", paths)).toEqual([]);
    expect(fabricated("Spawned system32\\cmd.exe then Temp\\a.ps1.", paths)).toEqual([]);
    // a fragment that could be read as DOMAIN\user is known because the path holding it was returned
    expect(fabricated("The agent lives in Contoso\\Agent.", paths)).toEqual([]);
    expect(fabricated("The agent lives in Contoso\\Agent.")).toHaveLength(1);
  });

  it("a made-up DOMAIN\\user is still fabricated; one assembled from a known e-mail or fields is not", () => {
    const f = fabricated("Then CORP\\mallory logged on.", paths);
    expect(f).toHaveLength(1);
    expect(f[0]).toContain("account corp\\mallory");
    // attacker@evil-mail.ru is in the alert; alice and CORP are separate fields of the click record
    expect(fabricated("Sent by EVIL-MAIL\\attacker to CORP\\alice.", paths)).toEqual([]);
  });
});

describe("a known URL in Markdown or followed by an ellipsis (audit 10 #3)", () => {
  it("is the same URL", () => {
    for (const summary of [
      "Link **https://login-micros0ft.com/auth** is the lure.",
      "Link *https://login-micros0ft.com/auth* is the lure.",
      "Link _https://login-micros0ft.com/auth_ is the lure.",
      "Link __https://login-micros0ft.com/auth__ is the lure.",
      "Link https://login-micros0ft.com/auth… is the lure.",
    ])
      expect(fabricated(summary), summary).toEqual([]);
    // near miss: an invented path in emphasis is still invented
    expect(fabricated("Link **https://login-micros0ft.com/payload.exe**.")).toHaveLength(1);
  });
});

describe("a URL whose host is only the start of a known value (audit 10 #8)", () => {
  const c = caseWith({ clickData: { dst: "203.0.113.250" } });
  it("is fabricated", () => {
    expect(fabricated("Payload hosted at http://203.0.113.25 today.", c)).toHaveLength(1);
    expect(fabricated("Payload hosted at http://login-micros0ft.co today.", c)).toHaveLength(1);
  });
  it("near miss: the known host, or the known URL shortened, is not", () => {
    expect(fabricated("Payload hosted at http://203.0.113.250 today.", c)).toEqual([]);
    expect(fabricated("Lure at https://login-micros0ft.com and https://login-micros0ft.com/auth.", c)).toEqual([]);
  });
});

describe("indicators the extractor did not recognise (audit 10 #9)", () => {
  const sha512 =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

  it("a made-up IPv4 with leading zeros, SHA-512, 0x hash or .onion/.ms/.so domain is fabricated", () => {
    const f = fabricated(
      `Callback to 198.051.100.007, payload ${sha512}, key 0x${sha512.slice(0, 64)}; C2 abcxyz.onion, login-microsoft.ms, paypa1.so.`,
    );
    expect(f).toHaveLength(6);
    expect(f.join("\n")).toContain("ipv4 198.51.100.7,");
  });

  it("near miss: the known sending IP written with leading zeros is not", () => {
    expect(fabricated("Sent via 185.220.101.004.")).toEqual([]);
    expect(fabricated("Sent via 185.220.101.040.")).toHaveLength(1);
  });
});

describe("the whole alert and the keys of evidence data are known (audit 10 #10)", () => {
  it("an indicator in alert.source is known", () => {
    const c = caseWith({ alert: { source: "gw01.kestrel-mail.example" } });
    expect(fabricated("Reported through gw01.kestrel-mail.example.", c)).toEqual([]);
    expect(fabricated("Reported through gw01.kestrel-mail.example.")).toHaveLength(1);
  });

  it("an IP used as a key of returned evidence data is known; in ungathered evidence it is not", () => {
    const byIp = { "198.51.100.23": { hits: 3 } };
    expect(fabricated("Sender 198.51.100.23 seen.", caseWith({ clickData: { by_ip: byIp } }))).toEqual([]);
    const ungathered = phishCase();
    Object.assign(ungathered.evidence.find((e) => e.id === "ev-sign-1")!.data, { by_ip: byIp });
    const f = fabricated("Sender 198.51.100.23 seen.", ungathered);
    expect(f).toHaveLength(1);
    expect(f[0]).toContain("only in evidence the agent never gathered");
  });
});

describe("versions, wrapped lines and Unicode domains (audit 10 #11)", () => {
  it("a version number is not a fabricated IP", () => {
    expect(fabricated("Outlook add-in version 1.2.3.4 loaded the lure.")).toEqual([]);
    expect(fabricated("Outlook add-in on 1.2.3.4 loaded the lure.")).toHaveLength(1);
  });

  it("a known domain wrapped across lines is known", () => {
    expect(fabricated("Clicked login-\nmicros0ft.com from the mail.")).toEqual([]);
  });

  it("a made-up Unicode domain is named whole, in both forms; a known one in the other form is known", () => {
    const f = fabricated("Lure at bücher-login.de.");
    expect(f).toHaveLength(1);
    expect(f[0]).toContain("domain xn--bcher-login-thb.de (bücher-login.de)");
    const c = caseWith({ clickData: { referrer: "https://xn--bcher-login-thb.de/start" } });
    expect(fabricated("Referred by bücher-login.de via https://bücher-login.de/start.", c)).toEqual([]);
  });
});

describe("an address range (CIDR) the agent recommends blocking", () => {
  // goodSteps returned ev-hdr-1 (sending_ip 185.220.101.4); ev-sign-1 (203.0.113.50) was never gathered
  it("is grounded by an address it was shown inside it, not by its network address appearing anywhere", () => {
    expect(fabricated("Block 185.220.101.0/24, the sender's network.")).toEqual([]);
    expect(fabricated("Block 185.220.101.4/32.")).toEqual([]);
    expect(fabricated("Block 185.220.0.0/16 at the gateway.")).toEqual([]);
    const other = fabricated("Block 185.220.102.0/24.");
    expect(other).toHaveLength(1);
    expect(other[0]).toContain("ipv4 185.220.102.0/24");
    // a range around an address only in evidence the agent never gathered is still not grounded
    expect(fabricated("Block 203.0.113.0/24.")).toEqual([
      "summary names ipv4 203.0.113.0/24, which appears in neither the alert nor any evidence a successful tool call returned (it is only in evidence the agent never gathered)",
    ]);
  });

  it("grounds the range, never a host inside it the agent was not shown", () => {
    const c = caseWith({ clickData: { egress: "198.51.100.0/24", client_ip: "2001:db8:1::25" } });
    expect(fabricated("Egress is 198.51.100.0/24.", c)).toEqual([]);
    expect(fabricated("The click came from 198.51.100.7.", c)).toHaveLength(1);
    expect(fabricated("Block 2001:db8:1::/48.", c)).toEqual([]);
    expect(fabricated("Block 2001:db9::/32.", c)).toHaveLength(1);
    // not a prefix length: the address alone is named, and it was shown
    expect(fabricated("Seen 185.220.101.4/99 times.")).toEqual([]);
  });
});
