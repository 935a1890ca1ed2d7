#!/usr/bin/env bash
# Set up and run every test: lint, unit, data layer on SQLite and PostgreSQL, HTTP, browser.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

cleanup() { [ -n "${PGDIR:-}" ] && bash scripts/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
if PGDIR=$(bash scripts/pg.sh start 2>/tmp/cctns-pg.err); then
  export CCTNS_TEST_POSTGRES_URL="$(cat "$PGDIR/url")"
  echo "test: throwaway PostgreSQL at $CCTNS_TEST_POSTGRES_URL"
else
  PGDIR=""
  echo "test: PostgreSQL not available ($(cat /tmp/cctns-pg.err)); PostgreSQL tests will skip" >&2
  [ -n "${CI:-}" ] && { echo "test: CI must run the PostgreSQL tests" >&2; exit 1; }
fi

.venv/bin/ruff check .
.venv/bin/python -m pytest -p no:cacheprovider "$@"

# a small run of the benchmark (SQLite and PostgreSQL, both ends of every part) so that it cannot rot;
# fails on any crash or HTTP error. Skipped when pytest was given a selection (e.g. `test.sh tests/metrics`).
if [ $# -eq 0 ] && [ "${CCTNS_SKIP_BENCH:-0}" != 1 ]; then
  bench_db=both; [ -z "$PGDIR" ] && bench_db=sqlite
  echo "test: quick benchmark (bench/run.sh --scale small --months 3 --quick --db $bench_db)"
  bash bench/run.sh --scale small --months 3 --quick --strict --db "$bench_db" > /tmp/cctns-bench-quick.log 2>&1 \
    || { tail -80 /tmp/cctns-bench-quick.log; echo "test: the quick benchmark failed" >&2; exit 1; }
  grep -E "^bench: report" /tmp/cctns-bench-quick.log || true
fi
