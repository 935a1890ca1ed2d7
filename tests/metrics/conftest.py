"""Make `metrics_testlib` importable whatever pytest's import mode; the worked example fixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# tests/ has no __init__.py, so pytest puts tests/ on sys.path and `tests/metrics` would shadow the real
# (editable-installed) `metrics` package as a namespace package: make sure the project root wins.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
if "metrics" in sys.modules and getattr(sys.modules["metrics"], "__file__", None) is None:
    for _name in [m for m in sys.modules if m == "metrics" or m.startswith("metrics.")]:
        del sys.modules[_name]
sys.path.insert(0, str(Path(__file__).parent))

from metrics_testlib import worked_example  # noqa: E402

from metrics.scoring import MonthScores, score_month  # noqa: E402


@pytest.fixture(scope="session")
def worked() -> MonthScores:
    version, master, sr, qr = worked_example()
    return score_month("2023-02", version, master, sr, qr)
