#!/usr/bin/env bash
# Rebuild the partial plotly.js bundle vendored in assets/vendor/ (a developer's step, not part of setup:
# the bundle is committed, so the app and CI need no Node). Run it after changing the plotly pin in
# pyproject.toml (the bundle's plotly.js version must be the one plotly.py ships: a test checks) or the
# trace types in scripts/plotly-bundle.js. Needs node and npm (the npm registry); builds in a temp folder.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(.venv/bin/python -c "from plotly.offline import get_plotlyjs_version as v; print(v())")
esbuild_version=0.28.2
out=assets/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/plotly-bundle.js "$work/entry.js"
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts --silent \
  "plotly.js@$version" "esbuild@$esbuild_version")
# the CSS plotly.js imports is maplibre's (map traces only, never registered here): dropped
(cd "$work" && node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --target=es2016 --define:global=window --define:define.amd=false --loader:.css=empty \
  --legal-comments=external --log-level=warning --outfile=plotly-dashboard.min.js)
mkdir -p "$out"
{ printf '/* plotly.js v%s, partial bundle (scripts/plotly-bundle.js): MIT licence, see plotly.js.LICENSE */\n' "$version"
  cat "$work/plotly-dashboard.min.js"; } > "$out/plotly-dashboard.min.js"
cp "$work/node_modules/plotly.js/LICENSE" "$out/plotly.js.LICENSE"
cp "$work/plotly-dashboard.min.js.LEGAL.txt" "$out/plotly-dashboard.LEGAL.txt"
echo "build-plotly: $out/plotly-dashboard.min.js ($(wc -c < "$out/plotly-dashboard.min.js") bytes, plotly.js $version)"
