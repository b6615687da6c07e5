import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A scripted model server on 127.0.0.1: each test queues the answers it wants, in order, and the
 * server answers one request with each. Protocol files (openai-wire, anthropic-wire) say how an
 * answer looks on their wire; everything about HTTP misbehaviour lives here.
 */
/** `input` counts every prompt token; `cached` of them were read from the cache, `cacheWrite` written to it. */
export type Usage = { input: number; output: number; cached?: number; cacheWrite?: number };
export type ScriptedCall = { name: string; arguments: Record<string, unknown> | string };

/** `cut`: the answer stopped at the token limit (finish_reason length, stop_reason max_tokens) */
export type Reply =
  | { type: "tool_calls"; calls: ScriptedCall[]; text?: string; usage?: Usage | null; cut?: boolean }
  | { type: "submit"; output: unknown; usage?: Usage | null; cut?: boolean }
  | { type: "text"; text: string; usage?: Usage | null; cut?: boolean }
  /** the model declines: OpenAI's message.refusal, Anthropic's stop_reason "refusal" */
  | { type: "refusal"; text: string; usage?: Usage | null }
  /**
   * an HTTP error; `body` replaces the protocol's own error body (OpenAI's quota error, say), and
   * `html` sends a page instead (a proxy's or a CDN's error page)
   */
  | {
      type: "status";
      status: number;
      headers?: Record<string, string>;
      message?: string;
      body?: unknown;
      html?: string;
    }
  | { type: "slow"; delay_ms: number; reply: Reply }
  | { type: "malformed" }
  | { type: "truncated" }
  /** headers and half the body, then nothing more on an open connection (a proxy that hangs mid-answer) */
  | { type: "stalled" }
  /** a 200 that is an HTML page (a proxy's, a login portal's), not the protocol's JSON */
  | { type: "html" }
  /** a 200 with this JSON body, whatever the protocol (a gateway's error body, say) */
  | { type: "json"; body: unknown }
  /** a 200 JSON answer written as this text: what JSON.stringify cannot write (an integer beyond 2^53) */
  | { type: "raw"; text: string };

/** The answers a model gives; the protocol renders them. */
export type ModelReply = Extract<Reply, { type: "tool_calls" | "submit" | "text" | "refusal" }>;

/** One request as it arrived; `at` is Date.now() on arrival, for measuring client back-off. */
export type RecordedRequest = {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
  at: number;
};

export type Protocol = {
  /** the path the SDK posts to */
  path: string;
  /** what the SDK's baseURL should be, given the server origin */
  baseURL: (origin: string) => string;
  render: (reply: ModelReply, request: Record<string, unknown>, n: number) => unknown;
  errorBody: (status: number, message: string) => unknown;
};

export type WireServer = {
  /** the base URL to give the SDK */
  url: string;
  requests: RecordedRequest[];
  enqueue: (...replies: Reply[]) => void;
  /** replies not yet used */
  readonly pending: number;
  close: () => Promise<void>;
};

export const DEFAULT_USAGE: Usage = { input: 120, output: 30 };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export async function startWireServer(protocol: Protocol, script: Reply[] = []): Promise<WireServer> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  let n = 0;
  const timers = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, reply: Reply, body: Record<string, unknown>, i: number): void => {
    switch (reply.type) {
      case "status":
        if (reply.html !== undefined) {
          res.writeHead(reply.status, { "content-type": "text/html", ...reply.headers });
          res.end(reply.html);
          return;
        }
        sendJson(
          res,
          reply.status,
          reply.body ?? protocol.errorBody(reply.status, reply.message ?? `scripted ${reply.status}`),
          { ...reply.headers },
        );
        return;
      case "slow": {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.destroyed) answer(res, reply.reply, body, i);
        }, reply.delay_ms);
        timers.add(t);
        return;
      }
      case "malformed":
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"id": "broken", "choices": [ {"message": ');
        return;
      case "truncated": {
        const full = JSON.stringify(protocol.render({ type: "text", text: "cut short" }, body, i));
        // promise the whole body, send half, then drop the connection
        res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(full)) });
        res.write(full.slice(0, Math.floor(full.length / 2)), () => res.socket?.destroy());
        return;
      }
      case "json":
        sendJson(res, 200, reply.body);
        return;
      case "raw":
        res.writeHead(200, { "content-type": "application/json" });
        res.end(reply.text);
        return;
      case "html":
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>\n  <body><h1>Welcome to nginx!</h1></body>\n</html>\n");
        return;
      case "stalled": {
        const full = JSON.stringify(protocol.render({ type: "text", text: "never finished" }, body, i));
        res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(full)) });
        res.write(full.slice(0, Math.floor(full.length / 2)));
        return;
      }
      default:
        sendJson(res, 200, protocol.render(reply, body, i));
    }
  };

  const server = createServer(async (req, res) => {
    const at = Date.now();
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the raw text: a test may want to see what was sent
    }
    requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, at });
    if (req.method !== "POST" || req.url?.split("?")[0] !== protocol.path) {
      sendJson(res, 404, protocol.errorBody(404, `no route ${req.method} ${req.url}`));
      return;
    }
    const reply = queue.shift();
    const i = n++;
    if (!reply) {
      sendJson(res, 500, protocol.errorBody(500, "test server: script exhausted"));
      return;
    }
    answer(res, reply, (body ?? {}) as Record<string, unknown>, i);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: protocol.baseURL(`http://127.0.0.1:${port}`),
    requests,
    enqueue: (...replies) => queue.push(...replies),
    get pending() {
      return queue.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** null: the answer carries no usage at all, as some local servers send it. */
export function usageOf(reply: ModelReply): Usage | null {
  return reply.usage === null ? null : (reply.usage ?? DEFAULT_USAGE);
}
