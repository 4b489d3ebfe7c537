#!/usr/bin/env bash
# `pnpm bench:backfill`: a large table copied as resumable runs SIGKILLed at random (seeded)
# points, then compared value by value with the source; and a no-op incremental run on it.
# BENCH_BACKFILL_ROWS (default 50000000, lowered to what the disk holds),
# BENCH_BACKFILL_ARGS (default "--max-duration 15s"), BENCH_SEED, BENCH_KILL_CHANCE,
# BENCH_KILL_WINDOW_S. Prints the figures and writes bench-results/backfill.json; the
# "Massive tables" section of docs/benchmarks.md quotes them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
set -euo pipefail
node apps/bench/dist/backfill-resume.js
