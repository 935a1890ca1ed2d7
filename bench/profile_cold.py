"""Where a cold callback spends its time: each realistic input of one callback answered with the caches
emptied first, under cProfile, timed in CPU milliseconds of this process (on a shared machine the CPU
time of a request moves far less than its wall time). A developer's tool next to the benchmark.

    python -m bench.profile_cold --url sqlite:///path/db.sqlite3 --output state-title.children [--top 25]
        [--limit 12] [--warm] [--sort tottime]

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
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
