import { randomBytes } from "node:crypto";
import { createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore, RetryPolicy, TableRef } from "@sluice/core";
import type { FaultPoint } from "@sluice/core/internal";
import {
  createTestPgClient,
  type FaultyS3Proxy,
  killSshSessionsOf,
  startFaultyS3Proxy,
} from "@sluice/test-services";
import { openSshTunnel } from "@sluice/tunnel";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type RunReport, type SyncTableOptions, syncTable } from "../src/index.js";
import {
  createSettlementSource,
  localLake,
  mysqlTestOptions,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
  testMysqlSource,
} from "./sync-fixture.js";

/**
 * Fault tests against the real services: each breaks one connection in the middle of
 * a run (MySQL KILL, pg_terminate_backend, S3 answering 503 SlowDown, the bastion's
 * sshd session killed), checks that the run retried and finished with every row
 * exactly once, and that a rerun with --verify-data finds target and source equal.
 */

// Short waits: the backoff's shape is unit-tested in @sluice/core.
const quickRetry: RetryPolicy = { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 };
// Pages far larger than the socket buffers: while the run writes a part, MariaDB is
// still sending the page, so a KILL then lands mid-stream.
const rows = 60_000;
const big = { pageSize: 50_000, rowsPerFile: 4_000 };
type Seed = Awaited<ReturnType<typeof createSettlementSource>>;
const seeds: Seed[] = [];

afterAll(async () => {
  for (const seed of seeds) await seed.end();
});

