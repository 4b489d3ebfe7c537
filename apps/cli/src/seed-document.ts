import { readFile } from "node:fs/promises";
import { openObjectStore, parseLakeUrl } from "@sluice/connectors";
import { configError, type SluiceError } from "@sluice/core";
import { err, errAsync, ok, okAsync, ResultAsync } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { s3Settings } from "./connection-settings.js";

/**
 * The text of a seed watermark document, from a local path or `s3://bucket/key`
 * (read with the same AWS settings as the lake).
 */
export function readSeedDocument(from: string, env: CliIo["env"]): ResultAsync<string, SluiceError> {
  if (from.startsWith("s3://")) {
    const slash = from.lastIndexOf("/");
    const name = from.slice(slash + 1);
    if (slash < "s3://".length || name === "") {
      return errAsync(
        configError(`--from ${from}: name the document itself, e.g. s3://bucket/watermarks/table.json`),
      );
    }
    const parent = parseLakeUrl(from.slice(0, slash));
    if (parent.isErr()) return errAsync(parent.error);
    const store = openObjectStore(parent.value, s3Settings(env));
    return store
      .get(name)
      .andThen((bytes) =>
        bytes === null
          ? err(configError(`--from ${from}: no such object; check the seed's watermark location`))
          : ok(Buffer.from(bytes).toString("utf8")),
      );
  }
  const path = from.startsWith("file://") ? new URL(from).pathname : from;
  return ResultAsync.fromPromise(readFile(path, "utf8"), (thrown) =>
    configError(
      `--from ${from}: cannot read it (${(thrown as NodeJS.ErrnoException).code ?? String(thrown)})`,
    ),
  ).andThen((text) => okAsync(text));
}
