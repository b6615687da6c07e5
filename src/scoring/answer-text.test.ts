import { describe, expect, it } from "vitest";
import { parseAnswerText } from "./answer-text.js";

describe("parseAnswerText", () => {
  it("keeps a 64-bit id an answer cites as a bare number as its digits, whole or fenced", () => {
    const json = '{"verdict":"true_positive","EventRecordID":12345678901234567891,"confidence":0.9}';
    const want = { value: { verdict: "true_positive", EventRecordID: "12345678901234567891", confidence: 0.9 } };
    expect(parseAnswerText(json)).toEqual(want);
    expect(parseAnswerText(`Here it is:\n\`\`\`json\n${json}\n\`\`\``)).toEqual(want);
    expect(parseAnswerText('{"n":9007199254740991}')).toEqual({ value: { n: 9007199254740991 } });
  });
});
