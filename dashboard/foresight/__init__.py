"""Looking ahead, written at import and read by the pages: next month's projected State ranks (a simulated
distribution with its backtest) and the "data to verify" flags with their verify/dismiss reviews. The maths
is pure, in `metrics.foresight`."""

from dashboard.foresight.compute import (
    compute_flags,
    refresh_flags,
    refresh_foresight,
    refresh_projections,
    stored_schemes,
)
from dashboard.foresight.read import (
    FLAG_STATUSES,
    flag_count,
    flags,
    projection,
    projection_backtest,
    state_projection,
)
from dashboard.foresight.review import DECISIONS, MAX_REASON, FlagReviewRefused, flags_stamp, review_flag

__all__ = [
    "flags_stamp",
    "DECISIONS", "FLAG_STATUSES", "MAX_REASON", "FlagReviewRefused", "compute_flags", "stored_schemes",
    "flag_count", "flags", "projection", "projection_backtest", "refresh_flags", "refresh_foresight",
    "refresh_projections", "review_flag", "state_projection",
]
