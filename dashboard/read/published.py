"""The official record: NCRB's published scores and ranks, the months known only from them, and their
reconciliation with our own computation. Published State scores are circulated to every State, so every
signed-in user may read them (as the national league table)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.display import score_display
from dashboard.read.cache import cached
from dashboard.read.common import _df, methodology, months, schemes, state_names, version_for
from dashboard.read.national import param_matrix, states_table
from dashboard.store import PublishedResult, ResultParam, ResultUnit, State
from metrics.methodology import DEFAULT_SCHEME
from metrics.reconcile import ParameterFigures, explain_difference, is_flagged

RECONCILIATION_COLUMNS = ["state_code", "state_name", "published_score", "computed_score", "difference",
                          "published_rank", "computed_rank"]


@cached
def published_months(engine: Engine, *, scheme: str = DEFAULT_SCHEME) -> list[str]:
    with engine.connect() as conn:
        return [m for (m,) in conn.execute(select(PublishedResult.month).where(PublishedResult.scheme == scheme)
                                           .distinct().order_by(PublishedResult.month))]


def scheme_months(engine: Engine, *, scheme: str = DEFAULT_SCHEME) -> list[str]:
    """Months with our results or NCRB's published ones, ascending (the month picker's list)."""
    return sorted(set(months(engine, scheme=scheme)) | set(published_months(engine, scheme=scheme)))


@cached
def picker_months(engine: Engine, *, scheme: str = DEFAULT_SCHEME) -> dict[str, list[str]]:
    """The shell's months of a scheme in one cache entry (it asks on every page): {"months":
    scheme_months(...), "computed": months(...)} (the latest computed month is the default)."""
    computed = _uncached(months)(engine, scheme=scheme)
    return {"months": sorted(set(computed) | set(_uncached(published_months)(engine, scheme=scheme))),
            "computed": computed}


@cached
def published_table(engine: Engine, month: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """NCRB's published scores of a month (only the States it reported): state_code, name, category,
    score_centi, score_display, rank, category_rank, source; ordered by rank."""
    df = _df(engine, select(PublishedResult.state_code, State.name, State.category, PublishedResult.score_centi,
                            PublishedResult.rank, PublishedResult.category_rank, PublishedResult.source)
             .join(State, State.code == PublishedResult.state_code)
             .where(PublishedResult.scheme == scheme, PublishedResult.month == month)
             .order_by(PublishedResult.rank, PublishedResult.state_code))
    for c in ("score_centi", "rank", "category_rank"):
        df[c] = df[c].astype("Int64")
    df["score_display"] = [score_display(v) for v in df["score_centi"]]
    return df


@cached
def published_history(engine: Engine, state_code: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """A State's published scores and ranks month by month (month, score_centi, rank)."""
    df = _df(engine, select(PublishedResult.month, PublishedResult.score_centi, PublishedResult.rank)
             .where(PublishedResult.scheme == scheme, PublishedResult.state_code == state_code)
             .order_by(PublishedResult.month))
    for c in ("score_centi", "rank"):
        df[c] = df[c].astype("Int64")
    return df


def _centi_text(v) -> str | None:
    return None if v is None or pd.isna(v) else f"{int(v) / 100:.2f}"


@cached
def national_summary(engine: Engine, month: str, *, scheme: str = DEFAULT_SCHEME) -> dict:
    """What the national page's table and heat-map show, in one cache entry (a cold click writes one entry,
    not one per read function): {"table": states_table(...), "reconciliation": reconciliation(...),
    "matrix": param_matrix(..., "state")}, the league table read once."""
    table = _uncached(states_table)(engine, month, scheme=scheme)
    return {"table": table, "reconciliation": _reconciliation(engine, month, table, scheme=scheme),
            "matrix": _uncached(param_matrix)(engine, month, "state", scheme=scheme)}


def _uncached(fn):
    """A read function without its `@cached` wrapper: its answer goes into the caller's one cache entry."""
    return getattr(fn, "__wrapped__", fn)


