#!/usr/bin/env bash
# Set up, build the national demo database on first run (SQLite), and serve http://127.0.0.1:8050
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CCTNS_DEMO=1
.venv/bin/cctns init-db  # creates the schema, or upgrades it after an update (the data are kept)
if [ ! -f instance/.demo-ready ] || [ -n "${CCTNS_REBUILD:-}" ]; then
  .venv/bin/cctns demo
  mkdir -p instance && touch instance/.demo-ready
fi
exec .venv/bin/cctns serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8050}"
