"""Validation of the tables of one import against the methodology and the database: codes, names, months,
numbers, kinds of parameter, stations active in the month, duplicates. Every problem is collected; nothing
is written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from dashboard.i18n import N_, ngettext
from dashboard.i18n import gettext as _
from dashboard.ingest.files import (
    _CONTROL_RE,
    _MONTH_ASCII_RE,
    CATEGORIES,
    CODE_RE,
    CODE_RULE,
    CONTROL_RULE,
    FORMULA_CELL_RULE,
    FORMULA_NAME_RULE,
    FORMULA_STARTS,
    INT_MAX,
    KINDS,
    MASTER_KINDS,
    PUBLISHED_KIND,
    _Problems,
    _Table,
)
from dashboard.store import (
    District,
    PoliceStation,
    State,
    read_columns,
)
from metrics.methodology import MONTH_RE, Methodology, Schemes, days_in_month


@dataclass
class _Known:
    states: set[str]
    districts: set[str]
    stations: set[str]


def _current_month(today: date | None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"


def _parameters_frame(schemes: Schemes) -> pd.DataFrame:
    return pd.DataFrame(
        [(v.id, p.id, p.level, p.kind) for m in schemes.by_id.values() for v in m.versions for p in v.parameters],
        columns=["_version", "parameter", "_level", "_kind"],
    )


def _in_force(schemes: Schemes, month: str) -> dict[str, str | None]:
    """scheme -> id of its version in force in `month` (None before its first version)."""
    out = {}
    for sid, m in schemes.by_id.items():
        v = m.version_for(month)
        out[sid] = None if v is None else v.id
    return out


def _validate(tables: list[_Table], conn: Connection, methodology: Schemes | Methodology, today: date | None,
              problems: _Problems, only_state: str | None = None) -> None:
    if not isinstance(methodology, Schemes):
        methodology = Schemes({methodology.scheme: methodology})
    by_kind: dict[str, list[_Table]] = {}
    for t in tables:
        by_kind.setdefault(t.kind, []).append(t)

    def db_codes(col) -> set[str]:
        return set(read_columns(conn, select(col), ["code"])["code"].tolist())

    def imported(kind: str, col: str) -> set[str]:
        return {c for t in by_kind.get(kind, []) for c in t.df[col].unique() if c}

    known = _Known(
        states=db_codes(State.code) | imported("states", "state_code"),
        districts=db_codes(District.code) | imported("districts", "district_code"),
        stations=db_codes(PoliceStation.code) | imported("police_stations", "station_code"),
    )
    params = _parameters_frame(methodology)
    current = _current_month(today)
    station_months = _station_months(conn, by_kind.get("police_stations", []))
    for t in tables:
        _validate_common(t, problems)
        if t.kind == "states":
            bad = (t.df["category"] != "") & ~t.df["category"].isin(CATEGORIES)
            problems.add_mask(t, bad, "category", _("unknown category: use one of {values}").format(
                values=", ".join(repr(c) for c in CATEGORIES)))
        elif t.kind == "districts":
            _check_known(t, "state_code", known.states, UNKNOWN_STATE, problems)
        elif t.kind == "police_stations":
            _check_known(t, "district_code", known.districts, N_("unknown district code (not in the database "
                                                                 "nor in this import)"), problems)
            ok = {}
            for col in ("opened", "closed"):
                v = t.df[col]
                good = _per_value(v, _is_month)
                problems.add_mask(t, (v != "") & ~good, col, N_("must be a month YYYY-MM or left empty"))
                ok[col] = good
            both = ok["opened"] & ok["closed"]
            problems.add_mask(t, both & (t.df["opened"] > t.df["closed"]), "closed", N_("closed is before opened"),
                              value=lambda sub: sub["opened"] + " > " + sub["closed"])
        elif t.kind == PUBLISHED_KIND:
            _check_known(t, "state_code", known.states, UNKNOWN_STATE, problems)
            _validate_published(t, methodology, current, len(known.states), problems)
        else:
            unit_col = "station_code" if t.kind == "station_rows" else "state_code"
            known_units = known.stations if t.kind == "station_rows" else known.states
            _check_known(t, unit_col, known_units, UNKNOWN_STATION if t.kind == "station_rows" else UNKNOWN_STATE,
                         problems)
            _validate_rows(t, methodology, params, current, problems)
            if t.kind == "station_rows":
                _check_active(t, station_months, problems)
    for kind, ts in by_kind.items():
        _check_duplicates(kind, ts, problems)
    if only_state is not None:
        _check_own_state(tables, conn, only_state, problems)


UNKNOWN_STATE = N_("unknown State/UT code (not in the database nor in this import)")
UNKNOWN_STATION = N_("unknown police station code (not in the database nor in this import)")
MALFORMED_MONTH = N_("malformed month: must be YYYY-MM (e.g. 2024-05)")


def own_state_rule(other: str, own: str) -> str:
    return _("a row of {other}, not {own}: your account may import only {own}'s rows").format(other=other, own=own)


def _check_own_state(tables: list[_Table], conn: Connection, own: str, problems: _Problems) -> None:
    """A State's operator imports only the rows of their own State: every row of another State/UT (or of a
    district or police station of one) is a problem naming that State/UT. Units unknown anywhere are left to
    the "unknown code" rules."""
    district_state = dict(conn.execute(select(District.code, District.state_code)).all())
    for t in tables:
        if t.kind == "districts":
            district_state.update(zip(t.df["district_code"], t.df["state_code"], strict=True))
    st = PoliceStation.__table__
    station_district = dict(conn.execute(select(st.c.code, st.c.district_code)).all())
    for t in tables:
        if t.kind == "police_stations":
            station_district.update(zip(t.df["station_code"], t.df["district_code"], strict=True))

    for t in tables:
        df = t.df
        if t.kind in ("states", "districts", "state_rows", PUBLISHED_KIND):
            col, state = "state_code", df["state_code"]
        elif t.kind == "police_stations":
            col, state = "district_code", df["district_code"].map(district_state)
        elif t.kind == "station_rows":
            col = "station_code"
            state = df["station_code"].map(station_district).map(district_state)
        else:
            continue
        state = state.astype(object).where(state.notna(), "")
        bad = (state != "") & (state != own)
        if bool(np.asarray(bad).any()):
            others = sorted(set(state[bad]))
            problems.add(t.label, None, col, ", ".join(others),
                         _("{n} row(s) of other States/UTs ({others}): your account may import only {own}'s "
                           "rows").format(n=f"{int(bad.sum()):,}", others=", ".join(others), own=own))
            problems.add_mask(t, bad.to_numpy(), col,
                              lambda sub, s=state: [own_state_rule(s.at[i], own) for i in sub.index])


_SCORE_RE = re.compile(r"(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)", re.ASCII)
SCORE_RULE = "a score must be a number from 0 to 100 with at most 2 decimals (e.g. 99.97)"
RANK_RULE = "a rank must be a whole number from 1 to the number of States/UTs"


def _validate_published(t: _Table, methodology: Schemes, current: str, n_states: int, problems: _Problems) -> None:
    """Published results: known scheme, month not in the future, score in [0, 100] with at most 2 decimals,
    ranks positive and, where the file lists a whole month of a scheme, the competition ranks of the
    scores ("1224"); the source is text, inert like every name."""
    df = t.df
    month_ok = _per_value(df["month"], _is_month)
    problems.add_mask(t, (df["month"] != "") & ~month_ok, "month", MALFORMED_MONTH)
    problems.add_mask(t, month_ok & (df["month"] > current).to_numpy(), "month",
                      _("month in the future (the current month is {month})").format(month=current))
    known = set(methodology.ids)
    problems.add_mask(t, _per_value(df["scheme"], lambda v: v != "" and v not in known), "scheme",
                      _("unknown ranking scheme: use one of {values}").format(values=", ".join(methodology.ids)))
    score_ok = _per_value(df["score"], lambda v: _SCORE_RE.fullmatch(v) is not None)
    problems.add_mask(t, (df["score"] != "") & ~score_ok, "score", SCORE_RULE)
    ranks = {}
    for col in ("rank", "category_rank"):
        v = df[col]
        ok = _per_value(v, lambda x: _INT_RE.fullmatch(x) is not None and 1 <= int(x) <= max(n_states, 1))
        problems.add_mask(t, (v != "") & ~ok, col, RANK_RULE)
        ranks[col] = ok
    source = _per_value(df["source"], _bad_name, dtype=np.int8)
    problems.add_mask(t, source == 1, "source", CONTROL_RULE)
    problems.add_mask(t, source == 2, "source", FORMULA_NAME_RULE)
    # a whole month of a scheme (every State/UT listed once): the ranks must be the scores' competition ranks
    good = month_ok & score_ok & ranks["rank"] & (df["scheme"].isin(known)).to_numpy()
    sub = df[good].assign(_centi=[round(float(x) * 100) for x in df.loc[good, "score"]],
                          _rank=[int(x) for x in df.loc[good, "rank"]])
    wrong: dict[int, int] = {}
    for _key, group in sub.groupby(["month", "scheme"]):
        if group["state_code"].nunique() < n_states or len(group) != group["state_code"].nunique():
            continue  # a partial list (newspapers report the top five): ranks cannot be checked
        expected = group["_centi"].rank(method="min", ascending=False).astype(int)
        for i in group.index[group["_rank"] != expected]:
            wrong[i] = int(expected[i])
    if wrong:
        mask = df.index.isin(list(wrong))
        problems.add_mask(t, mask, "rank", lambda rows: [
            f"rank {r} does not match the scores: with score {sc} the competition rank in this month is "
            f"{wrong[i]} (equal scores share a rank, the next rank skips)"
            for i, r, sc in zip(rows.index, rows["rank"], rows["score"], strict=True)])


def _station_months(conn: Connection, imported: list[_Table]) -> pd.DataFrame:
    """opened/closed per station code (index), for the stations that have either: the database's, replaced
    by those of police_stations files in the same import (their valid months only)."""
    t = PoliceStation.__table__
    db = _read_frame(conn, select(t.c.code, t.c.opened, t.c.closed).where(
        (t.c.opened.is_not(None)) | (t.c.closed.is_not(None))))
    frames = [db.rename(columns={"code": "station_code"})]
    for table in imported:
        df = table.df[["station_code", "opened", "closed"]]
        df = df[df["station_code"] != ""]
        frames.append(df.assign(**{c: df[c].where(_per_value(df[c], _is_month), None) for c in ("opened", "closed")}))
    months = pd.concat(frames, ignore_index=True).drop_duplicates("station_code", keep="last")
    months = months.set_index("station_code")[["opened", "closed"]]
    return months[months["opened"].notna() | months["closed"].notna()]


def _check_active(t: _Table, station_months: pd.DataFrame, problems: _Problems) -> None:
    """Issue 10: a station row for a month before the station's opened month or after its closed month."""
    if station_months.empty:
        return
    df = t.df
    def months_of(col: str) -> np.ndarray:
        by_code = {code: m for code, m in station_months[col].items() if isinstance(m, str)}
        return _column_map(t, "station_code", by_code, "")

    opened, closed = months_of("opened"), months_of("closed")
    month = df["month"].to_numpy(dtype=object)
    valid = _column_per_value(t, "month", _is_month)
    inactive = valid & (((opened != "") & (month < opened)) | ((closed != "") & (month > closed)))

    def rule(sub: pd.DataFrame) -> list[str]:
        out = []
        for code, m in zip(sub["station_code"], sub["month"], strict=True):
            o, c = (station_months.at[code, col] for col in ("opened", "closed"))
            span = ", ".join(f"{what} {m}" for what, m in (("opened", o), ("closed", c)) if isinstance(m, str) and m)
            out.append(_("police station {code} is not active in {month} ({span}): rows are for months from its "
                         "opened to its closed month").format(code=code, month=m, span=span))
        return out

    problems.add_mask(t, inactive, "month", rule)


