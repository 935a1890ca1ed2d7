"""dashboard.display: the one way every number, score, rank, change, streak and month is written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import display
from dashboard.i18n import BABEL_LOCALES


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0"), (7, "7"), (999, "999"), (1000, "1,000"), (12345, "12,345"), (123456, "1,23,456"),
        (1234567, "12,34,567"), (123456789, "12,34,56,789"), (-123456, "-1,23,456"), (100000, "1,00,000"),
    ],
)
def test_format_indian(n, expected):
    assert display.format_indian(n) == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**15, max_value=10**15) | st.sampled_from([0, -1, 999, 1000, -1000, 99999, 100000]))
def test_format_indian_whole_numbers_are_what_babel_writes(n):
    """The whole-number fast path writes what Babel's "#,##,##0" pattern writes, in English and Hindi."""
    from dashboard.i18n import babel_locale, use_language

    for language in ("en", "hi"):
        with use_language(language):
            expected = display._number_pattern(0).apply(n, display._locale(babel_locale()))
            assert display.format_indian(n) == expected
            assert display.format_indian(np.int64(n)) == expected
            if abs(n) < 2**53:  # a count read as a float: the same text as the Decimal path writes
                assert display.format_indian(float(n)) == expected == display.format_indian(np.float64(n))
                assert display.format_indian(float(n) + 0.25) == display._number_pattern(0).apply(
                    display.Decimal(str(float(n) + 0.25)).quantize(display.Decimal(1), rounding=display.ROUND_HALF_UP)
                    or display.Decimal(0), display._locale(babel_locale()))


@settings(max_examples=400, deadline=None)
@given(st.decimals(min_value=-10**13, max_value=10**13, places=4, allow_nan=False, allow_infinity=False)
       | st.floats(min_value=-1e13, max_value=1e13, allow_nan=False)
       | st.sampled_from([0.005, -0.005, -0.004, 0.0, -0.0, 999.995, -999.995, 99999.999, 123456.785, 1e-9]),
       st.integers(min_value=1, max_value=3))
def test_format_indian_with_decimals_is_what_babel_writes(n, decimals):
    """The decimals fast path writes what Babel's "#,##,##0.00" pattern writes after the half-up rounding of
    the number's decimal text, in English and Hindi (no "-0.00")."""
    from dashboard.i18n import babel_locale, use_language

    d = display.Decimal(str(n)).quantize(display.Decimal(1).scaleb(-decimals), rounding=display.ROUND_HALF_UP)
    d = abs(d) if d == 0 else d
    for language in ("en", "hi"):
        with use_language(language):
            expected = display._number_pattern(decimals).apply(d, display._locale(babel_locale()))
            assert display.format_indian(n, decimals) == expected


# what a heat-map's numbers are (counts up to crores, shares, marks); past ~1e25 a float's two decimals are more
# digits than Decimal's context holds, and both writers raise alike
_ANY_VALUE = (st.floats(min_value=-1e15, max_value=1e15) | st.sampled_from([float("nan"), float("inf"), -float("inf")])
              | st.integers(-10**15, 10**15)
              | st.floats(min_value=-1e7, max_value=1e7).map(lambda f: round(f, 3))
              | st.sampled_from([None, pd.NA, np.float64(12.345), np.int64(-7), -0.001, 0.005, 2.675, 1234.5, -0.0]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ANY_VALUE, max_size=30), st.sampled_from([0, 1, 2]), st.sampled_from(["en", "hi"]))
def test_format_indian_many_writes_what_format_indian_writes(values, decimals, language):
    """The heat-map's batch writer: value by value, the text `format_indian` writes (floats of every kind,
    whole and not, NaN, infinities, -0.0, numpy scalars, None, NA), in English and Hindi."""
    from dashboard.i18n import use_language

    with use_language(language):
        assert display.format_indian_many(values, decimals) == [display.format_indian(v, decimals) for v in values]


def test_format_indian_many_known_answers():
    assert display.format_indian_many([123456.785, -1234567.5, -0.001, None, float("nan"), 3.0], 2) == [
        "1,23,456.79", "-12,34,567.50", "0.00", "–", "–", "3.00"]
    assert display.format_indian_many([1234567.0, np.float64(100000), 7, 1234.5]) == [
        "12,34,567", "1,00,000", "7", "1,235"]


def test_format_indian_decimals_and_missing():
    assert display.format_indian(123456.785, decimals=2) == "1,23,456.79"  # half up
    assert display.format_indian(-1234567.5, decimals=2) == "-12,34,567.50"
    assert display.format_indian(-0.001, decimals=2) == "0.00"
    assert display.format_indian(1234.5) == "1,235"
    assert display.format_indian(None) == "–"
    assert display.format_indian(float("nan")) == "–"
    assert display.format_indian(pd.NA) == "–"
    assert display.format_indian(float("inf")) == "–"


def test_score_helpers():
    assert display.format_score(None, 9999) == "99.99"
    assert display.format_score(None, 10000) == "100.00"
    assert display.format_score(None, 905) == "9.05"
    assert display.format_score(97.425) == "97.43"  # half up from the decimal text
    assert display.format_score(float("nan")) == "–"
    assert display.format_score(None, pd.NA) == "–"
    assert display.gap_to_100(9943) == 57
    assert display.format_gap(9943) == "0.57"
    assert display.format_gap(10000) == "0.00"
    assert display.format_gap(None) == "–"
    assert display.format_change_centi(123) == "+1.23"
    assert display.format_change_centi(-5) == "−0.05"
    assert display.format_change_centi(0) == "0.00"


