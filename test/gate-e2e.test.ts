import { spawn } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateVerdict } from "../src/gate/verdict-schema.js";
import { CLI, soceval } from "./helpers/cli.js";
import { SMALL_SUITE_GATE } from "./helpers/small-gate.js";
import { startResponder } from "./servers/responder.js";

const dir = mkdtempSync(join(tmpdir(), "soceval-gate-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const run = (args: string[]) => soceval(args, dir);
const db = join(dir, "gate.duckdb");

/** Answers benign everywhere, except mini-004 (an analyst true positive) where it alternates. */
const seen = new Map<string, number>();
function wavering(messages: { role: string; content?: unknown }[]) {
  const text = JSON.stringify(messages);
  const user = text.match(/user\d+@corp\.example/)?.[0] ?? "?";
  const n = seen.get(user) ?? 0;
  seen.set(user, n + 1);
  const malicious = user === "user4@corp.example" && n % 2 === 0;
  return {
    type: "submit" as const,
    output: {
      verdict: malicious ? "true_positive" : "benign_positive",
      confidence: 0.8,
      escalate: malicious,
      summary: "Decided from the alert alone.",
      hypotheses: [],
      recommended_actions: [],
      evidence: [],
      missing_sources: [],
      human_only: false,
    },
  };
}

let flakyServer: Awaited<ReturnType<typeof startResponder>>;
let brokenServer: Awaited<ReturnType<typeof startResponder>>;
beforeAll(async () => {
  flakyServer = await startResponder(wavering);
  brokenServer = await startResponder(() => {
    throw new Error("upstream is down");
  });
  const gpt = readFileSync(join(dir, "agents/gpt.yaml"), "utf8");
  writeFileSync(join(dir, "agents/gpt.yaml"), gpt.replace("http://127.0.0.1:9/v1", flakyServer.url));
  writeFileSync(
    join(dir, "agents/broken.yaml"),
    gpt.replace("http://127.0.0.1:9/v1", brokenServer.url).replace("name: gpt-test", "name: gpt-broken"),
  );
  writeFileSync(
    join(dir, "suite.yaml"),
    readFileSync(join(dir, "suite.yaml"), "utf8").replace(
      "agents/playbook-no-ti.yaml]",
      "agents/playbook-no-ti.yaml, agents/broken.yaml]",
    ) + SMALL_SUITE_GATE,
  );
  const base = await run(["run", "suite.yaml", "--db", db, "--quiet"]);
  expect(base.status, base.stderr).toBe(0);
  const bless = await run(["baseline", "bless", "--run", "latest", "--name", "main", "--db", db]);
  expect(bless.status, bless.stderr).toBe(0);
});
afterAll(async () => {
  await flakyServer.close();
  await brokenServer.close();
});

const verdict = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as GateVerdict;

describe("soceval gate", () => {
  it("passes an equal candidate (exit 0)", async () => {
    const r = await run(["gate", "suite.yaml", "--baseline", "main", "--db", db, "--quiet", "--json", "eq.json"]);
    expect(r.status, r.stderr).toBe(0);
    const v = verdict("eq.json");
    expect(v.status).toBe("pass");
    expect(v.regressed).toEqual([]);
    expect(v.paired_cases).toBe(40);
  });

  it("does not claim an equal candidate is within 2 points on 40 cases: the default margins fail as too few cases", async () => {
    // the suite without its gate block: soceval's defaults, margins of 0.02
    const strict = readFileSync(join(dir, "suite.yaml"), "utf8").replace(SMALL_SUITE_GATE, "");
    writeFileSync(join(dir, "strict.suite.yaml"), strict);
    const r = await run([
      "gate",
      "strict.suite.yaml",
      "--baseline",
      "main",
      "--db",
      db,
      "--quiet",
      "--json",
      "st.json",
    ]);
    expect(r.status, r.stderr).toBe(1);
    const margin = verdict("st.json").rules.find((x) => x.rule === "margin:verdict_agreement")!;
    expect(margin).toMatchObject({ diff: 0, pass: false });
    // no case changed, yet 40 cases leave a drop of z²/(40 + z²) ≈ 8.8 points plausible, more as
    // the fixture's incidents count once
    expect(margin.lower!).toBeLessThanOrEqual(-(1.959964 ** 2) / (40 + 1.959964 ** 2) + 1e-9);
    expect(margin.lower!).toBeGreaterThan(-0.12);
    expect(margin.detail).toContain("too few cases");
    expect(verdict("st.json").regressed).toEqual([]);
  });

  it("fails a candidate that stops gathering a required source, for that reason (exit 1)", async () => {
    const r = await run([
      "gate",
      "suite.yaml",
      "--baseline",
      "main",
      "--agent",
      "playbook-no-ti",
      "--db",
      db,
      "--quiet",
      "--json",
      "worse.json",
      "--junit",
      "worse.xml",
      "--summary",
      "worse.md",
    ]);
    expect(r.status, r.stderr).toBe(1);
    const v = verdict("worse.json");
    expect(v.status).toBe("fail");
    const failed = v.rules.filter((x) => !x.pass).map((x) => x.rule);
    expect(failed).toContain("margin:verdict_agreement");
    expect(failed).toContain("no_new_critical_miss");
    expect(failed).not.toContain("limit:hallucination_rate");
    // every analyst true positive flipped, and the first explanation is the cause: threat intel never gathered
    expect(v.regressed.map((x) => x.case_id)).toEqual([
      "mini-000",
      "mini-004",
      "mini-008",
      "mini-012",
      "mini-016",
      "mini-020",
      "mini-024",
      "mini-028",
      "mini-032",
      "mini-036",
    ]);
    expect(v.regressed[0]!.why[0]).toMatchObject({ kind: "missed_context" });
    expect(v.regressed[0]!.why[0]!.detail).toMatch(/t-000/);
    const md = readFileSync(join(dir, "worse.md"), "utf8");
    expect(md).toMatch(/FAIL/);
    expect(md.split("\n").length).toBeLessThan(60);
  });

  it("writes JUnit XML that parses and follows the usual JUnit structure", () => {
    const xml = readFileSync(join(dir, "worse.xml"), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suites = doc.testsuites.testsuite as {
      name: string;
      tests: string;
      failures: string;
      testcase: { name: string; classname: string; failure?: unknown }[];
    }[];
    expect(suites).toHaveLength(2);
    const cases = suites[1]!;
    expect(cases.testcase).toHaveLength(40);
    expect(Number(cases.tests)).toBe(40);
    const failing = cases.testcase.filter((t) => t.failure !== undefined);
    expect(Number(cases.failures)).toBe(failing.length);
    expect(failing.length).toBe(10);
    expect(JSON.stringify(failing[0]!.failure)).toMatch(/missed_context/);
    // the message CI shows first names the flip: each failing case is one the verdict lists, with its verdicts
    const v = verdict("worse.json");
    for (const t of failing) {
      const { message, type } = t.failure as { message: string; type: string };
      const id = t.name.split(" ")[0];
      const f = (type === "new_critical_miss" ? v.new_critical_miss : v.regressed).find((x) => x.case_id === id)!;
      expect(message).toBe(
        `${type.replace(/_/g, " ")}: analyst ${f.label_verdict}; baseline ${f.baseline_verdict} → candidate ${f.candidate_verdict ?? "no output"}`,
      );
    }
    for (const t of cases.testcase) {
      expect(t.name).toBeTruthy();
      expect(t.classname).toBeTruthy();
    }
  });

  it("refuses a baseline made with other epochs (exit 2), naming the difference", async () => {
    const r = await run(["gate", "suite.yaml", "--baseline", "main", "--epochs", "2", "--db", db, "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/baseline "main" was made under another setup than this gate: epochs 1, this gate 2/);
  });

  it("refuses a baseline made under other faults, another seed, or on part of the cases (exit 2)", async () => {
    const suite = readFileSync(join(dir, "suite.yaml"), "utf8");
    writeFileSync(
      join(dir, "faults.suite.yaml"),
      `${suite}faults:\n  - { tool: get_signins, kind: timeout, rate: 0.5 }\n`,
    );
    writeFileSync(join(dir, "seed.suite.yaml"), suite.replace("seed: 3", "seed: 4"));
    for (const [file, why] of [
      ["faults.suite.yaml", /other injected faults/],
      ["seed.suite.yaml", /seed 3, this gate 4/],
    ] as const) {
      const r = await run(["gate", file, "--baseline", "main", "--db", db, "--quiet"]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    const part = await run(["run", "suite.yaml", "--db", db, "--limit", "3", "--agent", "playbook", "--quiet"]);
    expect(part.status, part.stderr).toBe(0);
    expect((await run(["baseline", "bless", "--run", "latest", "--name", "part", "--db", db])).status).toBe(0);
    const r = await run(["gate", "suite.yaml", "--baseline", "part", "--db", db, "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--limit 3, this gate none/);
  });

  it("reports a case that flips between epochs as flaky, not as a regression", async () => {
    // a baseline of two epochs, as the candidate's
    const twice = await run(["run", "suite.yaml", "--db", db, "--epochs", "2", "--agent", "playbook", "--quiet"]);
    expect(twice.status, twice.stderr).toBe(0);
    const bless = await run(["baseline", "bless", "--run", "latest", "--name", "main-2", "--db", db]);
    expect(bless.status, bless.stderr).toBe(0);
    const r = await run([
      "gate",
      "suite.yaml",
      "--baseline",
      "main-2",
      "--agent",
      "gpt-test",
      "--baseline-agent",
      "playbook",
      "--epochs",
      "2",
      "--db",
      db,
      "--quiet",
      "--json",
      "flaky.json",
    ]);
    expect([0, 1]).toContain(r.status);
    const v = verdict("flaky.json");
    expect(v.flaky.map((f) => f.case_id)).toEqual(["mini-004"]);
    expect(v.flaky[0]).toMatchObject({ agent: "gpt-test", epochs_right: 1, epochs: 2 });
    expect(v.regressed.map((x) => x.case_id)).not.toContain("mini-004");
    expect(v.regressed.map((x) => x.case_id)).toContain("mini-000");
  });

  it("cannot judge when the provider fails too often (exit 3)", async () => {
    const r = await run([
      "gate",
      "suite.yaml",
      "--baseline",
      "main",
      "--agent",
      "gpt-broken",
      "--baseline-agent",
      "playbook",
      "--db",
      db,
      "--quiet",
      "--json",
      "infra.json",
      "--junit",
      "infra.xml",
    ]);
    expect(r.status, r.stderr).toBe(3);
    const v = verdict("infra.json");
    expect(v.status).toBe("infra_failure");
    expect(v.infra.rate).toBe(1);
    // each failed case says why in JUnit, the server's answer first, whether or not the baseline got it right
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      readFileSync(join(dir, "infra.xml"), "utf8"),
    );
    const cases = doc.testsuites.testsuite[1].testcase as { name: string; error?: { message: string } }[];
    expect(cases).toHaveLength(40);
    expect(r.stdout).toMatch(/First: `mini-000` — the agent produced no triage output: provider: .*upstream is down/);
    // every flip is to no answer, the outage's doing: counted, not listed as the agent's regressions
    const flips = v.regressed.length;
    expect(flips).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(/Right → wrong/);
    expect(r.stdout).toContain(`**Right → no answer** (${flips}): not listed; the failures above are why.`);
    // a failed margin's cases point at that count, not at a right → wrong list the summary does not show
    expect(r.stdout).toContain(`**Worse on verdict_agreement** (${flips}): the right → no answer cases above`);
    expect(r.stdout).not.toContain("the right → wrong cases above");
    for (const t of cases)
      expect(t.error?.message, t.name).toMatch(/^the agent produced no triage output: provider: .*upstream is down/);
    // what to do next: replay only the failed investigations of the stored run, then judge that run
    const id = v.candidate.run_id;
    expect(r.stdout).toContain(
      `Nothing was judged. Once the provider answers again, replay only the failed investigations: \`soceval run ${join(dir, "suite.yaml")} --resume ${id} --agent gpt-broken --db ${db} --retry-failed\`, ` +
        `then judge that run: \`soceval gate --baseline main --baseline-agent playbook --candidate-run ${id} --agent gpt-broken --db ${db}\`.`,
    );
    // the printed gate command runs as printed (the provider is still down: it cannot judge again)
    // and so does the resume: accepted (not a usage or resume-guard error), it replays the failed ones into the same run
    const resume = await run(r.stdout.match(/failed investigations: `soceval (run [^`]+)`/)![1]!.split(" "));
    expect(resume.status, resume.stderr).not.toBe(2);
    const again = await run(r.stdout.match(/then judge that run: `soceval (gate [^`]+)`/)![1]!.split(" "));
    expect(again.status, again.stderr).toBe(3);
    expect(again.stdout).toContain(`Candidate \`gpt-broken\` (run \`${id}\`)`);
  });

  it("compares two stored runs without running anything", async () => {
    const runs = JSON.parse((await run(["runs", "list", "--db", db, "--format", "json"])).stdout) as {
      run_id: string;
      agents: string[];
    }[];
    // the first run (newest last): the one made as the candidate was, one epoch
    const base = runs.filter((x) => x.agents.includes("playbook")).at(-1)!;
    const worse = runs.find((x) => x.agents.includes("playbook-no-ti"))!;
    const r = await run(["gate", "--baseline-run", base.run_id, "--candidate-run", worse.run_id, "--db", db]);
    expect(r.status, r.stderr).toBe(1);
  });

  it("refuses to judge or compare runs that share no cases (exit 2), instead of passing on nothing", async () => {
    const renamed = readFileSync(join(dir, "cases.jsonl"), "utf8").replace(/"mini-(\d+)"/g, '"other-$1"');
    writeFileSync(join(dir, "other.jsonl"), renamed);
    writeFileSync(
      join(dir, "other.suite.yaml"),
      readFileSync(join(dir, "suite.yaml"), "utf8").replace("dataset: cases.jsonl", "dataset: other.jsonl"),
    );
    const other = await run(["run", "other.suite.yaml", "--db", db, "--quiet"]);
    expect(other.status, other.stderr).toBe(0);
    const runs = JSON.parse((await run(["runs", "list", "--db", db, "--format", "json"])).stdout) as {
      run_id: string;
      suite: string;
      agents: string[];
    }[];
    const base = runs.find((x) => x.agents.includes("playbook") && x.run_id !== runs[0]!.run_id)!;
    const unrelated = runs[0]!; // the newest: the renamed cases
    const gate = await run(["gate", "--baseline-run", base.run_id, "--candidate-run", unrelated.run_id, "--db", db]);
    // the gate refuses before pairing: the runs replayed different datasets
    expect(gate.status).toBe(2);
    expect(gate.stderr).toMatch(/another dataset: .*cases\.jsonl.*other\.jsonl/);
    const cmp = await run(["compare", "--runs", base.run_id, unrelated.run_id, "--db", db]);
    expect(cmp.status).toBe(2);
    expect(cmp.stderr).toMatch(/share no cases/);
  });

  it("on a CI cancel (SIGINT) stores the cases in flight, says in its report files it did not judge, and exits 3", async () => {
    let started!: () => void;
    const first = new Promise<void>((r) => {
      started = r;
    });
    const benign = {
      type: "submit" as const,
      output: {
        verdict: "benign_positive",
        confidence: 0.8,
        escalate: false,
        summary: "Routine.",
        hypotheses: [],
        recommended_actions: [],
        missing_sources: [],
        human_only: false,
      },
    };
    const slow = await startResponder(() => {
      started();
      return benign;
    }, 400);
    try {
      const gpt = readFileSync(join(dir, "agents/gpt.yaml"), "utf8");
      writeFileSync(
        join(dir, "agents/slow.yaml"),
        gpt.replace(flakyServer.url, slow.url).replace("name: gpt-test", "name: gpt-slow"),
      );
      writeFileSync(
        join(dir, "slow.suite.yaml"),
        readFileSync(join(dir, "suite.yaml"), "utf8").replace(
          "agents/broken.yaml]",
          "agents/broken.yaml, agents/slow.yaml]",
        ),
      );
      for (const f of ["cancel.md", "cancel.json"]) writeFileSync(join(dir, f), "an earlier gate's passing verdict\n");
      const child = spawn(
        process.execPath,
        [
          CLI,
          "gate",
          "slow.suite.yaml",
          "--baseline",
          "main",
          "--agent",
          "gpt-slow",
          "--baseline-agent",
          "playbook",
        ].concat(["--db", db, "--quiet", "--summary", "cancel.md", "--json", "cancel.json"]),
        { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
      );
      let err = "";
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
      });
      const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
      // a gate that refused its input before replaying anything exits on its own
      await Promise.race([first, exited]);
      child.kill("SIGINT");
      expect(await exited, err).toBe(3);
      expect(err).toMatch(
        /soceval: gate: interrupted; the candidate run \S+ stopped with \d+ of 40 investigations stored, so nothing was judged; finish it: /,
      );
      // the next attempt finishes the stored candidate with the command the gate names, then judges it
      const [, finish, judge] = err.match(/finish it: soceval (run .*), then judge it: soceval (gate .*)\n$/) ?? [];
      expect(finish).toMatch(/ --resume \S+ --agent gpt-slow --db /);
      expect(judge).toMatch(/^gate --candidate-run \S+ --baseline main --baseline-agent playbook --db /);
      expect(JSON.parse(readFileSync(join(dir, "cancel.json"), "utf8"))).toMatchObject({
        status: "not_judged",
        exit_code: 3,
      });
      expect(readFileSync(join(dir, "cancel.md"), "utf8")).toMatch(/^## soceval gate: not judged\n\n.*interrupted/);
      // the candidate run is marked interrupted, not left as a process that vanished mid-run
      const id = err.match(/candidate run (\S+) stopped/)![1];
      const runs = JSON.parse((await run(["runs", "list", "--db", db, "--format", "json"])).stdout) as {
        run_id: string;
        status: string;
      }[];
      expect(runs.find((r) => r.run_id === id)?.status).toBe("interrupted");
      const finished = await run(finish!.split(" "));
      expect(finished.status, finished.stderr).toBe(0);
      const judged = await run(judge!.split(" "));
      expect([0, 1], judged.stderr).toContain(judged.status);
      expect(judged.stdout).toContain(`Candidate \`gpt-slow\` (run \`${id}\`)`);
    } finally {
      await slow.close();
    }
  });

  it("refuses a baseline made on another dataset version, and bad usage, with exit 2", async () => {
    const usage = await run(["gate", "suite.yaml", "--db", db]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--baseline/);
    const line = readFileSync(join(dir, "cases.jsonl"), "utf8").split("\n")[0]!;
    appendFileSync(join(dir, "cases.jsonl"), `${line.replace('"mini-000"', '"mini-999"')}\n`);
    const r = await run(["gate", "suite.yaml", "--baseline", "main", "--db", db, "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/another version of .*cases\.jsonl/);
    // each hash said to be whose: the baseline's, then the suite's dataset as it is now
    expect(r.stderr).toMatch(/\(sha256 [0-9a-f]{12}… for the baseline, sha256 [0-9a-f]{12}… for suite\.yaml\)/);
    const unknown = await run(["gate", "suite.yaml", "--baseline", "nope", "--db", db]);
    expect(unknown.status).toBe(2);
  });
});
