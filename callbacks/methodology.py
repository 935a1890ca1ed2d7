"""Methodology page callbacks: the stored methodology (dashboard.read.methodology), the version in force
for the month, and any other version picked in the URL (?version=)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from callbacks.common import cached_callback, engine, valid_month
from callbacks.unit_common import keeps_scheme
from dashboard.display import month_label, parameter_text, provenance_words, scheme_name_text
from dashboard.i18n import N_, Translated
from dashboard.i18n import gettext as _
from layouts.components import empty_state, page_href
from layouts.methodology import clean_query, ids, rules_list
from metrics.methodology import Methodology, Version, previous_month

NOW = N_("now")
LEVEL_WORDS = Translated({"station": N_("Police station"), "state": N_("State")})
KIND_WORDS = Translated({"count": N_("count"), "days": N_("days"), "flag": N_("yes / no")})


def register(app: dash.Dash) -> None:
    cached_callback(
        app,
        Output(ids.SUBTITLE, "children"),
        Output(ids.VERSIONS, "children"),
        Output(ids.SUMMARY, "children"),
        Output(ids.PARAMETERS, "children"),
        Output(ids.RULES, "children"),
        Input(ids.QUERY, "data"),
    )(update_page)


def _pct(x: Fraction) -> str:
    return f"{float(x) * 100:.1f}%"


def _num(x: Fraction) -> str:
    return f"{float(x):g}"


def resolve(query: Any) -> tuple[Methodology | None, Version | None, Version | None, str | None]:
    """(methodology, version shown, version in force for the month, month)."""
    from dashboard import read

    eng = engine()
    q = clean_query(**(query if isinstance(query, dict) else {}))
    scheme = read.valid_scheme(q["scheme"], read.scheme_ids(eng))
    try:
        meth = read.methodology(eng, scheme=scheme)
    except LookupError:
        return None, None, None, None
    months = read.months(eng, scheme=scheme)
    month = valid_month(q["month"], months) or (months[-1] if months else None)
    in_force = meth.version_for(month) if month else meth.versions[-1]
    shown = (meth.version(q["version"]) if q["version"] else None) or in_force or meth.versions[-1]
    return meth, shown, in_force, month


def until(meth: Methodology, version: Version) -> str | None:
    later = [v.effective_from for v in meth.versions if v.effective_from > version.effective_from]
    return previous_month(min(later)) if later else None


def version_nav(meth: Methodology, shown: Version, in_force: Version | None, month: str | None) -> dbc.Nav:
    items = []
    for v in reversed(meth.versions):
        label = [v.id, html.Span(_(" in force"), className="badge text-bg-success ms-1")
                 if in_force is not None and v.id == in_force.id else None]
        items.append(dbc.NavItem(dbc.NavLink(label, href=page_href(
            "/methodology", month, version=v.id, scheme=None if meth.scheme == "cctns" else meth.scheme),
            active=v.id == shown.id)))
    return dbc.Nav(items, pills=True, className="category-tabs version-tabs")


def summary(meth: Methodology, v: Version, in_force: Version | None, month: str | None) -> dbc.Card:
    end = until(meth, v)
    station = v.station_parameters
    state = v.state_parameters
    total = sum((p.weight for p in v.parameters), Fraction(0))
    facts = [
        html.Span([_("In force") + " ", html.B(f"{month_label(v.effective_from)} – "
                                                 f"{month_label(end) if end else _(NOW)}")]),
        html.Span([html.B(str(len(v.parameters))), " " + _("parameters: {station} per police station, {state} per "
                                                           "State").format(station=len(station), state=len(state))]),
        html.Span([_("Total weight") + " ", html.B(_num(total))]),
        html.Span([_("Lagging below") + " ", html.B(_num(v.lagging_score_below))]),
        html.Span([_("Critical below") + " ", html.B(f"{float(v.critical_achievement_below):.0%}"),
                   " " + _("of target")]),
        html.Span([html.B(str(sum(p.critical for p in v.parameters))), " " + _("critical parameters")]),
    ]
    note = None
    if in_force is not None and v.id != in_force.id:
        note = dbc.Alert([_("This is not the version in force for {month} ({version}).").format(
                              month=month_label(month), version=in_force.id) + " ",
                          dcc.Link(_("Show the version in force"), href=page_href("/methodology", month))],
                         color="info", className="py-2 mb-2")
    return dbc.Card(dbc.CardBody([
        html.H2(f"{scheme_name_text(meth)}: {parameter_text(v, 'title')}", className="panel-title mb-2"),
        provenance_note(v),
        note,
        html.Div(facts, className="method-facts mb-0"),
    ]), className="panel")


def provenance_note(v: Version) -> dbc.Alert:
    """Where the version comes from: NCRB's circular (date and reference) or our reconstruction from public
    reports, which NCRB has not published; never presented as NCRB's own when it is not."""
    if v.provenance == "notified":
        body = [html.B(_("As notified by NCRB")), " " + _("on {date}, {reference}.").format(
            date=v.notified_on, reference=v.reference)]
        color = "success"
    else:
        body = [html.B(_("Reconstructed from public reports")),
                " — " + _("NCRB does not publish its parameter list or weights; this version is the project's "
                          "reconstruction from press reports and official statements, not NCRB's own document. "
                          "Load NCRB's circular as a new version when the State receives it.")]
        color = "warning"
    # the alert's own link colour (Bootstrap's alert-link): the plain link blue is 4.06:1 on the warning yellow
    sources = [html.Li(html.A(src, href=src, rel="noopener noreferrer", target="_blank", className="alert-link fw-normal")
                       if src.startswith(("https://", "http://")) else src) for src in v.sources]
    if sources:
        body.append(html.Details([html.Summary(_("Sources ({n})").format(n=len(sources))), html.Ul(sources, className="mb-0")],
                                 className="mt-1"))
    return dbc.Alert(body, color=color, className="provenance-note py-2 mb-2")


