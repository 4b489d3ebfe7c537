import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { inject } from "vitest";
import type { RunReport, SyncTableOptions } from "../src/index.js";
import { syncTable } from "../src/index.js";

export type MysqlConnection = Awaited<ReturnType<typeof createTestMysqlConnection>>;

/** A fresh MariaDB database for one test file, set up by `statements` (multi-statement SQL). */
export async function createSourceDatabase(schema: string, statements: string): Promise<MysqlConnection> {
  const connection = await createTestMysqlConnection(inject("sluiceServices").mysql);
  await connection.query(
    `DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema}; ${statements}`,
  );
  return connection;
}

/** Drops the PostgreSQL schema a previous test run left behind. */
export async function dropTargetSchema(schema: string): Promise<void> {
  const client = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs `syncTable` until a run extracts nothing; returns every report (the quiet one last). */
export async function syncUntilQuiet(options: SyncTableOptions, maxRuns = 200): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  for (let run = 0; run < maxRuns; run += 1) {
    const result = await syncTable(options);
    if (result.isErr()) throw new Error(result.error.message);
    const report = result.value;
    reports.push(report);
    if ((report.extract?.rows ?? 0) === 0) return reports;
  }
  throw new Error(`${options.table.schema}.${options.table.table} still moving rows after ${maxRuns} runs`);
}

export async function mysqlRows(connection: MysqlConnection, sql: string): Promise<string[][]> {
  await connection.query("SET time_zone = '+00:00'");
  const [rows] = await connection.query({ sql, rowsAsArray: true });
  return (rows as unknown[][]).map((row) => row.map((value) => (value === null ? "NULL" : String(value))));
}

export async function pgRows(sql: string): Promise<string[][]> {
  const client = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await client.query("SET TIME ZONE 'UTC'");
    const result = await client.query({ text: sql, rowMode: "array" });
    return (result.rows as unknown[][]).map((row) =>
      row.map((value) => (value === null ? "NULL" : String(value))),
    );
  } finally {
    await client.end();
  }
}

export const extractedRows = (reports: readonly RunReport[]): number =>
  reports.reduce((sum, report) => sum + (report.extract?.rows ?? 0), 0);