def test_ranks_and_ratio():
    assert display.format_rank(3) == "3"
    assert display.format_rank(3, shared=True) == "=3"
    assert display.format_rank(3, shared=True, style="words") == "3 (shared)"
    assert display.format_rank(None) == "–"
    assert display.shared_ranks([1, 2, 2, 4, None]) == [False, True, True, False, False]
    assert display.ratio_text(38, 40) == "38 / 40"
    assert display.ratio_text(123456, 234567) == "1,23,456 / 2,34,567"


def test_score_display_is_the_published_text_and_says_no_data():
    assert display.score_display(9949) == "99.49"
    assert display.score_display(10000) == "100.00"
    assert display.score_display(5) == "0.05"
    assert display.score_display(np.int64(-120)) == "-1.20"
    for missing in (None, pd.NA, float("nan")):
        assert display.score_display(missing) == display.NO_DATA == "no data"
        assert display.format_score(None, missing) == display.MISSING == "–"


def test_streaks_months_and_marks():
    assert display.streak_text(6, 12) == "6 months at #1 · 12 months in the top 5"
    assert display.streak_text(1, 0, " in the State") == "1 month at #1 in the State"
    assert display.streak_text(0, 0) == "No current streak"
    assert display.streak_text(6, 12, short=True) == "6 mo #1 · 12 mo top 5"
    assert display.streak_text(0, 0, short=True) == "–"
    assert display.month_label("2026-10") == "Oct 2026"
    assert display.month_long("2026-10") == "October 2026"
    assert display.month_short("2026-10") == "Oct 2026"
    assert display.fmt3(0.0045) == "0.004" or display.fmt3(0.0045) == "0.005"
    assert display.fmt3(None) == "–"
    assert display.pct_text(28, 40) == "70.0%" and display.pct_text(1, 0) == "–"


def test_action_and_critical_words_are_the_one_wording():
    from metrics.methodology import default_methodology

    version = default_methodology().versions[-1]
    p = next(p for p in version.station_parameters if p.kind == "count")
    assert display.action_words(p, p.name, 28, 40, 38, 0.1234).startswith(f"{p.name}: 10 more needed (28 of 40 done")
    assert display.action_words(p, p.name, 28, 40, 38, 0.1234).endswith("worth +0.123)")
    assert display.critical_words(p, p.name, 28, 40).startswith(f"Critical: {p.name} — 28 of 40")


def test_lagging_reasons_and_actions_are_worded_once():
    from metrics.methodology import default_methodology

    version = default_methodology().versions[-1]
    p = next(p for p in version.station_parameters if p.kind == "count")
    flag = next((p for p in version.station_parameters if p.kind == "flag"), None)
    reasons = display.lagging_reasons(True, True, "84.20", "90", [(p, p.name, 28, 40), (None, "x", None, None)], "80%")
    assert reasons[0] == "Not reported: no data received for this month"
    assert reasons[1] == "Score 84.20, below 90"
    assert reasons[2].startswith(f"Critical: {p.name} — 28 of 40")
    assert reasons[3] == "Critical: x below 80% of target"
    stakes = [(p, p.name, 28, 40, 38, 0.5)] * 4
    actions = display.lagging_actions(True, stakes, 3)
    assert actions[0] == "Enter this month's CCTNS data (nothing was received)"
    assert len(actions) == 5 and actions[-1] == "and 1 more parameter"
    if flag is not None:
        assert display.action_words(flag, flag.name, 0, 1, 1, 0.25) == f"{flag.name}: get it done this month (worth +0.250)"


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2**53) + 1, 2**53 - 1), st.sampled_from(["en", "hi"]))
def test_whole_floats_written_as_the_decimal_path_writes_them(n, language):
    """A whole number held as a float (a column with a missing value) is written as the exact decimal path
    (Decimal of its text, rounded half up) writes it."""
    from decimal import ROUND_HALF_UP, Decimal

    from dashboard.i18n import use_language

    with use_language(language):
        d = Decimal(str(float(n))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        expected = display._number_pattern(0).apply(abs(d) if d == 0 else d, display._locale(BABEL_LOCALES[language]))
        assert display.format_indian(float(n)) == expected == display.format_indian(int(float(n)))


def test_local_today_is_the_day_in_the_display_time_zone(monkeypatch) -> None:
    from datetime import UTC, date, datetime

    late_evening_utc = datetime(2026, 12, 9, 20, 45, tzinfo=UTC)  # 02:15 on the 10th in India
    monkeypatch.delenv("CCTNS_TIMEZONE", raising=False)
    assert display.local_today(late_evening_utc) == date(2026, 12, 10)
    monkeypatch.setenv("CCTNS_TIMEZONE", "UTC")
    assert display.local_today(late_evening_utc) == date(2026, 12, 9)
    assert display.local_today(datetime(2026, 12, 9, 18, 29, tzinfo=UTC)) == date(2026, 12, 9)
