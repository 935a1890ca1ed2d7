"""Conference mode: `/present?month=…&state=…[&district=…]`, a full-screen 16:9 slide deck.

Pure layout. `layout(**query)` returns the frame (stage, controls); `callbacks/present.py` fills the
stage once on open with `render_slides(...)` from `dashboard.reports.deck.slides(review)`. Navigation, the
slide counter, auto-advance, full screen and the theme toggle run in `assets/present.js` with no
request to the server, so a presentation never depends on the network or the session after it opens.
The shell's navbar, context bar and footer are hidden while the deck is on the page (assets/present.css).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.display import month_label
from dashboard.i18n import gettext as _
from layouts.components import page_href
from layouts.slides import Chart, Kpis, Slide, Table, Text
from metrics.methodology import SCHEME_ID_RE, is_month

CHART_KEYS = ("trend", "rank", "why", "lost")
AUTO_SECONDS = (10, 20, 30, 60)


class ids:
    DECK = "deck"
    QUERY = "deck-query"
    STAGE = "deck-stage"
    CONTROLS = "deck-controls"
    COUNTER = "deck-counter"
    LIVE = "deck-live"
    AUTO = "deck-auto"
    AUTO_SECONDS = "deck-auto-seconds"
    DOWNLOADS = "deck-downloads"
    EXIT = "deck-exit"
    # the slides after the first part arrive in answers of their own (each <= 150 KB, issue 15), all of
    # them when the deck opens: presenting still makes no request
    PARTS = ("deck-part-2", "deck-part-3", "deck-part-4")


def part_ranges(n: int) -> list[tuple[int, int]]:
    """The deck's `n` slides cut into 1 + len(ids.PARTS) runs of consecutive slides, as equal as can be
    (the first run is the one the stage's own answer brings)."""
    parts = 1 + len(ids.PARTS)
    size, extra = divmod(n, parts)
    out, start = [], 0
    for k in range(parts):
        end = start + size + (1 if k < extra else 0)
        out.append((start, end))
        start = end
    return out


def part_slots() -> list[html.Div]:
    """The empty containers the later parts of the deck are answered into (`display: contents`: their
    slides sit on the stage like the first part's)."""
    return [html.Div(id=part, className="deck-part") for part in ids.PARTS]


def chart_id(key: str) -> str:
    return f"deck-chart-{key}"


def _code(value: object, pattern_len: tuple[int, int]) -> str | None:
    """An upper-case unit code of sane shape, or None (the server checks it against the database)."""
    if not isinstance(value, str):
        return None
    v = value.strip().upper()
    ok = pattern_len[0] <= len(v) <= pattern_len[1] and all(c.isalnum() or c == "-" for c in v)
    return v if ok else None


def clean_query(month: object = None, state: object = None, district: object = None, scheme: object = None,
                **_unknown: object) -> dict:
    return {
        "month": month if isinstance(month, str) and is_month(month) else None,
        "state": _code(state, (2, 8)),
        "district": _code(district, (3, 24)),
        "scheme": scheme if isinstance(scheme, str) and SCHEME_ID_RE.match(scheme) else None,
    }


def _button(label: str, action: str, title: str, **extra: Any) -> html.Button:
    return html.Button(label, type="button", className="deck-btn", title=title,
                       **{"data-deck-action": action, "aria-label": title, **extra})


def controls() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    _button(_("First"), "first", _("First slide (Home)")),
                    _button("◀", "prev", _("Previous slide (←, Page Up)")),
                    html.Span("– / –", id=ids.COUNTER, className="deck-counter", **{"aria-hidden": "true"}),
                    _button("▶", "next", _("Next slide (→, Page Down, Space)")),
                    _button(_("Last"), "last", _("Last slide (End)")),
                ],
                className="deck-group",
            ),
            html.Div(
                [
                    html.Button(_("Auto: off"), id=ids.AUTO, type="button", className="deck-btn deck-auto",
                                title=_("Advance automatically (A)"),
                                **{"data-deck-action": "auto", "aria-pressed": "false",
                                   "data-label-on": _("Auto: on"), "data-label-off": _("Auto: off")}),
                    html.Label(_("Seconds per slide"), htmlFor=ids.AUTO_SECONDS, className="visually-hidden"),
                    html.Select([html.Option(_("{n} s").format(n=s), value=str(s), selected=s == 20) for s in AUTO_SECONDS],
                                id=ids.AUTO_SECONDS, className="deck-select", title=_("Seconds per slide")),
                    _button(_("Theme"), "theme", _("Light or dark theme (T)")),
                    _button(_("Full screen"), "fullscreen", _("Full screen (F)")),
                ],
                className="deck-group",
            ),
            html.Div([html.Span(id=ids.DOWNLOADS, className="deck-downloads"),
                      html.A(_("Exit"), id=ids.EXIT, href="/", className="deck-btn deck-exit",
                             title=_("Leave conference mode"))],
                     className="deck-group"),
        ],
        id=ids.CONTROLS,
        className="deck-controls",
        role="toolbar",
        **{"aria-label": _("Slide controls")},
    )


