import type { LogFields, Logger } from "@sluice/core";
import { describe, expect, it } from "vitest";
import {
  createLeaseStore,
  createWatermarkStore,
  fenceWithLease,
  leaseHolderFor,
  leaseKey,
} from "../src/index.js";
import { lakeBackends } from "./lake-backends.js";

const ref = { schema: "shop", table: "orders" };
const minute = 60_000;

function recordingLogger() {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    };
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

describe.each(lakeBackends)("run lease on $name", ({ open }) => {
  it("one holder at a time: the second is refused with the holder and its age; release frees the table", async () => {
    const lake = await open();
    let clock = Date.parse("2024-05-01T10:00:00.000Z");
    const leases = createLeaseStore(lake, { timeoutMs: 15 * minute, now: () => new Date(clock) });
    const first = (
      await leases.acquire(ref, leaseHolderFor("run-a", { host: "worker-1", pid: 101 }))
    )._unsafeUnwrap();
    expect(first.current()).toEqual({
      version: 1,
      table: "shop.orders",
      holder: { id: "worker-1/101/run-a", host: "worker-1", pid: 101, runId: "run-a" },
      acquiredAt: "2024-05-01T10:00:00.000Z",
      renewedAt: "2024-05-01T10:00:00.000Z",
      expiresAt: "2024-05-01T10:15:00.000Z",
      releasedAt: null,
      takenOverFrom: null,
    });
    expect(JSON.parse(Buffer.from((await lake.get(leaseKey(ref)))._unsafeUnwrap() ?? []).toString())).toEqual(
      first.current(),
    );

    clock += 3 * minute + 12_000;
    const refused = (
      await leases.acquire(ref, leaseHolderFor("run-b", { host: "worker-2", pid: 202 }))
    )._unsafeUnwrapErr();
    expect(refused.kind).toBe("conflict");
    expect(refused.retryable).toBe(false);
    expect(refused.message).toBe(
      "table shop.orders is held by run run-a on worker-1 (pid 101) since 3m12s ago, last renewed 3m12s ago; wait for that sync to finish (if it died, its lease expires in 11m48s and the next run takes over)",
    );

    // A heartbeat moves the expiry; the lease stays live past the first timeout.
    clock += 10 * minute;
    expect((await first.renew())._unsafeUnwrap().expiresAt).toBe("2024-05-01T10:28:12.000Z");
    clock += 10 * minute;
    expect((await leases.acquire(ref, leaseHolderFor("run-c"))).isErr()).toBe(true);

    expect((await first.release()).isOk()).toBe(true);
    const next = (
      await leases.acquire(ref, leaseHolderFor("run-d", { host: "worker-2", pid: 203 }))
    )._unsafeUnwrap();
    expect(next.current().takenOverFrom).toBeNull();
    expect((await leases.read(ref))._unsafeUnwrap()?.holder.runId).toBe("run-d");
    lake.close?.();
  });

  it("takes over a stale lease (logged), and the stalled holder can no longer renew or commit", async () => {
    const lake = await open();
    let clock = Date.parse("2024-05-01T10:00:00.000Z");
    const { logger, lines } = recordingLogger();
    const leases = createLeaseStore(lake, { timeoutMs: 15 * minute, now: () => new Date(clock), logger });
    const stalled = (
      await leases.acquire(ref, leaseHolderFor("run-a", { host: "worker-1", pid: 101 }))
    )._unsafeUnwrap();
    const watermarks = createWatermarkStore(lake);

    clock += 16 * minute;
    const taker = (
      await leases.acquire(ref, leaseHolderFor("run-b", { host: "worker-2", pid: 202 }))
    )._unsafeUnwrap();
    expect(taker.current().takenOverFrom).toEqual({
      holderId: "worker-1/101/run-a",
      renewedAt: "2024-05-01T10:00:00.000Z",
      expiresAt: "2024-05-01T10:15:00.000Z",
      runId: "run-a",
      reason: "expired",
    });
    expect(lines).toEqual([
      {
        level: "warn",
        message: "stale lease taken over",
        fields: {
          table: "shop.orders",
          holder: "worker-2/202/run-b",
          previousHolder: "worker-1/101/run-a",
          previousRenewedAt: "2024-05-01T10:00:00.000Z",
          expiredAgo: "1m00s",
        },
      },
    ]);

    // The stalled run wakes up: its heartbeat and its watermark commit are refused.
    const renew = (await stalled.renew())._unsafeUnwrapErr();
    expect(renew.kind).toBe("conflict");
    expect(renew.message).toContain("lease of shop.orders was taken over by run run-b on worker-2 (pid 202)");
    const fenced = fenceWithLease(watermarks, stalled);
    const commit = await fenced.recordExtract(
      ref,
      null,
      {
        strategy: "id",
        cursorColumn: null,
        position: { cursorValue: null, keyValues: ["9"] },
        lastRunId: "run-a",
        manifestKey: "m",
        rowsTotal: 9,
        updatedAt: "2024-05-01T10:16:00.000Z",
      },
      "run-a",
      9,
    );
    expect(commit._unsafeUnwrapErr().kind).toBe("conflict");
    expect((await watermarks.read(ref))._unsafeUnwrap()).toBeNull();
    // Releasing does not free the taker's lease either.
    expect((await stalled.release()).isErr()).toBe(true);
    expect((await leases.read(ref))._unsafeUnwrap()?.holder.runId).toBe("run-b");
    lake.close?.();
  });

  it("of five runs racing for a free table, and then for a stale one, exactly one wins each time", async () => {
    const lake = await open();
    let clock = Date.parse("2024-05-01T10:00:00.000Z");
    const leases = createLeaseStore(lake, { timeoutMs: 15 * minute, now: () => new Date(clock) });
    for (const round of ["free", "stale"]) {
      const outcomes = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          leases.acquire(ref, leaseHolderFor(`${round}-${n}`, { host: "h", pid: n })),
        ),
      );
      const winners = outcomes.flatMap((outcome) => (outcome.isOk() ? [outcome.value.holder.runId] : []));
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.isErr()) {
          expect(outcome.error.kind).toBe("conflict");
          expect(outcome.error.message).toContain(`held by run ${winners[0]}`);
        }
      }
      expect((await leases.read(ref))._unsafeUnwrap()?.holder.runId).toBe(winners[0]);
      clock += 20 * minute; // the winner never renews: the next round finds it stale
    }
    lake.close?.();
  });
});
