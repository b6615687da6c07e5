import { describe, expect, it } from "vitest";
import { warningsAfter } from "../../test/helpers/workflow-checks.js";
import { PlaybookFilterCounter } from "../datasets/playbook-filters.js";
import { Case } from "../schema/index.js";
import { loadWorkflow } from "../workflow/load.js";
import { ToolSandbox } from "./sandbox.js";

// the bundled phishing workflow: check_url_reputation filters intel.url_reputation by `url`,
// get_sender_history filters email.sender_history by `email`
const wf = loadWorkflow("suites/phishing-triage/workflow.yaml");
const rep = (id: string, url: string) => ({
  id,
  source: "intel.url_reputation",
  time: "2026-03-01T08:00:00Z",
  entities: [{ type: "url", value: url }],
  data: {},
});
const c = Case.parse({
  id: "ef-1",
  workflow: "phishing-triage",
  alert: { title: "t", rule: "r", source: "gw", severity: "low", time: "2026-03-01T08:00:00Z" },
  evidence: [
    // two short links that differ only in the case of their path: two different links
    rep("link-upper", "https://bit.ly/3xYz"),
    rep("link-lower", "https://bit.ly/3xyz"),
    rep("lure", "https://Parcel-Notice.example/L/17ece35d?rid=2AddaF"),
    {
      id: "sender",
      source: "email.sender_history",
      time: "2026-03-01T08:00:00Z",
      entities: [{ type: "email", value: "Billing@Parcel-Notice.example" }],
      data: {},
    },
  ],
});

const returned = (tool: string, input: Record<string, unknown>) =>
  new ToolSandbox(c, wf, { scope: "all", faults: [], seed: 1 }).call(tool, input).step.evidence_ids;

describe("a tool's entity filter compares values as the real system does", () => {
  it("a URL's path and query exactly, its scheme and host in any case", () => {
    expect(returned("check_url_reputation", { url: "https://bit.ly/3xYz" })).toEqual(["link-upper"]);
    expect(returned("check_url_reputation", { url: "HTTPS://BIT.LY/3xyz" })).toEqual(["link-lower"]);
    expect(returned("check_url_reputation", { url: "https://parcel-notice.EXAMPLE/L/17ece35d?rid=2AddaF" })).toEqual([
      "lure",
    ]);
    // the agent lower-cased the whole URL: a reputation service knows no such link
    expect(returned("check_url_reputation", { url: "https://parcel-notice.example/l/17ece35d?rid=2addaf" })).toEqual(
      [],
    );
  });

  it("an e-mail address in any case", () => {
    expect(returned("get_sender_history", { sender: "billing@parcel-notice.example" })).toEqual(["sender"]);
  });
});

describe("dataset validate's playbook filter check", () => {
  it("matches as the sandbox does: a link whose path the records spell in another case is a link they do not hold", () => {
    const file = "suites/phishing-triage/workflow.yaml";
    const withAlertUrl = (url: string) =>
      Case.parse({ ...c, alert: { ...c.alert, entities: [{ type: "url", value: url }] } });
    const warnings = (url: string) => warningsAfter(new PlaybookFilterCounter(wf), file, [withAlertUrl(url)]);
    expect(warnings("HTTPS://PARCEL-NOTICE.EXAMPLE/L/17ece35d?rid=2AddaF")).toEqual([]);
    expect(returned("check_url_reputation", { url: "https://parcel-notice.example/L/17ece35d?rid=2addaf" })).toEqual(
      [],
    );
    const [w, ...rest] = warnings("https://parcel-notice.example/L/17ece35d?rid=2addaf");
    expect(rest).toEqual([]);
    expect(w).toContain("the playbook's check_url_reputation call returns nothing on every case");
  });
});
