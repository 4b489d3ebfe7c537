import type { startServices } from "@sluice/test-services";
import mysql from "mysql2/promise";

type RunningServices = Awaited<ReturnType<typeof startServices>>;

/**
 * The private MariaDB and S3 stand-in a benchmark started, and one admin connection to
 * MariaDB (several statements per query, for the fills): what every bench entry point
 * needs before it builds its tables.
 */
export async function benchConnection(running: RunningServices) {
  const my = running.services.mysql;
  const s3 = running.services.s3;
  if (!my || !s3) throw new Error("services did not start");
  const connection = await mysql.createConnection({
    host: my.host,
    port: my.port,
    user: my.user,
    password: my.password,
    multipleStatements: true,
  });
  return { my, s3, connection };
}
