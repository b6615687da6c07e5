import { keepLongIntegers } from "../io/json-numbers.js";

/**
 * An answer's body, read as both SDKs read it (JSON when the server says so, else the text, which
 * notJson reports), but with an integer beyond 2^53 kept as its digits: a tool call's input can
 * arrive as a JSON object (Anthropic's tool_use, a compatible server's arguments), and the SDK's own
 * JSON.parse would round a 64-bit id the model copied from evidence to a neighbour before the
 * sandbox filters on it.
 */
export async function bodyOf(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim();
  const text = await response.text();
  if (!(mediaType?.includes("application/json") || mediaType?.endsWith("+json"))) return text;
  if (response.headers.get("content-length") === "0") return undefined;
  return keepLongIntegers(text, JSON.parse(text));
}
