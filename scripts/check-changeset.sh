#!/usr/bin/env bash
# Fails when a commit range changes a publishable package's src/ without a changeset
# (.changeset/*.md, `pnpm changeset`) that names that package.
#   bash scripts/check-changeset.sh <base-ref> [<head-ref>]     (head defaults to HEAD)
# scripts/test.sh runs it when SLUICE_BASE_REF is set (e.g. SLUICE_BASE_REF=origin/main
# in a pull-request job); on a plain clone there is no range to check and it is skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
base="${1:?usage: check-changeset.sh <base-ref> [<head-ref>]}"
head="${2:-HEAD}"
git rev-parse --verify -q "$base^{commit}" >/dev/null || { echo "check-changeset: unknown base ref $base" >&2; exit 2; }
range="$(git merge-base "$base" "$head")..$head"

# Packages whose src/ changed, by name, skipping private ones (never published).
changed=()
while IFS= read -r dir; do
  [ -f "$dir/package.json" ] || continue
  if node -e 'process.exit(require(process.argv[1]).private ? 0 : 1)' "$PWD/$dir/package.json"; then continue; fi
  changed+=("$(node -p 'require(process.argv[1]).name' "$PWD/$dir/package.json")")
done < <(git diff --name-only "$range" -- 'packages/*/src/*' 'apps/*/src/*' | cut -d/ -f1-2 | sort -u)
[ "${#changed[@]}" -eq 0 ] && { echo "check-changeset: no published package's src/ changed in $range"; exit 0; }

# Package names in the frontmatter of the changesets added or edited in the range.
named="$(git diff --name-only --diff-filter=AM "$range" -- '.changeset/*.md' | { grep -v '^.changeset/README.md$' || true; } |
  while IFS= read -r file; do git show "$head:$file" | awk '/^---$/ { n++; next } n == 1' ; done |
  sed -nE 's/^ *["'"'"']?([^"'"'"':]+)["'"'"']? *: *(major|minor|patch) *$/\1/p' | sort -u || true)"
missing=()
for name in "${changed[@]}"; do
  grep -qxF "$name" <<<"$named" || missing+=("$name")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "check-changeset: src/ of ${missing[*]} changed in $range without a changeset naming it;" >&2
  echo "  run \`pnpm changeset\` (pick the packages and a bump) and commit the .changeset/*.md file." >&2
  exit 1
fi
echo "check-changeset: ${changed[*]} changed in $range, each named by a changeset"
