"""Shared pieces of the read API: methodology, months, unit names and small helpers."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from flask import g, has_request_context
from sqlalchemy import Connection, Engine, select, text

from dashboard.display import parameter_text, score_display
from dashboard.read.cache import cached
from dashboard.store import (
    District,
    Meta,
    MethodologySource,
    PoliceStation,
    ResultUnit,
    State,
    StationRow,
    scheme_order,
)
from metrics.methodology import (
    DEFAULT_SCHEME,
    Methodology,
    Version,
    is_month,
    parse_methodology,
    previous_month,
)

CATEGORIES = ("Major States", "Hilly & North-East", "UTs")


FIR_PARAMETER = "fir_in_cctns"  # its denominator (FIRs registered in all modes) sizes a station's workload


def _df(engine: Engine, stmt) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def _add_display(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in [c for c in df.columns if c.startswith("rank") or c.endswith("_centi")]:
        df[c] = df[c].astype("Int64")
    if "score_centi" in df:
        df["score_display"] = [score_display(v) for v in df["score_centi"]]
        df["gap_to_100"] = [None if pd.isna(v) else (10000 - int(v)) / 100 for v in df["score_centi"]]
    return df


@lru_cache(maxsize=32)
def _parse_cached(text: str) -> Methodology:
    return parse_methodology(text, "stored methodology")


def methodology(engine: Engine, *, scheme: str = DEFAULT_SCHEME) -> Methodology:
    """One scheme's methodology as stored (parsed once per TOML text; read once per request: a State
    summary asks for it in each of its parts)."""
    if has_request_context():
        memo: dict[tuple[str, str], Methodology] = g.setdefault("cctns_methodology", {})
        key = (str(engine.url), scheme)
        if key not in memo:
            memo[key] = _stored_methodology(engine, scheme)
        return memo[key]
    return _stored_methodology(engine, scheme)


def _stored_methodology(engine: Engine, scheme: str) -> Methodology:
    with engine.connect() as conn:
        text = conn.execute(select(MethodologySource.toml).where(MethodologySource.scheme == scheme)
                            ).scalar_one_or_none()
    if text is None:
        raise LookupError(f"no methodology stored for the scheme {scheme!r}: run `cctns init-db`")
    return _parse_cached(text)


@cached
def schemes(engine: Engine) -> list[dict]:
    """The stored ranking schemes in display order: id, name, name_hi, short."""
    with engine.connect() as conn:
        rows = dict(conn.execute(select(MethodologySource.scheme, MethodologySource.toml)).all())
    out = []
    for sid in scheme_order(rows):
        m = _parse_cached(rows[sid])
        out.append({"id": sid, "name": m.scheme_name, "name_hi": m.scheme_name_hi, "short": m.scheme_short})
    return out


def scheme_ids(engine: Engine) -> list[str]:
    return [s["id"] for s in schemes(engine)]


def scheme_short(engine: Engine, scheme: str) -> str:
    """A stored scheme's short name (CCTNS, ICJS, ITSSO), for titles and file names; the id if unknown."""
    return next((s["short"] for s in schemes(engine) if s["id"] == scheme), scheme)


def valid_scheme(value: object, known: list[str]) -> str:
    """A scheme sent by a client, accepted only if it is a stored scheme; otherwise the default (CCTNS)."""
    return value if isinstance(value, str) and value in known else DEFAULT_SCHEME


def version_for(engine: Engine, month: str, *, scheme: str = DEFAULT_SCHEME) -> Version | None:
    return methodology(engine, scheme=scheme).version_for(month)


