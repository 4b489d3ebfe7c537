#!/usr/bin/env bash
# Packs every publishable package and uses the tarballs as a stranger would (issue 12):
#   1. each tarball holds LICENSE (the root's, byte for byte), README.md and package.json,
#      and no build cache (*.tsbuildinfo);
#   2. npm installs all tarballs (and their registry dependencies) in a clean temp dir;
#   3. strict tsc (skipLibCheck false, nodenext, `types: []`) over each package's public .d.ts,
#      one program per package;
#   4. a consumer program writes a Parquet file with @sluice/parquet-writer alone and keeps a
#      watermark with @sluice/watermark-store in a local-directory object store.
# Needs a build (dist/). Uses the repository's tsc; npm's cache makes repeat runs fast.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
set -euo pipefail
started=$SECONDS
root="$PWD"
publishable=(packages/core packages/connectors packages/tunnel packages/cdc-strategies packages/parquet-writer
  packages/watermark-store packages/redshift-loader packages/pipeline apps/cli apps/airflow-bridge)
work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-pack-check-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/consumer"

fail() { echo "pack-check: $*" >&2; exit 1; }

for dir in "${publishable[@]}"; do
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
for tarball in "$work"/tarballs/*.tgz; do
  name="$(basename "$tarball")"
  listing="$(tar tzf "$tarball")"
  if grep -q '\.tsbuildinfo$' <<<"$listing"; then fail "$name ships a build cache: $(grep '\.tsbuildinfo$' <<<"$listing")"; fi
  for file in package/LICENSE package/README.md package/package.json package/dist/index.d.ts; do
    grep -qx "$file" <<<"$listing" || fail "$name lacks ${file#package/}"
  done
  tar xzf "$tarball" -C "$work" package/LICENSE --to-stdout | cmp -s - LICENSE || fail "$name: LICENSE differs from the root LICENSE"
  if tar xzf "$tarball" -C "$work" package/package.json --to-stdout | grep -q '"workspace:'; then
    fail "$name: package.json still has a workspace: range"
  fi
done
echo "pack-check: ${#publishable[@]} tarballs packed and inspected ($((SECONDS - started)) s)"

cp scripts/pack-check/*.ts scripts/pack-check/tsconfig*.json "$work/consumer/"
cd "$work/consumer"
printf '{ "name": "sluice-pack-check-consumer", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$work"/tarballs/*.tgz >npm-install.log 2>&1 ||
  { cat npm-install.log >&2; fail "npm install of the tarballs failed"; }
echo "pack-check: npm installed the tarballs and their registry dependencies ($((SECONDS - started)) s)"

# Each package's public types in a program of their own: everything index.d.ts reaches.
for tarball in "$work"/tarballs/*.tgz; do
  name="$(tar xzf "$tarball" package/package.json --to-stdout | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).name')"
  short="${name#@sluice/}"
  printf 'import type * as api from "%s";\nexport type Api = typeof api;\n' "$name" >"types-$short.ts"
  printf '{ "extends": "./tsconfig.json", "files": ["types-%s.ts"] }\n' "$short" >"tsconfig.types-$short.json"
  "$root/node_modules/.bin/tsc" -p "tsconfig.types-$short.json" || fail "a consumer's strict tsc rejects the public types of $name"
done
"$root/node_modules/.bin/tsc" -p tsconfig.consumer.json || fail "the consumer program does not type-check"
node dist/consumer.js
echo "pack-check: passed in $((SECONDS - started)) s"
