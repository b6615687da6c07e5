import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openaiProtocol } from "./openai-wire.js";
import type { ModelReply } from "./wire.js";

/**
 * An OpenAI-protocol server on loopback that answers from the conversation itself rather than a
 * fixed queue, so many cases can run concurrently (and across processes) against it.
 */
export async function startResponder(
  decide: (messages: { role: string; content?: unknown; tool_calls?: unknown }[]) => ModelReply,
  delayMs = 0,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    const i = n++;
    let reply: ModelReply;
    try {
      reply = decide(body.messages as never);
    } catch (e) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `responder: ${(e as Error).message}` } }));
      return;
    }
    setTimeout(() => {
      const text = JSON.stringify(openaiProtocol.render(reply, body, i));
      res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