def _per_value(series: pd.Series, func: Callable[[str], object], dtype=bool) -> np.ndarray:
    """func applied once per distinct value (months, numbers and codes repeat a lot): fast on big files."""
    codes, uniques = pd.factorize(series, sort=False)
    return _mapped(codes, uniques, func, dtype)


def _column_per_value(t: _Table, col: str, func: Callable[[str], object], dtype=bool) -> np.ndarray:
    """`_per_value` of a table's column, its factorisation shared by every rule."""
    codes, uniques = t.factorize(col)
    return _mapped(codes, uniques, func, dtype)


def _mapped(codes: np.ndarray, uniques, func: Callable[[str], object], dtype=bool) -> np.ndarray:
    if not len(uniques):
        return np.zeros(len(codes), dtype=dtype)
    mapped = np.fromiter((func(u) for u in uniques), dtype=dtype, count=len(uniques))
    return mapped[codes]


def _column_map(t: _Table, col: str, mapping: dict, default: object = None) -> np.ndarray:
    """A table's column mapped through a dict, once per distinct value (object array)."""
    codes, uniques = t.factorize(col)
    values = np.array([mapping.get(u, default) for u in uniques] + [default], dtype=object)
    return values[codes]


# ASCII digits only: \d and str.isdigit also match other scripts' digits (٣, ５, १), which int() accepts
_INT_RE = re.compile(r"[0-9]{1,15}", re.ASCII)


