import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dumpDom, findChromium } from "./fixtures/report/chromium.js";

/** The browser tests leave nothing in the user's home: Chromium's profile and cache go to scratch. */
describe("the Chromium the report tests launch", () => {
  const home = process.env.HOME;
  afterEach(() => {
    process.env.HOME = home;
  });
  const chromium = findChromium();
  it.skipIf(!chromium)("writes nothing under $HOME", () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-chromium-home-"));
    writeFileSync(join(dir, "page.html"), "<!doctype html><p>hello</p>");
    const fakeHome = mkdtempSync(join(dir, "home-"));
    process.env.HOME = fakeHome;
    expect(dumpDom(chromium!, join(dir, "page.html"))).toContain("hello");
    expect(readdirSync(fakeHome)).toEqual([]);
  });
});
