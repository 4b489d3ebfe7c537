import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback endpoint in front of the S3 stand-in that can be told to fail for a while. */
export interface FaultyS3Proxy {
  /** `http://127.0.0.1:port`: use it as the store's endpoint. */
  readonly endpoint: string;
  /**
   * Answers the next `count` requests matching `when` (default: any) with `status`
   * and the S3 error `code` (default 503 SlowDown, what S3 says when throttling),
   * then passes requests through again.
   */
  failNext(
    count: number,
    options?: { status?: number; code?: string; when?: (method: string, url: string) => boolean },
  ): void;
  /** Failures answered so far. */
  injected(): number;
  /** Requests seen so far (passed through or failed). */
  seen(): number;
  close(): Promise<void>;
}

/**
 * Fault tests of transient S3 failures need a real HTTP answer on the wire (the SDK
 * decides on retries from status and error code), not a stubbed client: this proxy
 * forwards to the stand-in and replaces chosen answers with an S3 error document.
 */
export async function startFaultyS3Proxy(target: string): Promise<FaultyS3Proxy> {
  const upstream = new URL(target);
  let budget = 0;
  let status = 503;
  let code = "SlowDown";
  let when: (method: string, url: string) => boolean = () => true;
  let injected = 0;
  let seen = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? "GET";
    const url = incoming.url ?? "/";
    seen += 1;
    if (budget > 0 && when(method, url)) {
      budget -= 1;
      injected += 1;
      // Read the body first: answering before it is consumed resets some clients.
      incoming.resume();
      incoming.on("end", () => {
        outgoing.writeHead(status, { "content-type": "application/xml" });
        outgoing.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the test proxy</Message></Error>`,
        );
      });
      return;
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method, path: url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(count, options = {}) {
      budget = count;
      status = options.status ?? 503;
      code = options.code ?? "SlowDown";
      when = options.when ?? (() => true);
    },
    injected: () => injected,
    seen: () => seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
