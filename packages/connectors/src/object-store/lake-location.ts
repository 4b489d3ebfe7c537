import { isAbsolute, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";

/** Where the lake lives, as parsed from `--lake` / SLUICE_LAKE_URL. */
export type LakeLocation =
  | { readonly kind: "s3"; readonly bucket: string; readonly prefix: string }
  | { readonly kind: "file"; readonly directory: string };

const acceptedForms = "use s3://bucket/prefix, file:///absolute/dir or an absolute path like /data/lake";

// S3 bucket naming rules (3-63 chars, lowercase letters, digits, dots and hyphens,
// starting and ending with a letter or digit); checked here so a typo fails before
// the first request instead of as a confusing signature or DNS error.
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses a lake URL. Accepted: `s3://bucket`, `s3://bucket/some/prefix` (leading and
 * trailing slashes of the prefix are dropped), `file:///abs/dir` and a plain absolute
 * path. Relative paths are refused: a library does not know which working directory
 * the operator meant; the CLI resolves them before calling.
 */
export function parseLakeUrl(url: string): Result<LakeLocation, SluiceError> {
  const text = url.trim();
  const fail = (why: string) => err(configError(`lake URL "${text}" ${why}; ${acceptedForms}`));
  if (text === "") return fail("is empty");

  if (text.startsWith("s3://")) {
    const rest = text.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const rawPrefix = slash === -1 ? "" : rest.slice(slash + 1);
    if (!bucketPattern.test(bucket) || bucket.includes("..")) {
      return fail(`has an invalid bucket name "${bucket}"`);
    }
    if (/[?#]/.test(rawPrefix)) return fail("has a query or fragment, which S3 keys cannot use here");
    const prefix = rawPrefix.replace(/^\/+|\/+$/g, "");
    if (
      prefix !== "" &&
      prefix.split("/").some((segment) => segment === "" || segment === "." || segment === "..")
    ) {
      return fail("has an empty, '.' or '..' segment in its prefix");
    }
    return ok({ kind: "s3", bucket, prefix });
  }

  if (text.startsWith("file:")) {
    let path: string;
    try {
      path = fileURLToPath(text);
    } catch {
      return fail("is not a valid file URL (it needs three slashes: file:///dir)");
    }
    return ok({ kind: "file", directory: stripTrailingSlash(normalize(path)) });
  }

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return fail("has an unsupported scheme");
  if (!isAbsolute(text)) return fail("is a relative path");
  return ok({ kind: "file", directory: stripTrailingSlash(normalize(text)) });
}

function stripTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
