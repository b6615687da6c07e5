import { describe, expect, it } from "vitest";
import { unusableStop } from "./unusable.js";

describe("unusableStop", () => {
  it("tells an account without credit to add some, not to check its key, model name and address", () => {
    const spent = unusableStop(
      "refused",
      "gpt",
      3,
      "provider: openai: HTTP 429: You exceeded your current quota. (the account's quota or credit is spent: retrying will not help)",
      null,
      "suite.yaml",
    );
    expect(spent.message).toMatch(/Nothing was stored; add credit or raise the account's quota .*, then run again$/);
    const wrongKey = unusableStop("refused", "gpt", 3, "provider: openai: HTTP 401: bad key", null, "suite.yaml");
    expect(wrongKey.message).toMatch(
      /check the API key \(api_key_env\), the model name and the address, then run again$/,
    );
  });
});
