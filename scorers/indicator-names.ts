import { domainToASCII } from "node:url";

/**
 * Which names an indicator extractor may take for a domain or an account: lists of real top-level
 * domains and of path and file-name shapes, kept apart from the extraction itself (indicators.ts).
 */

/**
 * Top-level domains we accept for bare domain names. A list rather than "any letters" so that
 * file names (powershell.exe, invoice.pdf, README.md), .NET namespaces and initials are not
 * mistaken for domains. Nearly every country code is in, and the generic TLDs threat reports
 * keep naming, and `.onion`. The reserved example/test/invalid names are in: synthetic datasets
 * use them, and an agent inventing one must be caught there too.
 *
 * Left out on purpose, because the same letters end common file names: sh, py, pl, md, rs, ps, pm,
 * as, tf, gs, bb, ac (scripts and build files), and zip, mov, one, app, download (archives, videos,
 * OneNote files, macOS bundles, partial downloads). Nothing in `invoice-portal.zip` or
 * `secure-login.app` tells a domain from a file: both are ordinary file names, and flagging every
 * file the agent names would make the rate meaningless. They are still caught in a URL (with a
 * scheme), and in an e-mail address. `.so` is in, but not for `lib*.so` / `ld-*.so` (see SHARED_OBJECT).
 */
const TLDS = new Set(
  // generic
  (
    "com net org edu gov mil int info biz name pro mobi asia io co ai dev cloud online site xyz top club shop store " +
    "tech live me tv cc ws su icu buzz work click link cyou rest monster lol fun space website press host life world " +
    "today email support digital network systems services solutions company center zone page win bid loan review " +
    "date racing party science cam best sbs bond vip global agency media news blog group team ltd inc llc finance " +
    "bank money cfd quest skin hair beauty makeup autos boats homes yachts motorcycles lat mom men kim ink bar casa " +
    "pics help guru ninja rocks fyi accountant cricket faith webcam xin wang ren tokyo uno ovh sale bet casino poker " +
    "xxx porn sex adult dating onion " +
    // country codes
    "ad ae af ag al am ao aq ar at au aw ax az ba bd be bf bg bh bi bj bm bn bo bq br bs bt bw by bz ca cd cf cg " +
    "ch ci ck cl cm cn cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr ga gd ge gf gg " +
    "gh gi gl gm gn gp gq gr gt gu gw gy hk hm hn hr ht hu id ie il im in iq ir is it je jm jo jp ke kg kh ki km kn " +
    "kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz " +
    "na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pn pr pt pw qa re ro ru rw sa sb sc sd se sg si sk sl " +
    "sm sn so sr ss st sv sx sy sz tc td tg th tj tk tl tm tn to tr tt tw tz ua ug uk us uy uz va vc ve vg vi vn vu " +
    "wf ye yt za zm zw " +
    // reserved and private-use names
    "local internal lan corp intranet home example test invalid"
  ).split(" "),
);
/**
 * Internationalised TLDs, accepted in either form (`пример.рф`, `xn--e1afmkfd.xn--p1ai`): no file
 * extension is written in Cyrillic or Han, so these collide with nothing.
 */
const IDN_TLDS = "рф рус укр бел срб мкд қаз мон онлайн сайт москва 中国 中國 香港 台灣 台湾 公司 网络 在线 한국";
for (const tld of IDN_TLDS.split(" ")) TLDS.add(tld).add(domainToASCII(tld));
/** `libc.so`, `ld-linux.so`: shared objects, not domains under Somalia's TLD. */
const SHARED_OBJECT = /^(?:lib|ld-)[^.]*\.so$/;

/**
 * Built-in Windows principals, registry hives and well-known directories look like DOMAIN\user
 * but identify nobody: `System32\drivers` and `Users\alice` are fragments of paths.
 */
const NOT_ACCOUNT_DOMAINS = new Set(
  (
    "authority builtin service hklm hkcu hkcr hku hkcc " +
    "windows system32 syswow64 sysnative winsxs drivers users appdata local locallow roaming programdata temp tmp"
  ).split(" "),
);
/**
 * `Office16\WINWORD.EXE`, `Temp\a.ps1`: a user name does not end in a file's extension. A list, as a
 * user name may hold dots (`CORP\john.smith`).
 */
const FILE_NAME =
  /\.(?:exe|dll|sys|drv|ocx|cpl|scr|com|msi|msp|lnk|ps1|psm1|psd1|bat|cmd|vbs|vbe|js|jse|wsf|wsh|hta|inf|ini|reg|tmp|log|txt|dat|db|xml|json|cfg|config|evtx|etl|pf|doc|docx|docm|xls|xlsx|xlsm|ppt|pptx|pdf|rtf|zip|rar|7z|iso|img|vhd|vhdx|cab|jar|py|sh)$/;
/** `v1.0\powershell.exe`: a NetBIOS domain holds no dot, and no DNS name ends in a number. */
const NUMERIC_LAST_LABEL = /\.\d+$/;

/** A bare name (`evil.example`, lower case) whose last label is a top-level domain and that is not a shared object. */
export function mayBeDomain(name: string): boolean {
  return TLDS.has(name.slice(name.lastIndexOf(".") + 1)) && !SHARED_OBJECT.test(name);
}

/** `DOMAIN\user` (`value`, lower case) that names a principal, not a fragment of a path. */
export function mayBeAccount(domain: string, value: string): boolean {
  return !NOT_ACCOUNT_DOMAINS.has(domain) && !FILE_NAME.test(value) && !NUMERIC_LAST_LABEL.test(domain);
}
