"""Where a cold callback spends its time: each realistic input of one callback answered with the caches
emptied first, under cProfile, timed in CPU milliseconds of this process (on a shared machine the CPU
time of a request moves far less than its wall time). A developer's tool next to the benchmark.

    python -m bench.profile_cold --url sqlite:///path/db.sqlite3 --output state-title.children [--top 25]
        [--limit 12] [--warm] [--sort tottime] [--by-package]

`--by-package` adds where the time is by library (each function's own time, grouped by the package its file
is in): pandas and numpy, SQLAlchemy and the database driver, Dash, plotly and JSON, Flask, the cache, the
app's own code, the rest (the standard library and builtins, mostly called from the libraries).

The database must hold imported months (for example a copy of a benchmark database kept with `--keep`);
demo users are (re)created in it with fresh passwords, so use a copy you may write to.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from typing import Any

from bench.common import callback_body, signed_in_app, summary_ms

# (package, the path parts or function names that put a profiled function in it), first match wins
PACKAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pandas, numpy", ("/pandas/", "/numpy/")),
    ("SQLAlchemy, database driver", ("/sqlalchemy/", "/psycopg/", "sqlite3.")),
    ("Dash", ("/dash/", "/dash_bootstrap_components/", "/dash_ag_grid/")),
    ("plotly, JSON", ("/plotly/", "/json/", "orjson")),
    ("Flask, Werkzeug", ("/flask/", "/werkzeug/", "/flask_login/")),
    ("cache (Redis, files, pickle)", ("/cachelib/", "/redis/", "/flask_caching/", "_pickle.")),
    ("Babel", ("/babel/",)),
    ("the app (dashboard, layouts, callbacks, metrics)", ("/dashboard/", "/layouts/", "/callbacks/", "/metrics/",
                                                         "/app.py")),
)
OTHER = "the rest (standard library, builtins)"


def share_by_package(stats: dict[tuple[str, int, str], tuple]) -> list[tuple[str, float]]:
    """A profile's own time (pstats' `stats`: (file, line, function) -> (calls, primitive calls, own time, ...))
    by package (PACKAGES), as shares of the total, largest first."""
    own: dict[str, float] = {}
    for (path, _line, function), row in stats.items():
        where = path.replace("\\", "/") + " " + function
        package = next((name for name, marks in PACKAGES if any(m in where for m in marks)), OTHER)
        own[package] = own.get(package, 0.0) + row[2]
    total = sum(own.values()) or 1.0
    return sorted(((name, t / total) for name, t in own.items()), key=lambda kv: -kv[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="the database (SQLAlchemy URL)")
    ap.add_argument("--output", required=True, help="a callback's first output 'id.prop' (as the benchmark names it)")
    ap.add_argument("--top", type=int, default=25, help="functions to list")
    ap.add_argument("--limit", type=int, default=12, help="inputs to profile at most")
    ap.add_argument("--warm", action="store_true", help="profile cache hits instead (each input asked twice)")
    ap.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    ap.add_argument("--user", default="ncrb")
    ap.add_argument("--plain", action="store_true",
                    help="no profiler: CPU times as the benchmark sees them (for before/after comparisons)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds over the inputs (each answered cold)")
    ap.add_argument("--by-package", action="store_true", help="also the own time by library (see above)")
    args = ap.parse_args()

    from bench.callbacks import Ctx, generator_for, pick_units, register_noop
    from dashboard.read.cache import clear

    session = signed_in_app(args.url, args.user, "profile")
    app, engine, client, csrf = session.app, session.engine, session.client, session.csrf
    register_noop(app)
    deps = client.get("/_dash-dependencies").get_json()
    ctx = Ctx(client, csrf, deps, pick_units(engine, quick=False))
    dep = ctx.dep(args.output)
    if dep is None:
        print(f"no server callback outputs {args.output!r}", file=sys.stderr)
        return 2
    _, gen = generator_for(dep)
    if gen is None:
        print(f"the benchmark has no inputs generator for {args.output!r}", file=sys.stderr)
        return 2
    bodies: list[tuple[str, dict[str, Any]]] = []
    for sc in gen(ctx)[: args.limit]:
        values = dict(ctx.page_props(sc.url))
        values.update(sc.values)
        bodies.append((sc.label, callback_body(dep, values, sc.changed)))

    profile = cProfile.Profile()
    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    for label, body in bodies * max(1, args.repeat):
        clear(app.server)
        if args.warm:
            ctx.post(body)
        wall, cpu = time.perf_counter(), time.process_time()
        if not args.plain:
            profile.enable()
        r = ctx.post(body)
        if not args.plain:
            profile.disable()
        cpu_ms.append((time.process_time() - cpu) * 1000)
        wall_ms.append((time.perf_counter() - wall) * 1000)
        print(f"{cpu_ms[-1]:8.1f} ms CPU {wall_ms[-1]:8.1f} ms wall  HTTP {r.status_code} "
              f"{len(r.data) / 1024:6.1f} KB  {label}", flush=True)
    print(f"\n{'warm' if args.warm else 'cold'} {args.output}: CPU {summary_ms(cpu_ms)}  wall {summary_ms(wall_ms)}"
          + ("" if args.plain else "  (times include cProfile's own overhead)") + "\n")
    if args.plain:
        return 0
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    if args.by_package:
        print("own time by package:")
        for name, share in share_by_package(stats.stats):  # type: ignore[attr-defined]
            print(f"  {share * 100:5.1f} %  {name}")
        print()
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
