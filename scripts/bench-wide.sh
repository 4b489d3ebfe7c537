#!/usr/bin/env bash
# `pnpm bench:wide`: peak RSS and rate of `sync --backup-only` on tables of large values
# (BENCH_WIDE_VALUES="2000x1048576,200000x10240": rows x value bytes). Prints the figures;
# the "Memory" section of docs/benchmarks.md quotes them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
set -euo pipefail
node apps/bench/dist/wide-value-memory.js
