"""Everything a review conference shows, for one scope and month: the data behind the slide deck
(`/present`) and the packs (PDF, PPTX, XLSX). Assembled from `dashboard.read` only, so the deck, the
packs and the pages show the same numbers.

`build_review(engine, month, scope, state_code, district_code=None)` checks the scope first: a State
review (district table, State-wide lagging stations) needs `can_see_state_stations`, a district review
`can_see_district`; otherwise it raises `OutOfScope` before reading anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import pandas as pd
from sqlalchemy import Engine

from dashboard import foresight, read
from dashboard.actions import COLUMNS as ACTION_COLUMNS
from dashboard.actions import ActionFilters, list_actions
from dashboard.display import provenance_words, scheme_name_text
from dashboard.scope import OutOfScope, Scope
from metrics.methodology import DEFAULT_SCHEME, is_month, previous_month

TREND_MONTHS = 12
TOP_N = 10
LAGGING_TOP = 10
MOVERS_N = 5


class ReviewError(ValueError):
    """A request for a review that cannot exist (unknown unit, month without results...)."""


@dataclass
class Review:
    """The numbers of one review (State or district scope) for one month. DataFrames keep codes, names,
    exact scores and the published `score_centi` / `score_display`, as the read API returns them."""

    month: str
    previous_month: str
    state_code: str
    state_name: str
    category: str
    district_code: str | None
    district_name: str | None
    data_as_of: str | None
    methodology_version: str
    generated_at: str  # ISO UTC, when this review was assembled
    headline: dict  # read.state_headline
    states: pd.DataFrame  # read.states_table (all States/UTs)
    trend: pd.DataFrame  # read.score_trend of the State (TREND_MONTHS)
    above_trend: pd.DataFrame  # the same for the State ranked just above (empty when none)
    rank_history: pd.DataFrame  # read.rank_history of the State and the States around it
    why_own: pd.DataFrame  # parameter, parameter_name, contribution_now/prev, change, rivals_change
    why_rivals: pd.DataFrame  # read.why_rank_moved()["rivals"]: States ranked around us
    marks_lost: pd.DataFrame  # the State's applicable parameters by marks lost (read.overtake_plan)
    above: dict | None  # State just above: code, name, score_display, gap, marks_needed
    below: dict | None
    stakes_by_parameter: pd.DataFrame  # marks at stake at lagging stations, by parameter (empty if none)
    districts: pd.DataFrame  # read.districts_table (the State's districts)
    district_movers: dict  # read.movers(level="district"): improved, declined
    lagging: pd.DataFrame  # read.lagging for the scope (all rows, ordered by marks at stake; the deck: the first rows)
    # the review loop: every action of the scope (dashboard.actions.list_actions, its COLUMNS), and per lagging
    # station the parameter its first fix is about (None: not reported, so no parameter comes first)
    actions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACTION_COLUMNS))
    fix_first_parameter: dict[str, str | None] = field(default_factory=dict)
    # looking ahead (dashboard.foresight, stored at import): next month's projection made from this month
    # (every State, an estimate), its backtest, and the scope's figures that still need verification
    projection: pd.DataFrame = field(default_factory=pd.DataFrame)
    projection_backtest: dict | None = None
    flags_open: int = 0
    # lagging stations in the scope (len(lagging) unless the review was built with only the first rows)
    lagging_count: int = 0
    # district scope only
    district_headline: dict | None = None
    district_trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    district_rank_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    stations: pd.DataFrame = field(default_factory=pd.DataFrame)  # read.stations_table
    station_movers: dict = field(default_factory=dict)
    # the ranking scheme and where its methodology version comes from (every footer of the deck and packs)
    scheme: str = DEFAULT_SCHEME  # the scheme's id: the packs' file names start with it
    scheme_name: str = "CCTNS Pragati"
    methodology_provenance: str = "reconstructed from public reports"
    # NCRB's published scores of the month beside ours (read.reconciliation; empty when none were published)
    reconciliation: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def is_district(self) -> bool:
        return self.district_code is not None

    @property
    def scope_name(self) -> str:
        """ "Haryana" or "Karnal district, Haryana"."""
        if self.district_code:
            return f"{self.district_name} district, {self.state_name}"
        return self.state_name

    @property
    def top(self) -> pd.DataFrame:
        """The all-India top TOP_N (ranked States/UTs)."""
        ranked = self.states[self.states["rank_national"].notna()]
        return ranked[ranked["rank_national"] <= TOP_N].reset_index(drop=True)

    @property
    def own(self) -> dict:
        row = self.states[self.states["unit_code"] == self.state_code]
        return row.iloc[0].to_dict() if not row.empty else {}

    @property
    def lagging_top(self) -> pd.DataFrame:
        return self.lagging.head(LAGGING_TOP)

    @cached_property  # the deck asks three times (its tally, its groups, the ones to follow)
    def commitments(self) -> pd.DataFrame:
        """The actions agreed before this month's data and still answerable to it: made on an earlier month
        (`basis_month` before the review's month) and either due (or carried) to this month or later, or
        judged by this month's data or later. The opening section of the deck and the packs."""
        return commitments_for(self.actions, self.month)

    @property
    def filename_stem(self) -> str:
        unit = self.district_code or self.state_code
        return f"{self.scheme}-review-{unit}-{self.month}"


def commitments_for(df: pd.DataFrame, month: str) -> pd.DataFrame:
    """`Review.commitments` for any list of actions (in `list_actions` order)."""
    if df is None or df.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    earlier = df["basis_month"] < month
    still_due = df["current_due_month"] >= month
    judged_since = df["outcome_month"].notna() & (df["outcome_month"].fillna("") >= month)
    return df[earlier & (still_due | judged_since)].reset_index(drop=True)


def check_scope(scope: Scope, state_code: str, district_code: str | None) -> None:
    """Raise OutOfScope unless `scope` may see this review (before any data is read)."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"the review of State {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"the review of district {district_code}")


def resolve_units(engine: Engine, state_code: str | None, district_code: str | None) -> tuple[dict, dict | None]:
    """(State info, district info or None) from read.unit_info; ReviewError for unknown codes."""
    district = None
    if district_code:
        district = read.unit_info(engine, "district", district_code)
        if district is None:
            raise ReviewError(f"unknown district {district_code!r}")
        if state_code and district["state_code"] != state_code:
            raise ReviewError(f"district {district_code} is not in State {state_code}")
        state_code = district["state_code"]
    if not state_code:
        raise ReviewError("a State/UT code is needed")
    state = read.unit_info(engine, "state", state_code)
    if state is None:
        raise ReviewError(f"unknown State/UT {state_code!r}")
    return state, district


def build_review(engine: Engine, month: str, scope: Scope, state_code: str,
                 district_code: str | None = None, *, scheme: str = DEFAULT_SCHEME,
                 lagging_rows: int | None = None, deck: bool = False) -> Review:
    """Assemble the review of a State (or of one of its districts) for `month`.

    `lagging_rows`: None reads every lagging station (the packs list them all); a number reads only the
    first ones and their count (the deck shows LAGGING_TOP: a large State has hundreds, each worded).
    `deck`: leave out what only the packs show (NCRB's reconciliation, the count of open flags).
    Raises OutOfScope when the scope may not see it, ReviewError for an unknown unit or a month without
    results."""
    if district_code is not None:
        info = read.unit_info(engine, "district", district_code)
        # check the scope with the district's real State, whatever State the request named
        check_scope(scope, info["state_code"] if info else state_code, district_code)
    else:
        check_scope(scope, state_code, None)
    state, district = resolve_units(engine, state_code, district_code)
    state_code = state["code"]
    if not isinstance(month, str) or not is_month(month) or month not in read.months(engine, scheme=scheme):
        raise ReviewError(f"no results for month {month!r}")
    version = read.version_for(engine, month, scheme=scheme)
    headline = read.state_headline(engine, month, state_code, scheme=scheme)
    if headline is None:
        raise ReviewError(f"{state['name']} has no result for {month}")
    states = read.states_table(engine, month, scheme=scheme)
    above = headline["neighbours"].get("above")
    below = headline["neighbours"].get("below")

    trend = read.score_trend(engine, "state", state_code, month, TREND_MONTHS, scheme=scheme)
    above_trend = (read.score_trend(engine, "state", above["code"], month, TREND_MONTHS, scheme=scheme) if above
                   else pd.DataFrame())
    rank_history = read.rank_history(engine, month, TREND_MONTHS, level="state",
                                        unit_codes=_bump_units(states, state_code), scheme=scheme)

    why = read.why_rank_moved(engine, month, state_code, scheme=scheme)
    why_own = _with_rivals_change(engine, month, state_code, why["own"], why["rivals"], scheme=scheme)

    # marks lost and what it takes: the State's own parameters (every role that may see the review);
    # marks at stake at lagging stations only where the scope may see the State's stations
    plan = read.marks_plan(engine, month, state_code, scope, scheme=scheme)
    marks_lost = plan.get("marks_lost", pd.DataFrame())
    stakes = plan.get("by_parameter", pd.DataFrame())

    districts = read.districts_table(engine, month, state_code, scope, scheme=scheme)
    district_movers = read.movers_of(districts, MOVERS_N)  # = read.movers(...): the same table, not read again
    if lagging_rows is None:
        lagging = read.lagging(engine, month, scope, state_code, district_code, scheme=scheme)
        lagging_count = len(lagging)
    else:
        lagging, lagging_count = read.lagging_head(engine, month, scope, state_code, district_code, lagging_rows,
                                                   scheme=scheme)
    lagging_codes = list(lagging.get("station_code", []))
    fix_first = read.first_fixes(engine, month, scope, state_code, district_code, lagging_codes, scheme=scheme)
    review_actions = list_actions(engine, scope, ActionFilters(state_code=state_code, district_code=district_code))

    review = Review(
        month=month, previous_month=previous_month(month), state_code=state_code, state_name=state["name"],
        category=state.get("category") or "", district_code=district_code,
        district_name=district["name"] if district else None, data_as_of=read.data_as_of(engine),
        methodology_version=version.id if version else "–",
        scheme=scheme, scheme_name=scheme_name_text(read.methodology(engine, scheme=scheme)),
        methodology_provenance=provenance_words(version) if version else "",
        reconciliation=pd.DataFrame() if deck else read.reconciliation(engine, month, scheme=scheme),
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        headline=headline, states=states, trend=trend, above_trend=above_trend, rank_history=rank_history,
        why_own=why_own, why_rivals=why["rivals"], marks_lost=marks_lost, above=above, below=below,
        stakes_by_parameter=stakes, districts=districts, district_movers=district_movers, lagging=lagging,
        lagging_count=lagging_count, actions=review_actions,
        fix_first_parameter={code: fix_first.get(code) for code in lagging_codes},
        projection=foresight.projection(engine, month, scheme),
        projection_backtest=foresight.projection_backtest(engine, month, scheme),
        flags_open=0 if deck else foresight.flag_count(engine, month, scope, state_code, district_code),
    )
    if district_code is not None:
        review.district_headline = read.district_headline(engine, month, district_code, scope, scheme=scheme)
        review.district_trend = read.score_trend(engine, "district", district_code, month, TREND_MONTHS, scheme=scheme)
        review.district_rank_history = read.rank_history(
            engine, month, TREND_MONTHS, level="district", rank_column="rank_in_state", state_code=state_code, scheme=scheme)
        review.stations = read.stations_table(engine, month, district_code, scope, scheme=scheme)
        review.station_movers = read.movers_of(review.stations, MOVERS_N)  # stations_table is not cached: once
    return review


def _bump_units(states: pd.DataFrame, state_code: str, around: int = 2) -> list[str]:
    """The State, the States up to `around` places either side of it, and the leader."""
    ranked = states[states["rank_national"].notna()].reset_index(drop=True)
    codes = list(ranked["unit_code"])
    if state_code not in codes:
        return [state_code, *codes[:1]]
    i = codes.index(state_code)
    return list(dict.fromkeys([*codes[:1], *codes[max(0, i - around): i + around + 1]]))


def _mean_change(now: pd.DataFrame, prev: pd.DataFrame, codes: list[str]) -> pd.Series | None:
    """Per parameter, the mean over the States `codes` of `score_change_by_parameter` (a parameter missing or
    not applicable in one month counts 0 there; a State without parameters in either month is left out), in
    one vectorised pass over both months' contributions (`read.state_contributions`). None when no State has both months."""
    def contributions(df: pd.DataFrame) -> pd.Series:
        if df is None or df.empty:
            return pd.Series(dtype=float)
        d = df[df["unit_code"].isin(codes)].drop_duplicates(["unit_code", "parameter"])
        return pd.Series(d["contribution"].astype(float).fillna(0.0).to_numpy(),
                         index=pd.MultiIndex.from_arrays([d["unit_code"], d["parameter"]]))

    c_now, c_prev = contributions(now), contributions(prev)
    both = set(c_now.index.get_level_values(0)) & set(c_prev.index.get_level_values(0))
    if not both:
        return None
    units = [c for c in codes if c in both]  # the rivals' order, as the per-State loop added them
    joined = pd.concat([c_now.rename("now"), c_prev.rename("prev")], axis=1).fillna(0.0)
    joined = joined[joined.index.get_level_values(0).isin(units)]
    change = (joined["now"] - joined["prev"]).unstack(level=0).reindex(columns=units)
    return change.mean(axis=1)


def _with_rivals_change(engine: Engine, month: str, state_code: str, own: pd.DataFrame,
                        rivals: pd.DataFrame, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Our score change by parameter with `rivals_change`: the mean change of the States around us (their
    contributions in both months in one read, `read.state_contributions`, not two reads per rival)."""
    if own is None or own.empty:
        return pd.DataFrame(columns=["parameter", "parameter_name", "contribution_now", "contribution_prev",
                                     "change", "rivals_change"])
    codes = [c for c in (rivals["unit_code"] if rivals is not None and not rivals.empty else []) if c != state_code]
    mean = None
    if codes:
        prev = previous_month(month)
        both = read.state_contributions(engine, [month, prev], codes, scheme=scheme)
        mean = _mean_change(both[both["month"] == month], both[both["month"] == prev], codes)
    out = own.copy()
    if mean is not None:
        out["rivals_change"] = out["parameter"].map(mean).astype(float)
    else:
        out["rivals_change"] = float("nan")
    return out.reset_index(drop=True)


__all__ = ["LAGGING_TOP", "OutOfScope", "Review", "ReviewError", "TOP_N", "build_review", "check_scope",
           "commitments_for", "resolve_units"]
