"""Shared builders for the scoring tests (imported by the test modules as `metrics_testlib`)."""

from __future__ import annotations

import pandas as pd

from metrics.methodology import Version, parse_methodology
from metrics.scoring import MasterData, MonthScores

WORKED_TOML = """
[[version]]
id = "v1"
title = "Worked example"
effective_from = "2020-01"
lagging_score_below = 90
critical_achievement_below = 0.8

  [[version.parameter]]
  id = "a"
  name = "A"
  head = "H"
  level = "station"
  kind = "count"
  weight = 6
  target = 100
  critical = true

  [[version.parameter]]
  id = "b"
  name = "B"
  head = "H"
  level = "station"
  kind = "days"
  weight = 3
  target = 98

  [[version.parameter]]
  id = "c"
  name = "C"
  head = "H"
  level = "state"
  kind = "count"
  weight = 1
  target = 100
"""


def make_version(params: list[dict], lagging: float = 90, critical: float = 0.8, effective_from: str = "2020-01") -> Version:
    """A one-version methodology from parameter dicts (id, level, kind, weight, target[, critical])."""
    lines = [
        "[[version]]",
        'id = "t"',
        'title = "test"',
        f'effective_from = "{effective_from}"',
        f"lagging_score_below = {lagging}",
        f"critical_achievement_below = {critical}",
    ]
    for p in params:
        lines += [
            "[[version.parameter]]",
            f'id = "{p["id"]}"',
            f'name = "{p["id"]}"',
            'head = "H"',
            f'level = "{p.get("level", "station")}"',
            f'kind = "{p.get("kind", "count")}"',
            f"weight = {p.get('weight', 1)}",
            f"target = {p.get('target', 100)}",
            f"critical = {'true' if p.get('critical') else 'false'}",
        ]
    return parse_methodology("\n".join(lines)).versions[0]


def make_master(layout: dict, categories: dict | None = None, opened: dict | None = None,
                closed: dict | None = None) -> MasterData:
    """layout: {state: {district: [stations]}}."""
    categories = categories or {}
    opened, closed = opened or {}, closed or {}
    states = pd.DataFrame(
        {"state_code": list(layout), "name": list(layout), "category": [categories.get(s, "Major") for s in layout]}
    )
    d_rows = [(d, s, d) for s, ds in layout.items() for d in ds]
    p_rows = [
        (p, d, p, opened.get(p), closed.get(p)) for s, ds in layout.items() for d, ps in ds.items() for p in ps
    ]
    return MasterData(
        states=states,
        districts=pd.DataFrame(d_rows, columns=["district_code", "state_code", "name"]),
        stations=pd.DataFrame(p_rows, columns=["station_code", "district_code", "name", "opened", "closed"]),
    )


def station_rows(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["station_code", "parameter", "numerator", "denominator"])


def state_rows(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["state_code", "parameter", "numerator", "denominator"])


def worked_example() -> tuple[Version, MasterData, pd.DataFrame, pd.DataFrame]:
    version = parse_methodology(WORKED_TOML).versions[0]
    master = make_master({"XX": {"D1": ["S1", "S2"], "D2": ["S3"]}, "YY": {"D3": ["S4"]}})
    sr = station_rows(
        [("S1", "a", 45, 50), ("S1", "b", 28, 28), ("S2", "a", 0, 0), ("S2", "b", 20, 28),
         ("S4", "a", 30, 30), ("S4", "b", 27, 28)]
    )
    qr = state_rows([("XX", "c", 8, 10), ("YY", "c", 10, 10)])
    return version, master, sr, qr


def unit(scores: MonthScores, code: str) -> pd.Series:
    rows = scores.units[scores.units["unit_code"] == code]
    assert len(rows) == 1, code
    return rows.iloc[0]
