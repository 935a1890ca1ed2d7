"""Conference mode: one callback fills the whole deck when the page opens (scope checked on the
server); everything after that runs in the browser (assets/present.js) with no request."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State
from sqlalchemy import Engine

from callbacks.common import cached_callback, engine, query_strings, scope, valid_month
from callbacks.shell import follow_theme
from callbacks.unit_common import query_scheme, scheme_param
from dashboard.i18n import gettext as _
from dashboard.read import cached
from dashboard.scope import Scope
from layouts.components import page_href
from layouts.present import (
    CHART_KEYS,
    chart_id,
    clean_query,
    download_links,
    ids,
    message_slide,
    part_ranges,
    part_slots,
    render_slides,
)
from layouts.shell import ids as shell_ids
from layouts.slides import Slide
from metrics.methodology import DEFAULT_SCHEME


def register(app: dash.Dash) -> None:
    cached_callback(
        app,
        Output(ids.STAGE, "children"),
        Output(ids.DOWNLOADS, "children"),
        Output(ids.EXIT, "href"),
        Input(ids.QUERY, "data"),
        State(shell_ids.THEME_STORE, "data"), actions=True)(load_deck)
    for k, part in enumerate(ids.PARTS, start=1):
        cached_callback(
            app,
            Output(part, "children"),
            Input(part, "id"),  # fires when load_deck puts the container on the stage
            State(ids.QUERY, "data"),
            State(shell_ids.THEME_STORE, "data"), actions=True)(_part_loader(k))
    follow_theme(app, *[chart_id(k) for k in CHART_KEYS])


def resolve_request(query: Any, user_scope, months: list[str]) -> tuple[str | None, str | None, str | None]:
    """(month, state, district) asked for; a page opened without a unit shows the user's own unit."""
    q = clean_query(**query_strings(query, ("month", "state", "district")))
    month = valid_month(q["month"], months) or (months[-1] if months else None)
    state, district = q["state"], q["district"]
    if not state and not district:
        state, district = user_scope.state_code, user_scope.district_code
    return month, state, district


def load_deck(query: Any, theme: Any) -> tuple[Any, Any, str]:
    from dashboard import read
    from dashboard.reports import ReviewError
    from dashboard.scope import OutOfScope
    from dashboard.web import audit_request

    eng = engine()
    user_scope = scope()
    scheme = query_scheme(query)
    link = scheme_param(scheme)  # every link of the deck keeps the scheme
    months = read.months(eng, scheme=scheme)
    month, state, district = resolve_request(query, user_scope, months)
    if month is None:
        return message_slide(_("No data yet"), _("No month has results yet: import a month's figures first.")), [], "/"
    if not state and not district:
        names = read.state_names(eng)
        links = [(name, page_href("/present", month, state=code, scheme=link))
                 for code, name in sorted(names.items(), key=lambda kv: kv[1])]
        return (message_slide(_("Choose a State/UT"), _("Open the review deck of:"), links), [],
                page_href("/", month, scheme=link))
    try:
        deck, deck_stamp, downloads, exit_href = deck_for(eng, month, user_scope, state or "", district, scheme)
        start, end = part_ranges(len(deck))[0]
        return render_slides(deck, deck_stamp, theme == "dark", start, end) + part_slots(), downloads, exit_href
    except OutOfScope:
        audit_request("scope_violation", f"present month={month} state={state} district={district} scheme={scheme}")
        own = [(_("Your own review"), page_href("/present", month, state=user_scope.state_code,
                                             district=user_scope.district_code, scheme=link))
               ] if user_scope.state_code else []
        return (message_slide(_("Not available"), _("This review is outside what your account may see."), own), [],
                page_href("/", month, scheme=link))
    except ReviewError as exc:
        return message_slide(_("No review"), str(exc)), [], page_href("/", month, scheme=link)


def _part_loader(k: int) -> Any:
    def load_part(_part_id: Any, query: Any, theme: Any) -> list[Any]:
        return deck_part(k, query, theme)

    load_part.__name__ = f"load_deck_part_{k + 1}"
    return load_part


def deck_part(k: int, query: Any, theme: Any) -> list[Any]:
    """The `k`-th run of slides after the first (`part_ranges`), from the same cached deck as the stage's
    answer; nothing outside the user's scope (audited), nothing when there is no deck."""
    from dashboard.reports import ReviewError
    from dashboard.scope import OutOfScope
    from dashboard.web import audit_request

    eng = engine()
    user_scope = scope()
    scheme = query_scheme(query)
    month, state, district = resolve_request(query, user_scope, read_months(eng, scheme))
    if month is None or (not state and not district):
        return []
    try:
        deck, deck_stamp, _downloads, _exit = deck_for(eng, month, user_scope, state or "", district, scheme)
    except OutOfScope:
        audit_request("scope_violation", f"present part {k + 1} month={month} state={state} district={district} "
                                         f"scheme={scheme}")
        return []
    except ReviewError:
        return []
    start, end = part_ranges(len(deck))[k]
    return render_slides(deck, deck_stamp, theme == "dark", start, end)


def read_months(eng: Engine, scheme: str) -> list[str]:
    from dashboard import read

    return read.months(eng, scheme=scheme)


@cached
def deck_for(eng: Engine, month: str, user_scope: Scope, state: str, district: str | None,
             scheme: str = DEFAULT_SCHEME) -> tuple[list[Slide], str, Any, str]:
    """The deck's slides (as data: each answer renders only its own part, in the user's theme), their
    footer stamp, the download links and the exit link; kept in the shared cache (keyed by the user's scope
    and the results generation), so a hall full of officers opening the same deck builds it once."""
    from dashboard.reports import LAGGING_TOP, build_review, slides, stamp

    review = build_review(eng, month, user_scope, state, district, scheme=scheme, lagging_rows=LAGGING_TOP,
                          deck=True)
    link = scheme_param(scheme)
    exit_href = page_href(f"/district/{review.district_code}" if review.district_code else f"/state/{review.state_code}",
                          month, scheme=link)
    return slides(review), stamp(review), download_links(month, review.state_code, review.district_code, link), exit_href
