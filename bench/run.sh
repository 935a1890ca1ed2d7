#!/usr/bin/env bash
# The benchmark in one command (see README "Benchmark"):
#   bash bench/run.sh [--scale small|national] [--months N] [--db sqlite|postgresql|both] [--quick] [--strict]
# Starts a throwaway PostgreSQL (scripts/pg.sh) when asked for, and a throwaway Redis when redis-server is
# installed; writes bench/results/<run>/report.md and report.json (and bench/results/latest.*).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh

db=both
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --db) db="${args[$((i + 1))]}" ;;
    --db=*) db="${args[$i]#--db=}" ;;
  esac
done

PGDIR=""
cleanup() { [ -n "$PGDIR" ] && bash scripts/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
pg=()
if [ "$db" != sqlite ]; then
  PGDIR=$(bash scripts/pg.sh start)
  pg=(--pg-url "$(cat "$PGDIR/url")")
fi
.venv/bin/python -m bench.main "$@" "${pg[@]}"