function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(3).toString("hex")}`;
}

async function seeded(prefix: string): Promise<{ schema: string; ref: TableRef; seed: Seed }> {
  const schema = uniqueSchema(prefix);
  const seed = await createSettlementSource(schema, rows);
  seeds.push(seed);
  return { schema, ref: { schema, table: "settlement" }, seed };
}

/** Target equals source row for row, and a rerun's checksum verification agrees. */
async function expectTargetEqualsSource(schema: string, seed: Seed, options: SyncTableOptions) {
  const target = await targetRowsAsText(schema);
  expect(target).toHaveLength(rows);
  expect(normaliseDoubles(target)).toEqual(normaliseDoubles(await sourceRowsAsText(seed, schema)));
  const { faultHook: _unused, ...withoutFault } = options;
  const rerun = (await syncTable({ ...withoutFault, verifyData: true }))._unsafeUnwrap();
  expect(rerun.counts?.extracted).toBe(0);
  expect(rerun.verification?.sourceRows).toBe(rows);
  expect(rerun.verification?.targetRows).toBe(rows);
  expect(rerun.verification?.mismatches).toEqual([]);
}

function expectEveryRowOnce(report: RunReport) {
  expect(report.counts?.extracted).toBe(rows);
  expect(report.counts?.staged).toBe(rows);
  expect(report.counts?.loaded).toBe(rows);
}

describe("transient faults are retried inside the run", () => {
  it("MySQL connection killed mid-page: the page resumes after the last row read", async () => {
    const { schema, ref, seed } = await seeded("retry_mysql_kill");
    let killed: { id: number; command: string } | null = null;
    const faultHook = async (point: FaultPoint) => {
      if (point !== "part-written" || killed) return;
      const [found] = await seed.query(
        "SELECT ID AS id, COMMAND AS command FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
        [schema],
      );
      const sessions = found as { id: number; command: string }[];
      // Only while it is inside a page query (else at the next part boundary).
      killed = sessions.find((session) => session.command === "Query") ?? null;
      if (killed) await seed.query(`KILL CONNECTION ${Number(killed.id)}`);
    };
    const options = syncOptions(ref, await localLake(), { ...big, retry: quickRetry });
    const report = (await syncTable({ ...options, faultHook }))._unsafeUnwrap();
    // The extraction's session was inside its page query when it was killed.
    expect(killed).toMatchObject({ command: "Query" });
    expect(report.retries).toEqual({ total: 1, byStage: { extract: 1, stage: 0, load: 0 } });
    expectEveryRowOnce(report);
    // Resumed, not restarted: one page query more than a run without the fault (2 pages + 1).
    expect(report.extract?.queries).toBeLessThanOrEqual(4);
    await expectTargetEqualsSource(schema, seed, options);
  });

  it("warehouse connection terminated mid-COPY: the load rolls back and is repeated whole", async () => {
    const { schema, ref, seed } = await seeded("retry_pg_kill");
    const watcher = await createTestPgClient(inject("sluiceServices").postgres);
    // The loader's session is the one holding this table's load lock while it COPYs.
    let terminated = false;
    let watching = true;
    const watch = (async () => {
      while (watching && !terminated) {
        const found = await watcher.query<{ terminated: boolean }>(
          `SELECT pg_terminate_backend(a.pid) AS terminated
             FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
            WHERE l.locktype = 'advisory' AND l.granted
              AND l.objid = (hashtext($1)::bigint & 4294967295)::oid
              AND a.state = 'active' AND a.query ILIKE 'COPY%'`,
          [`sluice load ${schema}.settlement`],
        );
        terminated = found.rows.some((row) => row.terminated);
        if (!terminated) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const options = syncOptions(ref, await localLake(), {
      pageSize: 50_000,
      rowsPerFile: 20_000,
      retry: quickRetry,
    });
    try {
      const report = (await syncTable(options))._unsafeUnwrap();
      expect(terminated).toBe(true);
      expect(report.retries?.byStage.load).toBe(1);
      expect(report.retries?.byStage.extract).toBe(0);
      expectEveryRowOnce(report);
      expect(report.load?.runsLoaded).toBe(1);
    } finally {
      watching = false;
      await watch;
      await watcher.end();
    }
    await expectTargetEqualsSource(schema, seed, options);
  });

  describe("S3 answering 503 SlowDown", () => {
    let proxy: FaultyS3Proxy;
    afterAll(async () => proxy?.close());

    function s3Lake(attempts: number): ObjectStore {
      const services = inject("sluiceServices");
      return createS3ObjectStore({
        bucket: services.s3.bucket,
        prefix: `retry-${randomBytes(4).toString("hex")}`,
        endpoint: proxy.endpoint,
        region: services.s3.region,
        credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
        forcePathStyle: true,
        // As the CLI sets it: the SDK's own retries follow the run's policy.
        maxAttempts: attempts + 1,
      });
    }

    it("for a while: the SDK retries part uploads and reads, counted as stage retries", async () => {
      proxy = await startFaultyS3Proxy(inject("sluiceServices").s3.endpoint);
      const { schema, ref, seed } = await seeded("retry_s3_503");
      const parts = (method: string) => (verb: string, url: string) =>
        verb === method && url.includes("_batch_");
      let uploadsFailed = false;
      let readsFailed = false;
      const faultHook = (point: FaultPoint) => {
        if (point === "part-written" && !uploadsFailed) {
          uploadsFailed = true;
          proxy.failNext(2, { when: parts("PUT") });
        }
        if (point === "extract-committed" && !readsFailed) {
          readsFailed = true;
          proxy.failNext(2, { when: parts("GET") });
        }
      };
      const options = syncOptions(ref, s3Lake(quickRetry.attempts), { ...big, retry: quickRetry });
      const report = (await syncTable({ ...options, faultHook }))._unsafeUnwrap();
      expect(proxy.injected()).toBe(4);
      expect(report.retries).toEqual({ total: 4, byStage: { extract: 0, stage: 4, load: 0 } });
      expectEveryRowOnce(report);
      await expectTargetEqualsSource(schema, seed, options);
    });

    it("longer than the policy allows: the run fails cleanly as retryable, a rerun converges", async () => {
      proxy ??= await startFaultyS3Proxy(inject("sluiceServices").s3.endpoint);
      const { schema, ref, seed } = await seeded("retry_s3_outage");
      let outage = false;
      const faultHook = (point: FaultPoint) => {
        if (point === "part-written" && !outage) {
          outage = true;
          proxy.failNext(1_000, { when: (verb, url) => verb === "PUT" && url.includes("_batch_") });
        }
      };
      const injectedBefore = proxy.injected();
      const policy = { ...quickRetry, attempts: 1 };
      const options = syncOptions(ref, s3Lake(policy.attempts), { ...big, retry: policy });
      const failed = await syncTable({ ...options, faultHook });
      const error = failed._unsafeUnwrapErr();
      expect(error).toMatchObject({ kind: "connection", retryable: true });
      expect(error.message).toMatch(/HTTP 503 SlowDown/);
      // Two SDK attempts per upload, and the extraction itself tried twice.
      expect(proxy.injected() - injectedBefore).toBe(4);
      proxy.failNext(0);
      const rerun = (await syncTable(options))._unsafeUnwrap();
      expectEveryRowOnce(rerun);
      await expectTargetEqualsSource(schema, seed, options);
    });
  });

  it("bastion session killed mid-page: the tunnel logs in again and the page resumes", async () => {
    const services = inject("sluiceServices");
    const { schema, ref, seed } = await seeded("retry_ssh_kill");
    const tunnel = (
      await openSshTunnel({
        bastion: {
          host: services.ssh.host,
          port: services.ssh.port,
          user: services.ssh.user,
          privateKey: services.ssh.privateKey,
        },
        hostKey: { fingerprint: services.ssh.hostKeyFingerprint },
        target: { host: services.mysql.host, port: services.mysql.port },
        readyTimeoutMs: 10_000,
      })
    )._unsafeUnwrap();
    try {
      const direct = syncOptions(ref, await localLake(), { ...big, retry: quickRetry });
      const options: SyncTableOptions = {
        ...direct,
        source: testMysqlSource({
          ...mysqlTestOptions(schema),
          host: tunnel.localHost,
          port: tunnel.localPort,
        }),
      };
      let killedPids = null as number[] | null;
      const faultHook = async (point: FaultPoint) => {
        if (point !== "part-written" || killedPids) return;
        killedPids = await killSshSessionsOf(process.pid, services.ssh.port);
      };
      const report = (await syncTable({ ...options, faultHook }))._unsafeUnwrap();
      // sshd's per-connection processes (privilege-separated monitor and child).
      expect(killedPids?.length).toBeGreaterThanOrEqual(1);
      expect(tunnel.reconnects()).toBe(1);
      expect(report.retries?.byStage.extract).toBeGreaterThanOrEqual(1);
      expectEveryRowOnce(report);
      await expectTargetEqualsSource(schema, seed, options);
    } finally {
      await tunnel.close();
    }
  });
});

describe("terminal errors are not retried", () => {
  const countingSleep = () => {
    const waits: number[] = [];
    return { waits, retryTiming: { sleep: async (ms: number) => void waits.push(ms) } };
  };

  it("a wrong password and an unknown table fail on the first attempt", async () => {
    const { ref } = await seeded("retry_terminal");
    const base = syncOptions(ref, await localLake(), { retry: quickRetry });
    const source = mysqlTestOptions(ref.schema);

    const password = countingSleep();
    const denied = await syncTable({
      ...base,
      ...password,
      source: testMysqlSource({ ...source, password: "wrong" }),
    });
    expect(denied._unsafeUnwrapErr()).toMatchObject({ kind: "auth", retryable: false });
    expect(password.waits).toEqual([]);

    const table = countingSleep();
    const unknown = await syncTable({ ...base, ...table, table: { ...ref, table: "no_such_table" } });
    expect(unknown._unsafeUnwrapErr().retryable).toBe(false);
    expect(table.waits).toEqual([]);
  });

  it("while an unreachable server is retried the policy's number of times", async () => {
    const { ref } = await seeded("retry_unreachable");
    const base = syncOptions(ref, await localLake(), { retry: quickRetry });
    const timing = countingSleep();
    // Port 1 on loopback: refused at once.
    const refused = await syncTable({
      ...base,
      ...timing,
      source: testMysqlSource({ ...mysqlTestOptions(ref.schema), port: 1 }),
    });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ kind: "connection", retryable: true });
    expect(timing.waits).toHaveLength(quickRetry.attempts);
  });
});
