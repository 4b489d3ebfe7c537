import { type SluiceError, sluiceError } from "@sluice/core";

/** Maps a Node file-system error of the local lake to a SluiceError naming the path and the fix. */
export function localFileFailure(thrown: unknown, action: string, path: string): SluiceError {
  const code = (thrown as { code?: unknown } | null)?.code;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  switch (code) {
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return sluiceError(
        "auth",
        `permission denied to ${action} ${path}; give the sluice user read/write access to the lake directory`,
        { cause: thrown },
      );
    case "ENOENT":
    case "ENOTDIR":
      return sluiceError(
        "not_found",
        `cannot ${action} ${path}: a directory on the way does not exist; create it or fix --lake / SLUICE_LAKE_URL`,
        { cause: thrown },
      );
    case "ENOSPC":
    case "EDQUOT":
      return sluiceError(
        "stage",
        `no space left to ${action} ${path}; free space on the lake's file system`,
        {
          cause: thrown,
        },
      );
    case "EMFILE":
    case "ENFILE":
    case "EBUSY":
    case "EAGAIN":
      return sluiceError("stage", `cannot ${action} ${path} right now (${code}); retry`, {
        retryable: true,
        cause: thrown,
      });
    case "ELOCKTIMEOUT":
      return sluiceError(
        "stage",
        `cannot ${action} ${path}: ${detail}; another writer is holding it, retry (a lock file left by a crashed process is broken after 30 s)`,
        { retryable: true, cause: thrown },
      );
    default:
      return sluiceError("stage", `cannot ${action} ${path}: ${detail}`, { cause: thrown });
  }
}
