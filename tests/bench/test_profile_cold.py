"""bench.profile_cold's grouping of a profile's own time by package (the "measured reason" of a cold answer)."""

from __future__ import annotations

import cProfile
import pstats

import pytest

from bench.profile_cold import OTHER, share_by_package


def _row(own: float) -> tuple:
    return (1, 1, own, own, {})


def test_own_time_by_package_known_answer() -> None:
    stats = {
        ("/venv/lib/python3.11/site-packages/pandas/core/frame.py", 1, "__getitem__"): _row(4.0),
        ("/venv/lib/python3.11/site-packages/numpy/core/fromnumeric.py", 9, "take"): _row(1.0),
        ("~", 0, "<method 'execute' of 'sqlite3.Cursor' objects>"): _row(2.0),
        ("/venv/lib/python3.11/site-packages/dash/development/base_component.py", 3, "__init__"): _row(1.0),
        ("~", 0, "<built-in method _pickle.dump>"): _row(0.5),
        ("/repo/layouts/figures.py", 227, "heatmap_marks_lost_spec"): _row(1.0),
        ("~", 0, "<built-in method builtins.isinstance>"): _row(0.5),
    }
    shares = dict(share_by_package(stats))
    assert shares == pytest.approx({
        "pandas, numpy": 0.5, "SQLAlchemy, database driver": 0.2, "Dash": 0.1, "cache (Redis, files, pickle)": 0.05,
        "the app (dashboard, layouts, callbacks, metrics)": 0.1, OTHER: 0.05})
    assert [name for name, _ in share_by_package(stats)][0] == "pandas, numpy"  # largest first


def test_a_real_profile_adds_up_to_one() -> None:
    import pandas as pd

    profile = cProfile.Profile()
    profile.enable()
    pd.DataFrame({"a": range(100)}).sort_values("a").head(5)
    profile.disable()
    shares = share_by_package(pstats.Stats(profile).stats)  # type: ignore[attr-defined]
    assert sum(s for _, s in shares) == pytest.approx(1.0)
    assert dict(shares).get("pandas, numpy", 0) > 0.2
