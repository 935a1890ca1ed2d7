"""What the stored data says about one unit and parameter in one month: the facts an action is made on (its
gap) and judged by. Read from the stored results in the caller's connection, so that the evaluation inside
an import's transaction sees that import's rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import Connection, and_, or_, select

from dashboard.read import result_months
from dashboard.store import MethodologySource, ResultLagging, ResultParam, ResultStake, ResultUnit, StationRow
from metrics.actions import MonthFacts, stake_of_raising
from metrics.methodology import (
    DEFAULT_SCHEME,
    Methodology,
    Parameter,
    days_in_month,
    next_month,
    parse_methodology,
)
from metrics.scoring import needed_numerator

Subject = tuple[str, str, str | None]  # (level, unit_code, parameter or None)


def month_facts(conn: Connection, month: str, methodology: Methodology | Mapping[str, Methodology],
                subjects: Iterable[Subject]) -> dict[Subject, MonthFacts]:
    """The facts of `month` for each (level, unit, parameter): is the unit active and reporting, does the
    parameter exist in the version in force, its value against its target and what reaching it is worth
    (station: to the State's score, rule 11; district/State: the marks it loses in its own score).

    `methodology`: one scheme's, or every stored scheme's by id (`stored_methodologies`): parameter ids are
    unique across schemes, so each subject is judged on the results of the scheme its parameter belongs to
    (an action on ITSSO's 60-day rate by ITSSO's results); a subject without a parameter (the score) on
    CCTNS's."""
    by_scheme = {methodology.scheme: methodology} if isinstance(methodology, Methodology) else dict(methodology)
    groups: dict[str, list[Subject]] = {}
    for subject in dict.fromkeys(subjects):
        groups.setdefault(scheme_of(by_scheme, subject[2]), []).append(subject)
    out: dict[Subject, MonthFacts] = {}
    for scheme, group in groups.items():
        meth = by_scheme.get(scheme)
        if meth is None:
            out.update({s: MonthFacts(parameter_exists=False, reported=False) for s in group})
        else:
            out.update(_scheme_facts(conn, month, meth, scheme, group))
    return out


def scheme_of(methodologies: Mapping[str, Methodology], parameter: str | None) -> str:
    """The scheme a parameter id belongs to (any version); CCTNS for the score or an unknown id."""
    if parameter is not None:
        for scheme, meth in methodologies.items():
            if parameter in meth.parameter_ids:
                return scheme
    return DEFAULT_SCHEME


def _scheme_facts(conn: Connection, month: str, methodology: Methodology, scheme: str,
                  subjects: list[Subject]) -> dict[Subject, MonthFacts]:
    version = methodology.version_for(month)
    if not subjects or version is None:
        return {s: MonthFacts(parameter_exists=False, reported=False) for s in subjects}
    params = {p.id: p for p in version.parameters}
    units = {(lvl, code) for lvl, code, _ in subjects}
    rows = _unit_rows(conn, month, units, scheme)
    stations = sorted({code for lvl, code in units if lvl == "station"})
    station_rows = _station_rows(conn, month, stations)
    stakes = _stakes(conn, month, stations, scheme)
    lagging_stake = _lagging_stake(conn, month, stations, scheme)
    pooled = _pooled(conn, month, scheme, {(lvl, code) for lvl, code in units if lvl != "station"}
                     | {("state", r["state_code"]) for (lvl, _), r in rows.items() if lvl == "station"})
    out: dict[Subject, MonthFacts] = {}
    for level, code, parameter in subjects:
        row = rows.get((level, code))
        if row is None:  # no result row: a station that was not active (closed, or not yet opened)
            out[(level, code, parameter)] = MonthFacts(unit_active=level != "station", reported=False)
            continue
        reported = bool(row["reported"])
        if parameter is None:
            out[(level, code, None)] = MonthFacts(
                reported=reported, value=row["score"], target=float(version.lagging_score_below),
                lagging=bool(row["lagging"]) if level == "station" else None,
                at_stake=lagging_stake.get(code, 0.0) if level == "station" else None)
            continue
        p = params.get(parameter)
        if p is None or (level != "state" and p.level != "station"):
            out[(level, code, parameter)] = MonthFacts(parameter_exists=False, reported=reported)
            continue
        if level == "station":
            out[(level, code, parameter)] = _station_facts(month, p, reported, station_rows.get((code, parameter)),
                                                           stakes.get((code, parameter)),
                                                           pooled.get(("state", row["state_code"], parameter)),
                                                           rows_weight_sum=row["state_weight_sum"])
        else:
            pr = pooled.get((level, code, parameter))
            if pr is None:
                out[(level, code, parameter)] = MonthFacts(reported=reported, applicable=False)
                continue
            out[(level, code, parameter)] = MonthFacts(
                reported=reported, applicable=bool(pr["applicable"]), value=pr["value"], target=float(p.target),
                numerator=int(pr["numerator"]), denominator=int(pr["denominator"]),
                at_stake=float(pr["marks_lost"] or 0.0))
    return out


def _station_facts(month: str, p: Parameter, reported: bool, row: tuple[int, int] | None,
                   stake: float | None, state_pool: dict | None, rows_weight_sum: float | None) -> MonthFacts:
    facts = MonthFacts(reported=reported, target=float(p.target))
    if row is None:  # rule 3: a missing days/flag row counts as none done; a missing count row is left out
        if p.kind == "count":
            return replace(facts, applicable=False)
        row = (0, days_in_month(month) if p.kind == "days" else 1)
    num, den = row
    if den <= 0:
        return replace(facts, applicable=False, numerator=num, denominator=den)
    value = float(Fraction(100 * num, den))
    if stake is None:  # stored for lagging stations only: the same rule 11 from the State's pooled row
        stake = 0.0
        if state_pool is not None and rows_weight_sum:
            stake = stake_of_raising(int(state_pool["numerator"]), int(state_pool["denominator"]),
                                     needed_numerator(num, den, p.target) - num, p.weight, p.target,
                                     rows_weight_sum)
    return replace(facts, value=value, numerator=num, denominator=den, at_stake=stake)


def _by_level(table, units: set[tuple[str, str]]):
    """(level, unit) pairs as one `level = x AND unit_code IN (...)` per level: an OR of a pair each made the
    database test every unit of the month against hundreds of pairs (0.6 s an import with 300 actions)."""
    codes: dict[str, list[str]] = {}
    for level, code in sorted(units):
        codes.setdefault(level, []).append(code)
    return or_(*[and_(table.level == level, table.unit_code.in_(c)) for level, c in codes.items()])


def _unit_rows(conn: Connection, month: str, units: set[tuple[str, str]], scheme: str) -> dict[tuple[str, str], dict]:
    if not units:
        return {}
    ru = ResultUnit
    cond = _by_level(ru, units)
    rows = {(r["level"], r["unit_code"]): dict(r) for r in conn.execute(
        select(ru.level, ru.unit_code, ru.state_code, ru.reported, ru.score, ru.lagging, ru.weight_sum)
        .where(ru.scheme == scheme, ru.month == month, cond)).mappings()}
    states = {r["state_code"] for r in rows.values()}
    weight_sums = dict(conn.execute(select(ru.unit_code, ru.weight_sum).where(
        ru.scheme == scheme, ru.month == month, ru.level == "state", ru.unit_code.in_(sorted(states)))).all()) if states else {}
    for r in rows.values():
        r["state_weight_sum"] = weight_sums.get(r["state_code"])
    return rows


def _station_rows(conn: Connection, month: str, stations: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    if not stations:
        return {}
    return {(s, p): (int(n), int(d)) for s, p, n, d in conn.execute(
        select(StationRow.station_code, StationRow.parameter, StationRow.numerator, StationRow.denominator)
        .where(StationRow.month == month, StationRow.station_code.in_(stations)))}


def _stakes(conn: Connection, month: str, stations: list[str], scheme: str) -> dict[tuple[str, str], float]:
    if not stations:
        return {}
    return {(s, p): float(v) for s, p, v in conn.execute(
        select(ResultStake.station_code, ResultStake.parameter, ResultStake.at_stake_state)
        .where(ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.station_code.in_(stations)))}


def _lagging_stake(conn: Connection, month: str, stations: list[str], scheme: str) -> dict[str, float]:
    if not stations:
        return {}
    return {s: float(v) for s, v in conn.execute(
        select(ResultLagging.station_code, ResultLagging.at_stake_state)
        .where(ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.station_code.in_(stations)))}


def _pooled(conn: Connection, month: str, scheme: str, units: set[tuple[str, str]]) -> dict[tuple[str, str, str], dict]:
    if not units:
        return {}
    rp = ResultParam
    cond = _by_level(rp, units)
    return {(r["level"], r["unit_code"], r["parameter"]): dict(r) for r in conn.execute(
        select(rp.level, rp.unit_code, rp.parameter, rp.numerator, rp.denominator, rp.applicable, rp.value,
               rp.marks_lost).where(rp.scheme == scheme, rp.month == month, cond)).mappings()}


@lru_cache(maxsize=8)
def _parsed(text: str) -> Methodology:
    return parse_methodology(text, "stored methodology")


def stored_methodology(conn: Connection) -> Methodology | None:
    """The methodology in force, read in the caller's connection (None before `cctns init-db`)."""
    text = conn.execute(select(MethodologySource.toml).where(MethodologySource.scheme == "cctns")).scalar_one_or_none()
    return _parsed(text) if text else None


def stored_methodologies(conn: Connection) -> dict[str, Methodology]:
    """Every stored scheme's methodology by id, read in the caller's connection (empty before init-db)."""
    return {scheme: _parsed(text) for scheme, text in conn.execute(
        select(MethodologySource.scheme, MethodologySource.toml)) if text}


def scored_months(conn: Connection) -> list[str]:
    """The months with CCTNS results, ascending (index seeks, not every result row: see read.result_months)."""
    return result_months(conn, "cctns")


def next_month_to_score(conn: Connection) -> str | None:
    months = scored_months(conn)
    return next_month(months[-1]) if months else None