# The months with State results, two index seeks per month (a loose index scan on the primary key
# (scheme, month, level, unit_code)): `SELECT DISTINCT month` read every result row of the scheme, which
# grows with the stations and the months (3 million rows at national scale over 5 years). Each step seeks
# the next month of any level (the first key after the month), then keeps the months with a State row:
# seeking the next month *with* `level = 'state'` read past each month's district rows first (773 keys a
# month, 2.4 ms for 60 months at national scale; now 0.1 ms).
_MONTHS_SQL = text("""
WITH RECURSIVE m(month) AS (
    SELECT (SELECT r.month FROM result_units r WHERE r.scheme = :scheme ORDER BY r.month LIMIT 1)
    UNION ALL
    SELECT (SELECT r.month FROM result_units r WHERE r.scheme = :scheme AND r.month > m.month
            ORDER BY r.month LIMIT 1)
    FROM m WHERE m.month IS NOT NULL
)
SELECT month FROM m WHERE month IS NOT NULL AND EXISTS (
    SELECT 1 FROM result_units r WHERE r.scheme = :scheme AND r.month = m.month AND r.level = 'state')
ORDER BY month""")


# The schemes with results, one index seek each (the first column of result_units' primary key).
_SCHEMES_SQL = text("""
WITH RECURSIVE s(scheme) AS (
    SELECT (SELECT MIN(r.scheme) FROM result_units r)
    UNION ALL
    SELECT (SELECT MIN(r.scheme) FROM result_units r WHERE r.scheme > s.scheme)
    FROM s WHERE s.scheme IS NOT NULL
)
SELECT scheme FROM s WHERE scheme IS NOT NULL""")


@cached
def months(engine: Engine, *, scheme: str = DEFAULT_SCHEME) -> list[str]:
    """The months with our results for the scheme, ascending."""
    with engine.connect() as conn:
        return result_months(conn, scheme)


def result_months(conn: Connection, scheme: str | None = DEFAULT_SCHEME) -> list[str]:
    """The months with State results of `scheme` (None: of any scheme), ascending, read in the caller's
    connection (an import's transaction sees its own months): a few index seeks per month, where
    `SELECT DISTINCT month` read every result row (a second and more at national scale over 5 years)."""
    schemes = result_schemes(conn) if scheme is None else [scheme]
    found: set[str] = set()
    for s in schemes:
        found.update(m for (m,) in conn.execute(_MONTHS_SQL, {"scheme": s}))
    return sorted(found)


def result_schemes(conn: Connection) -> list[str]:
    """The schemes that have rows in result_units, ascending (a loose index scan of its primary key)."""
    return [s for (s,) in conn.execute(_SCHEMES_SQL)]


@cached
def latest_month(engine: Engine, *, scheme: str = DEFAULT_SCHEME) -> str | None:
    """The latest month with State results of the scheme (None without any): the last of `months` (a few
    index seeks per month, cached), where `ORDER BY month DESC LIMIT 1` with `level = 'state'` read the latest
    month's 17,595 station keys first."""
    found = months(engine, scheme=scheme)
    return found[-1] if found else None


@cached
def data_as_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(Meta.value).where(Meta.key == "data_as_of")).scalar_one_or_none()


@cached
def state_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(State.code, State.name)).all())


@cached
def unit_info(engine: Engine, level: str, code: str) -> dict | None:
    """Name and parents of a unit (no scores; callers check scope before showing anything more)."""
    with engine.connect() as conn:
        if level == "state":
            row = conn.execute(select(State.code, State.name, State.category).where(State.code == code)).first()
            return None if row is None else {"code": row.code, "name": row.name, "category": row.category,
                                             "state_code": row.code, "state_name": row.name}
        if level == "district":
            row = conn.execute(
                select(District.code, District.name, District.state_code, State.name.label("state_name"))
                .join(State, State.code == District.state_code)
                .where(District.code == code)
            ).first()
            return None if row is None else dict(row._mapping)
        row = conn.execute(
            select(
                PoliceStation.code, PoliceStation.name, PoliceStation.opened, PoliceStation.closed,
                PoliceStation.district_code, District.name.label("district_name"), District.state_code,
                State.name.label("state_name"),
            )
            .join(District, District.code == PoliceStation.district_code)
            .join(State, State.code == District.state_code)
            .where(PoliceStation.code == code)
        ).first()
        return None if row is None else dict(row._mapping)


