import type { Rng } from "../rng.js";

/** A binary as the EDR and threat intel know it: one hash per dataset, like one build across a fleet. */
export type Binary = {
  image: string;
  signer: string;
  status: "valid" | "unsigned" | "invalid" | "revoked";
  sha256: string;
  prevalence: number;
  firstSeen: string;
};

const SYS = "C:\\Windows\\System32";
const OFFICE = "C:\\Program Files\\Microsoft Office\\root\\Office16";
const IME = "C:\\Program Files (x86)\\Microsoft Intune Management Extension";
const VS = "C:\\Program Files\\Microsoft Visual Studio\\2022\\Professional";

const BINARIES: Record<string, [string, string]> = {
  explorer: ["C:\\Windows\\explorer.exe", "Microsoft Windows"],
  cmd: [`${SYS}\\cmd.exe`, "Microsoft Windows"],
  powershell: [`${SYS}\\WindowsPowerShell\\v1.0\\powershell.exe`, "Microsoft Windows"],
  rundll32: [`${SYS}\\rundll32.exe`, "Microsoft Windows"],
  certutil: [`${SYS}\\certutil.exe`, "Microsoft Windows"],
  mshta: [`${SYS}\\mshta.exe`, "Microsoft Windows"],
  regsvr32: [`${SYS}\\regsvr32.exe`, "Microsoft Windows"],
  bitsadmin: [`${SYS}\\bitsadmin.exe`, "Microsoft Windows"],
  wscript: [`${SYS}\\wscript.exe`, "Microsoft Windows"],
  wmiprvse: [`${SYS}\\wbem\\WmiPrvSE.exe`, "Microsoft Windows"],
  wmic: [`${SYS}\\wbem\\WMIC.exe`, "Microsoft Windows"],
  services: [`${SYS}\\services.exe`, "Microsoft Windows"],
  svchost: [`${SYS}\\svchost.exe`, "Microsoft Windows"],
  vssadmin: [`${SYS}\\vssadmin.exe`, "Microsoft Windows"],
  bcdedit: [`${SYS}\\bcdedit.exe`, "Microsoft Windows"],
  net: [`${SYS}\\net.exe`, "Microsoft Windows"],
  sc: [`${SYS}\\sc.exe`, "Microsoft Windows"],
  schtasks: [`${SYS}\\schtasks.exe`, "Microsoft Windows"],
  whoami: [`${SYS}\\whoami.exe`, "Microsoft Windows"],
  nltest: [`${SYS}\\nltest.exe`, "Microsoft Windows"],
  msiexec: [`${SYS}\\msiexec.exe`, "Microsoft Windows"],
  curl: [`${SYS}\\curl.exe`, "Microsoft Windows"],
  winword: [`${OFFICE}\\WINWORD.EXE`, "Microsoft Corporation"],
  excel: [`${OFFICE}\\EXCEL.EXE`, "Microsoft Corporation"],
  outlook: [`${OFFICE}\\OUTLOOK.EXE`, "Microsoft Corporation"],
  psexec: ["C:\\Tools\\Sysinternals\\PsExec64.exe", "Microsoft Corporation"],
  psexesvc: ["C:\\Windows\\PSEXESVC.exe", "Microsoft Corporation"],
  procdump: ["C:\\Tools\\Sysinternals\\procdump64.exe", "Microsoft Corporation"],
  ccmexec: ["C:\\Windows\\CCM\\CcmExec.exe", "Microsoft Corporation"],
  ime: [`${IME}\\Microsoft.Management.Services.IntuneWindowsAgent.exe`, "Microsoft Corporation"],
  agentexecutor: [`${IME}\\AgentExecutor.exe`, "Microsoft Corporation"],
  devenv: [`${VS}\\Common7\\IDE\\devenv.exe`, "Microsoft Corporation"],
  msbuild: [`${VS}\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe`, "Microsoft Corporation"],
  msbuildfw: ["C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\MSBuild.exe", "Microsoft Corporation"],
  msmpeng: [
    "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe",
    "Microsoft Corporation",
  ],
  dotnet: ["C:\\Program Files\\dotnet\\dotnet.exe", "Microsoft Corporation"],
  node: ["C:\\Program Files\\nodejs\\node.exe", "OpenJS Foundation"],
  python: ["C:\\Program Files\\Python312\\python.exe", "Python Software Foundation"],
  sqlcmd: [
    "C:\\Program Files\\Microsoft SQL Server\\Client SDK\\ODBC\\170\\Tools\\Binn\\SQLCMD.EXE",
    "Microsoft Corporation",
  ],
  anydesk: ["C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe", "AnyDesk Software GmbH"],
  chrome: ["C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "Google LLC"],
  teams: [
    "C:\\Program Files\\WindowsApps\\MSTeams_24335.208.3315.1951_x64__8wekyb3d8bbwe\\ms-teams.exe",
    "Microsoft Corporation",
  ],
  // fictional vendors: their behaviour in these cases must not be pinned on a real product
  backup: ["C:\\Program Files\\Corvane\\Backup Agent\\cvbagent.exe", "Corvane Systems Inc."],
  rmm: ["C:\\Program Files\\Helix RMM\\helixagent.exe", "Helix Remote Management Ltd"],
  pdfupd: ["C:\\Program Files (x86)\\Brightline\\PDF Studio\\blupdate.exe", "Brightline Software Ltd"],
  syncapp: ["C:\\Program Files\\Quillnote\\Quillnote.exe", "Quillnote Labs Inc."],
};

export type Catalog = { bin(key: string): Binary };

export function makeCatalog(rng: Rng): Catalog {
  const table = new Map<string, Binary>();
  for (const [key, [image, signer]] of Object.entries(BINARIES)) {
    const windows = signer === "Microsoft Windows";
    table.set(key, {
      image,
      signer,
      status: "valid",
      sha256: rng.hex(64),
      prevalence: windows ? rng.int(3800, 5200) : rng.int(40, 3900),
      firstSeen: `20${rng.int(19, 23)}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}T00:00:00Z`,
    });
  }
  return {
    bin(key) {
      const b = table.get(key);
      if (!b) throw new Error(`endpoint catalog: unknown binary ${key}`);
      return b;
    },
  };
}

/** A one-off binary: attacker payloads, freshly compiled builds, renamed tools. */
export function oneOff(rng: Rng, image: string, signer = "", status: Binary["status"] = "unsigned"): Binary {
  return { image, signer, status, sha256: rng.hex(64), prevalence: 1, firstSeen: "" };
}

export function baseName(image: string): string {
  return image.slice(image.lastIndexOf("\\") + 1);
}

/** PowerShell's -EncodedCommand form: base64 of the UTF-16LE script text. */
export function encodePs(script: string): string {
  return Buffer.from(script, "utf16le").toString("base64");
}
