import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { MysqlEndpoint } from "@sluice/test-services";

/** Linux reports CPU time in clock ticks of USER_HZ, which is 100 on every architecture Node runs on. */
const ticksPerSecond = 100;

/** Fields after the command name (which may hold spaces) of /proc/<pid>/stat. */
async function statFields(pid: number | "self"): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/**
 * CPU seconds (user + system) of the children this process has waited for: read
 * before a child starts and after it is reaped, the difference is that child's own
 * CPU time, all of its threads included, with nothing sampled (so nothing missed
 * between the last sample and its exit).
 */
export async function reapedChildrenCpuSeconds(): Promise<number> {
  const fields = await statFields("self");
  // cutime and cstime are fields 16 and 17 of stat(5), 14 and 15 after the name.
  return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
}

/**
 * CPU seconds (user + system) the benchmark's private MariaDB server has used so far;
 * read around a measured process, the difference is what serving it cost the source.
 * The pid comes from the pid file the test harness puts beside the server's socket.
 */
export async function mariadbServerCpuSeconds(my: MysqlEndpoint): Promise<number> {
  const pid = Number((await readFile(join(dirname(my.socketPath), "mysqld.pid"), "utf8")).trim());
  const fields = await statFields(pid);
  // utime and stime are fields 14 and 15 of stat(5), 11 and 12 after the name.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
