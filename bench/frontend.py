"""The browser's figures of issue 15 on their own, repeated: `cctns serve --prod` on an existing database,
then for each run (the server's cache emptied before each part, as `bench.phase` does) the first renders
(`bench.browser.first_renders`) and the slow police link (`bench.browser.slow_link`); the medians of the
six figures the issue sets targets for. For before/after comparisons of front-end changes without the whole
benchmark (which imports the data first).

    python -m bench.frontend --url sqlite:////tmp/demo.sqlite3 [--runs 3] [--out result.json]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import tempfile
from pathlib import Path
from typing import Any

FIGURES = (
    ("empty-cache first render (ms)", "first", "ms"),
    ("empty-cache bytes (KB)", "first", "transfer_kb"),
    ("warm first render (ms)", "warm", "ms"),
    ("slow link first page (ms)", "slow_first", "ms"),
    ("slow link drill to State (ms)", "slow_state", "ms"),
    ("slow link drill to district (ms)", "slow_district", "ms"),
)


def figures(renders: dict[str, Any], slow: dict[str, Any]) -> dict[str, Any]:
    """The six figures of one run, by the keys of FIGURES."""
    pages = renders["pages"]
    rows = {"first": pages[0], "warm": pages[-1]}
    slow_rows = slow["pages"]
    for key, i in (("slow_first", 0), ("slow_state", 1), ("slow_district", 2)):
        rows[key] = slow_rows[i] if i < len(slow_rows) else {}
    return {f"{key}.{field}": rows[key].get(field) for _label, key, field in FIGURES}


def median(values: list[Any]) -> float | None:
    got = [v for v in values if v is not None]
    return round(statistics.median(got), 1) if got else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="database URL with imported months (demo users are made there)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mbit", type=float, default=2.0)
    ap.add_argument("--rtt-ms", type=float, default=150.0)
    ap.add_argument("--out", type=Path, default=None, help="write every run and the medians as JSON here")
    args = ap.parse_args()

    from bench.browser import first_renders, slow_link
    from bench.common import free_port
    from bench.load import Server, page_visits, server_env

    instance = Path(tempfile.mkdtemp(prefix="cctns-frontend-"))
    env = server_env(args.url, instance, None, secrets.token_urlsafe(32))
    os.environ.update({k: v for k, v in env.items() if k.startswith("CCTNS_")})
    prepared = page_visits(args.url)
    visits, password = prepared["visits"], str(prepared["password"])
    pages = {name: v[0]["url"] for name, v in visits.items() if v}  # type: ignore[union-attr]

    from app import create_app
    from bench.callbacks import pick_units
    from dashboard.config import load_settings
    from dashboard.read.cache import clear
    from dashboard.store.db import get_engine

    app = create_app(load_settings())  # only to empty the server's (file) cache between parts
    district, state = pick_units(get_engine(args.url), quick=False).districts[0]
    server = Server(env, free_port(), instance / "gunicorn.log")
    runs: list[dict[str, Any]] = []
    try:
        server.wait_ready()
        for i in range(args.runs):
            clear(app.server)
            renders = first_renders(server.base, "ncrb", password, pages)
            clear(app.server)
            slow = slow_link(server.base, "ncrb", password, state, district, mbit=args.mbit, rtt_ms=args.rtt_ms)
            run = {"renders": renders, "slow_link": slow, "figures": figures(renders, slow),
                   "loadavg": round(os.getloadavg()[0], 2)}
            runs.append(run)
            print(f"run {i + 1}: " + ", ".join(f"{k}={v}" for k, v in run["figures"].items()), flush=True)
    finally:
        server.stop()
    medians = {label: median([r["figures"][f"{key}.{field}"] for r in runs]) for label, key, field in FIGURES}
    for label, value in medians.items():
        print(f"{label:36} {value}")
    if args.out:
        args.out.write_text(json.dumps({"runs": runs, "medians": medians}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
