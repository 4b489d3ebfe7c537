import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { createLeaseStore, createWatermarkStore, fenceWithLease, leaseHolderFor } from "../src/index.js";
import { lakeBackends } from "./lake-backends.js";

const ref = { schema: "shop", table: "orders" };
const minute = 60_000;

/** The pid of a real process that has already exited (so signal 0 finds nothing). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

describe.each(lakeBackends)("lease of a killed run on $name", ({ open }) => {
  it("a live lease whose holder process on this host is gone is taken over at once", async () => {
    const lake = await open();
    const leases = createLeaseStore(lake, { timeoutMs: 15 * minute });
    const pid = deadPid();
    const killed = (await leases.acquire(ref, leaseHolderFor("run-killed", { pid })))._unsafeUnwrap();
    expect(killed.current().holder.host).toBe(hostname());

    const rerun = (await leases.acquire(ref, leaseHolderFor("run-rerun")))._unsafeUnwrap();
    expect(rerun.current().takenOverFrom).toMatchObject({
      holderId: `${hostname()}/${pid}/run-killed`,
      runId: "run-killed",
      reason: "holder-dead",
    });
    // The dead run's lease is fenced off like any taken-over lease.
    expect((await killed.renew())._unsafeUnwrapErr().kind).toBe("conflict");
  });

  it("a live holder on this host, and any holder on another host, keep the table until expiry", async () => {
    const lake = await open();
    const leases = createLeaseStore(lake, { timeoutMs: 15 * minute });
    // The parent of this test process is certainly alive.
    const alive = (
      await leases.acquire(ref, leaseHolderFor("run-alive", { pid: process.ppid }))
    )._unsafeUnwrap();
    const refused = (await leases.acquire(ref, leaseHolderFor("run-two")))._unsafeUnwrapErr();
    expect(refused.message).toContain(`is held by run run-alive on ${hostname()} (pid ${process.ppid})`);
    (await alive.release())._unsafeUnwrap();

    // Another host's pid cannot be probed from here: a dead-looking pid there is not proof.
    const pid = deadPid();
    (
      await leases.acquire(ref, leaseHolderFor("run-remote", { host: "worker-elsewhere", pid }))
    )._unsafeUnwrap();
    const waiting = (await leases.acquire(ref, leaseHolderFor("run-three")))._unsafeUnwrapErr();
    expect(waiting.kind).toBe("conflict");
    expect(waiting.message).toContain("run-remote on worker-elsewhere");
  });

  it("breakLease releases whoever holds it; the holder's next commit is refused", async () => {
    const lake = await open();
    const leases = createLeaseStore(lake, { timeoutMs: 15 * minute });
    const watermarks = createWatermarkStore(lake);
    const held = (
      await leases.acquire(ref, leaseHolderFor("run-stuck", { pid: process.ppid }))
    )._unsafeUnwrap();
    const before = (await leases.breakLease(ref, "operator on ops-1"))._unsafeUnwrap();
    expect(before?.holder.runId).toBe("run-stuck");
    const after = (await leases.read(ref))._unsafeUnwrap();
    expect(after?.releasedAt).not.toBeNull();
    expect(after?.brokenBy).toBe("operator on ops-1");
    const fenced = fenceWithLease(watermarks, held);
    const commit = await fenced.set(
      ref,
      { cursorValue: "2024-01-01 00:00:00", keyValues: ["1"] },
      {
        strategy: "hybrid",
      },
    );
    expect(commit._unsafeUnwrapErr().kind).toBe("conflict");
    expect((await watermarks.read(ref))._unsafeUnwrap()).toBeNull();
    // The table is free again.
    (await leases.acquire(ref, leaseHolderFor("run-next")))._unsafeUnwrap();
    // Nothing to break on a table that never had a lease.
    expect((await leases.breakLease({ schema: "shop", table: "none" }, "x"))._unsafeUnwrap()).toBeNull();
  });
});
