import { createHash } from "node:crypto";
import { constants, type Dirent } from "node:fs";
import { access, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  isSluiceError,
  type ObjectInfo,
  type ObjectStore,
  type ObjectVersion,
  type PutOptions,
  type SluiceError,
  sluiceError,
} from "@sluice/core";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { commitTempFile, replaceFileAtomically, tempFileMarker, writeTempFile } from "./atomic-file.js";
import { type LockFileOptions, withLockFile } from "./exclusive-lock-file.js";
import { localFileFailure } from "./local-file-errors.js";
import { compareKeys, invalidKey, invalidListPrefix } from "./object-key.js";
import { isConditional, writeConflict } from "./write-conflict.js";

export interface LocalStoreOptions {
  /** Absolute path of the lake directory; keys map to files below it. */
  readonly directory: string;
  /** Lock-file timing of compare-and-set puts (tests shorten the stale limit). */
  readonly lock?: LockFileOptions;
}

/**
 * The lake as a local directory (tests, demos, a mounted volume). Every write goes
 * through a temp file + fsync + rename, so a crash never leaves a half file under a
 * final key. `checkAccess` creates the lake directory only when its parent exists:
 * that catches a mistyped path (`/data/lkae/x`) instead of silently building a tree
 * in the wrong place, yet lets `--lake file:///data/new-lake` work on a first run.
 *
 * Versions are SHA-256 digests of the content, not mtime + inode: inode numbers are
 * reused and mtimes are coarse, so either could name two different contents; a
 * digest names exactly the bytes read (as S3's ETag does for simple uploads).
 * Compare-and-set puts write the temp file first, then check the condition and
 * rename while holding a per-key lock file (O_EXCL), so of two processes racing
 * with the same condition exactly one wins.
 */
export function createLocalObjectStore(options: LocalStoreOptions): ObjectStore {
  const root = options.directory.length > 1 ? options.directory.replace(/\/+$/, "") : options.directory;
  const baseUri = pathToFileURL(root).href.replace(/\/+$/, "");
  const pathOf = (key: string) => join(root, ...key.split("/"));
  const uriOf = (key: string) => `${baseUri}/${key.split("/").map(encodeURIComponent).join("/")}`;

  // Runs `work` for a validated key, mapping file-system errors once.
  const forKey = <T>(key: string, action: string, work: (path: string) => Promise<T>) => {
    const invalid = invalidKey(key);
    if (invalid) return errAsync<T, SluiceError>(invalid);
    const path = pathOf(key);
    return ResultAsync.fromPromise(work(path), (thrown) =>
      isSluiceError(thrown) ? thrown : localFileFailure(thrown, action, path),
    );
  };

  const infoOf = async (key: string, path: string): Promise<ObjectInfo> => ({
    key,
    sizeBytes: (await stat(path)).size,
  });

  return {
    baseUri,
    uriFor: uriOf,

    put: (key, body, putOptions) =>
      forKey(key, "write", async (path) => {
        const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
        const info = { key, sizeBytes: bytes.byteLength, version: contentVersion(bytes) };
        if (!putOptions || !isConditional(putOptions)) {
          await replaceFileAtomically(path, (temp) => writeFile(temp, bytes));
          return info;
        }
        const temp = await writeTempFile(path, (file) => writeFile(file, bytes));
        try {
          const refused = await withLockFile(
            lockPathFor(path),
            async () => {
              const current = await readVersion(path);
              if (!conditionHolds(putOptions, current)) return writeConflict(uriOf(key), putOptions);
              await commitTempFile(temp, path);
              return null;
            },
            options.lock,
          );
          if (refused) throw refused;
        } finally {
          await rm(temp, { force: true });
        }
        return info;
      }),

    putFile: (key, localPath) =>
      forKey(key, "write", async (path) => {
        await replaceFileAtomically(path, (temp) => copyFile(localPath, temp));
        return infoOf(key, path);
      }),

    get: (key) =>
      forKey(key, "read", async (path) => {
        try {
          return new Uint8Array(await readFile(path));
        } catch (thrown) {
          if (isMissing(thrown)) return null;
          throw thrown;
        }
      }),

    getVersioned: (key) =>
      forKey(key, "read", async (path) => {
        try {
          const body = new Uint8Array(await readFile(path));
          return { body, version: contentVersion(body) };
        } catch (thrown) {
          if (isMissing(thrown)) return null;
          throw thrown;
        }
      }),

    getToFile: (key, localPath) =>
      forKey(key, "read", async (path) => {
        // A missing key is an error here (not null): the caller asked for a file to exist.
        await replaceFileAtomically(localPath, (temp) => copyFile(path, temp));
        return { key, sizeBytes: (await stat(localPath)).size };
      }),

    head: (key) =>
      forKey(key, "read", async (path) => {
        try {
          const stats = await stat(path);
          return stats.isFile() ? { key, sizeBytes: stats.size } : null;
        } catch (thrown) {
          if (isMissing(thrown)) return null;
          throw thrown;
        }
      }),

    list: (prefix) => {
      const invalid = invalidListPrefix(prefix);
      if (invalid) return errAsync(invalid);
      // Walk only the deepest directory the prefix names, not the whole lake.
      const directoryPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
      const start = directoryPart === "" ? root : pathOf(directoryPart);
      return ResultAsync.fromPromise(
        (async () => {
          const found: ObjectInfo[] = [];
          await walk(start, directoryPart, prefix, found);
          return found.sort((a, b) => compareKeys(a.key, b.key));
        })(),
        (thrown) => localFileFailure(thrown, "list", start),
      );
    },

    delete: (keys) => {
      for (const key of keys) {
        const invalid = invalidKey(key);
        if (invalid) return errAsync(invalid);
      }
      return ResultAsync.fromPromise(
        Promise.all(keys.map((key) => rm(pathOf(key), { force: true }))).then(() => undefined),
        (thrown) => localFileFailure(thrown, "delete in", root),
      );
    },

    checkAccess: () =>
      ResultAsync.fromPromise(ensureLakeDirectory(root), (thrown) =>
        localFileFailure(thrown, "use the lake directory", root),
      ).andThen((problem) => (problem ? errAsync(problem) : okAsync(undefined))),
  };
}

