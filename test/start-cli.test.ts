import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, MODE_BOUND_USER, query, soceval } from "./helpers/cli.js";

// `npm start` is `soceval start`: the README's first command. Here on the mini fixture, via --suites.
const dir = mkdtempSync(join(tmpdir(), "soceval-start-"));
cpSync("test/fixtures/mini", join(dir, "mini"), { recursive: true });

describe("soceval start", () => {
  it("replays the suites it is given, writes a report per suite and an index, and prints the index's path", async () => {
    const db = join(dir, "ok", "s.duckdb");
    const out = join(dir, "ok", "reports");
    const r = await soceval(["start", "--suites", "mini/suite.yaml", "--db", db, "--out", out], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`\nexit-criteria reports: ${join(out, "index.html")}\n`);
    for (const f of ["mini.html", "mini.md", "mini.json", "index.html"]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "mini.json"), "utf8")).agents.playbook.cases).toBe(40);
    // the index is an HTML report like the others: the same CSP, phase names, interval style and badges
    const index = readFileSync(join(out, "index.html"), "utf8");
    expect(index).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\';');
    expect(index).not.toMatch(/<script\b/i);
    expect(index).toContain('<th scope="col">Controlled automation</th>');
    expect(index).toMatch(/\d+\.\d% <span class="small muted">\(\d+\.\d% – \d+\.\d%\)<\/span>/);
    expect(index).toMatch(/<td><span class="badge (met|not-met|not-measured)">/);
    expect(index).toContain("independently of the others");
  });

  it("a mistyped --suites path is refused (exit 2) before any store or report folder is made", async () => {
    const db = join(dir, "typo", "s.duckdb");
    const out = join(dir, "typo", "reports");
    const r = await soceval(["start", "--suites", "mini/suite.yaml", "mini/suit.yaml", "--db", db, "--out", out], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("soceval: mini/suit.yaml: cannot read (ENOENT)\n");
    expect(existsSync(join(dir, "typo"))).toBe(false);
  });

  it.skipIf(MODE_BOUND_USER === null)(
    "an --out it cannot write in (a read-only checkout) is refused (exit 2) before any suite is replayed",
    async () => {
      // root writes through a folder's mode: the CLI runs as nobody, with a store it can write
      chmodSync(tmpdir(), 0o711);
      chmodSync(dir, 0o755);
      const ro = join(dir, "read-only");
      mkdirSync(ro, { mode: 0o555 });
      const rw = mkdtempSync(join(tmpdir(), "soceval-start-rw-"));
      chmodSync(rw, 0o777);
      const db = join(rw, "s.duckdb");
      for (const out of [ro, join(ro, "reports")]) {
        // it replayed the suite into the store, then failed on the first report with exit 3
        const r = await soceval(
          ["start", "--suites", "mini/suite.yaml", "--db", db, "--out", out],
          dir,
          {},
          MODE_BOUND_USER!,
        );
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toBe(`soceval: --out ${out}: cannot write in ${ro} (EACCES)\n`);
        expect(existsSync(db)).toBe(false);
      }
      // as `dataset generate --out` is: it made the folder with a raw runtime failure (exit 3)
      const g = await soceval(
        ["dataset", "generate", "--count", "1", "--out", join(ro, "g")],
        dir,
        {},
        MODE_BOUND_USER!,
      );
      expect(g.status, g.stderr).toBe(2);
      expect(g.stderr).toBe(`soceval: --out ${join(ro, "g")}: cannot write in ${ro} (EACCES)\n`);
    },
  );
});

describe("soceval start, interrupted", () => {
  it("before its suite's first case: one line, exit 3, and no run left in the store", async () => {
    // the runner asks git for the revision just before it stores a suite's run: this git says so, slowly
    const bin = join(dir, "slow-git");
    const marker = join(dir, "git-asked");
    mkdirSync(bin);
    writeFileSync(join(bin, "git"), `#!/bin/sh\ntouch '${marker}'\nsleep 0.3\nexit 1\n`, { mode: 0o755 });
    const db = join(dir, "interrupted", "s.duckdb");
    const args = ["start", "--suites", "mini/suite.yaml", "--db", db, "--out", join(dir, "interrupted", "reports")];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const poll = setInterval(() => {
      if (existsSync(marker)) {
        child.kill("SIGINT");
        clearInterval(poll);
      }
    }, 5);
    const code = await new Promise<number | null>((done) => child.once("close", done));
    clearInterval(poll);
    // it ended with exit 130 and no word, a run left "running" in the store
    expect(code, stderr).toBe(3);
    expect(stderr).toContain(
      "soceval: start interrupted (SIGINT): 0 of 1 suites replayed, no index written; run `soceval start` again for the reports\n",
    );
    expect(await query(db, "SELECT run_id FROM runs")).toEqual([]);

    // a second signal quits at once, saying so (it quit with no word)
    rmSync(marker);
    const again = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    let said = "";
    again.stderr.on("data", (d: Buffer) => {
      said += d.toString();
    });
    const twice = setInterval(() => {
      if (existsSync(marker)) {
        again.kill("SIGINT");
        setTimeout(() => again.kill("SIGINT"), 50);
        clearInterval(twice);
      }
    }, 5);
    const quit = await new Promise<number | null>((done) => again.once("close", done));
    clearInterval(twice);
    expect(quit, said).toBe(3);
    expect(said).toContain("soceval: start stopped (SIGINT); no index written\n");
  }, 60_000);
});

describe("soceval start, on a suite in a folder whose name a URL reads otherwise", () => {
  it("links the index to the suite's report file as named on disk", async () => {
    const folder = "mini #2?:x";
    cpSync("test/fixtures/mini", join(dir, folder), { recursive: true });
    const out = join(dir, "odd", "reports");
    const r = await soceval(
      ["start", "--suites", `${folder}/suite.yaml`, "--db", join(dir, "odd", "s.duckdb"), "--out", out],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    const href = /<a href="([^"]+)">/.exec(readFileSync(join(out, "index.html"), "utf8"))![1]!;
    expect(href).toBe("./mini%20%232%3F%3Ax.html");
    // what a browser opens: the href resolved against the index's own URL
    const opened = new URL(href, `file://${out}/index.html`);
    expect(existsSync(decodeURIComponent(opened.pathname))).toBe(true);
    expect(opened.hash).toBe("");
  });
});

describe("soceval start, on two suites of one folder", () => {
  it("writes a report for each, and the index links each row to its own", async () => {
    cpSync("test/fixtures/mini", join(dir, "pair"), { recursive: true });
    cpSync(join(dir, "pair/suite.yaml"), join(dir, "pair/second.suite.yaml"));
    const out = join(dir, "pair-out");
    const r = await soceval(
      [
        "start",
        "--suites",
        "pair/suite.yaml",
        "pair/second.suite.yaml",
        "--db",
        join(dir, "pair.duckdb"),
        "--out",
        out,
      ],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    const index = readFileSync(join(out, "index.html"), "utf8");
    const hrefs = [...index.matchAll(/<a href="\.\/([^"]+)">/g)].map((m) => m[1]);
    expect(hrefs).toEqual(["pair-suite.html", "pair-second.html"]);
    const runIds = [...index.matchAll(/<code class="id">([^<]+)<\/code>/g)].map((m) => m[1]);
    for (const [i, f] of hrefs.entries())
      expect(JSON.parse(readFileSync(join(out, f!.replace(/\.html$/, ".json")), "utf8")).run.run_id).toBe(runIds[i]);
  });
});
