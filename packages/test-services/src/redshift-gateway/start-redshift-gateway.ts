import { createServer, type Socket } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import type { PostgresEndpoint, RedshiftEndpoint, S3Endpoint } from "../services-contract.js";
import { CompatCatalog } from "./compat-catalog.js";
import { GatewaySession } from "./gateway-session.js";

export interface RedshiftGatewayOptions {
  /** The PostgreSQL the gateway stands in front of; clients log in with its user and password. */
  readonly postgres: PostgresEndpoint;
  /** The S3 stand-in COPY reads from (s3:// bucket names map to its buckets). */
  readonly s3: S3Endpoint;
  /** The IAM role put in the endpoint's URL; COPY accepts any well-formed role. */
  readonly iamRole?: string;
}

export interface RunningRedshiftGateway {
  readonly endpoint: RedshiftEndpoint;
  stop(): Promise<void>;
}

const testRole = "arn:aws:iam::123456789012:role/sluice-gateway-test";

/**
 * A Redshift-emulating gateway on an ephemeral loopback port: PostgreSQL wire
 * protocol in front of the private PostgreSQL, Redshift SQL translated, and
 * `COPY ... FROM 's3://...' FORMAT AS PARQUET` executed against the S3 stand-in
 * with Redshift's columnar COPY rules (see docs/adr and redshift-copy-command.ts).
 */
export async function startRedshiftGateway(options: RedshiftGatewayOptions): Promise<RunningRedshiftGateway> {
  const catalog = await CompatCatalog.open(options.postgres);
  const s3 = new S3Client({
    endpoint: options.s3.endpoint,
    region: options.s3.region,
    credentials: { accessKeyId: options.s3.accessKeyId, secretAccessKey: options.s3.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const sessions = new Set<GatewaySession>();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const session = new GatewaySession(socket, {
      backendHost: options.postgres.host,
      backendPort: options.postgres.port,
      catalog,
      s3,
      region: options.s3.region,
    });
    sessions.add(session);
    sockets.add(socket);
    socket.on("close", () => {
      sessions.delete(session);
      sockets.delete(socket);
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address && typeof address === "object") resolve(address.port);
      else reject(new Error("redshift gateway: no port assigned"));
    });
  });
  const { user, password, database } = options.postgres;
  const iamRole = options.iamRole ?? testRole;
  const endpoint: RedshiftEndpoint = {
    host: "127.0.0.1",
    port,
    user,
    password,
    database,
    iamRole,
    url: `redshift://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable&iam_role=${encodeURIComponent(iamRole)}`,
  };
  return {
    endpoint,
    stop: async () => {
      for (const session of sessions) session.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await catalog.close();
      s3.destroy();
    },
  };
}
