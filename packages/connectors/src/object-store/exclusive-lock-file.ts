import { randomBytes } from "node:crypto";
import { link, open, rename, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

export interface LockFileOptions {
  /**
   * A lock file older than this is left over from a crashed holder and is broken.
   * Holders keep it for milliseconds (check a version, rename a file), so the
   * default of 30 s is far above any live holder.
   */
  readonly staleAfterMs?: number;
  /** Give up waiting after this long (default 60 s). */
  readonly timeoutMs?: number;
}

/** Thrown when the lock stays taken past `timeoutMs`; `code` lets callers map it. */
export class LockTimeoutError extends Error {
  readonly code = "ELOCKTIMEOUT";
}

/**
 * Runs `work` while holding `lockPath`, an exclusive lock between processes (and
 * hosts sharing the file system) made of a file created with O_CREAT|O_EXCL: the
 * kernel lets exactly one creator succeed. Waiters poll with jittered back-off.
 * A lock file a crashed holder left behind is broken once older than
 * `staleAfterMs`, by renaming it aside (atomic) and checking that the renamed file
 * is the same stale one (inode), so two breakers cannot both take the lock.
 */
export async function withLockFile<T>(
  lockPath: string,
  work: () => Promise<T>,
  options: LockFileOptions = {},
): Promise<T> {
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let delayMs = 1;
  let inode: number | bigint | null = null;
  while (inode === null) {
    inode = await tryCreate(lockPath);
    if (inode !== null) break;
    const holder = await stat(lockPath).catch(() => null);
    if (holder && Date.now() - holder.mtimeMs > staleAfterMs) {
      await breakStaleLock(lockPath, holder.ino);
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockTimeoutError(`lock file ${lockPath} stayed taken for ${options.timeoutMs ?? 60_000} ms`);
    }
    await sleep(delayMs + Math.random() * delayMs);
    delayMs = Math.min(delayMs * 2, 50);
  }
  try {
    return await work();
  } finally {
    // Remove it only if it is still ours: after a (wrong) stale break it may not be.
    const current = await stat(lockPath).catch(() => null);
    if (current?.ino === inode) await rm(lockPath, { force: true });
  }
}

async function tryCreate(lockPath: string): Promise<number | null> {
  try {
    const handle = await open(lockPath, "wx");
    try {
      // Who holds it, for an operator looking at a left-over lock file.
      await handle.writeFile(`${hostname()} pid ${process.pid} since ${new Date().toISOString()}\n`);
      return (await handle.stat()).ino;
    } finally {
      await handle.close();
    }
  } catch (thrown) {
    if ((thrown as { code?: unknown }).code === "EEXIST") return null;
    throw thrown;
  }
}

async function breakStaleLock(lockPath: string, staleInode: number): Promise<void> {
  const aside = `${lockPath}-stale-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch (thrown) {
    if ((thrown as { code?: unknown }).code === "ENOENT") return; // someone else broke it
    throw thrown;
  }
  const moved = await stat(aside);
  if (moved.ino !== staleInode) {
    // Another breaker got there first and a live holder created a fresh lock that we
    // just moved: put it back (link fails if yet another process took the name).
    await link(aside, lockPath).catch(() => undefined);
  }
  await rm(aside, { force: true });
}
