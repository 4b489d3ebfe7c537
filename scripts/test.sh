#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, lint, then every package's tests
# against private MariaDB, PostgreSQL, S3 stand-in and sshd started by the harness.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
set -euo pipefail
pnpm run --silent lint
pnpm exec vitest run "$@"
