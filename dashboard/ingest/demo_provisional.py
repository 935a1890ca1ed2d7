"""The demo's provisional month (issue 14): a few States' rows of the month being collected, as an SCRB
would load them part-way through the month, written as the same CSV files `cctns import --provisional` takes.

Deterministic: built from a final month's demo files (the same stations and parameters, re-dated) with one
seed: some police stations have not reported yet (no rows), some records are not entered yet (count
numerators short of the final month's), days counted to the new month's length. Pure file work: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.methodology import Methodology, days_in_month, default_methodology

DEMO_PROVISIONAL_STATES = ("HR", "UP", "DL")  # the demo's provisional States: the leaders and a large UT
NOT_YET_REPORTED = 0.08  # share of police stations with no row yet
SHORT_ROWS = 0.3  # share of count rows with records still to enter


@dataclass(frozen=True)
class ProvisionalFiles:
    month: str
    states: tuple[str, ...]
    files: list[Path]


def provisional_files(source: list[Path], stations_csv: Path, month: str, out_dir: Path,
                      states: tuple[str, ...] = DEMO_PROVISIONAL_STATES, seed: int = 14,
                      methodology: Methodology | None = None) -> ProvisionalFiles:
    """Provisional rows of `month` for `states` from the station/State row files of a final month."""
    rng = np.random.default_rng(seed)
    version = (methodology or default_methodology()).version_for(month)
    days_params = {p.id for p in version.parameters if p.kind == "days"} if version else set()
    out_dir.mkdir(parents=True, exist_ok=True)
    stations = pd.read_csv(stations_csv, dtype=str, keep_default_na=False)
    active = stations[((stations["opened"] == "") | (stations["opened"] <= month))
                      & ((stations["closed"] == "") | (stations["closed"] >= month))]["station_code"]
    files: list[Path] = []
    days = days_in_month(month)
    for path in source:
        df = pd.read_csv(path, dtype={"numerator": "int64", "denominator": "int64"}, keep_default_na=False)
        unit = "station_code" if "station_code" in df.columns else "state_code"
        state = df[unit].str.split("-").str[0]
        df = df[state.isin(states)].copy()
        df["month"] = month
        if unit == "station_code":
            df = df[df["station_code"].isin(set(active))]
            codes = np.array(sorted(df["station_code"].unique()))
            silent = set(codes[rng.random(len(codes)) < NOT_YET_REPORTED])
            df = df[~df["station_code"].isin(silent)].copy()
            is_days = df["parameter"].isin(days_params)
            old = df.loc[is_days, "denominator"].to_numpy()
            df.loc[is_days, "numerator"] = np.minimum(
                days, np.round(df.loc[is_days, "numerator"].to_numpy() * days / old)).astype("int64")
            df.loc[is_days, "denominator"] = days
            count = ~is_days & (df["denominator"] > 1)
            short = count & (rng.random(len(df)) < SHORT_ROWS)
            factor = rng.uniform(0.6, 0.95, size=int(short.sum()))
            df.loc[short, "numerator"] = np.floor(df.loc[short, "numerator"].to_numpy() * factor).astype("int64")
        out = out_dir / f"provisional_{path.name.rsplit('_', 1)[0]}_{month}.csv"
        df[["month", unit, "parameter", "numerator", "denominator"]].to_csv(out, index=False)
        files.append(out)
    return ProvisionalFiles(month=month, states=tuple(states), files=files)

