import type { TestProject } from "vitest/node";
import type { SluiceServices } from "./services-contract.js";
import { startServices } from "./start-services.js";

/**
 * Starts MariaDB, PostgreSQL, s3rver, sshd and the Redshift gateway once for the whole test run and hands
 * their endpoints to every test file through `inject("sluiceServices")`. Nothing a
 * developer left running on the standard ports is ever used.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const running = await startServices({ log: (line) => process.stderr.write(`${line}\n`) });
  project.provide("sluiceServices", running.services as SluiceServices);
  return () => running.stop();
}