def parameter_table(v: Version) -> html.Div:
    if not v.parameters:
        return empty_state(_("This version has no parameters"))
    total = sum((p.weight for p in v.parameters), Fraction(0))
    station_total = sum((p.weight for p in v.station_parameters), Fraction(0))
    header = html.Thead(html.Tr([
        html.Th(_("Parameter"), scope="col"), html.Th(_("Level · kind"), scope="col"),
        html.Th(_("Numerator / denominator"), scope="col"),
        html.Th(_("Weight"), scope="col", className="num"), html.Th(_("Share"), scope="col", className="num",
                                                                  title=_("Share of a State's score when every "
                                                                        "parameter applies")),
        html.Th(_("Target"), scope="col", className="num"), html.Th(_("Critical"), scope="col"),
    ]))
    rows: list = []
    heads: dict[str, list] = {}
    for p in v.parameters:
        heads.setdefault(parameter_text(p, "head"), []).append(p)
    for head, params in heads.items():
        head_weight = sum((p.weight for p in params), Fraction(0))
        rows.append(html.Tr([html.Td(head, colSpan=3), html.Td(_num(head_weight), className="num"),
                             html.Td(_pct(head_weight / total) if total else "–", className="num"),
                             html.Td(""), html.Td("")], className="head-row"))
        for p in params:
            share = _pct(p.weight / total) if total else "–"
            station_share = (" · " + _("{share} of a station's").format(share=_pct(p.weight / station_total))
                             if p.level == "station" and station_total else "")
            rows.append(html.Tr([
                html.Td([html.Div(parameter_text(p), className="fw-semibold"), html.Div(p.id, className="def")]),
                html.Td([LEVEL_WORDS.get(p.level, p.level), html.Div(KIND_WORDS.get(p.kind, p.kind), className="def")]),
                html.Td([html.Div(parameter_text(p, "numerator") or "–"),
                         html.Div(["÷ ", parameter_text(p, "denominator") or "–"], className="def")]),
                html.Td(_num(p.weight), className="num"),
                html.Td([share, html.Div(station_share.strip(" ·"), className="def")] if station_share else share,
                        className="num"),
                html.Td(f"{_num(p.target)}%", className="num"),
                html.Td(html.Span(_("critical"), className="badge badge-critical") if p.critical else ""),
            ]))
    rows.append(html.Tr([html.Td(html.B(_("Total")), colSpan=3), html.Td(html.B(_num(total)), className="num"),
                         html.Td(html.B("100.0%"), className="num"), html.Td(""), html.Td("")]))
    return html.Div(dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, className="method-table mb-0"),
                    className="table-responsive-wrap")


@keeps_scheme
def update_page(query: Any):
    meth, shown, in_force, month = resolve(query)
    if meth is None or shown is None:
        empty = empty_state(_("No methodology stored"), _("Run `cctns init-db` to store the default catalogue."))
        return _("No methodology stored"), None, empty, empty, rules_list()
    subtitle = (f"{scheme_name_text(meth)} · " + _("Version in force for {month}: {version}").format(
        month=month_label(month), version=in_force.id) + f" ({provenance_words(in_force)})"
                if in_force is not None and month
                else f"{scheme_name_text(meth)} · " + _("{n} version(s)").format(n=len(meth.versions)))
    rules = rules_list(_num(shown.lagging_score_below),
                       _("{pct} of target").format(pct=f"{float(shown.critical_achievement_below):.0%}"))
    return (subtitle, version_nav(meth, shown, in_force, month), summary(meth, shown, in_force, month),
            parameter_table(shown), rules)
