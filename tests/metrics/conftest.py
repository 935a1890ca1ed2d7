"""Make `metrics_testlib` importable whatever pytest's import mode; the worked example fixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from metrics_testlib import worked_example  # noqa: E402

from metrics.scoring import MonthScores, score_month  # noqa: E402


@pytest.fixture(scope="session")
def worked() -> MonthScores:
    version, master, sr, qr = worked_example()
    return score_month("2023-02", version, master, sr, qr)
