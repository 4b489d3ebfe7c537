#!/usr/bin/env bash
# Shared set-up for the README's two commands and CI: Node 24 + pnpm (project-local
# when the machine's are older), dependencies from the lockfile, and a build.
# Server binaries (MariaDB, PostgreSQL, sshd) are checked, and installed from
# Debian's packages when running as root, by the test-services package itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
set -euo pipefail
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v 'Unknown user config' | tail -n 3
pnpm run --silent build
