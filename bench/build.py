"""Build the demo dataset through the normal import path (what `cctns demo` does), timing every month:
import rows/s per national month and for the whole history, recompute seconds per month."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.common import Timer


def generate(folder: Path, months: int, scale: str, seed: int = 2026) -> tuple[Any, float]:
    from dashboard.ingest.demo import generate_demo

    folder.mkdir(parents=True, exist_ok=True)
    t = Timer()
    files = generate_demo(folder, months=months, scale=scale, seed=seed)
    return files, t.s


class _RecomputeTimer:
    """Wraps dashboard.ingest.recompute.recompute_months (looked up at call time by the importer)."""

    def __init__(self) -> None:
        import dashboard.ingest.recompute as rc

        self.module = rc
        self.original = rc.recompute_months
        self.calls: list[tuple[list[str], float]] = []

    def __enter__(self) -> _RecomputeTimer:
        original = self.original

        def timed(conn, months, methodology, **kwargs):
            t = time.perf_counter()
            out = original(conn, months, methodology, **kwargs)
            self.calls.append((sorted(months), time.perf_counter() - t))
            return out

        self.module.recompute_months = timed
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.recompute_months = self.original

    def pop(self) -> float:
        total = sum(s for _, s in self.calls)
        self.calls.clear()
        return total


def build(url: str, files: Any, log: Any = print) -> dict[str, Any]:
    """Fresh schema at `url`, master data, then every month in order; returns the timings and the
    demo users' passwords."""
    from dashboard.ingest import hold_reviews, import_files
    from dashboard.ingest.recompute import recompute_months
    from dashboard.store.db import get_engine
    from dashboard.store.schema import store_schemes, upgrade
    from dashboard.web.users import create_demo_users
    from metrics.methodology import shipped_schemes

    engine = get_engine(url)
    upgrade(engine)
    methodology = shipped_schemes()
    store_schemes(engine, methodology)
    months: list[dict[str, Any]] = []
    with _RecomputeTimer() as rt:
        t = Timer()
        master = import_files(engine, files.master, user="bench", progress=False)
        master_s = t.s
        rt.pop()
        history = Timer()
        reviews: list[dict[str, Any]] = []
        for n, month_files in enumerate(files.by_month):
            if n >= 1 and n >= len(files.by_month) - 2:
                # the review of the month before (as `cctns demo`): the actions the next imports judge
                t = Timer()
                made = hold_reviews(engine, files.months[n - 1])
                reviews.append({"month": files.months[n - 1], "actions": made, "seconds": round(t.s, 3)})
                log(f"  review of {files.months[n - 1]}: {made} actions in {reviews[-1]['seconds']:.2f} s")
            cpu = time.process_time()
            rep = import_files(engine, month_files, user="bench", progress=False)
            rows = rep.rows_added + rep.rows_replaced
            months.append({"month": ",".join(rep.months), "rows": rows, "seconds": round(rep.seconds, 3),
                           "cpu_s": round(time.process_time() - cpu, 3),
                           "recompute_s": round(rt.pop(), 3), "rows_per_s": round(rows / rep.seconds)})
            log(f"  {months[-1]['month']}: {rows:,} rows in {rep.seconds:.2f} s "
                f"(recompute {months[-1]['recompute_s']:.2f} s)")
        history_s = history.s
        # a correction: the latest month imported again (every row replaced, kept for revert)
        cpu = time.process_time()
        rep = import_files(engine, files.by_month[-1], user="bench", progress=False)
        reimport = {"month": ",".join(rep.months), "rows": rep.rows_added + rep.rows_replaced,
                    "seconds": round(rep.seconds, 3), "recompute_s": round(rt.pop(), 3),
                    "cpu_s": round(time.process_time() - cpu, 3)}
    # recompute alone, per month (latest and one in the middle: that one also refreshes later months)
    alone = []
    for month in sorted({months[-1]["month"], months[len(months) // 2]["month"]}):
        with engine.begin() as conn:
            t = Timer()
            recompute_months(conn, [month], methodology)
            alone.append({"month": month, "seconds": round(t.s, 3)})
    # what looking ahead adds to each import (issue 14): the projections and the latest month's flags
    from dashboard.foresight import refresh_foresight

    with engine.begin() as conn:
        t = Timer()
        refresh_foresight(conn, [months[-1]["month"]])
        foresight_s = round(t.s, 3)
    # the month after, as provisional figures of three States (as `cctns demo`): the provisional page and
    # the notice every page shows while a month is being collected
    from dashboard.ingest import provisional_files
    from metrics.methodology import next_month

    t = Timer()
    prov = provisional_files(files.by_month[-1], files.master[2], next_month(months[-1]["month"]),
                             Path(files.by_month[-1][0]).parent / "provisional")
    prov_rep = import_files(engine, prov.files, user="bench", progress=False, provisional=True)
    provisional = {"month": prov.month, "states": list(prov.states), "rows": prov_rep.rows_added,
                   "seconds": round(t.s, 3)}
    log(f"  {prov.month} provisional ({', '.join(prov.states)}): {prov_rep.rows_added:,} rows in {t.s:.2f} s")
    users = create_demo_users(engine)
    total_rows = sum(m["rows"] for m in months)
    secs = [m["seconds"] for m in months]
    rec = [m["recompute_s"] for m in months]
    return {
        "url": engine.url.render_as_string(hide_password=True),
        "master": {"rows": master.rows_added, "seconds": round(master_s, 2)},
        "months": months,
        "history": {"months": len(months), "rows": total_rows, "seconds": round(history_s, 1),
                    "rows_per_s": round(total_rows / history_s) if history_s else None},
        "month_import": {"last": months[-1] if months else None, "mean_s": round(sum(secs) / len(secs), 2),
                         "max_s": max(secs), "max_cpu_s": max(m["cpu_s"] for m in months), "mean_recompute_s": round(sum(rec) / len(rec), 2),
                         "max_recompute_s": max(rec)},
        "reimport_latest": reimport,
        "recompute_alone": alone,
        "foresight_refresh_s": foresight_s,
        "provisional": provisional,
        "reviews": reviews,
        "users": users,
    }
