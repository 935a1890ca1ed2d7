"""Tables for `cctns export` and the app's downloads: the same numbers the pages show."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO

import pandas as pd

from dashboard import foresight, read
from dashboard.reports import tabular
from dashboard.scope import Scope


class ExportError(ValueError):
    pass


RANK_COLUMNS = {
    "states": ["rank_national", "rank_change_national", "rank_category", "rank_change_category"],
    "districts": ["rank_in_state", "rank_change_in_state"],
    "stations": ["rank_in_district", "rank_change_in_district", "rank_in_state", "rank_change_in_state"],
}


def _marks_lost_wide(long: pd.DataFrame, unit_col: str = "unit_code") -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame({unit_col: []})
    long = long.sort_values("position")
    wide = long.pivot_table(index=unit_col, columns="parameter", values="marks_lost", aggfunc="first", sort=False)
    order = list(dict.fromkeys(long["parameter"]))
    wide = wide.reindex(columns=order).round(3)
    wide.columns = [f"marks_lost_{c}" for c in wide.columns]
    return wide.reset_index()


PROJECTION_EXPORT = ["state_code", "p_first", "p_top5", "rank_low", "rank_high", "score_median"]
FLAG_EXPORT = ["month", "state_code", "district_code", "level", "unit_code", "unit_name", "parameter", "rule",
               "needs_verification", "evidence", "status", "reason", "decided_by"]


def projection_export(engine, month: str, scheme: str = "cctns") -> pd.DataFrame:
    """Next month's projection made from `month` (an estimate): the columns of `cctns export projection`,
    plus P(rank improves), the middle rank and the score range."""
    try:
        table = foresight.projection(engine, month, scheme)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    if table.empty:
        raise ExportError(f"no projection from {month}: too few months of results before it")
    extra = ["p_improve", "rank_median", "score_low", "score_high", "rank_now"]
    out = table[PROJECTION_EXPORT + extra].copy()
    for c in ("p_first", "p_top5", "p_improve"):
        out[c] = out[c].round(4)
    for c in ("score_median", "score_low", "score_high"):
        out[c] = out[c].round(2)
    return out


def flags_export(engine, month: str, state: str | None = None, scope: Scope | None = None) -> pd.DataFrame:
    """The month's data-to-verify flags (every status), each with its evidence in words."""
    from dashboard.display import FLAG_RULE_WORDS, flag_evidence_text

    scope = scope or Scope.national()
    if state and read.unit_info(engine, "state", state) is None:
        raise ExportError(f"unknown State/UT {state}")
    table = foresight.flags(engine, month, scope, state_code=state, status=None)
    out = table.assign(
        needs_verification=[FLAG_RULE_WORDS.get(r, r) for r in table["rule"]],
        evidence=[flag_evidence_text(r, e) for r, e in zip(table["rule"], table["evidence"], strict=True)],
    )
    return out[FLAG_EXPORT].reset_index(drop=True)


PUBLISHED_COLUMNS = ["month", "scheme", "state_code", "state_name", "score", "rank", "category_rank", "source"]


def published_export(engine, scheme: str = "cctns", month: str | None = None) -> pd.DataFrame:
    """NCRB's published results of a scheme (one month, or every month), with their sources."""
    if scheme not in read.scheme_ids(engine):
        raise ExportError(f"unknown scheme {scheme!r}: use one of {', '.join(read.scheme_ids(engine))}")
    months = [month] if month else read.published_months(engine, scheme=scheme)
    frames = []
    for m in months:
        t = read.published_table(engine, m, scheme=scheme)
        frames.append(pd.DataFrame({"month": m, "scheme": scheme, "state_code": t["state_code"],
                                    "state_name": t["name"], "score": t["score_display"], "rank": t["rank"],
                                    "category_rank": t["category_rank"], "source": t["source"]}))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PUBLISHED_COLUMNS)


def reconciliation_export(engine, month: str, scheme: str = "cctns") -> pd.DataFrame:
    """Published beside computed for every State NCRB published in `month` (the issue's columns)."""
    if scheme not in read.scheme_ids(engine):
        raise ExportError(f"unknown scheme {scheme!r}: use one of {', '.join(read.scheme_ids(engine))}")
    rec = read.reconciliation(engine, month, scheme=scheme)
    if rec.empty and month not in read.published_months(engine, scheme=scheme):
        raise ExportError(f"NCRB published no {scheme} results for {month}")
    out = rec[read.RECONCILIATION_COLUMNS].copy()
    for c in ("published_rank", "computed_rank"):
        out[c] = out[c].astype("Int64")
    return out


