import { createLeaseStore, createWatermarkStore, leaseHolderFor } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropStagedRun, listRuns, syncTable } from "../src/index.js";
import { createSettlementSource, insertRows, localLake, syncOptions } from "./sync-fixture.js";

const schema = `pipeline_withdraw_${process.pid}`;
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 40);
});
afterAll(async () => {
  await source?.query(`DROP DATABASE IF EXISTS ${schema}`);
  await source?.end();
});

describe("dropStagedRun", () => {
  it("is refused while another run holds the table's lease, and finishes a drop interrupted after the rewind", async () => {
    const lake = await localLake();
    const backup = () => syncOptions(table, lake, { mode: "backup-only", warehouse: undefined });
    const first = (await syncTable(backup()))._unsafeUnwrap();
    const watermarks = createWatermarkStore(lake);
    const afterFirst = (await watermarks.read(table))._unsafeUnwrap();
    await insertRows(source, 5, "2026-02-01 00:00:00");
    const second = (await syncTable(backup()))._unsafeUnwrap();
    const [r1, r2] = [first.extract?.runId as string, second.extract?.runId as string];

    // A sync holds the table: the drop is refused with conflict (exit 4), nothing changes.
    const leases = createLeaseStore(lake);
    const holder = leaseHolderFor("20260101T000000000Z-live", { host: "worker-1", pid: 1 });
    const lease = (await leases.acquire(table, holder))._unsafeUnwrap();
    const busy = await dropStagedRun({ lake, table, runId: r2 });
    expect(busy._unsafeUnwrapErr().kind).toBe("conflict");
    (await lease.release())._unsafeUnwrap();
    expect((await listRuns({ lake, table }))._unsafeUnwrap().map((run) => run.runId)).toEqual([r1, r2]);

    // A drop that died right after rewinding: the watermark already points before r2,
    // its files are still listed. Running the same drop again finishes it.
    const current = (await watermarks.read(table))._unsafeUnwrap();
    (
      await watermarks.rewindExtract(table, current?.revision ?? null, afterFirst?.extract ?? null, r2)
    )._unsafeUnwrap();
    const finished = (await dropStagedRun({ lake, table, runId: r2 }))._unsafeUnwrap();
    expect(finished).toMatchObject({ runs: [r2], rows: 5, dryRun: false });
    expect(finished.notes.join(" ")).toContain("no --target");
    expect((await listRuns({ lake, table }))._unsafeUnwrap().map((run) => run.runId)).toEqual([r1]);
    expect((await watermarks.read(table))._unsafeUnwrap()?.extract).toEqual(afterFirst?.extract);

    // The rows come back with the next run, exactly once.
    const again = (await syncTable(backup()))._unsafeUnwrap();
    expect(again.extract?.rows).toBe(5);
    const rows = (await listRuns({ lake, table }))._unsafeUnwrap();
    expect(rows.reduce((sum, run) => sum + run.rows, 0)).toBe(45);

    // An operator moved the position by hand since: dropping would undo that, refused.
    const position = (await watermarks.read(table))._unsafeUnwrap()?.extract?.position ?? null;
    (await watermarks.set(table, position))._unsafeUnwrap();
    const moved = await dropStagedRun({ lake, table, runId: again.extract?.runId as string });
    expect(moved._unsafeUnwrapErr()).toMatchObject({ kind: "config" });
    expect(moved._unsafeUnwrapErr().message).toContain("was moved since");
  });
});