_NEG_RE = re.compile(r"-[0-9]+(\.0*)?", re.ASCII)


def _is_month(text: str) -> bool:
    return _MONTH_ASCII_RE.fullmatch(text) is not None and MONTH_RE.match(text) is not None


def _bad_name(text: str) -> int:
    """0 fine, 1 control character, 2 looks like a spreadsheet formula."""
    if _CONTROL_RE.search(text):
        return 1
    return 2 if text.startswith(FORMULA_STARTS) else 0


def _validate_common(t: _Table, problems: _Problems) -> None:
    spec = KINDS[t.kind]
    formula_rows: dict[str, set[int]] = {}
    for row, col, formula in t.formulas:
        problems.add(t.label, row, col, formula, FORMULA_CELL_RULE)
        formula_rows.setdefault(col, set()).add(row)
    for col in spec.columns:
        if col in spec.optional:
            continue
        missing = _column_per_value(t, col, lambda v: v == "")
        if col in formula_rows:
            missing &= ~t.df["_row"].isin(formula_rows[col]).to_numpy()
        problems.add_mask(t, missing, col, N_("missing value"))
    for col, n in spec.max_len.items():
        problems.add_mask(t, _column_per_value(t, col, lambda v, n=n: len(v) > n), col, _("longer than {n} characters").format(n=n))
    if t.kind in MASTER_KINDS:
        code_col = spec.key[0]
        problems.add_mask(t, _column_per_value(t, code_col, lambda v: v != "" and CODE_RE.fullmatch(v) is None),
                          code_col, CODE_RULE)
        name = _column_per_value(t, "name", _bad_name, dtype=np.int8)
        problems.add_mask(t, name == 1, "name", CONTROL_RULE)
        problems.add_mask(t, name == 2, "name", FORMULA_NAME_RULE)


