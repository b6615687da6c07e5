import type { Detonation, Mail } from "./mail.js";
import { messageId } from "./mail.js";
import { attackerAuth } from "./malicious.js";
import { type Ctx, externalSender, pickReporter, recipientsOf, type Scenario, severityOf, sha256 } from "./scenario.js";
import { lookalike, throwawayDomain } from "./world.js";

/** Malware attachments (macro, ISO/LNK, OneNote, script in zip) and payloads hidden from the sandbox. */

const base = { tags: [] as string[], unavailable: [] as string[] };

const MALWARE = [
  [
    "Remittance_Advice_%n.xlsm",
    "application/vnd.ms-excel.sheet.macroEnabled.12",
    "EXCEL.EXE spawned cmd.exe /c powershell -nop -w hidden -enc JABzAD0A…",
    "Loader.Sparrow",
    "Remittance advice %n",
  ],
  [
    "Scan_%n.iso",
    "application/x-iso9660-image",
    "ISO mounted; Scan_%n.lnk runs rundll32.exe %TEMP%\\sys32.dll,Start",
    "Loader.Mudlark",
    "Scanned document %n",
  ],
  [
    "PO_%n.one",
    "application/onenote",
    "ONENOTE.EXE wrote and executed %TEMP%\\open.hta via mshta.exe",
    "Downloader.Greyfox",
    "Purchase order PO-%n",
  ],
  [
    "Invoice_%n.zip",
    "application/zip",
    "wscript.exe ran Invoice_%n.js; curl.exe fetched a DLL from a remote host",
    "Stealer.Kitewing",
    "Overdue invoice %n",
  ],
] as const;

export function malware(x: Ctx, smuggled = false): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x, ["Accounts Payable", "Finance", "Procurement", "Customer Service", "Operations"]);
  const n = rng.int(1000, 99999);
  const domain = rng.chance(0.5) ? throwawayDomain(rng) : lookalike(rng, rng.pick(x.world.vendors).domain);
  const [tpl, ctype, behaviour, family, subjectTpl] = smuggled
    ? rng.pick([
        ["Invoice_%n.zip", "application/zip", "", "", "Overdue invoice %n"],
        ["Statement_%n.html", "text/html", "", "", "Account statement %n"],
      ] as const)
    : rng.pick(MALWARE);
  const name = tpl.replace("%n", String(n));
  const c2 = rng.ipv4Public();
  const det: Detonation = smuggled
    ? name.endsWith(".zip")
      ? {
          verdict: "not_detonated",
          score: 0,
          behaviours: [
            "Encrypted archive: password not supplied to sandbox",
            `Archive listing: Invoice_${n}.js (7.4 KB)`,
          ],
        }
      : {
          verdict: "clean",
          score: rng.int(15, 30),
          behaviours: [
            "HTML shows a 'document loading' page",
            "Large base64 blob assembled in script; no download triggered without user interaction",
          ],
        }
    : {
        verdict: "malicious",
        score: rng.int(88, 100),
        behaviours: [
          behaviour.replace("%n", String(n)),
          `Beacon to ${c2}:443 every 60 s`,
          "Scheduled task created for persistence",
        ],
        network: [{ host: c2, ip: c2, port: 443 }],
        dropped: [{ name: "sys32.dll", sha256: sha256(rng) }],
        mitre: ["T1566.001", "T1204.002", "T1053.005"],
      };
  const host = `mail.${domain}`;
  const subject = subjectTpl.replace("%n", String(n));
  const password = String(rng.int(1000, 9999));
  const mail: Mail = {
    subject,
    body: `Hello, please see the attached ${subject.toLowerCase()} and confirm by end of day.${
      smuggled && name.endsWith(".zip") ? ` The file is protected, password: ${password}` : ""
    } Regards`,
    sender: externalSender(
      rng,
      rng.pick(["Accounts Department", "Procurement", "Scanner"]),
      `accounts@${domain}`,
      host,
    ),
    auth: attackerAuth(x, domain),
    links: [],
    attachments: [
      {
        name,
        content_type: ctype,
        size: rng.int(9000, 900000),
        sha256: sha256(rng),
        rep: smuggled
          ? { positives: 0, prevalence: 1, first_seen_days: 0 }
          : { positives: rng.int(3, 7), prevalence: rng.int(10, 400), first_seen_days: rng.int(0, 3), family },
        det,
      },
    ],
    message_id: messageId(rng, host),
    sent_at: x.sent_at,
  };
  const recipients = recipientsOf(x, reporter, rng.int(0, 10));
  return {
    ...base,
    kind: smuggled ? "malicious.smuggled_attachment" : "malicious.malware_attachment",
    reporter,
    mail,
    history: {
      first_seen_days: null,
      messages_90d: 0,
      recipients_90d: rng.int(1, 11),
      org_replies_90d: 0,
      domain_age_days: rng.int(1, 60),
    },
    verdict: "true_positive",
    escalate: true,
    actions: [
      "quarantine_message",
      "purge_message",
      "block_sender_domain",
      "add_case_note",
      ...(rng.chance(0.4) ? ["open_ticket"] : []),
    ],
    minutes: smuggled ? [25, 50] : [15, 35],
    notes: smuggled
      ? "Payload hidden from the sandbox (encrypted archive / HTML smuggling); first-contact sender and lure decided it."
      : `Attachment detonates as ${family}; first-contact sender.`,
    decisive: smuggled ? ["headers", "sender", "det:file:0"] : ["det:file:0", "file:0", "headers"],
    recipients,
    signins: {},
    severity: severityOf(rng, smuggled ? "mid" : "high"),
  };
}