async function ensureLakeDirectory(root: string): Promise<SluiceError | null> {
  try {
    const stats = await stat(root);
    if (!stats.isDirectory()) {
      return localFileFailure({ code: "ENOTDIR" }, "use the lake directory", root);
    }
  } catch (thrown) {
    if (!isMissing(thrown)) throw thrown;
    const parent = dirname(root);
    const parentExists = await stat(parent).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!parentExists) {
      return sluiceError(
        "not_found",
        `lake directory ${root} does not exist and neither does its parent ${parent}; create it or fix --lake / SLUICE_LAKE_URL`,
      );
    }
    await mkdir(root);
  }
  // Root passes every access check; for others this catches a read-only lake early.
  await access(root, constants.R_OK | constants.W_OK | constants.X_OK);
  return null;
}

async function walk(
  directory: string,
  keyPrefix: string,
  wanted: string,
  found: ObjectInfo[],
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (thrown) {
    if (isMissing(thrown)) return;
    throw thrown;
  }
  for (const entry of entries) {
    if (entry.name.includes(tempFileMarker)) continue;
    const key = keyPrefix === "" ? entry.name : `${keyPrefix}/${entry.name}`;
    if (entry.isDirectory()) {
      // Descend only where keys below can still start with the wanted prefix.
      const asPrefix = `${key}/`;
      if (asPrefix.startsWith(wanted) || wanted.startsWith(asPrefix)) {
        await walk(join(directory, entry.name), key, wanted, found);
      }
    } else if (entry.isFile() && key.startsWith(wanted)) {
      found.push({ key, sizeBytes: (await stat(join(directory, entry.name))).size });
    }
  }
}

function contentVersion(bytes: Uint8Array): ObjectVersion {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

async function readVersion(path: string): Promise<ObjectVersion | null> {
  try {
    return contentVersion(await readFile(path));
  } catch (thrown) {
    if (isMissing(thrown)) return null;
    throw thrown;
  }
}

function conditionHolds(options: PutOptions, current: ObjectVersion | null): boolean {
  if (options.ifMatch !== undefined && options.ifMatch !== current) return false;
  if (options.ifNoneMatch === true && current !== null) return false;
  return true;
}

// Next to the object, hidden from listings by the temp marker.
function lockPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}${tempFileMarker}lock`);
}

function isMissing(thrown: unknown): boolean {
  const code = (thrown as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}
