import { readFile } from "node:fs/promises";

/** The machine's CPU time so far, all cores, in clock ticks: in all, and what the hypervisor took. */
async function cpuTicks(): Promise<{ total: number; steal: number } | null> {
  const stat = await readFile("/proc/stat", "utf8").catch(() => null);
  const line = stat?.split("\n").find((each) => each.startsWith("cpu "));
  if (line === undefined) return null;
  // user nice system idle iowait irq softirq steal (guest time is counted in user already)
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: fields.reduce((sum, ticks) => sum + ticks, 0), steal: fields[7] ?? 0 };
}

/**
 * Runs `measure` and says what share of this virtual machine's CPU time the host took
 * for other guests meanwhile (steal, from /proc/stat; null where there is none to
 * read). Steal slows whichever process it lands on, so two figures measured under
 * different steal compare unequally: the benchmark reports it next to each ratio.
 */
export async function withCpuSteal<T>(measure: () => Promise<T>): Promise<T & { stealShare: number | null }> {
  const before = await cpuTicks();
  const measured = await measure();
  const after = await cpuTicks();
  const total = before && after ? after.total - before.total : 0;
  const stealShare = before && after && total > 0 ? (after.steal - before.steal) / total : null;
  return { ...measured, stealShare };
}
