"""The projection's backtest on the demo data (issue 14): how often next month's 80 % rank range held and how
the projection compares with carrying the last rank forward, for each ranking scheme.

The States' scores come from the demo's files scored month by month with the same engine the import uses
(`metrics.scoring.score_month`, each scheme on its own parameters' rows) and are projected and backtested
with the same functions the import stores (`metrics.foresight`): what `cctns demo` + the pages would show,
without loading a national database first (a few minutes instead of most of an hour on 2 busy cores).

    python -m bench.backtest --scale national --months 24 [--files DIR] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from metrics.foresight import DEFAULT_PROJECTION, backtest, project_next_month
from metrics.methodology import Schemes, shipped_schemes
from metrics.scoring import MasterData, score_month

BACKTEST_MONTHS = 12


def _master(folder: Path) -> MasterData:
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)  # noqa: E731
    stations = read("police_stations.csv")
    for c in ("opened", "closed"):
        stations[c] = stations[c].where(stations[c] != "", None)
    return MasterData(states=read("states.csv"), districts=read("districts.csv"), stations=stations)


def state_scores(folder: Path, schemes: Schemes, log: Any = print) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """scheme -> (scores, ranks): months x State codes, as `dashboard.foresight.compute.state_scores` reads
    them from a database built from these files."""
    master = _master(folder)
    months = sorted(p.stem.rsplit("_", 1)[1] for p in folder.glob("station_rows_*.csv"))
    rows: dict[str, list[pd.DataFrame]] = {s: [] for s in schemes.ids}
    dtype = {"numerator": "int64", "denominator": "int64"}
    for month in months:
        started = time.perf_counter()
        station = pd.read_csv(folder / f"station_rows_{month}.csv", dtype=dtype)
        state_path = folder / f"state_rows_{month}.csv"
        state = pd.read_csv(state_path, dtype=dtype) if state_path.exists() else station.iloc[:0]
        for scheme, methodology in schemes.by_id.items():
            version = methodology.version_for(month)
            own = methodology.parameter_ids
            st, sr = station[station["parameter"].isin(own)], state[state["parameter"].isin(own)]
            if version is None or (st.empty and sr.empty):
                continue
            units = score_month(month, version, master, st.drop(columns="month"), sr.drop(columns="month")).units
            states = units[units["level"] == "state"]
            rows[scheme].append(pd.DataFrame({"month": month, "state_code": states["unit_code"],
                                              "score": states["score"].astype(float),
                                              "rank": states["rank_national"].astype(float)}))
        log(f"  {month} scored in {time.perf_counter() - started:.1f} s")
    out = {}
    for scheme, frames in rows.items():
        if frames:
            df = pd.concat(frames, ignore_index=True)
            out[scheme] = (df.pivot(index="month", columns="state_code", values="score").sort_index(),
                           df.pivot(index="month", columns="state_code", values="rank").sort_index())
    return out


def run_backtest(scores: pd.DataFrame, ranks: pd.DataFrame) -> dict[str, Any]:
    """Projections from every origin month, then the 12 target months ending at the last month."""
    made = {m: project_next_month(scores, m, DEFAULT_PROJECTION) for m in scores.index}
    b = backtest(made, ranks, scores.index[-1], BACKTEST_MONTHS)
    return {"months_checked": list(b.months), "checks": b.checks, "coverage_80": b.coverage,
            "mean_rank_error_model": b.mae_model, "mean_rank_error_carry_forward": b.mae_carry,
            "brier_p_first_model": b.brier_model, "brier_p_first_carry_forward": b.brier_carry,
            "model_better": b.model_better}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=("national", "small"), default="national")
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--files", type=Path, help="the demo's files already generated (`cctns demo --out DIR`)")
    ap.add_argument("--out", type=Path, help="write the figures as JSON")
    args = ap.parse_args()
    schemes = shipped_schemes()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.files
        if folder is None:
            from dashboard.ingest.demo import generate_demo

            folder = Path(tmp)
            print(f"generating the {args.scale} demo ({args.months} months, seed {args.seed})")
            generate_demo(folder, months=args.months, scale=args.scale, seed=args.seed)
        by_scheme = state_scores(folder, schemes)
    report = {"scale": args.scale if args.files is None else str(args.files), "schemes": {}}
    for scheme, (scores, ranks) in by_scheme.items():
        r = run_backtest(scores, ranks)
        report["schemes"][scheme] = r
        cov = "–" if r["coverage_80"] is None else f"{100 * r['coverage_80']:.1f} %"
        print(f"{scheme}: {r['checks']} State-months over {len(r['months_checked'])} months "
              f"({r['months_checked'][0] if r['months_checked'] else '–'} to "
              f"{r['months_checked'][-1] if r['months_checked'] else '–'}): 80 % range held {cov}; "
              f"mean rank error {r['mean_rank_error_model']:.3f} (model) vs {r['mean_rank_error_carry_forward']:.3f} "
              f"(carry the last rank); Brier P(first) {r['brier_p_first_model']:.4f} vs "
              f"{r['brier_p_first_carry_forward']:.4f}; model better: {r['model_better']}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
