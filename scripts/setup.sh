#!/usr/bin/env bash
# Set up everything the app and its tests need: Debian packages (as root), a venv, pinned pip packages.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# Noto Sans Devanagari: Hindi in the PDF/PPTX packs and in the chart images
[ -f /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf ] || need_apt+=(fonts-noto-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: not root; skipping Debian packages (${need_apt[*]}); browser/PostgreSQL tests will skip" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/pip install -q -e ".[test]" --config-settings editable_mode=compat 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import dash, metrics, dashboard" 
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# the translation catalogs: .po (in git) -> .mo (built here; the app compiles a missing or stale one itself)
bash scripts/i18n.sh compile >/dev/null