def layout(month: str | None = None, state: str | None = None, district: str | None = None,
           scheme: str | None = None, **_other: object) -> html.Div:
    q = clean_query(month, state, district, scheme)
    loading = html.Section(
        [html.Div(_("Preparing the slides…"), className="deck-message-title"),
         html.Div(f"{q['district'] or q['state'] or ''} {month_label(q['month'])}".strip(), className="deck-message")],
        className="deck-slide deck-kind-message is-active",
    )
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            html.Div(html.Div(loading, id=ids.STAGE, className="deck-stage", **{"aria-live": "off"}),
                     className="deck-viewport"),
            controls(),
            html.Div(id=ids.LIVE, className="visually-hidden",
                     **{"aria-live": "polite", "data-template": _("Slide {n} of {total}: {title}")}),
        ],
        id=ids.DECK,
        className="deck",
        tabIndex="-1",
        role="region",
        **{"aria-roledescription": _("slide deck"), "aria-label": _("Review slides")},
    )


# --- slides -----------------------------------------------------------------------------------------


def _lines(text: str) -> list[Any]:
    parts = str(text).split("\n")
    out: list[Any] = []
    for i, p in enumerate(parts):
        if i:
            out.append(html.Br())
        out.append(html.Span(p, className="deck-line-2") if i else p)
    return out


def render_table(t: Table) -> html.Div:
    children: list[Any] = []
    if t.caption:
        children.append(html.Div(t.caption, className="deck-caption"))
    if not t.rows:
        children.append(html.Div(t.empty, className="deck-empty", role="status"))
        return html.Div(children, className="deck-block deck-table-wrap")
    total = sum(c.width for c in t.columns) or 1.0
    head = html.Thead(html.Tr([html.Th(c.label, scope="col", className=f"a-{c.align}") for c in t.columns]))
    body = []
    for i, row in enumerate(t.rows):
        tones = t.tones[i] if i < len(t.tones) else [""] * len(row)
        cells = []
        for j, (c, v) in enumerate(zip(t.columns, row, strict=False)):
            tone = tones[j] if j < len(tones) else ""
            cls = f"a-{c.align}" + (f" tone-{tone}" if tone else "")
            cells.append(html.Td(_lines(v), className=cls))
        body.append(html.Tr(cells, className="is-ours" if i in t.highlight else None))
    table = html.Table(
        [html.Colgroup([html.Col(style={"width": f"{100 * c.width / total:.1f}%"}) for c in t.columns]),
         head, html.Tbody(body)],
        className="deck-table" + (" deck-table-small" if t.small else "") + (" deck-table-dense" if t.dense else ""),
    )
    children.append(table)
    return html.Div(children, className="deck-block deck-table-wrap")


def render_kpis(k: Kpis) -> html.Div:
    items = [
        html.Div([html.Div(i.label, className="deck-kpi-label"),
                  html.Div(i.value, className="deck-kpi-value" + (f" tone-{i.tone}" if i.tone else "")),
                  i.sub and html.Div(i.sub, className="deck-kpi-sub")],
                 className="deck-kpi" + (" is-ours" if i.highlight else ""))
        for i in k.items
    ]
    return html.Div(items, className="deck-block deck-kpis" + (" deck-kpis-row" if k.horizontal else ""))


