#!/usr/bin/env bash
# The main job, for real: private MariaDB + PostgreSQL, a seeded shop.settlement
# table (SLUICE_DEMO_ROWS, default 50000), `sluice sync` into a local-directory lake
# (.sluice-demo/lake) and the local warehouse, counts side by side.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
set -euo pipefail
node apps/demo/dist/main.js
