import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly contentLength: number | null;
}

/**
 * A pass-through HTTP proxy in front of the S3 stand-in that records every request
 * and can answer chosen ones with an error instead. It lets tests see which S3 calls
 * the store really made (multipart or not, part sizes, the abort) without trusting
 * the store's own account of it.
 */
export async function startRecordingS3Proxy(
  target: string,
  failWhen?: (method: string, url: string) => { status: number; code: string } | null,
): Promise<{ endpoint: string; requests: RecordedRequest[]; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? "GET";
    const url = incoming.url ?? "/";
    const length = incoming.headers["content-length"];
    requests.push({ method, url, contentLength: length === undefined ? null : Number(length) });
    const failure = failWhen?.(method, url);
    if (failure) {
      incoming.resume();
      incoming.on("end", () => {
        outgoing.writeHead(failure.status, { "content-type": "application/xml" });
        outgoing.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${failure.code}</Code><Message>injected</Message></Error>`,
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
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