def render_chart(c: Chart, dark: bool = False) -> html.Div:
    from layouts.figures import themed

    fig = themed(c.figure, dark)
    children: list[Any] = []
    if c.caption:
        children.append(html.Div(c.caption, className="deck-caption"))
    children.append(html.Div(dcc.Graph(id=chart_id(c.key), figure=fig, responsive=True,
                                       config={"displayModeBar": False, "responsive": True},
                                       style={"height": "100%", "width": "100%"}),
                             className="deck-graph"))
    return html.Div(children, className="deck-block deck-chart")


def render_text(t: Text) -> html.Div:
    return html.Div([html.P(line) for line in t.lines], className=f"deck-block deck-text deck-text-{t.size}")


def render_block(block: Any, dark: bool = False) -> Any:
    if isinstance(block, Table):
        return render_table(block)
    if isinstance(block, Kpis):
        return render_kpis(block)
    if isinstance(block, Chart):
        return render_chart(block, dark)
    if isinstance(block, Text):
        return render_text(block)
    raise TypeError(f"unknown block {type(block).__name__}")


def render_slide(slide: Slide, index: int, total: int, stamp: str, dark: bool = False) -> html.Section:
    widths = slide.widths if len(slide.widths) == len(slide.columns) else [1.0] * len(slide.columns)
    cols = [html.Div([render_block(b, dark) for b in col], className="deck-col",
                     style={"flex": f"{w} 1 0"}) for col, w in zip(slide.columns, widths, strict=True)]
    return html.Section(
        [
            html.Header([html.H2(slide.title, className="deck-title"),
                         slide.subtitle and html.P(slide.subtitle, className="deck-subtitle")],
                        className="deck-head"),
            html.Div(cols, className="deck-body"),
            html.Footer([html.Span(stamp, className="deck-stamp"),
                         html.Span(f"{index + 1} / {total}", className="deck-page")], className="deck-foot"),
        ],
        id=f"deck-slide-{index + 1}",
        className=f"deck-slide deck-kind-{slide.kind} deck-key-{slide.key}" + (" is-active" if index == 0 else ""),
        **{"data-slide": str(index + 1), "data-title": slide.title, "aria-roledescription": _("slide"),
           "aria-label": _("Slide {n} of {total}: {title}").format(n=index + 1, total=total, title=slide.title)},
    )


def render_slides(slides: list[Slide], stamp: str, dark: bool = False, start: int = 0,
                  end: int | None = None) -> list[html.Section]:
    """The slides `start` to `end` of the deck (all by default), numbered in the whole deck."""
    stop = len(slides) if end is None else end
    return [render_slide(slides[i], i, len(slides), stamp, dark) for i in range(start, stop)]


def message_slide(title: str, message: str, links: list[tuple[str, str]] | None = None) -> list[html.Section]:
    """One slide that explains why there is no deck (out of scope, unknown unit, pick a State)."""
    children: list[Any] = [html.H2(title, className="deck-message-title"), html.P(message, className="deck-message")]
    if links:
        children.append(html.Ul([html.Li(html.A(label, href=href)) for label, href in links],
                                className="deck-message-links"))
    return [html.Section(children, className="deck-slide deck-kind-message is-active", id="deck-slide-1",
                         **{"data-slide": "1", "data-title": title})]


def download_links(month: str, state: str, district: str | None, scheme: str | None = None) -> list[html.A]:
    """The pack buttons (`scheme`: the link parameter, None for CCTNS)."""
    return [
        html.A(fmt.upper(), href=page_href("/download/pack", month, state=state, district=district, scheme=scheme,
                                           format=fmt),
               className="deck-btn deck-download",
               title=_("Download the review pack as {format}").format(format=fmt.upper()),
               download="")
        for fmt in ("pdf", "pptx", "xlsx")
    ]