def build_export(engine, what: str, month: str, state: str | None = None, district: str | None = None,
                 scope: Scope | None = None, *, scheme: str = "cctns") -> pd.DataFrame:
    """One export table of a ranking scheme; `scope` defaults to national (the command line is run by the
    data owner)."""
    scope = scope or Scope.national()
    if scheme not in read.scheme_ids(engine):
        raise ExportError(f"unknown scheme {scheme!r}: use one of {', '.join(read.scheme_ids(engine))}")
    if month not in read.months(engine, scheme=scheme):
        raise ExportError(f"no results for month {month}")
    if what == "projection":
        return projection_export(engine, month, scheme)
    if what == "flags":
        return flags_export(engine, month, state, scope)
    if what == "states":
        table = read.states_table(engine, month, scheme=scheme)
        cols = ["unit_code", "name", "category", "score_display", *RANK_COLUMNS["states"]]
        out = table[cols].rename(columns={"unit_code": "state_code", "score_display": "score"})
        lost = _marks_lost_wide(read.param_matrix(engine, month, "state", scheme=scheme))
        return out.merge(lost.rename(columns={"unit_code": "state_code"}), on="state_code", how="left")
    if what == "districts":
        if not state:
            raise ExportError("districts needs --state")
        if read.unit_info(engine, "state", state) is None:
            raise ExportError(f"unknown State/UT {state}")
        table = read.districts_table(engine, month, state, scope, scheme=scheme)
        cols = ["unit_code", "name", "state_code", "score_display", *RANK_COLUMNS["districts"]]
        out = table[cols].rename(columns={"unit_code": "district_code", "score_display": "score"})
        lost = _marks_lost_wide(read.param_matrix(engine, month, "district", state_code=state, scope=scope, scheme=scheme))
        return out.merge(lost.rename(columns={"unit_code": "district_code"}), on="district_code", how="left")
    if what == "stations":
        if not state and not district:
            raise ExportError("stations needs --state or --district")
        if district and read.unit_info(engine, "district", district) is None:
            raise ExportError(f"unknown district {district}")
        if state and read.unit_info(engine, "state", state) is None:
            raise ExportError(f"unknown State/UT {state}")
        districts = [district] if district else read.districts_table(engine, month, state, scope, scheme=scheme)["unit_code"].tolist()
        frames, lost_frames = [], []
        for d in districts:
            t = read.stations_table(engine, month, d, scope, scheme=scheme)
            if t.empty:
                continue
            frames.append(t)
            lost_frames.append(read.district_station_matrix(engine, month, d, scope, scheme=scheme))
        if not frames:
            return pd.DataFrame()
        table = pd.concat(frames, ignore_index=True)
        table["reported"] = table["reported"].map({True: "yes", False: "no"})
        cols = ["unit_code", "name", "district_code", "state_code", "reported", "score_display",
                *RANK_COLUMNS["stations"]]
        out = table[cols].rename(columns={"unit_code": "station_code", "score_display": "score"})
        lost = _marks_lost_wide(pd.concat(lost_frames, ignore_index=True))
        out = out.merge(lost.rename(columns={"unit_code": "station_code"}), on="station_code", how="left")
        return out.sort_values(["district_code", "rank_in_district", "station_code"], na_position="last")
    if what == "lagging":
        if not state:
            if not district:
                raise ExportError("lagging needs --state (and optionally --district)")
            info = read.unit_info(engine, "district", district)
            if info is None:
                raise ExportError(f"unknown district {district}")
            state = info["state_code"]
        # exactly the table of the lagging page and its download (same rows, order, words)
        return read.lagging_table(read.lagging_list(engine, month, scope, state, district, scheme=scheme))
    raise ExportError(f"unknown export {what!r}: use states, districts, stations, lagging, projection or flags")


PROVISIONAL_EXPORTS = ("states", "districts", "lagging", "todo")


