import { connect, type Socket } from "node:net";
import { type BackendLink, encodeFrame, raiseStatement } from "./backend-link.js";
import type { CompatCatalog } from "./compat-catalog.js";
import { type CopyExecutorOptions, executeRedshiftCopy } from "./copy-executor.js";
import { GatewaySqlError, sqlState } from "./gateway-error.js";
import { translateStatement } from "./redshift-sql-translation.js";
import { isSignificant, keyword, type SqlToken, splitStatements, tokenizeSql } from "./sql-tokens.js";
import {
  cancelRequestCode,
  decodeParse,
  encodeParse,
  encodeQuery,
  type Frame,
  FrameReader,
  gssEncRequestCode,
  queryText,
  sslRequestCode,
} from "./wire-frames.js";

export interface SessionOptions extends CopyExecutorOptions {
  readonly backendHost: string;
  readonly backendPort: number;
  readonly catalog: CompatCatalog;
}

/**
 * One client connection: a backend connection to PostgreSQL opened with the
 * client's own start-up message (so PostgreSQL authenticates the client's user and
 * password), frames relayed both ways, SQL translated on the way in, and Redshift
 * COPY from S3 executed by the gateway itself on this same backend session.
 */
export class GatewaySession {
  private readonly clientReader = new FrameReader(false);
  private readonly backendReader = new FrameReader(true);
  private backend: Socket | null = null;
  /** Client frames are handled strictly in order, one at a time. */
  private work: Promise<void> = Promise.resolve();
  /** While the gateway drives the backend itself, backend frames queue here. */
  private intercepting = false;
  private readonly backendFrames: Frame[] = [];
  private backendWaiter: ((frame: Frame) => void) | null = null;

  constructor(
    private readonly client: Socket,
    private readonly options: SessionOptions,
  ) {
    client.on("data", (chunk: Buffer) => {
      for (const frame of this.clientReader.push(chunk)) this.enqueue(frame);
    });
    client.on("error", () => this.close());
    client.on("close", () => this.close());
  }

  private enqueue(frame: Frame): void {
    this.work = this.work
      .then(() => this.handleClientFrame(frame))
      .catch((thrown: unknown) => {
        // A gateway bug must not hang the client: report and drop the connection.
        process.stderr.write(`redshift gateway: ${(thrown as Error)?.stack ?? String(thrown)}\n`);
        this.close();
      });
  }

  private async handleClientFrame(frame: Frame): Promise<void> {
    if (frame.type === "") return this.handleStartup(frame);
    switch (frame.type) {
      case "Q":
        return this.handleQuery(queryText(frame.body));
      case "P":
        return this.handleParse(frame);
      default:
        this.toBackend(encodeFrame(frame));
        if (frame.type === "X") this.backend?.end();
    }
  }

  private async handleStartup(frame: Frame): Promise<void> {
    const code = frame.body.readInt32BE(0);
    if (code === sslRequestCode || code === gssEncRequestCode) {
      // No TLS here: clients connect with sslmode=disable (see docs/redshift-testing.md).
      this.client.write("N");
      for (const next of this.clientReader.push(Buffer.alloc(0))) this.enqueue(next);
      return;
    }
    const raw = Buffer.alloc(4 + frame.body.length);
    raw.writeInt32BE(raw.length, 0);
    frame.body.copy(raw, 4);
    if (code === cancelRequestCode) {
      const cancel = connect(this.options.backendPort, this.options.backendHost, () => cancel.end(raw));
      cancel.on("error", () => {});
      this.client.end();
      return;
    }
    await this.openBackend(raw);
    this.clientReader.expectTyped();
    for (const next of this.clientReader.push(Buffer.alloc(0))) this.enqueue(next);
  }

  private openBackend(startup: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const backend = connect(this.options.backendPort, this.options.backendHost, () => {
        backend.write(startup);
        resolve();
      });
      backend.on("data", (chunk: Buffer) => {
        for (const frame of this.backendReader.push(chunk)) this.fromBackend(frame);
      });
      backend.on("error", (error) => {
        reject(error);
        this.close();
      });
      backend.on("close", () => this.close());
      this.backend = backend;
    });
  }

  private fromBackend(frame: Frame): void {
    if (!this.intercepting) {
      this.client.write(encodeFrame(frame));
      return;
    }
    if (this.backendWaiter) {
      const waiter = this.backendWaiter;
      this.backendWaiter = null;
      waiter(frame);
    } else {
      this.backendFrames.push(frame);
    }
  }

  private async handleQuery(sql: string): Promise<void> {
    const statements = splitStatements(tokenizeSql(sql));
    const copies = statements.filter((statement) => keyword(statement.find(isSignificant)) === "COPY");
    if (copies.length > 0) {
      if (statements.length > 1) {
        const error = new GatewaySqlError(
          "the Redshift gateway runs COPY only as a statement of its own",
          sqlState.featureNotSupported,
        );
        this.toBackend(encodeQuery(raiseStatement(error)));
        return;
      }
      return this.intercept((link) => executeRedshiftCopy(copies[0] as SqlToken[], link, this.options));
    }
    const translated = await this.translate(statements);
    this.toBackend(encodeQuery(translated.length > 0 ? translated.join(";\n") : sql));
  }

  private async handleParse(frame: Frame): Promise<void> {
    const message = decodeParse(frame.body);
    const statements = splitStatements(tokenizeSql(message.query));
    let query = message.query;
    if (statements.some((statement) => keyword(statement.find(isSignificant)) === "COPY")) {
      // Redshift COPY is emulated for the simple query protocol (what drivers send
      // for a statement without parameters); fail at Execute like a bad statement.
      query = raiseStatement(
        new GatewaySqlError(
          "the Redshift gateway runs COPY only through the simple query protocol",
          sqlState.featureNotSupported,
        ),
      );
    } else if (statements.length > 0) {
      query = (await this.translate(statements)).join(";\n");
    }
    this.toBackend(encodeParse({ ...message, query }));
  }

  private async translate(statements: readonly SqlToken[][]): Promise<string[]> {
    const translated = statements.map((statement) => translateStatement(statement));
    for (const statement of translated) {
      for (const length of statement.varbyteLengths) await this.options.catalog.ensureVarbyte(length);
    }
    return translated.map((statement) => statement.sql);
  }

  private async intercept(run: (link: BackendLink) => Promise<void>): Promise<void> {
    this.intercepting = true;
    const link: BackendLink = {
      toBackend: (bytes) => this.toBackend(bytes),
      toClient: (bytes) => this.client.write(bytes),
      next: () =>
        new Promise<Frame>((resolve) => {
          const queued = this.backendFrames.shift();
          if (queued) resolve(queued);
          else this.backendWaiter = resolve;
        }),
    };
    try {
      await run(link);
    } finally {
      this.intercepting = false;
      // Anything the backend sent after its ReadyForQuery (notices) goes on to the client.
      for (const frame of this.backendFrames.splice(0)) this.client.write(encodeFrame(frame));
    }
  }

  private toBackend(bytes: Buffer): void {
    this.backend?.write(bytes);
  }

  close(): void {
    this.client.destroy();
    this.backend?.destroy();
    const waiter = this.backendWaiter;
    this.backendWaiter = null;
    // Unblock an intercepted COPY waiting on a backend that is gone.
    waiter?.({ type: "Z", body: Buffer.from("I") });
  }
}
