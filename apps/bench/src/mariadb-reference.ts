import type { MysqlEndpoint } from "@sluice/test-services";
import { measureProcess, type ProcessMeasurement } from "./measure-process.js";

/** The stock client streaming a query's rows to /dev/null: the yardstick a sluice rate is divided by. */
export async function mariadbReference(
  my: MysqlEndpoint,
  database: string,
  sql: string,
): Promise<ProcessMeasurement> {
  const measured = await measureProcess(
    my.clientBinary,
    [
      "--no-defaults",
      "--quick",
      "--batch",
      "--skip-column-names",
      "--max-allowed-packet=1G",
      "-h",
      my.host,
      "-P",
      String(my.port),
      "-u",
      my.user,
      `-p${my.password}`,
      database,
      "-e",
      sql,
    ],
    process.env,
    true,
  );
  if (measured.exitCode !== 0) throw new Error(`mariadb client failed: ${measured.stderr}`);
  return measured;
}