def _check_known(t: _Table, col: str, known: set[str], rule: str, problems: _Problems) -> None:
    problems.add_mask(t, _column_per_value(t, col, lambda v: v != "" and v not in known), col, rule)


def _parse_int(t: _Table, col: str, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """(values as int64, valid mask); reports malformed, negative and too large numbers."""
    v = t.df[col]
    codes, uniques = t.factorize(col)
    kind = np.zeros(len(uniques), dtype=np.int8)  # 0 ok, 1 empty, 2 negative, 3 malformed, 4 too large
    number = np.zeros(len(uniques), dtype=np.int64)
    for i, u in enumerate(uniques):
        if _INT_RE.fullmatch(u):
            number[i] = int(u)
            kind[i] = 4 if number[i] > INT_MAX else 0
        else:
            kind[i] = 1 if u == "" else 2 if _NEG_RE.fullmatch(u) else 3
    row_kind = kind[codes] if len(uniques) else np.zeros(len(v), dtype=np.int8)
    problems.add_mask(t, row_kind == 2, col, N_("must be a non-negative integer (negative number)"))
    problems.add_mask(t, row_kind == 3, col, N_("malformed number: must be a non-negative whole number (digits only)"))
    problems.add_mask(t, row_kind == 4, col, _("number too large (max {n})").format(n=INT_MAX))
    values = number[codes] if len(uniques) else np.zeros(len(v), dtype=np.int64)
    return values, row_kind == 0


def _validate_rows(t: _Table, methodology: Schemes, params: pd.DataFrame, current: str,
                   problems: _Problems) -> None:
    df = t.df
    level = "station" if t.kind == "station_rows" else "state"
    first = methodology.first_month
    m_codes, m_uniques = t.factorize("month")
    # per distinct month: 0 ok, 1 empty (reported as missing), 2 malformed, 3 before first version, 4 future
    m_state = np.array([1 if m == "" else 2 if not _is_month(m) else 3 if m < first else 4 if m > current else 0
                        for m in m_uniques], dtype=np.int8)
    row_state = m_state[m_codes] if len(m_uniques) else np.zeros(len(df), dtype=np.int8)
    problems.add_mask(t, row_state == 2, "month", MALFORMED_MONTH)
    problems.add_mask(t, row_state == 3, "month",
                      _("before the first methodology version (effective from {month})").format(month=first))
    problems.add_mask(t, row_state == 4, "month",
                      _("month in the future (the current month is {month})").format(month=current))
    month_ok = row_state == 0

    num, num_ok = _parse_int(t, "numerator", problems)
    den, den_ok = _parse_int(t, "denominator", problems)

    # the parameter's scheme (ids are unique across schemes), the scheme's version in force per month
    # (rule 1), then the parameter's level and kind in that version
    good_months = [m for m, st in zip(m_uniques, m_state, strict=True) if st == 0]
    force = {m: _in_force(methodology, m) for m in good_months}
    owner = {pid: sid for sid, m in methodology.by_id.items() for pid in m.parameter_ids}
    described = {(v, pid): (lv, kd) for v, pid, lv, kd in params[["_version", "parameter", "_level", "_kind"]]
                 .itertuples(index=False, name=None)}
    # per distinct (month, parameter) pair (a few hundred), then spread over the rows by their codes
    p_codes, p_uniques = t.factorize("parameter")
    width = len(p_uniques) + 1
    pair_codes, pairs = pd.factorize(m_codes.astype(np.int64) * width + p_codes, sort=False)
    pair_level, pair_kind = [], []
    for pair in pairs:
        mi, pi = divmod(int(pair), width)
        pid = p_uniques[pi] if 0 <= pi < len(p_uniques) else None
        sid = owner.get(pid)
        version = force.get(m_uniques[mi], {}).get(sid) if sid is not None and mi >= 0 else None
        lv, kd = described.get((version, pid), (None, None))
        pair_level.append(lv)
        pair_kind.append(kd)
    p_level = np.array(pair_level + [None], dtype=object)[pair_codes]
    p_kind = np.array(pair_kind + [None], dtype=object)[pair_codes]
    known_param = pd.notna(p_level)
    param_given = _column_per_value(t, "parameter", lambda v: v != "")

    def unknown_words(sub: pd.DataFrame) -> list[str]:
        out = []
        for m, pid in zip(sub["month"], sub["parameter"], strict=True):
            sid = owner.get(pid)
            if sid is None:
                versions = [v for v in force[m].values() if v is not None]
                out.append(ngettext("parameter not in methodology version {versions} in force for {month}",
                                    "parameter not in methodology versions {versions} in force for {month}",
                                    len(versions)).format(versions=", ".join(versions), month=m))
            elif force[m][sid] is None:
                out.append(_("before the first {scheme} methodology version (effective from {month})").format(
                    scheme=sid, month=methodology[sid].first_month))
            else:
                out.append(ngettext("parameter not in methodology version {versions} in force for {month}",
                                    "parameter not in methodology versions {versions} in force for {month}",
                                    1).format(versions=force[m][sid], month=m))
        return out

    problems.add_mask(t, month_ok & param_given & ~known_param, "parameter", unknown_words)
    wrong_level = month_ok & known_param & (p_level != level)
    other = "state_rows" if level == "station" else "station_rows"
    problems.add_mask(t, wrong_level, "parameter",
                      (_("wrong level: a state-level parameter belongs in {other}, not {kind}") if level == "station"
                       else _("wrong level: a station-level parameter belongs in {other}, not {kind}")).format(
                          other=other, kind=t.kind))

    both = num_ok & den_ok
    problems.add_mask(t, both & (num > den), "numerator", N_("numerator greater than denominator"),
                      value=lambda sub: sub["numerator"] + " > " + sub["denominator"])
    usable = month_ok & ~wrong_level
    is_days = usable & (p_kind == "days")
    if is_days.any():
        days = np.array([days_in_month(m) if m in force else 0 for m in m_uniques] + [0], dtype=np.int64)[m_codes]
        problems.add_mask(t, den_ok & is_days & (den != days), "denominator", lambda sub: [
            _("for a 'days' parameter the denominator must be the days in the month ({n} in {month})").format(
                n=days_in_month(m), month=m) for m in sub["month"]])
    is_flag = usable & (p_kind == "flag")
    problems.add_mask(t, den_ok & is_flag & (den != 1), "denominator",
                      N_("for a 'flag' parameter the denominator must be 1"))
    problems.add_mask(t, num_ok & is_flag & (num > 1), "numerator",
                      N_("for a 'flag' parameter the numerator must be 0 or 1"))


def _no_duplicates(tables: list[_Table], key: list[str]) -> bool:
    """One table whose keys (the complete ones) are all distinct: checked on the shared factorisations, an
    integer per row, instead of hashing the key texts again."""
    if len(tables) != 1:
        return False
    t = tables[0]
    combined = np.zeros(len(t.df), dtype=np.int64)
    complete = np.ones(len(t.df), dtype=bool)
    for col in key:
        codes, uniques = t.factorize(col)
        complete &= _mapped(codes, uniques, lambda v: v != "")
        combined = combined * (len(uniques) + 1) + codes
        if len(key) > 1:  # keep the combined codes small (no overflow whatever the number of columns)
            combined = pd.factorize(combined, sort=False)[0].astype(np.int64)
    return not pd.Series(combined[complete]).duplicated().any()


def _check_duplicates(kind: str, tables: list[_Table], problems: _Problems) -> None:
    key = list(KINDS[kind].key)
    if _no_duplicates(tables, key):
        return
    frames = [t.df[key + ["_row"]].assign(_t=i) for i, t in enumerate(tables)]
    allrows = pd.concat(frames, ignore_index=True)
    keyed = allrows[(allrows[key] != "").all(axis=1)]
    dup = keyed.duplicated(subset=key, keep="first")
    if not dup.any():
        return
    firsts = keyed[~dup & keyed.duplicated(subset=key, keep=False)].set_index(key)[["_row", "_t"]]
    sep = "/"
    for i, t in enumerate(tables):
        mine = dup & (keyed["_t"] == i)
        if not mine.any():
            continue

        def rule(sub: pd.DataFrame, i: int = i) -> list[str]:
            idx = pd.MultiIndex.from_frame(sub[key]) if len(key) > 1 else sub[key[0]]
            first = firsts.loc[idx]
            return [_("duplicate {key}: also in row {row}").format(key=sep.join(key), row=r) +
                    ("" if ti == i else " " + _("of {file}").format(file=tables[ti].label))
                    for r, ti in zip(first["_row"], first["_t"], strict=True)]

        problems.add_mask(t, t.df["_row"].isin(keyed.loc[mine, "_row"]), ",".join(key), rule,
                          value=lambda sub: [sep.join(vals) for vals in sub[key].itertuples(index=False)])


def _read_frame(conn: Connection, stmt) -> pd.DataFrame:
    """A SELECT as a DataFrame, read with the driver's own cursor inside the transaction and built column by
    column (`store.read_columns`): SQLAlchemy Row objects and a row-wise DataFrame for hundreds of thousands
    of rows cost seconds."""
    return read_columns(conn, stmt)
