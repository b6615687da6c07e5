import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_RUN, seedFixture } from "../../test/fixtures/report/run.js";
import { cloneRun } from "../../test/helpers/clone-run.js";
import { Store } from "./db.js";
import { resolveRunId } from "./run-ref.js";

describe("resolveRunId", () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    await cloneRun(store, FIXTURE_RUN, "run-fixture-0002");
  });
  afterAll(() => store.close());

  it("takes an exact id", async () => {
    expect(await resolveRunId(store, FIXTURE_RUN)).toBe(FIXTURE_RUN);
    expect(await resolveRunId(store, "run-fixture-0002")).toBe("run-fixture-0002");
  });

  it("an unknown id names no flag (commands take ids under several) and points at this store's runs", async () => {
    await expect(resolveRunId(store, "nope")).rejects.toThrow(
      ':memory:: no run "nope" (see `soceval runs list --db :memory:`)',
    );
  });

  it("a prefix of several runs says so instead of 'no run'", async () => {
    await expect(resolveRunId(store, "run-fixture")).rejects.toThrow(
      ':memory:: "run-fixture" names more than one run (see `soceval runs list --db :memory:`)',
    );
  });
});
