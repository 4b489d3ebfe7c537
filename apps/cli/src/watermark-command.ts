import { parseTableRef, redactSecrets } from "@sluice/core";
import { createWatermarkStore } from "@sluice/watermark-store";
import { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { resolveConnections } from "./connection-settings.js";
import { exitCodeFor } from "./exit-codes.js";

/** Read-only watermark inspection; set/reset arrive with the exactly-once work. */
export function watermarkCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const command = new Command("watermark").description("inspect per-table watermarks stored in the lake");
  const fail = (error: { message: string; kind: Parameters<typeof exitCodeFor>[0]; retryable: boolean }) => {
    io.stderr(`sluice: ${redactSecrets(error.message)}\n`);
    setExitCode(exitCodeFor(error.kind, error.retryable));
  };
  command
    .command("get")
    .description("print one table's watermark document as JSON")
    .requiredOption("-t, --table <schema.table>", "source table")
    .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
    .action(async (flags: { table: string; lake?: string }) => {
      const table = parseTableRef(flags.table);
      if (table.isErr()) return fail(table.error);
      const connections = resolveConnections(flags, io.env, { source: false, target: false });
      if (connections.isErr()) return fail(connections.error);
      const doc = await createWatermarkStore(connections.value.lake).read(table.value);
      if (doc.isErr()) return fail(doc.error);
      if (!doc.value) {
        io.stderr(`sluice: no watermark for ${flags.table} yet; the next sync starts from the beginning\n`);
        return;
      }
      io.stdout(`${JSON.stringify(doc.value, null, 2)}\n`);
    });
  command
    .command("list")
    .description("list every table with a watermark")
    .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
    .action(async (flags: { lake?: string }) => {
      const connections = resolveConnections(flags, io.env, { source: false, target: false });
      if (connections.isErr()) return fail(connections.error);
      const docs = await createWatermarkStore(connections.value.lake).list();
      if (docs.isErr()) return fail(docs.error);
      for (const doc of docs.value) {
        const position = doc.extract?.position;
        const at = position
          ? [position.cursorValue, ...position.keyValues].filter((v) => v !== null).join(", ")
          : "-";
        io.stdout(
          `${doc.table}\textracted up to (${at})\tlast run ${doc.extract?.lastRunId ?? "-"}\tloaded ${doc.load?.lastRunId ?? "-"}\n`,
        );
      }
    });
  return command;
}