def build_provisional_export(engine, what: str, month: str, state: str | None = None,
                             district: str | None = None, scope: Scope | None = None, *,
                             scheme: str = "cctns") -> pd.DataFrame:
    """A provisional table (issue 14) of a ranking scheme: every row starts with `figures` saying
    "provisional, as of ..." (or, for another State in the States table, "final YYYY-MM"), with the scheme's
    short name when it is not CCTNS, so a CSV, which has no title, says it on every line. `what`: states,
    districts, lagging, todo (what still has to happen before the cut-off)."""
    scope = scope or Scope.national()
    known = {s["id"]: s["short"] for s in read.schemes(engine)}
    if scheme not in known:
        raise ExportError(f"unknown scheme {scheme!r}: use one of {', '.join(known)}")
    if not read.is_provisional_month(engine, month, scheme=scheme):
        raise ExportError(f"no provisional figures for month {month}"
                          + ("" if scheme == "cctns" else f" in {known[scheme]}"))
    if what not in PROVISIONAL_EXPORTS:
        raise ExportError(f"unknown provisional export {what!r}: use {', '.join(PROVISIONAL_EXPORTS)}")
    snaps = read.provisional_snapshots(engine, month, scheme=scheme)
    named = "" if scheme == "cctns" else f" {known[scheme]}"
    as_of = {r.state_code: f"provisional{named} {month}, as of {pd.Timestamp(r.as_of):%Y-%m-%d %H:%M} UTC"
             for r in snaps.itertuples()}
    if what == "states":
        t = read.provisional_states_table(engine, month, scope, scheme=scheme)
        t["figures"] = [as_of.get(c, "") if b == read.BASIS_PROVISIONAL else f"final{named} {m}" if b else "no figure"
                        for c, b, m in zip(t["state_code"], t["basis"], t["figure_month"], strict=True)]
        return t[["figures", "state_code", "name", "category", "score_display", "rank_national",
                  "rank_category", "stations_reported", "stations_active"]].rename(columns={"score_display": "score"})
    if district and not state:
        info = read.unit_info(engine, "district", district)
        if info is None:
            raise ExportError(f"unknown district {district}")
        state = info["state_code"]
    if not state:
        raise ExportError(f"{what} needs --state (or --district)")
    if state not in as_of:
        raise ExportError(f"{state} has no provisional figures for {month}")
    if what == "districts":
        t = read.provisional_districts(engine, month, state, scope, scheme=scheme)
        out = t[["district_code", "name", "score_display", "rank_in_state", "stations_reported", "stations_active"]]
        out = out.rename(columns={"score_display": "score"})
    elif what == "lagging":
        t = read.provisional_lagging(engine, month, scope, state, district, scheme=scheme)
        cols = ["station_code", "station_name", "district_name", "score_display", "reasons", "at_stake_state",
                "at_stake_district"]
        out = (t[cols] if not t.empty else pd.DataFrame(columns=cols)).rename(columns={"score_display": "score"})
        out[["at_stake_state", "at_stake_district"]] = out[["at_stake_state", "at_stake_district"]].astype(float).round(3)
    else:
        t = read.still_to_happen(engine, month, scope, state, district, limit=10_000, scheme=scheme)
        cols = ["station_code", "station_name", "district_name", "parameter", "parameter_name", "numerator",
                "denominator", "numerator_needed", "records", "at_stake"]
        out = t[cols] if not t.empty else pd.DataFrame(columns=cols)
        out = out.rename(columns={"records": "records_to_enter", "at_stake": "marks_gained"})
        out["marks_gained"] = out["marks_gained"].astype(float).round(3)
    out = out.copy()
    out.insert(0, "figures", as_of[state])
    return out.reset_index(drop=True)


def provisional_file_stem(what: str, month: str, state: str | None, district: str | None,
                          scheme: str = "cctns") -> str:
    """ "provisional-2026-12-HR-todo" ("provisional-2026-12-HR-icjs-todo" in another scheme than CCTNS): the
    word provisional first in every provisional file name."""
    return "-".join(p for p in ("provisional", month, district or state or "all-states",
                                None if scheme == "cctns" else scheme, what) if p)


def write_export(df: pd.DataFrame, fmt: str, target: str | IO, sheet: str = "export") -> None:
    """`df` as CSV or XLSX through the output-safety layer (`dashboard.reports.tabular`): names never become
    formulas and control characters never reach the file."""
    if fmt == "csv":
        tabular.write_csv(df, target)
    elif fmt == "xlsx":
        tabular.write_xlsx(df, target, sheet)
    else:
        raise ExportError(f"unknown format {fmt!r}")


def export_bytes(df: pd.DataFrame, fmt: str, sheet: str = "export") -> bytes:
    if fmt == "csv":
        return tabular.csv_bytes(df)
    buf = io.BytesIO()
    write_export(df, fmt, buf, sheet)
    return buf.getvalue()


def actions_register(actions: pd.DataFrame, scheme_of: Callable[[str], str | None] | None = None) -> pd.DataFrame:
    """Actions (rows of `dashboard.actions.list_actions`) as an actions register: the columns
    `cctns actions import` reads (`dashboard.ingest.REGISTER_COLUMNS`), then what the data shows of each
    (`EXPORT_ONLY_COLUMNS`, ignored on import; `scheme`: the ranking scheme of the action's parameter, by
    `scheme_of`), so an export imports as it is. Blank, never "nan", for what an action does not have."""
    from dashboard.ingest import EXPORT_ONLY_COLUMNS, REGISTER_COLUMNS

    columns = [*REGISTER_COLUMNS, *EXPORT_ONLY_COLUMNS]
    if actions is None or actions.empty:
        return pd.DataFrame(columns=columns)
    actions = actions.assign(scheme=[(scheme_of(p) if scheme_of and isinstance(p, str) and p else None) or ""
                                     for p in actions["parameter"]])
    out = actions.reindex(columns=columns).astype(object)
    return out.where(out.notna(), "").reset_index(drop=True)


def named_by_scheme(df: pd.DataFrame, scheme: str, scheme_of: Callable[[str], str | None] | None = None
                    ) -> pd.DataFrame:
    """An export with its ranking scheme in a first `scheme` column (kept when it has one already). With
    `scheme_of`, each row's scheme is its `parameter`'s ("all" for a flag on every parameter, "*")."""
    if df.empty and not len(df.columns):
        return df
    if "scheme" in df.columns:
        return df
    out = df.copy()
    if scheme_of is not None and "parameter" in out.columns:
        values: object = ["all" if p == "*" else (scheme_of(str(p)) or "") for p in out["parameter"]]
    else:
        values = scheme
    out.insert(0, "scheme", values)
    return out
