"""One database's part of the benchmark, in its own process (one Dash app per process):
build -> callbacks at the server -> production server: first renders, the slow link, 100 users, RSS.

    python -m bench.phase --db sqlite --url URL --work DIR --csv DIR --months N --scale S [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import secrets
import traceback
from pathlib import Path
from typing import Any

from bench.common import Timer, as_a_worker, free_port, summary_ms


def bare_floor(runs: int = 300) -> dict[str, Any]:
    """A no-op callback on a bare Dash app (no auth, no cache): Dash + Flask alone."""
    import dash
    from dash import Input, Output, html

    app = dash.Dash("bench_bare")
    app.layout = html.Div([html.Div(id="i"), html.Div(id="o")])
    app.callback(Output("o", "children"), Input("i", "children"))(lambda v: v)
    c = app.server.test_client()
    c.get("/")
    body = {"output": "o.children", "outputs": {"id": "o", "property": "children"},
            "inputs": [{"id": "i", "property": "children", "value": "x"}], "changedPropIds": ["i.children"],
            "state": []}
    for _ in range(20):
        c.post("/_dash-update-component", json=body)
    ms = []
    for _ in range(runs):
        t = Timer()
        c.post("/_dash-update-component", json=body)
        ms.append(t.ms)
    return summary_ms(ms)


def hash_parameters(url: str, username: str) -> str:
    """'argon2id m=19456,t=2,p=1': the parameters the user's stored password hash was made with."""
    from sqlalchemy import select

    from dashboard.store.db import get_engine
    from dashboard.store.models import User

    with get_engine(url).connect() as conn:
        stored = conn.execute(select(User.password_hash).where(User.username == username)).scalar_one()
    parts = stored.split("$")  # ['', 'argon2id', 'v=19', 'm=...,t=...,p=...', salt, hash]
    return f"{parts[1]} {parts[3]}" if len(parts) > 3 else "unknown"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--files", type=Path, required=True, help="pickled DemoFiles")
    ap.add_argument("--redis-url", default="")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--callbacks-only", action="store_true")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    out: dict[str, Any] = {"db": args.db, "errors": [], "loadavg": {}}

    def load_mark(stage: str) -> None:  # the machine may be shared: say how busy it was
        out["loadavg"][stage] = round(os.getloadavg()[0], 2)

    def save() -> None:
        args.out.write_text(json.dumps(out, indent=2, default=str))

    def log(msg: str) -> None:
        print(f"[{args.db}] {msg}", flush=True)

    instance = args.work / f"instance-{args.db}"
    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    os.environ.update({"CCTNS_DATABASE_URL": args.url, "CCTNS_INSTANCE_DIR": str(instance),
                       "CCTNS_SECRET_KEY": secret})
    if args.redis_url:
        os.environ["CCTNS_REDIS_URL"] = args.redis_url
    else:
        os.environ.pop("CCTNS_REDIS_URL", None)

    # 1. build
    from bench.build import build

    files = pickle.loads(args.files.read_bytes())
    log("importing the demo data month by month")
    load_mark("before import")
    b = build(args.url, files, log=log)
    load_mark("after import")
    users = b.pop("users")
    out["build"] = b
    out["password_hash"] = hash_parameters(args.url, "ncrb")
    save()
    log(f"history: {b['history']['rows']:,} rows in {b['history']['seconds']} s "
        f"({b['history']['rows_per_s']:,} rows/s)")

    # 2. callbacks at the server
    from app import create_app
    from bench.callbacks import measure, register_noop
    from dashboard.config import load_settings
    from dashboard.store.db import get_engine

    settings = load_settings()
    app = create_app(settings)
    register_noop(app)
    as_a_worker()
    log("timing every callback (cold pass, then warm passes)")
    try:
        cb = measure(app, "ncrb", users["ncrb"], get_engine(args.url), quick=args.quick,
                     warm_rounds=1 if args.quick else 2, noop_runs=100 if args.quick else 300)
        visits = cb.pop("visits")
        load_mark("after callbacks")
        out["callbacks"] = cb
        out["bare_floor"] = bare_floor(100 if args.quick else 300)
        from bench.callbacks import measure_warmup

        log("the warm-up after an import, then the first clicks on State and district pages")
        out["warmup"] = measure_warmup(app, "ncrb", users["ncrb"], get_engine(args.url), visits,
                                       budget_s=20 if args.quick else 120)
    except Exception:  # noqa: BLE001
        out["errors"].append("callbacks: " + traceback.format_exc())
        save()
        return 1
    save()
    if args.callbacks_only:
        return 0

    # 3. the production server
    from bench.load import RssSampler, Server, run_users, server_env
    from dashboard.read.cache import clear

    port = free_port()
    server = Server(server_env(args.url, instance, args.redis_url or None, secret), port,
                    args.out.parent / f"gunicorn-{args.db}.log")
    try:
        out["server"] = {"ready_s": round(server.wait_ready(), 1), "workers": server.wait_workers(),
                         "cache": "RedisCache" if args.redis_url else "FileSystemCache"}
        log(f"gunicorn ready on {server.base} with {out['server']['workers']} workers")
        sampler = RssSampler(server)
        sampler.start()
        pages = {name: v[0]["url"] for name, v in visits.items() if v}
        clear(app.server)
        try:
            from bench.browser import first_renders

            log("first render of each page in headless Chromium")
            out["browser"] = first_renders(server.base, "ncrb", users["ncrb"], pages)
            load_mark("after browser")
        except Exception:  # noqa: BLE001
            out["errors"].append("browser: " + traceback.format_exc())
        save()
        clear(app.server)
        try:
            from bench.browser import slow_link

            district, state = cb["units"]["districts"][0]  # the largest district and its State
            log("the slow police link (2 Mbit/s, 150 ms round trips): sign-in, first page, drill-down")
            out["slow_link"] = slow_link(server.base, "ncrb", users["ncrb"], state, district)
            load_mark("after slow link")
        except Exception:  # noqa: BLE001
            out["errors"].append("slow link: " + traceback.format_exc())
        save()
        clear(app.server)
        n_users = min(args.users, 10) if args.quick else args.users
        log(f"{n_users} users clicking through the pages")
        out["load"] = run_users(server.base, "ncrb", users["ncrb"], visits, users=n_users,
                                visits_per_user=3 if args.quick else 12,
                                max_seconds=12 if args.quick else 120)
        out["rss"] = sampler.result()
        load_mark("after users")
    except Exception:  # noqa: BLE001
        out["errors"].append("server: " + traceback.format_exc())
    finally:
        server.stop()
    save()
    return 0 if not out["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
