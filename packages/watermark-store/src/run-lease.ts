import { hostname } from "node:os";
import {
  formatTableRef,
  type Logger,
  type ObjectStore,
  type ObjectVersion,
  type SluiceError,
  silentLogger,
  sluiceError,
  type TableRef,
} from "@sluice/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { compareAndSetText } from "./compare-and-set.js";
import { durationText } from "./duration-text.js";
import { type LeaseDocument, type LeaseHolder, leaseDocumentSchema } from "./lease-document.js";
import { leaseKey } from "./watermark-key.js";

/** A lease not renewed for this long is stale and the next run takes the table over. */
export const defaultLeaseTimeoutMs = 15 * 60 * 1000;

export interface LeaseStoreOptions {
  /** How long a lease lives without renewal (default 15 min). Renew well within it. */
  readonly timeoutMs?: number;
  /** Clock for the lease's timestamps; tests pin it. */
  readonly now?: () => Date;
  /** Where a stale-lease takeover is reported (warn). */
  readonly logger?: Logger;
  /** This host's name, compared with a lease holder's host; default `os.hostname()`. */
  readonly host?: string;
  /**
   * Whether a process of this host still runs; default: signal 0 (`process.kill(pid, 0)`),
   * which fails with ESRCH only when no such process exists. Tests inject it.
   */
  readonly isProcessAlive?: (pid: number) => boolean;
}

/** A lease this process holds. Renew it while working; release it in every path. */
export interface RunLease {
  readonly table: string;
  readonly holder: LeaseHolder;
  /** The lease document as last written by this holder. */
  current(): LeaseDocument;
  /**
   * Extends the lease by the timeout (heartbeat). Fails with `conflict` once another
   * run has taken the table over (this run's lease had expired): the caller must stop
   * before committing anything. Concurrent calls are queued, never racing each other.
   */
  renew(): ResultAsync<LeaseDocument, SluiceError>;
  /** Marks the lease released (kept, not deleted). Fails with `conflict` if it was taken over. */
  release(): ResultAsync<void, SluiceError>;
}

export interface LeaseStore {
  /**
   * Takes the table's lease for `holder`. Fails with kind `conflict` naming the
   * holder and its age while another run's lease is live; takes over (and logs) a
   * lease whose holder stopped renewing it for longer than the timeout. Two
   * acquirers racing for a free or stale lease cannot both win.
   */
  acquire(ref: TableRef, holder: LeaseHolder): ResultAsync<RunLease, SluiceError>;
  /** The table's lease document, live or not; null when no run ever took one. */
  read(ref: TableRef): ResultAsync<LeaseDocument | null, SluiceError>;
  /**
   * Operator's last resort (`sluice watermark force-reset`): marks the lease released
   * whoever holds it, recording `brokenBy`, by compare-and-set. A holder still running
   * finds its next renewal refused and stops before committing. Resolves to the lease
   * as it was before (null when there was none), so the caller can name the holder.
   */
  breakLease(ref: TableRef, brokenBy: string): ResultAsync<LeaseDocument | null, SluiceError>;
}

/** A holder for this process and run: `host/pid/runId`. */
export function leaseHolderFor(runId: string, where: { host?: string; pid?: number } = {}): LeaseHolder {
  const host = where.host ?? hostname();
  const pid = where.pid ?? process.pid;
  return { id: `${host}/${pid}/${runId}`, host, pid, runId };
}

/**
 * Run leases as JSON documents next to the watermark (`_state/<table>/lease.json`),
 * changed only by compare-and-set writes on the object store, so the lake alone
 * keeps two runs (two Airflow retries, a cron overlap, an operator's manual run)
 * off one table. Clocks of the hosts involved should agree within a small fraction
 * of the timeout: expiry compares the holder's stamps with the taker's clock.
 */
