"""Methodology page: the version in force for the month and the other versions (heads, parameters,
definitions, weights and weight shares, targets, critical flags, level and kind), the scoring rules in plain
words, and the worked example of metrics/RULES.md as tables.

The skeleton here does no I/O; callbacks/methodology.py fills it from the methodology stored in the
database. The rules and the worked example are fixed text (the contract in metrics/RULES.md), written
here so that nothing is read from files at run time. URL: /methodology?month=&version=
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, loading, page_header
from metrics.methodology import is_month


class ids:
    QUERY = "methodology-query"
    SUBTITLE = "methodology-subtitle"
    VERSIONS = "methodology-versions"
    SUMMARY = "methodology-summary"
    PARAMETERS = "methodology-parameters"
    RULES = "methodology-rules"
    EXAMPLE = "methodology-example"


def clean_query(month: object = None, version: object = None, scheme: object = None,
                **_unknown: object) -> dict[str, str | None]:
    from metrics.methodology import SCHEME_ID_RE

    ok = isinstance(version, str) and 0 < len(version) <= 60 and all(c.isalnum() or c in "-_." for c in version)
    return {"month": month if isinstance(month, str) and is_month(month) else None,
            "version": version if ok else None,
            "scheme": scheme if isinstance(scheme, str) and SCHEME_ID_RE.match(scheme) else None}


def rules_list(lagging_below: str = N_("the version's lagging line"),
               critical_below: str = N_("its critical line")) -> html.Ol:
    """The twelve rules of metrics/RULES.md in plain words (numbers from the version shown)."""
    lagging_below, critical_below = _(lagging_below), _(critical_below)
    f = lambda t: html.Span(t, className="formula")  # noqa: E731
    items: list[tuple[str, list[Any]]] = [
        (_("Version in force."), [_("A month is scored with the latest methodology version that took effect on or "
                               "before it. A parameter that is not in that version does not count that month.")]),
        (_("Pooled values."), [_("A district's or State's value for a station-level parameter pools its active "
                            "stations' counts: "), f(_("value = 100 × sum of numerators ÷ sum of denominators")),
                            _(". Percentages are never averaged.")]),
        (_("Missing rows."), [_("An active station that sent no row counts as 0 of the month's days for a "), html.Em(_("days")),
                           _(" parameter, and 0 of 1 for a "), html.Em(_("flag")), _(" parameter. For a "), html.Em(_("count")),
                           _(" parameter it is left out of the pool. Stations not yet opened, or closed, are "
                           "always left out.")]),
        (_("Not applicable."), [_("If the pooled denominator is 0 (or a State sent no State-level row, or a 0 "
                             "denominator), the parameter is not applicable to that unit that month: it earns no "
                             "marks and its weight is left out.")]),
        (_("Achievement and marks."), [f(_("achievement = min(value ÷ target, 1)")), "; ",
                                    f(_("marks = weight × achievement")), _(". Beating the target earns nothing extra.")]),
        (_("Score."), [_("A State's score uses every applicable parameter of both levels; a district's or station's only "
                    "the station-level ones: "), f(_("score = 100 × sum of marks ÷ sum of applicable weights")),
                    _(". A unit with no applicable parameter has no score (\u201cno data\u201d), never 100.")]),
        (_("Rounding."), [_("The published score is the exact score rounded half up to 2 decimals (99.995 → 100.00), "
                       "computed exactly, so no rounding boundary is ever flipped.")]),
        (_("Ranks."), [_("Competition ranks (\u201c1224\u201d) on the published score, highest first: equal "
                    "published scores share a rank and the next rank is skipped. Ranked among all States/UTs, "
                    "within a category, districts within their State, stations within their district and State. "
                    "Units with no score are listed after the ranked ones, unranked.")]),
        (_("Rank change."), [f(_("last month's rank − this month's rank")), _(" in the same list; positive means the unit "
                          "moved up. None when either month has no rank.")]),
        (_("Marks lost."), [_("For each applicable parameter: "), f(_("100 × (weight − marks) ÷ sum of applicable weights")),
                         _(". The marks lost over all parameters add up exactly to 100 − score.")]),
        (_("Marks at stake."), [_("For a station: raise each of its rows to its target ("),
                             f(_("numerator′ = max(numerator, min(denominator, ⌈target × denominator ÷ 100⌉))")),
                             _(", missing days/flag rows standing in as in rule 3) and recompute. The rise in the "
                             "State's exact score is the station's marks at stake, shown to 3 decimals; the same is "
                             "done for each parameter alone, and against the district's score.")]),
        (_("Lagging stations."), [_("An active station is lagging when it sent no row at all this month (not "
                               "reported), or its exact score is below "), html.B(lagging_below),
                               _(", or its achievement on a critical parameter is below "), html.B(critical_below),
                               _(". Every reason that holds is shown; lists are ordered by marks at stake, largest "
                               "first.")]),
    ]
    return html.Ol([html.Li([html.Strong(title + " "), *body]) for title, body in items], className="rules-list")


# The worked example of metrics/RULES.md, as data.
EXAMPLE_PARAMETERS = [
    ("a", N_("station"), N_("count"), "6", "100%", N_("yes")),
    ("b", N_("station"), N_("days"), "3", "98%", N_("no")),
    ("c", N_("state"), N_("count"), "1", "100%", N_("no")),
]
EXAMPLE_ROWS = [
    (N_("State XX"), "D1: S1, S2 · D2: S3", N_("S1: a 45/50, b 28/28 · S2: a 0/0, b 20/28 · S3: no rows · XX: c 8/10")),
    (N_("State YY"), "D3: S4", "S4: a 30/30, b 27/28 · YY: c 10/10"),
]
EXAMPLE_SCORES = [
    ("XX", "27266/343 = 79.4927…", "79.49", N_("2 of 2 States")),
    ("YY", "34135/343 = 99.5189…", "99.52", N_("1 of 2 States")),
    ("D1", "30580/343 = 89.1545…", "89.15", N_("1 in XX")),
    ("D2", N_("0 (only b applies, imputed 0/28)"), "0.00", N_("2 in XX")),
    ("S1", "93.3333…", "93.33", N_("1 in D1, 1 in XX")),
    ("S2", N_("72.8862… (a not applicable)"), "72.89", N_("2 in D1, 2 in XX")),
    ("S3", N_("0 (not reported)"), "0.00", N_("1 in D2, 3 in XX")),
]
EXAMPLE_MARKS_LOST = [("a", "6.000"), ("b", "12.507"), ("c", "2.000"), (N_("total"), "20.507 = 100 − 79.493")]
EXAMPLE_LAGGING = [
    ("S3", N_("not reported; low score"), "+10.204"),
    ("S2", N_("low score"), "+2.915"),
]


def _table(header: list[str], rows: list[tuple], num_cols: tuple[int, ...] = ()) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(_(h), className="num" if i in num_cols else None, scope="col")
                               for i, h in enumerate(header)]))
    body = html.Tbody([html.Tr([html.Td(_(v) if isinstance(v, str) else v, className="num" if i in num_cols else None)
                                for i, v in enumerate(r)]) for r in rows])
    return dbc.Table([head, body], size="sm", bordered=False, hover=True, className="method-table mb-0")


def worked_example() -> html.Div:
    return html.Div([
        html.P([_("One version, effective 2020-01, lagging below 90, critical below 0.8; month 2023-02 (28 days). "
                  "Two States: XX (district D1 with stations S1 and S2, district D2 with S3) and YY (district D3 "
                  "with S4).")], className="mb-2"),
        html.Div([
            html.Div([html.H3(_("Parameters"), className="h6"),
                      _table([N_("Parameter"), N_("Level"), N_("Kind"), N_("Weight"), N_("Target"), N_("Critical")], EXAMPLE_PARAMETERS,
                             (3, 4))]),
            html.Div([html.H3(_("Rows received"), className="h6"),
                      _table([N_("State"), N_("Districts: stations"), N_("Rows")], EXAMPLE_ROWS)]),
        ], className="example-grid mb-3"),
        html.H3(_("Scores and ranks"), className="h6"),
        _table([N_("Unit"), N_("Score (exact)"), N_("Published"), N_("Rank")], EXAMPLE_SCORES, (2,)),
        html.Div([
            html.Div([html.H3(_("Marks lost by XX"), className="h6 mt-3"),
                      _table([N_("Parameter"), N_("Marks lost")], EXAMPLE_MARKS_LOST, (1,))]),
            html.Div([html.H3(_("Lagging stations in XX"), className="h6 mt-3"),
                      _table([N_("Station"), N_("Reasons"), N_("Marks at stake (XX)")], EXAMPLE_LAGGING, (2,)),
                      html.P(_("S1 is not lagging: 93.33, and its critical parameter a is at 0.9 of target."),
                             className="small text-body-secondary mt-1 mb-0")]),
        ], className="example-grid"),
    ])


def layout(month: str | None = None, version: str | None = None, **_other: object) -> html.Div:
    q = clean_query(month, version, _other.get("scheme"))
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(_("Methodology"), html.Span("", id=ids.SUBTITLE),
                        html.Nav(html.Div(id=ids.VERSIONS), **{"aria-label": _("Methodology versions")})),
            loading(html.Div(id=ids.SUMMARY)),
            card(_("Parameters, weights and targets"), loading(html.Div(id=ids.PARAMETERS)),
                 subtitle=_("Grouped by head. Weight share: the parameter's share of a State's score when every "
                          "parameter applies (and of a station's or district's score, for station-level ones).")),
            card(_("The rules in plain words"), html.Div(rules_list(), id=ids.RULES),
                 subtitle=_("Every score, rank and marks figure in the dashboard, its exports and packs is computed "
                          "exactly this way.")),
            card(_("Worked example"), worked_example(),
                 subtitle=_("A hand-computed case the scoring engine is tested against.")),
        ],
        className="page-methodology",
    )
