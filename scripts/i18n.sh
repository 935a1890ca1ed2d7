#!/usr/bin/env bash
# The translation catalogs, with pybabel alone (nothing of the app is imported):
#   bash scripts/i18n.sh extract   # every marked string of the code -> dashboard/i18n/messages.pot
#   bash scripts/i18n.sh update    # extract, then merge the template into each language's .po
#   bash scripts/i18n.sh compile   # .po -> .mo (scripts/setup.sh runs this)
#   bash scripts/i18n.sh check     # fail when a .po lacks a translation of an extracted string
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
DIR=dashboard/i18n/locale
POT=dashboard/i18n/messages.pot
extract() {
  "$PYBABEL" extract -F babel.cfg --sort-output --add-location=file --no-wrap \
    -k _ -k gettext -k N_ -k ngettext:1,2 -k pgettext:1c,2 \
    --project="CCTNS progress dashboard" --copyright-holder="CCTNS progress dashboard" \
    -o "$POT" .
}
case "${1:-}" in
  extract) extract ;;
  update) extract
    for po in "$DIR"/*/LC_MESSAGES/messages.po; do
      "$PYBABEL" update -i "$POT" -d "$DIR" -l "$(basename "$(dirname "$(dirname "$po")")")" \
        --no-wrap --ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date
    done ;;
  compile) "$PYBABEL" compile -d "$DIR" --statistics 2>&1 | grep -v "^$" || true ;;
  check) extract
    .venv/bin/python - "$POT" "$DIR" <<'PY'
import sys
from pathlib import Path
from babel.messages.pofile import read_po
pot = read_po(open(sys.argv[1], "rb"))
bad = 0
for po_path in Path(sys.argv[2]).glob("*/LC_MESSAGES/messages.po"):
    po = read_po(open(po_path, "rb"))
    for m in pot:
        if not m.id:
            continue
        t = po.get(m.id, m.context)
        if t is None or t.fuzzy or not (all(t.string) if isinstance(t.string, tuple) else t.string):
            bad += 1
            print(f"{po_path}: untranslated: {m.id!r}")
sys.exit(1 if bad else 0)
PY
    ;;
  *) echo "usage: scripts/i18n.sh extract|update|compile|check" >&2; exit 2 ;;
esac
