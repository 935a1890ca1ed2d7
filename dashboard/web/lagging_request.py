"""A request for the lagging list, resolved once for the page and for its download.

The lagging page's callback and `GET /download/lagging` resolve the request the same way (`resolve`) and
build the table with the same functions (`dashboard.read.lagging_list` -> `lagging_table`), so the CSV /
XLSX hold exactly the rows shown, with the same filters and order. Scope is checked on the server from the
signed-in user; refused requests are audited (`scope_violation`, and the route adds a `download` row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from dashboard import read
from dashboard.display import peer_words
from dashboard.read import LaggingFilters, clean_filters, filter_lagging, lagging_list, valid_month
from dashboard.scope import OutOfScope, Scope
from dashboard.web.auth import request_engine, require_scope
from layouts.lagging import clean_query
from metrics.methodology import DEFAULT_SCHEME

DOWNLOAD_PATH = "/download/lagging"
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
RESOLVED_KEYS = ("month", "state", "district", "parameter", "reason", "peer", "scheme")  # Resolved.query()


# --- resolving a request -----------------------------------------------------------------------------------


class Refused(Exception):
    """A request for units outside the user's scope (already audited)."""


@dataclass
class Resolved:
    month: str | None
    state: str | None
    district: str | None
    filters: LaggingFilters
    months: list[str] = field(default_factory=list)
    state_name: str | None = None
    district_name: str | None = None
    scheme: str = DEFAULT_SCHEME  # a stored ranking scheme (checked by `resolve`)

    def query(self) -> dict[str, str | None]:
        """The request as URL parameters; the scheme left out for the default (CCTNS), as in every link."""
        return {"month": self.month, "state": self.state, "district": self.district,
                "parameter": self.filters.parameter, "reason": self.filters.reason, "peer": self.filters.peer,
                "scheme": None if self.scheme == DEFAULT_SCHEME else self.scheme}

    @property
    def what(self) -> str:
        where = f"lagging list {self.state or '?'}/{self.district or '*'} {self.month or '?'}"
        return where if self.scheme == DEFAULT_SCHEME else f"{where} {self.scheme}"


def resolve(query: dict[str, Any], sc: Scope, *, strict: bool = False) -> Resolved:
    """Month, State, district and filters for the user. State/district users default to their own State
    (and district); anything outside the scope raises Refused after auditing it. `strict` (downloads):
    a district user must name their district; no silent narrowing of a whole-State request."""
    eng = request_engine()
    q = clean_query(**{k: query.get(k) for k in RESOLVED_KEYS})
    scheme = read.valid_scheme(q["scheme"], read.scheme_ids(eng))
    months = read.months(eng, scheme=scheme)
    month = valid_month(q["month"], months) or (None if strict else (months[-1] if months else None))
    state = q["state"]
    district = q["district"]
    if state is None and district is not None:  # a district names its State
        info = read.unit_info(eng, "district", district)
        state = info["state_code"] if info else None
    if sc.role != "national":
        if state is None and not strict:
            state = sc.state_code
        if sc.role == "district" and district is None and not (strict and q["state"] is not None):
            district = sc.district_code if state == sc.state_code else None
    if state is not None:
        allowed = sc.can_see_district(state, district) if district else sc.can_see_state_stations(state)
        if not allowed:
            what = f"lagging list {state}/{district or '*'}"
            try:
                require_scope(False, what)
            except OutOfScope as exc:
                raise Refused(what) from exc
    names = read.state_names(eng)
    if state is not None and state not in names:
        state = None
    district_name = None
    if state is not None and district is not None:
        info = read.unit_info(eng, "district", district)
        if info is None or info["state_code"] != state:
            if strict:  # a download naming a district of another State is a crafted request: refuse, log
                what = f"lagging list {state}/{district} (district not in that State)"
                try:
                    require_scope(False, what)
                except OutOfScope as exc:
                    raise Refused(what) from exc
            district = None
        else:
            district_name = info["name"]
    version = read.version_for(eng, month, scheme=scheme) if month else None
    f = clean_filters({"parameter": q["parameter"], "reason": q["reason"], "peer": q["peer"]}, version)
    return Resolved(month, state, district, LaggingFilters(district=district, parameter=f.parameter,
                                                          reason=f.reason, peer=f.peer),
                    months, names.get(state) if state else None, district_name, scheme)


def build(r: Resolved, sc: Scope, *, worded: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(all lagging stations of the State/district, the filtered list shown) for a resolved request
    (`worded=False`: without reasons and actions in words, for a page that words the rows it shows)."""
    if r.month is None or r.state is None:
        empty = lagging_list_empty()
        return empty, empty
    full = lagging_list(request_engine(), r.month, sc, r.state, r.district, scheme=r.scheme, worded=worded)
    shown = filter_lagging(full, r.filters) if not full.empty else full
    if not shown.empty:  # the peer group as it reads (filtered on the stored English label above)
        shown = shown.assign(peer_group=shown["peer_group"].map(peer_words))
    return full, shown


def lagging_list_empty() -> pd.DataFrame:
    return read.empty_lagging()


def download_href(r: Resolved, fmt: str) -> str:
    params = {k: v for k, v in r.query().items() if v}
    params["format"] = fmt
    return f"{DOWNLOAD_PATH}?{urlencode(params)}"


