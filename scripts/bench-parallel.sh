#!/usr/bin/env bash
# `pnpm bench:parallel`: peak RSS and rows/s of `sync -p` over many tables at each
# --parallel setting (BENCH_TABLES=20, BENCH_TABLE_ROWS=200000, BENCH_PARALLEL=1,4).
# Prints the figures; the "Many tables in flight" section of docs/benchmarks.md quotes them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
set -euo pipefail
node apps/bench/dist/parallel-memory.js