@cached
def reconciliation(engine: Engine, month: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """For every State NCRB published in `month`: published and computed score and rank, the difference
    (published - computed, 2 decimals), `flagged` (0.01 or more) and `explained_by` (the parameters whose
    local figures alone would have to differ to explain it, in words; empty when none can)."""
    return _reconciliation(engine, month, states_table(engine, month, scheme=scheme), scheme=scheme)


def _reconciliation(engine: Engine, month: str, table: pd.DataFrame, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """`reconciliation` from the month's `states_table` already read."""
    pub = _uncached(published_table)(engine, month, scheme=scheme)
    cols = [*RECONCILIATION_COLUMNS, "published_centi", "computed_centi", "flagged", "explained_by"]
    if pub.empty:
        return pd.DataFrame(columns=cols)
    ours = _computed(table)
    names = state_names(engine)
    version = version_for(engine, month, scheme=scheme)
    params = _state_params(engine, month, scheme, list(pub["state_code"]))
    rows = [_reconciled(r, ours.get(r["state_code"]), names, version, params.get(r["state_code"], []))
            for r in pub.to_dict("records")]
    return pd.DataFrame(rows, columns=cols)


def reconciliation_row(engine: Engine, month: str, state_code: str, table: pd.DataFrame, *,
                       scheme: str = DEFAULT_SCHEME) -> dict | None:
    """One State's row of `reconciliation` (None when NCRB published nothing for it in `month`), from the
    month's `states_table` the caller has already read: two small queries instead of every State's."""
    with engine.connect() as conn:
        pub = conn.execute(select(PublishedResult.state_code, PublishedResult.score_centi, PublishedResult.rank)
                           .where(PublishedResult.scheme == scheme, PublishedResult.month == month,
                                  PublishedResult.state_code == state_code)).first()
        if pub is None:
            return None
        name = conn.execute(select(State.name).where(State.code == state_code)).scalar_one_or_none()
    r = {"state_code": state_code, "score_centi": _nullable_int(pub.score_centi), "rank": _nullable_int(pub.rank)}
    own = table[table["state_code"] == state_code]
    computed = _computed(own).get(state_code)
    version = version_for(engine, month, scheme=scheme)
    flagged = computed is not None and is_flagged(r["score_centi"], computed[0])
    params = (_state_params(engine, month, scheme, [state_code]).get(state_code, [])
              if flagged and version is not None else [])
    return _reconciled(r, computed, {state_code: name} if name is not None else {}, version, params)


def _nullable_int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _computed(table: pd.DataFrame) -> dict[str, tuple[int | None, int | None]]:
    """state_code -> (our score_centi, our all-India rank), None where missing."""
    return {code: (None if pd.isna(centi) else int(centi), None if pd.isna(rank) else int(rank))
            for code, centi, rank in zip(table["state_code"].tolist(), table["score_centi"].tolist(),
                                         table["rank_national"].tolist(), strict=True)}


def _reconciled(r: dict, computed: tuple[int | None, int | None] | None, names: dict[str, str], version,
                params: list[dict]) -> dict:
    """A row of `reconciliation` from NCRB's published row `r` (state_code, score_centi, rank) and ours."""
    code = r["state_code"]
    p_centi = None if pd.isna(r["score_centi"]) else int(r["score_centi"])
    c_centi, c_rank = computed if computed is not None else (None, None)
    diff = None if p_centi is None or c_centi is None else p_centi - c_centi
    flagged = is_flagged(p_centi, c_centi)
    explained = ""
    if flagged and version is not None:
        figures = [ParameterFigures(x["parameter"], int(x["numerator"]), int(x["denominator"]),
                                    float(x["weight"]), float(version.parameter(x["parameter"]).target),
                                    bool(x["applicable"]))
                   for x in params if version.parameter(x["parameter"]) is not None]
        found = explain_difference(figures, diff / 100)
        named = {p.id: p.name for p in version.parameters}
        explained = "; ".join(f"{named.get(e.parameter, e.parameter)}: {e.numerator_needed:,} of "
                              f"{e.denominator:,} instead of {e.numerator:,}" for e in found)
    return {
        "state_code": code, "state_name": names.get(code, code),
        "published_score": _centi_text(p_centi), "computed_score": _centi_text(c_centi),
        "difference": None if diff is None else f"{diff / 100:+.2f}".replace("-", "−"),
        "published_rank": None if pd.isna(r["rank"]) else int(r["rank"]), "computed_rank": c_rank,
        "published_centi": p_centi, "computed_centi": c_centi, "flagged": flagged, "explained_by": explained,
    }


def _state_params(engine: Engine, month: str, scheme: str, codes: list[str]) -> dict[str, list[dict]]:
    df = _df(engine, select(ResultParam.unit_code, ResultParam.parameter, ResultParam.numerator,
                            ResultParam.denominator, ResultParam.weight, ResultParam.applicable)
             .where(ResultParam.scheme == scheme, ResultParam.month == month, ResultParam.level == "state",
                    ResultParam.unit_code.in_(codes)))
    out: dict[str, list[dict]] = {}
    for r in df.to_dict("records"):
        out.setdefault(r["unit_code"], []).append(r)
    return out


def reconciliation_words(row: dict) -> str:
    """ "NCRB published 99.99; our data gives 99.97: −0.02" (+ what would explain it)."""
    text = (f"NCRB published {row['published_score']}; our data gives {row['computed_score']}: "
            f"{row['difference']}")
    if row.get("explained_by"):
        text += f" (would be explained by {row['explained_by']})"
    return text


@cached
def state_scheme_ranks(engine: Engine, month: str, state_code: str) -> list[dict]:
    """The State's standing in each scheme in `month`, side by side: scheme, short, name, score_display,
    rank_national, ranked (States ranked), published (NCRB's score, if any)."""
    return _state_scheme_ranks(engine, month, state_code)


def _state_scheme_ranks(engine: Engine, month: str, state_code: str) -> list[dict]:
    # two small queries for every scheme at once (the State rows of the month, NCRB's rows of the State)
    # instead of each scheme's league table and published table; the schemes named, because `scheme`
    # leads both indexes of result_units (without it the query scans every month of every level)
    known = schemes(engine)
    with engine.connect() as conn:
        units = conn.execute(select(ResultUnit.scheme, ResultUnit.unit_code, ResultUnit.score_centi,
                                    ResultUnit.rank_national)
                             .join(State, State.code == ResultUnit.unit_code)
                             .where(ResultUnit.scheme.in_([s["id"] for s in known]), ResultUnit.month == month,
                                    ResultUnit.level == "state")).all()
        pub = {row.scheme: row for row in conn.execute(
            select(PublishedResult.scheme, PublishedResult.score_centi, PublishedResult.rank)
            .join(State, State.code == PublishedResult.state_code)
            .where(PublishedResult.month == month, PublishedResult.state_code == state_code))}
    ranked: dict[str, int] = {}
    own: dict[str, tuple] = {}
    for row in units:
        if row.rank_national is not None:
            ranked[row.scheme] = ranked.get(row.scheme, 0) + 1
        if row.unit_code == state_code:
            own[row.scheme] = row
    out = []
    for s in known:
        row, pub_row = own.get(s["id"]), pub.get(s["id"])
        out.append({
            "scheme": s["id"], "short": s["short"], "name": s["name"], "name_hi": s["name_hi"],
            "score_display": None if row is None else score_display(_nullable_int(row.score_centi)),
            "rank_national": None if row is None else _nullable_int(row.rank_national),
            "ranked": ranked.get(s["id"], 0),
            "published": None if pub_row is None else score_display(_nullable_int(pub_row.score_centi)),
            "published_rank": None if pub_row is None else _nullable_int(pub_row.rank),
        })
    return out


def scheme_provenance(engine: Engine, month: str | None, *, scheme: str = DEFAULT_SCHEME) -> str:
    """The provenance of the methodology version in force (for footers): "CCTNS Pragati pragati-2025,
    reconstructed from public reports"."""
    m = methodology(engine, scheme=scheme)
    v = m.version_for(month) if month else (m.versions[-1] if m.versions else None)
    if v is None:
        return m.scheme_name
    return f"{m.scheme_name} methodology {v.id}, {v.provenance_text}"
