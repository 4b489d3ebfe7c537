import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Marks temp and lock files so listings skip them and a crash leaves them recognisable. */
export const tempFileMarker = ".sluice-tmp-";

/**
 * Replaces `finalPath` so that readers see either the old file or the whole new one:
 * `fill` writes a temp file in the same directory (rename is only atomic within one
 * file system), the temp file is fsynced, renamed over the final name, and the
 * directory is fsynced so the rename itself survives a power cut. On failure the
 * temp file is removed and the final name is untouched.
 */
export async function replaceFileAtomically(
  finalPath: string,
  fill: (tempPath: string) => Promise<void>,
): Promise<void> {
  const tempPath = await writeTempFile(finalPath, fill);
  await commitTempFile(tempPath, finalPath);
}

/**
 * First half of an atomic replace: writes and fsyncs a temp file next to
 * `finalPath` and returns its path. The caller renames it with `commitTempFile`
 * (possibly after checking a condition under a lock) or removes it.
 */
export async function writeTempFile(
  finalPath: string,
  fill: (tempPath: string) => Promise<void>,
): Promise<string> {
  const directory = dirname(finalPath);
  await mkdir(directory, { recursive: true });
  const tempPath = join(
    directory,
    `.${basename(finalPath)}${tempFileMarker}${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  try {
    await fill(tempPath);
    const handle = await open(tempPath, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (thrown) {
    await rm(tempPath, { force: true });
    throw thrown;
  }
  return tempPath;
}

/** Second half: renames the temp file over the final name and fsyncs the directory. */
export async function commitTempFile(tempPath: string, finalPath: string): Promise<void> {
  try {
    await rename(tempPath, finalPath);
  } catch (thrown) {
    await rm(tempPath, { force: true });
    throw thrown;
  }
  await syncDirectory(dirname(finalPath));
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory (EINVAL); the data file itself is synced.
  } finally {
    await handle.close();
  }
}
