import { randomUUID } from "node:crypto";
import { createS3ObjectStore } from "@sluice/connectors";
import type { LogFields, Logger, ObjectStore } from "@sluice/core";
import {
  createLeaseStore,
  createWatermarkStore,
  leaseHolderFor,
  leaseKey,
  watermarkKey,
} from "@sluice/watermark-store";
import { ResultAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { syncTable } from "../src/index.js";
import {
  createSettlementSource,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
} from "./sync-fixture.js";

// One table, several runs, a lake on the S3 stand-in (which honours conditional
// writes): the lease keeps runs apart and the watermark refuses lost updates.
const schema = "pipeline_lease";
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 3_000);
});
afterAll(async () => {
  await source?.end();
});

function s3Lake(): ObjectStore {
  const services = inject("sluiceServices");
  return createS3ObjectStore({
    bucket: services.s3.bucket,
    prefix: `pipeline-lease-${randomUUID()}`,
    endpoint: services.s3.endpoint,
    region: services.s3.region,
    credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    forcePathStyle: true,
  });
}

function recordingLogger() {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
  };
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

const readJson = async (lake: ObjectStore, key: string) =>
  JSON.parse(Buffer.from((await lake.get(key))._unsafeUnwrap() ?? []).toString("utf8"));

describe("syncTable holds a run lease per table (MariaDB -> s3rver -> PostgreSQL)", () => {
  it("of two syncs started at once on one table exactly one runs; the other is refused naming the holder", async () => {
    const lake = s3Lake();
    const outcomes = await Promise.all([
      syncTable(syncOptions(table, lake)),
      syncTable(syncOptions(table, lake)),
    ]);
    const succeeded = outcomes.filter((outcome) => outcome.isOk());
    const refused = outcomes.flatMap((outcome) => (outcome.isErr() ? [outcome.error] : []));
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const winner = succeeded[0]?._unsafeUnwrap();
    expect(winner?.extract?.rows).toBe(3_000);
    expect(refused[0]?.kind).toBe("conflict");
    expect(refused[0]?.retryable).toBe(false);
    expect(refused[0]?.message).toMatch(
      new RegExp(
        `^table ${schema}\\.settlement is held by run ${winner?.extract?.runId} on \\S+ \\(pid ${process.pid}\\) since \\d+s ago`,
      ),
    );
    // The winner moved every row exactly once and released the table.
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
    const lease = await readJson(lake, leaseKey(table));
    expect(lease.holder.runId).toBe(winner?.extract?.runId);
    expect(lease.releasedAt).not.toBeNull();
    // The watermark shows this run's counts apart from the totals, and its ceiling.
    const watermark = (await createWatermarkStore(lake).read(table))._unsafeUnwrap();
    expect(watermark?.extract).toMatchObject({ status: "committed", rowsLastRun: 3_000, rowsTotal: 3_000 });
    expect(watermark?.extract?.ceiling).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(watermark?.load).toMatchObject({
      status: "loaded",
      lastRunId: winner?.extract?.runId,
      manifestKey: winner?.extract?.manifestKey,
      rowsLastRun: 3_000,
      rowsTotal: 3_000,
    });
    // Released: the next run goes ahead (and finds nothing new).
    const next = (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    expect(next.extract?.rows).toBe(0);
    lake.close?.();
  });

  it("takes over a lease whose holder stopped renewing it, logs it, and says so in the report", async () => {
    const lake = s3Lake();
    const crashedAt = new Date(Date.now() - 20 * 60_000);
    const crashed = leaseHolderFor("20240501T000000000Z-dead", { host: "crashed-host", pid: 4242 });
    (await createLeaseStore(lake, { now: () => crashedAt }).acquire(table, crashed))._unsafeUnwrap();

    const { logger, lines } = recordingLogger();
    const report = (
      await syncTable(syncOptions(table, lake, { logger, mode: "backup-only" }))
    )._unsafeUnwrap();
    expect(report.extract?.rows).toBeGreaterThan(0);
    expect(report.notes.join("\n")).toContain(`took over the stale lease of ${crashed.id}`);
    expect(lines.filter((line) => line.level === "warn")).toEqual([
      {
        level: "warn",
        message: "stale lease taken over",
        fields: expect.objectContaining({ table: `${schema}.settlement`, previousHolder: crashed.id }),
      },
    ]);
    const lease = await readJson(lake, leaseKey(table));
    expect(lease.holder.runId).toBe(report.extract?.runId);
    expect(lease.takenOverFrom.holderId).toBe(crashed.id);
    expect(lease.releasedAt).not.toBeNull();
    lake.close?.();
  });

  it("refuses a table another live run holds, and a --dry-run neither takes nor minds the lease", async () => {
    const lake = s3Lake();
    const other = leaseHolderFor("20240501T000000000Z-live", { host: "worker-9", pid: 9 });
    (await createLeaseStore(lake).acquire(table, other))._unsafeUnwrap();
    const before = await readJson(lake, leaseKey(table));

    const refused = (await syncTable(syncOptions(table, lake)))._unsafeUnwrapErr();
    expect(refused.kind).toBe("conflict");
    expect(refused.message).toContain("held by run 20240501T000000000Z-live on worker-9 (pid 9)");
    expect((await createWatermarkStore(lake).read(table))._unsafeUnwrap()).toBeNull();

    const dryRun = (await syncTable(syncOptions(table, lake, { dryRun: true })))._unsafeUnwrap();
    expect(dryRun.notes.join("\n")).toMatch(/would extract 3000 of 3000 pending rows/);
    expect(await readJson(lake, leaseKey(table))).toEqual(before);
    lake.close?.();
  });

  it("a watermark written by someone else during the run surfaces as conflict, and the lease is still released", async () => {
    const base = s3Lake();
    // An operator (or a run ignoring leases) writes the watermark just before this
    // run's extraction commit reaches the store: the conditional put must refuse.
    let interposed = false;
    const lake: ObjectStore = {
      ...base,
      put: (key, body, options) => {
        if (key !== watermarkKey(table) || interposed) return base.put(key, body, options);
        interposed = true;
        return ResultAsync.fromSafePromise(
          createWatermarkStore(base)
            .set(table, { cursorValue: "2030-01-01 00:00:00", keyValues: ["1"] }, { strategy: "hybrid" })
            .then((written) => written._unsafeUnwrap()),
        ).andThen(() => base.put(key, body, options));
      },
    };
    const error = (await syncTable(syncOptions(table, lake, { mode: "backup-only" })))._unsafeUnwrapErr();
    expect(interposed).toBe(true);
    expect(error.kind).toBe("conflict");
    expect(error.message).toContain(`watermark of ${schema}.settlement was not committed`);
    const watermark = (await createWatermarkStore(base).read(table))._unsafeUnwrap();
    expect(watermark?.history.map((entry) => entry.event)).toEqual(["set"]);
    expect((await readJson(base, leaseKey(table))).releasedAt).not.toBeNull();
    // The refused run withdrew its manifests: no loader takes rows the watermark does not cover.
    const manifests = (await base.list(`${schema}.settlement/_manifests/`))._unsafeUnwrap();
    expect(manifests).toEqual([]);
    base.close?.();
  });
});
