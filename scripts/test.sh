#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, lint, the dependency graph (knip),
# test files type-checked, the changeset check (only with SLUICE_BASE_REF, e.g. origin/main
# in a pull-request job: a plain clone has no range to check), the packed tarballs used
# as a stranger would, then every package's tests against private MariaDB, PostgreSQL,
# S3 stand-in and sshd started by the harness.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
set -euo pipefail
pnpm run --silent lint
bash scripts/check-dependencies.sh
pnpm exec tsc --noEmit -p tsconfig.test.json
node scripts/check-readme-examples.mjs
if [ -n "${SLUICE_BASE_REF:-}" ]; then
  bash scripts/check-changeset.sh "$SLUICE_BASE_REF"
fi
bash scripts/pack-check.sh
pnpm exec vitest run "$@"
