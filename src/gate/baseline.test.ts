import { describe, expect, it } from "vitest";
import { InputError } from "../io/errors.js";
import { Store } from "../store/db.js";
import { blessBaseline } from "./baseline.js";

describe("baseline bless --name", () => {
  it("refuses a name the gate's --baseline would not find again: empty, spaced or with a control character", async () => {
    const store = await Store.open(":memory:");
    try {
      for (const name of ["", " ", "main ", " main", "main\n", "x\u001b[31m"]) {
        const err = await blessBaseline(store, "latest", name).catch((e: unknown) => e);
        expect(err, JSON.stringify(name)).toBeInstanceOf(InputError);
        expect((err as Error).message).toContain(`--name: ${JSON.stringify(name)}: a baseline name is not empty`);
      }
      expect(await store.query("SELECT name FROM baselines")).toEqual([]);
      // a branch name is a name: it gets as far as looking for the run
      await expect(blessBaseline(store, "latest", "feature/x")).rejects.toThrow(/no runs|no run/);
    } finally {
      store.close();
    }
  });
});
