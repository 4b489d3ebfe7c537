import { S3Client } from "@aws-sdk/client-s3";
import mysql from "mysql2/promise";
import pg from "pg";
import type { MysqlEndpoint, PostgresEndpoint, S3Endpoint } from "./services-contract.js";

/** A mysql2 connection for seeding and checking; multi-statement, no default schema. */
export function createTestMysqlConnection(endpoint: MysqlEndpoint): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

export async function createTestPgClient(endpoint: PostgresEndpoint): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: endpoint.url });
  await client.connect();
  return client;
}

/** The client settings s3rver needs (ARCHITECTURE.md): path style, checksums only when required. */
export function createTestS3Client(endpoint: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: endpoint.endpoint,
    region: endpoint.region,
    credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
