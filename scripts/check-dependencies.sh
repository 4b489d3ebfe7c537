#!/usr/bin/env bash
# The dependency graph stays true (issue 12, docs/adr/0014-hygiene-dependency-graph.md):
#   1. knip (knip.json): every import is declared, nothing declared goes unused, tests
#      and sources together;
#   2. knip --production --strict: `dependencies` are exactly what src/ and the public
#      .d.ts in dist/ import (so a test-only package there, or a type package a .d.ts
#      needs kept in devDependencies, fails). Needs a build first;
#   3. no deep import into another package's internals (`pkg/src/...`, `pkg/dist/...`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
set -euo pipefail
pnpm exec knip --no-progress
pnpm exec knip --no-progress --production --strict
deep='(from|import\() *["'"'"'](@[^/"'"'"']+/)?[a-z0-9][^/"'"'"']*/(src|dist|lib|build|esm|cjs)/'
if grep -rnE "$deep" --include='*.ts' --include='*.mts' --include='*.cjs' --include='*.mjs' packages apps \
  --exclude-dir=node_modules --exclude-dir=dist; then
  echo "check-dependencies: deep imports above reach into another package's internals; import its public entry" >&2
  exit 1
fi