_UNIT_COLS = [
    ResultUnit.unit_code, ResultUnit.state_code, ResultUnit.district_code, ResultUnit.score,
    ResultUnit.score_centi, ResultUnit.score_change_centi, ResultUnit.rank_national, ResultUnit.rank_category,
    ResultUnit.rank_in_state, ResultUnit.rank_in_district, ResultUnit.rank_change_national,
    ResultUnit.rank_change_category, ResultUnit.rank_change_in_state, ResultUnit.rank_change_in_district,
    ResultUnit.streak_at_1, ResultUnit.streak_top5, ResultUnit.stations_reported, ResultUnit.stations_active,
    ResultUnit.reported, ResultUnit.lagging, ResultUnit.version_id,
]


def _name_join(level: str):
    if level == "state":
        return State.name, (State, State.code == ResultUnit.unit_code)
    if level == "district":
        return District.name, (District, District.code == ResultUnit.unit_code)
    return PoliceStation.name, (PoliceStation, PoliceStation.code == ResultUnit.unit_code)


def _window(last_month: str, n_months: int) -> list[str]:
    out = [last_month]
    while len(out) < n_months:
        out.append(previous_month(out[-1]))
    return sorted(out)


def _with_parameter_names(engine: Engine, month: str, df: pd.DataFrame, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    version = version_for(engine, month, scheme=scheme)
    if version is None or df.empty:
        df = df.copy()
        df["parameter_name"] = df.get("parameter", pd.Series(dtype=str))
        df["head"] = ""
        df["position"] = 0
        return df
    names = {p.id: parameter_text(p) for p in version.parameters}  # `name_hi` in Hindi (the cache keys on it)
    heads = {p.id: parameter_text(p, "head") for p in version.parameters}
    order = {p.id: i for i, p in enumerate(version.parameters)}
    df = df.copy()
    df["parameter_name"] = df["parameter"].map(names)
    df["head"] = df["parameter"].map(heads)
    df["position"] = df["parameter"].map(order)
    return df


def _unit_row(engine: Engine, month: str, level: str, code: str, *, scheme: str = DEFAULT_SCHEME) -> dict | None:
    """One unit's result row as `_add_display` words a table's (ranks and hundredths as int or None, with
    `score_display` and `gap_to_100`), read as a plain row: a one-row DataFrame cost more than the read."""
    with engine.connect() as conn:
        row = conn.execute(select(*_UNIT_COLS).where(
            ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == level,
            ResultUnit.unit_code == code)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    for c in out:
        if (c.startswith("rank") or c.endswith("_centi")) and out[c] is not None:
            out[c] = int(out[c])
    centi = out["score_centi"]
    out["score_display"] = score_display(centi)
    out["gap_to_100"] = None if centi is None else (10000 - centi) / 100
    return out


def _fir_volume(engine: Engine, month: str, station_codes: list[str]) -> pd.Series:
    if not station_codes:
        return pd.Series(dtype="Int64")
    df = _df(engine, select(StationRow.station_code, StationRow.denominator).where(
        StationRow.month == month, StationRow.parameter == FIR_PARAMETER,
        StationRow.station_code.in_(station_codes)))
    return df.set_index("station_code")["denominator"]


def _station_master(engine: Engine, where) -> pd.DataFrame:
    return _df(engine, select(PoliceStation.code.label("station_code"), PoliceStation.district_code,
                              PoliceStation.name, PoliceStation.opened, PoliceStation.closed).where(where))


def _active_in(opened: object, closed: object, month: str) -> bool:
    """Active in `month`: opened <= month <= closed, a missing bound being open (as metrics.scoring)."""
    o = "" if opened is None or pd.isna(opened) else str(opened)  # type: ignore[arg-type]
    c = "" if closed is None or pd.isna(closed) else str(closed)  # type: ignore[arg-type]
    return (o or "0000-00") <= month <= (c or "9999-99")


def valid_month(value: object, months: list[str]) -> str | None:
    """A month sent by a client, accepted only if it is a month with results; otherwise None."""
    return value if isinstance(value, str) and is_month(value) and value in months else None
