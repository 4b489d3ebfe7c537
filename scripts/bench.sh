#!/usr/bin/env bash
# `pnpm bench`: set-up, then the benchmark (BENCH_ROWS, default "1000000,5000000").
# Writes bench-results/latest.json and rewrites the figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
set -euo pipefail
node apps/bench/dist/main.js
