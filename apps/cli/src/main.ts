#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 --heap-growing-percent=50
import { enableCompileCache } from "node:module";

// Why the flags (`env -S` passes them on Linux and macOS; docs/adr/0017-perf-bytes-bounded-memory.md):
// - V8 sizes the young generation for throughput, and a sync allocates short-lived row
//   strings fast, so by default the heap (and RSS) balloons past 300 MiB on a 1M-row
//   table. Capping each semi-space at 8 MiB held it down with no loss of speed; at 4 MiB
//   once rows stay packed until the encoding thread decodes them (ADR 0030): 199-207 MiB
//   peak RSS on 1M rows against 218-226 MiB, and less CPU (9.1-10.1 s against 9.8-11.4 s).
// - V8 lets the old generation grow by a factor it picks from its GC speed (up to 4x
//   the live size) before the next full GC; rows that waited in a batch long enough to
//   be promoted, and the external buffers they keep, pile up as garbage meanwhile. A
//   fixed 1.5x measured 198-209 MiB peak RSS on 5M rows against 228-229 MiB (same
//   minute, same CPU time) and 219 against 305 MiB on 200k rows of 10 KiB. It only
//   changes when V8 collects: unlike a heap cap, no table can make it run out of memory.
// - glibc gives each thread that allocates (libuv's pool, V8's GC helpers, zlib, the
//   --snapshot-connections workers) an arena of its own, up to 8 per core, and freed
//   Buffer memory sits in whichever arena it came from. Two arenas: 175-180 MiB peak RSS
//   on 1M rows against 182-192 MiB, the same CPU; no slower with two lanes. glibc
//   reads it only at start-up, so only the environment can set it; other libcs ignore it.

// V8's code cache on disk (Node's own, under the temp directory; keyed by file content,
// so a new build never reads stale code): every run after the first skips compiling the
// modules it loads (AWS SDK, mysql2, kysely, pg, ours). The modules are imported
// after it is on, hence the dynamic import. Failing to cache is never an error.
try {
  enableCompileCache?.();
} catch {}
const { runCli } = await import("./program.js");

// The only place that reads the process: argv, environment, exit code.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
  ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
});