export function createLeaseStore(store: ObjectStore, options: LeaseStoreOptions = {}): LeaseStore {
  const timeoutMs = options.timeoutMs ?? defaultLeaseTimeoutMs;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const localHost = options.host ?? hostname();
  const isProcessAlive = options.isProcessAlive ?? processExists;

  // A lease whose holder ran on this very host under a pid that no longer exists was
  // left by a killed run (kill -9, OOM, power cut of a container): waiting for its
  // timeout would only delay recovery. Only the same host can tell; a lease from
  // another host waits for its expiry. Our own pid is alive (another run in this process).
  const holderDied = (lease: LeaseDocument): boolean =>
    lease.releasedAt === null &&
    lease.holder.host === localHost &&
    lease.holder.pid !== process.pid &&
    !isProcessAlive(lease.holder.pid);

  const readVersioned = (
    ref: TableRef,
  ): ResultAsync<{ document: LeaseDocument; version: ObjectVersion } | null, SluiceError> => {
    const key = leaseKey(ref);
    return store.getVersioned(key).andThen((stored) => {
      if (stored === null) return ok(null);
      const parsed = parseLease(stored.body);
      if (parsed === null) {
        return err(
          sluiceError(
            "watermark",
            `lease ${store.uriFor(key)} is unreadable; if no sluice run is working on ${formatTableRef(ref)}, delete that file`,
          ),
        );
      }
      return ok({ document: parsed, version: stored.version });
    });
  };

  const write = (ref: TableRef, document: LeaseDocument, expected: ObjectVersion | null) =>
    compareAndSetText(store, leaseKey(ref), `${JSON.stringify(document, null, 2)}\n`, expected);

  const heldBy = (table: string, found: LeaseDocument, at: Date): SluiceError => {
    const age = durationText(at.getTime() - Date.parse(found.acquiredAt));
    const renewed = durationText(at.getTime() - Date.parse(found.renewedAt));
    const expiresIn = durationText(Date.parse(found.expiresAt) - at.getTime());
    return sluiceError(
      "conflict",
      `table ${table} is held by run ${found.holder.runId} on ${found.holder.host} (pid ${found.holder.pid}) since ${age} ago, last renewed ${renewed} ago; wait for that sync to finish (if it died, its lease expires in ${expiresIn} and the next run takes over)`,
    );
  };

  const acquire = (ref: TableRef, holder: LeaseHolder): ResultAsync<RunLease, SluiceError> => {
    const table = formatTableRef(ref);
    const attempt = async (): Promise<Result<RunLease, SluiceError>> => {
      const found = await readVersioned(ref);
      if (found.isErr()) return err(found.error);
      const at = now();
      const previous = found.value?.document ?? null;
      const dead = previous !== null && isLive(previous, at) && holderDied(previous);
      if (previous && isLive(previous, at) && !dead) return err(heldBy(table, previous, at));
      const stale = previous !== null && previous.releasedAt === null;
      const document: LeaseDocument = {
        version: 1,
        table,
        holder,
        acquiredAt: at.toISOString(),
        renewedAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + timeoutMs).toISOString(),
        releasedAt: null,
        takenOverFrom: stale
          ? {
              holderId: previous.holder.id,
              renewedAt: previous.renewedAt,
              expiresAt: previous.expiresAt,
              runId: previous.holder.runId,
              reason: dead ? "holder-dead" : "expired",
            }
          : null,
      };
      const written = await write(ref, document, found.value?.version ?? null);
      if (written.isErr()) {
        if (written.error.reason === "failed") return err(written.error.error);
        // Another run got there first: name it.
        const winner = await readVersioned(ref);
        if (winner.isErr()) return err(winner.error);
        if (winner.value) return err(heldBy(table, winner.value.document, now()));
        return err(sluiceError("conflict", `lease of ${table} vanished while taking it; rerun`));
      }
      if (stale) {
        logger.warn("stale lease taken over", {
          table,
          holder: holder.id,
          previousHolder: previous.holder.id,
          previousRenewedAt: previous.renewedAt,
          ...(dead
            ? { reason: `process ${previous.holder.pid} on ${localHost} is gone` }
            : { expiredAgo: durationText(at.getTime() - Date.parse(previous.expiresAt)) }),
        });
      }
      return ok(heldLease(ref, document, written.value));
    };
    return new ResultAsync(attempt());
  };

  const heldLease = (ref: TableRef, first: LeaseDocument, firstVersion: ObjectVersion): RunLease => {
    const table = formatTableRef(ref);
    let document = first;
    let version = firstVersion;
    let released = false;
    let queue: Promise<unknown> = Promise.resolve();

    // Lost: someone else's lease is stored now. Name them and what to do.
    const lost = async (): Promise<SluiceError> => {
      const found = await readVersioned(ref);
      const other = found.isOk() ? found.value?.document : undefined;
      const who = other
        ? `run ${other.holder.runId} on ${other.holder.host} (pid ${other.holder.pid})`
        : "another run";
      return sluiceError(
        "conflict",
        `lease of ${table} was taken over by ${who}: this run did not renew it within ${durationText(timeoutMs)} (last renewed ${document.renewedAt}); this run stops without committing, rerun once the other finishes`,
      );
    };

    const update = (change: (at: Date) => LeaseDocument): Promise<Result<LeaseDocument, SluiceError>> => {
      const next = queue.then(async (): Promise<Result<LeaseDocument, SluiceError>> => {
        if (released) {
          return err(sluiceError("internal", `lease of ${table} was already released by this run`));
        }
        const changed = change(now());
        const written = await write(ref, changed, version);
        if (written.isErr()) {
          return err(written.error.reason === "failed" ? written.error.error : await lost());
        }
        document = changed;
        version = written.value;
        return ok(changed);
      });
      queue = next;
      return next;
    };

    return {
      table,
      holder: first.holder,
      current: () => document,
      renew: () =>
        new ResultAsync(
          update((at) => ({
            ...document,
            renewedAt: at.toISOString(),
            expiresAt: new Date(at.getTime() + timeoutMs).toISOString(),
          })),
        ),
      release: () =>
        new ResultAsync(
          update((at) => ({ ...document, releasedAt: at.toISOString(), expiresAt: at.toISOString() })).then(
            (outcome) => {
              released = true;
              return outcome.map(() => undefined);
            },
          ),
        ),
    };
  };

  const breakLease = (ref: TableRef, brokenBy: string): ResultAsync<LeaseDocument | null, SluiceError> => {
    const table = formatTableRef(ref);
    const attempt = async (tries: number): Promise<Result<LeaseDocument | null, SluiceError>> => {
      const found = await readVersioned(ref);
      if (found.isErr()) return err(found.error);
      if (found.value === null) return ok(null);
      const previous = found.value.document;
      const at = now().toISOString();
      const broken: LeaseDocument = { ...previous, releasedAt: at, expiresAt: at, brokenBy };
      const written = await write(ref, broken, found.value.version);
      if (written.isOk()) return ok(previous);
      if (written.error.reason === "failed") return err(written.error.error);
      // The holder renewed at the same moment: read again and break that.
      if (tries < 5) return attempt(tries + 1);
      return err(sluiceError("conflict", `lease of ${table} kept changing while breaking it; rerun`));
    };
    return new ResultAsync(attempt(1));
  };

  return {
    acquire,
    read: (ref) => readVersioned(ref).map((found) => found?.document ?? null),
    breakLease,
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (thrown) {
    // EPERM: it exists but belongs to another user.
    return (thrown as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function isLive(lease: LeaseDocument, at: Date): boolean {
  return lease.releasedAt === null && Date.parse(lease.expiresAt) > at.getTime();
}

function parseLease(bytes: Uint8Array): LeaseDocument | null {
  try {
    const parsed = leaseDocumentSchema.safeParse(
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
