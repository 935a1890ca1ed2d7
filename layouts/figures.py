"""Pure plotly figure builders: DataFrame in, figure out. No I/O.

Each chart has two forms:
* `<name>_spec(...) -> dict`: the figure as a plain dict (`{"data": [...], "layout": {...}}`, no template),
  built without plotly's validation. Callbacks use these with `themed(spec, dark)`, which adds the theme's
  template as precomputed JSON: building a validated `go.Figure` costs 10-100 ms per chart, a spec well
  under 1 ms.
* `<name>(...) -> go.Figure`: the same spec as a validated `go.Figure`, for tests only (they check that
  both forms agree, so a wrong property name in a spec fails there). Nothing the app answers builds a
  go.Figure: the pages and the deck (`dashboard.reports.deck.for_slides`, which reshapes specs with
  `update_layout` / `update_axes`, plotly's update semantics on dicts) send specs; only the packs' kaleido
  images convert one (`to_figure`).

Text from data (unit, parameter and State names, codes) is escaped with `dashboard.safe_text.plotly_text`
wherever plotly draws it (text, hover values, tick labels / category values, trace names, annotations):
plotly renders a subset of HTML, so a station named `<a href=...>` would otherwise become a link (issue 9).
Our own markup in hovertemplates (`<b>`, `<br>`, `<extra>`) stays; names written into a template go through
`plotly_template_literal`. Unit codes in customdata[0] stay raw: clicks read them.

Every builder returns an annotated empty figure ("No data for this month") for empty input, so pages
never show a blank chart. Figures are built for the light theme; `themed(fig, dark)` or
`apply_theme(fig, dark)` switches the template.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import convert_to_base64

from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from dashboard.safe_text import plotly_template_literal, plotly_text

FONT_FAMILY = ('system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, '
               "sans-serif")
BASE_FONT_SIZE = 15  # readable on a projector
LIGHT_TEMPLATE = "cctns_light"
DARK_TEMPLATE = "cctns_dark"
EMPTY_MESSAGE = N_("No data for this month")

# Colour-blind-safe palettes.
# marks lost: near-white = nothing lost, dark blue = most lost (sequential, colour-blind safe)
SEQUENTIAL_LOSS = [[0.0, "#f7fbff"], [0.1, "#deebf7"], [0.3, "#9ecae1"], [0.55, "#4292c6"], [0.8, "#08519c"],
                   [1.0, "#08306b"]]
SCORE_SCALE = [[0.0, "#b2182b"], [0.5, "#f4a582"], [0.75, "#d1e5f0"], [1.0, "#2166ac"]]  # red-blue diverging
OURS_COLOUR = "#0072B2"  # Okabe-Ito blue
RIVAL_COLOUR = "#E69F00"  # Okabe-Ito orange
GAIN_COLOUR = "#0072B2"
LOSS_COLOUR = "#D55E00"  # Okabe-Ito vermillion
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def _register_templates() -> None:
    common = dict(
        font=dict(family=FONT_FAMILY, size=BASE_FONT_SIZE),
        title=dict(font=dict(size=BASE_FONT_SIZE + 3), x=0.0, xanchor="left"),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=BASE_FONT_SIZE)),
        legend=dict(font=dict(size=BASE_FONT_SIZE - 1)),
        margin=dict(l=10, r=10, t=40, b=10),
        colorway=OKABE_ITO,
    )
    light = go.layout.Template(pio.templates["plotly_white"])
    light.layout.update(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", **common)
    dark = go.layout.Template(pio.templates["plotly_dark"])
    dark.layout.update(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", **common)
    dark.layout.font.color = "#dee2e6"
    dark.layout.colorway = ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#D55E00", "#0072B2", "#ffffff"]
    pio.templates[LIGHT_TEMPLATE] = light
    pio.templates[DARK_TEMPLATE] = dark


_register_templates()
# Builders start from the light template as the process default: plotly applies the default template
# without re-validating it, which saves ~20 ms per figure. Dark figures: `themed(fig, True)`.
pio.templates.default = LIGHT_TEMPLATE
_TEMPLATE_JSON: dict[bool, dict] = {}


Spec = dict[str, Any]


def apply_theme(fig: go.Figure, dark: bool) -> go.Figure:
    """Switch a go.Figure between the light and dark templates (in place; returns the figure). Costs ~20 ms
    (plotly validates the template); in callbacks use specs and `themed(spec, dark)`, which is ~free."""
    fig.update_layout(template=pio.templates[DARK_TEMPLATE if dark else LIGHT_TEMPLATE])
    return fig


def themed(fig: go.Figure | Spec, dark: bool) -> Spec:
    """The figure as JSON for a dcc.Graph, on the template of the theme (no validation).

    `fig` is a spec from a `*_spec` builder (not validated: their shape is checked by the tests against
    `go.Figure`) or a go.Figure. Numeric numpy arrays of a spec are sent as base64 typed arrays, as plotly
    does for a go.Figure."""
    if isinstance(fig, dict):
        data = [dict(t) for t in fig.get("data", ())]
        convert_to_base64(data)
        return {"data": data, "layout": {**fig.get("layout", {}), "template": template_json(dark)}}
    out = fig.to_plotly_json()
    out.setdefault("layout", {})["template"] = template_json(dark)
    return out


# the trace types our figures draw (the only ones the shipped plotly.js registers: scripts/plotly-bundle.js)
# and the layout sections of subplots we never make: the rest of plotly's template is sent with no effect
TRACE_TYPES = ("scatter", "bar", "heatmap")
UNUSED_SUBPLOTS = ("geo", "polar", "scene", "ternary", "mapbox", "map", "smith")


def template_json(dark: bool) -> dict:
    """The template as plain JSON (cached; also used by the shell's clientside theme swap), with only what
    our figures use: the defaults of `TRACE_TYPES` and the layout without `UNUSED_SUBPLOTS` (7.5 KB -> about
    2.5 KB in every figure answer)."""
    if dark not in _TEMPLATE_JSON:
        fig = go.Figure(layout=dict(template=pio.templates[template_name(dark)]))
        full = fig.to_plotly_json()["layout"]["template"]
        _TEMPLATE_JSON[dark] = {
            "data": {k: v for k, v in full.get("data", {}).items() if k in TRACE_TYPES},
            "layout": {k: v for k, v in full.get("layout", {}).items() if k not in UNUSED_SUBPLOTS},
        }
    return _TEMPLATE_JSON[dark]


def template_name(dark: bool) -> str:
    return DARK_TEMPLATE if dark else LIGHT_TEMPLATE


def to_figure(spec: Spec) -> go.Figure:
    """A spec as a validated go.Figure on the light template (the process default)."""
    return go.Figure(spec)


def merge_into(target: dict, patch: dict) -> dict:
    """plotly's `update` on plain dicts (in place; returns `target`): a dict value is merged into the dict
    already there, None removes the key, anything else replaces it. Like plotly, a patch of only Nones
    creates nothing."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if isinstance(current, dict):
                merge_into(current, value)
            else:
                merged = merge_into({}, value)
                if merged or not value:
                    target[key] = merged
        else:
            target[key] = list(value) if isinstance(value, list) else value
    return target


def update_layout(spec: Spec, **patch: Any) -> Spec:
    """`go.Figure.update_layout` on a spec (in place; returns the spec)."""
    merge_into(spec.setdefault("layout", {}), patch)
    return spec


def update_axes(spec: Spec, axis: str, **patch: Any) -> Spec:
    """`go.Figure.update_xaxes` / `update_yaxes` (`axis` "x" or "y") on a spec: every `xaxis`, `xaxis2`, ...
    of the layout, or `xaxis` when there is none (in place; returns the spec)."""
    layout = spec.setdefault("layout", {})
    names = [k for k in layout if k.startswith(f"{axis}axis") and k[5:].isdigit() or k == f"{axis}axis"]
    for name in names or [f"{axis}axis"]:
        if names:
            merge_into(layout[name], patch)
        else:
            merge_into(layout, {name: patch})
    return spec


def _spec(height: int | None = None, **layout: Any) -> Spec:
    lay: dict[str, Any] = {}
    if height:
        lay["height"] = height
    lay.update(layout)
    return {"data": [], "layout": lay}


def _labels(values: Iterable[Any]) -> list[str]:
    """Names from data as plotly text (escaped: see the module docstring)."""
    return [plotly_text(v) for v in values]


def _objects(values: Iterable[Any]) -> np.ndarray:
    out = list(values)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr


def empty_figure_spec(message: str = EMPTY_MESSAGE, height: int = 320) -> Spec:
    """A blank figure that says why it is blank."""
    return _spec(height, annotations=[dict(font=dict(size=BASE_FONT_SIZE + 3), showarrow=False, text=_(message),
                                           x=0.5, xref="paper", y=0.5, yref="paper")],
                 xaxis=dict(visible=False), yaxis=dict(visible=False), meta={"empty": True})


def is_empty_figure(fig: go.Figure | Spec) -> bool:
    meta = fig.get("layout", {}).get("meta") if isinstance(fig, dict) else fig.layout.meta
    return isinstance(meta, dict) and bool(meta.get("empty"))


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float | np.floating) and np.isnan(x))


def _fmt2(x: object) -> str:
    return "–" if pd.isna(x) else f"{float(x):.2f}"  # type: ignore[arg-type]


def _indian(n: object) -> str:
    from dashboard.display import format_indian

    return format_indian(n)


# --- heat-map -------------------------------------------------------------------------------------


def heatmap_marks_lost_spec(long_df: pd.DataFrame, unit_label: str = N_("State/UT"), *, max_units: int | None = None,
                            unit_order: Sequence[str] | None = None, transpose: bool = False,
                            unit_codes_as_labels: bool = False) -> Spec:
    """Units x parameters coloured by marks lost.

    `long_df` (as from read.param_matrix): unit_code, name, parameter, parameter_name, numerator,
    denominator, applicable, value, marks, weight, marks_lost; optional `head`, `rank`.
    Units are ordered by `unit_order` (codes) or total marks lost (fewest first); columns by parameter
    order of appearance. Not-applicable cells are blank. customdata per cell, as short as the hover allows
    (a district's answer must stay under 150 KB, issue 15): [unit_code (clicks drill down with it), value
    text, numerator / denominator, marks text, weight text], and the unit's name only when the axis shows
    codes (`unit_codes_as_labels`); otherwise the hover takes the name from the axis label and the parameter
    from the other axis.
    """
    from dashboard.display import format_indian_many

    if long_df is None or long_df.empty:
        return empty_figure_spec()
    cols = {c: long_df[c].tolist() for c in ("unit_code", "parameter", "applicable", "value", "numerator",
                                             "denominator", "marks", "weight", "marks_lost", "name",
                                             "parameter_name") if c in long_df}
    n = len(long_df)
    ucol, pcol = cols["unit_code"], cols["parameter"]
    names_col = cols.get("name", ucol)
    pnames_col = cols.get("parameter_name", pcol)
    has_app = "applicable" in cols
    app_col = cols.get("applicable", [True] * n)
    lost_col = [float("nan") if _missing(v) else float(v) for v in cols["marks_lost"]]
    if has_app:  # not applicable: no colour
        lost_col = [v if (not _missing(a) and bool(a)) else float("nan")
                    for v, a in zip(lost_col, app_col, strict=True)]
    params = list(dict.fromkeys(pcol))
    param_names: dict[str, Any] = {}
    unit_names: dict[str, Any] = {}
    for u, p, un, pn in zip(ucol, pcol, names_col, pnames_col, strict=True):
        param_names.setdefault(p, pn)
        unit_names.setdefault(u, un)
    if unit_order is not None:
        units = [u for u in unit_order if u in unit_names]
    else:
        totals = (pd.Series(lost_col, index=pd.Index(ucol)).groupby(level=0, sort=False).sum(min_count=1)
                  .fillna(0))
        units = list(totals.sort_values(kind="stable").index)
    if max_units:
        units = units[:max_units]
    ui = {u: i for i, u in enumerate(units)}
    pi = {p: j for j, p in enumerate(params)}
    nu, npar = len(units), len(params)
    zarr = np.full((nu, npar), np.nan)
    width = 6 if unit_codes_as_labels else 5  # the name only when the axis does not show it
    custom = np.empty((nu, npar, width), dtype=object)
    for i, u in enumerate(units):
        blank = [u, "–", "–", "–", "–"] + ([plotly_text(unit_names[u])] if unit_codes_as_labels else [])
        for j in range(npar):
            custom[i, j] = blank
    value_col = cols.get("value", [None] * n)
    num_col, den_col = cols.get("numerator", [None] * n), cols.get("denominator", [None] * n)
    marks_col, weight_col = cols.get("marks", [None] * n), cols.get("weight", [None] * n)
    num_text, den_text = format_indian_many(num_col), format_indian_many(den_col)  # one pass per column
    first: set[tuple[int, int]] = set()
    for k in range(n):
        i, j = ui.get(ucol[k]), pi.get(pcol[k])
        if i is None or j is None:
            continue
        if (i, j) not in first and not np.isnan(lost_col[k]):  # pivot "first": the first non-missing value
            zarr[i, j] = lost_col[k]
            first.add((i, j))
        a = app_col[k]
        na = has_app and not bool(a)
        value = value_col[k]
        custom[i, j] = [
            ucol[k],
            _("n/a") if na else ("–" if _missing(value) else f"{float(value):.2f}%"),
            f"{num_text[k]} / {den_text[k]}",
            _fmt2(marks_col[k]), _fmt2(weight_col[k]), *custom[i, j][5:],
        ]
    zmax = float(np.nanmax(zarr)) if np.isfinite(zarr).any() else 1.0
    unit_labels = _labels(u if unit_codes_as_labels else unit_names[u] for u in units)
    param_labels = _labels(param_names[p] for p in params)
    # the unit's name: from customdata when the axis shows codes, else from the units' axis
    name = "%{customdata[5]}" if unit_codes_as_labels else ("%{x}" if transpose else "%{y}")
    hover = "<b>" + name + "</b> (" + plotly_template_literal(_(unit_label)) + ")<br>"
    hover += "%{y}<br>" if transpose else "%{x}<br>"  # the parameter's name, from the parameters' axis
    hover += (_("Value: %{customdata[1]}<br>Numerator / denominator: %{customdata[2]}"
                "<br>Marks: %{customdata[3]} of weight %{customdata[4]}<br>Marks lost: %{z:.2f}")
              + "<extra></extra>")
    cd: Any
    if transpose:
        zz, xs, ys = zarr.T, unit_labels, param_labels
        cd = custom.transpose(1, 0, 2) if units and params else []
    else:
        zz, xs, ys, cd = zarr, param_labels, unit_labels, custom
    trace = dict(
        type="heatmap", z=np.ascontiguousarray(zz), x=xs, y=ys, customdata=cd, colorscale=SEQUENTIAL_LOSS,
        zmin=0, zmax=max(zmax, 0.01), xgap=1, ygap=1, hoverongaps=False,
        colorbar=dict(title=dict(text=_("Marks lost"), side="right"), thickness=14), hovertemplate=hover,
    )
    small = dict(size=BASE_FONT_SIZE - 3)
    if transpose:
        height = max(320, 90 + 30 * len(params))
        xaxis = dict(side="top", tickangle=0 if unit_codes_as_labels else -45, automargin=True, tickfont=small,
                     fixedrange=True, type="category")
        yaxis = dict(autorange="reversed", automargin=True, tickfont=small, fixedrange=True, type="category")
    else:
        height = max(320, 200 + 30 * len(units))
        xaxis = dict(side="top", tickangle=-40, automargin=True, tickfont=small, fixedrange=True, type="category")
        yaxis = dict(autorange="reversed", automargin=True, tickfont=dict(size=BASE_FONT_SIZE - 2), title={},
                     fixedrange=True, type="category")
    return {"data": [trace], "layout": dict(height=height, margin=dict(l=10, r=10, t=10, b=10), xaxis=xaxis,
                                            yaxis=yaxis)}


def heatmap_marks_lost(long_df: pd.DataFrame, unit_label: str = N_("State/UT"), **kwargs: Any) -> go.Figure:
    return to_figure(heatmap_marks_lost_spec(long_df, unit_label, **kwargs))


# --- bump chart -----------------------------------------------------------------------------------


def bump_chart_spec(rank_history_df: pd.DataFrame, highlight_codes: Iterable[str] = (), top_n: int = 10) -> Spec:
    """Rank history (month, unit_code, name, rank[, score_centi]): the units in the top `top_n` in the
    latest month plus `highlight_codes` (drawn thicker). Rank 1 at the top."""
    if rank_history_df is None or rank_history_df.empty or rank_history_df["rank"].isna().all():
        return empty_figure_spec()
    df = rank_history_df.dropna(subset=["rank"])
    month_col = df["month"].tolist()
    code_col = df["unit_code"].tolist()
    rank_col = [int(r) for r in df["rank"].tolist()]
    name_col = df["name"].tolist() if "name" in df else None
    centi_col = df["score_centi"].tolist() if "score_centi" in df else None
    months = sorted(set(month_col))
    last = pd.DataFrame({"unit_code": code_col, "rank": rank_col})[[m == months[-1] for m in month_col]]
    last = last.sort_values("rank")
    present = set(code_col)
    highlight = [c for c in dict.fromkeys(highlight_codes) if c in present]
    codes = list(dict.fromkeys([*last["unit_code"].head(top_n), *highlight]))
    rows: dict[str, list[int]] = {c: [] for c in codes}
    for k, c in enumerate(code_col):
        if c in rows:
            rows[c].append(k)
    max_rank = max(rank_col[k] for ks in rows.values() for k in ks)
    data, annotations = [], []
    for i, code in enumerate(codes):
        ks = sorted(rows[code], key=lambda k: month_col[k])
        xs = [month_col[k] for k in ks]
        name = plotly_text(name_col[ks[-1]] if name_col is not None else code)
        picked = code in highlight
        score_txt = ([_fmt2(centi_col[k] / 100) if not _missing(centi_col[k]) else "–" for k in ks]
                     if centi_col is not None else ["–"] * len(ks))
        data.append(dict(
            type="scatter", x=xs, y=np.array([rank_col[k] for k in ks], dtype=np.int64), mode="lines+markers",
            name=name,
            line=dict(width=4.5 if picked else 2.5, color=OKABE_ITO[i % len(OKABE_ITO)],
                      dash="solid" if (i < len(OKABE_ITO) or picked) else "dot"),
            marker=dict(size=9 if picked else 7),
            customdata=np.column_stack([[code] * len(ks), score_txt]),
            hovertemplate=(f"<b>{plotly_template_literal(name_col[ks[-1]] if name_col is not None else code)}</b>"
                           + _("<br>%{x}: rank %{y}<br>Score %{customdata[1]}") + "<extra></extra>"),
        ))
        annotations.append(dict(font=dict(size=BASE_FONT_SIZE - 2), showarrow=False, text=f" {plotly_text(code)}", x=xs[-1],
                                xanchor="left", y=rank_col[ks[-1]]))
    layout = dict(
        height=460, annotations=annotations,
        yaxis=dict(autorange=False, range=[max_rank + 0.6, 0.4], dtick=1 if max_rank <= 20 else 5,
                   title=dict(text=_("Rank")), zeroline=False),
        xaxis=dict(type="category", categoryorder="array", categoryarray=months, title={}, tickvals=months,
                   ticktext=[_short_month(m, i == 0) for i, m in enumerate(months)], tickangle=0),
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), hovermode="closest",
        margin=dict(l=10, r=40, t=10, b=10),
    )
    return {"data": data, "layout": layout}


def bump_chart(rank_history_df: pd.DataFrame, highlight_codes: Iterable[str] = (), top_n: int = 10) -> go.Figure:
    return to_figure(bump_chart_spec(rank_history_df, highlight_codes, top_n))


def _short_month(month: str, with_year: bool = False) -> str:
    """ "2026-01" -> "Jan<br>2026" (January, or `with_year`), else "Feb"."""
    from dashboard.display import month_label

    label = month_label(month)
    if label == month:
        return month
    name = label.rsplit(" ", 1)[0]
    return f"{name}<br>{month[:4]}" if (with_year or month[5:7] == "01") else name


# --- tile map -------------------------------------------------------------------------------------

# Tile cartogram of the 36 States/UTs: (column, row), row 0 at the top, roughly like India's geography.
STATE_TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "LA": (3, 0),
    "JK": (2, 1), "HP": (3, 1),
    "PB": (2, 2), "CH": (3, 2), "UK": (4, 2),
    "HR": (3, 3), "DL": (4, 3), "UP": (5, 3), "SK": (7, 3), "AR": (9, 3),
    "RJ": (2, 4), "MP": (4, 4), "BR": (6, 4), "WB": (7, 4), "AS": (8, 4), "NL": (9, 4),
    "GJ": (1, 5), "CG": (5, 5), "JH": (6, 5), "ML": (8, 5), "MN": (9, 5),
    "DH": (1, 6), "MH": (3, 6), "OD": (6, 6), "TR": (8, 6), "MZ": (9, 6),
    "GA": (2, 7), "TG": (4, 7), "AP": (5, 7), "AN": (8, 7),
    "KA": (3, 8), "PY": (5, 8),
    "LD": (1, 9), "KL": (3, 9), "TN": (4, 9),
}


def tile_map_spec(states_df: pd.DataFrame, *, highlight: str | None = None) -> Spec:
    """Tile cartogram coloured by score: a heat-map on the fixed grid of STATE_TILE_POSITIONS, so tiles
    scale with the figure. `states_df`: state_code, name, score (float), optionally score_display /
    score_centi and rank_national. States/UTs without a score are grey tiles that say "no data".
    customdata per tile: [state_code, name, rank text, score text]; click a tile to drill down."""
    if states_df is None or states_df.empty:
        return empty_figure_spec(height=480)
    records = [r for r in states_df.to_dict("records") if r["state_code"] in STATE_TILE_POSITIONS]
    if not records:
        return empty_figure_spec(height=480)
    ncols = max(c for c, _r in STATE_TILE_POSITIONS.values()) + 1
    nrows = max(r for _c, r in STATE_TILE_POSITIONS.values()) + 1
    z = np.full((nrows, ncols), np.nan)
    z_missing = np.full((nrows, ncols), np.nan)
    text = np.full((nrows, ncols), "", dtype=object)
    custom = np.full((nrows, ncols, 4), "", dtype=object)
    for r in records:
        score = _number(r.get("score"))
        if "score_centi" in r:  # colour by the published score
            centi = _number(r.get("score_centi"))
            score = centi / 100.0 if not np.isnan(centi) else score
        display = plotly_text(r["score_display"] if "score_display" in r else _fmt2(r.get("score")))
        c, w = STATE_TILE_POSITIONS[r["state_code"]]
        rank = r.get("rank_national")
        rank_txt = "–" if _missing(rank) else str(int(rank))  # type: ignore[arg-type]
        has = not np.isnan(score)
        if has:
            z[w, c] = score
        else:
            z_missing[w, c] = 0.0
        code = plotly_text(r["state_code"])
        text[w, c] = f"<b>{code}</b><br>{display if has else _('no data')}"
        custom[w, c] = [r["state_code"], plotly_text(r.get("name", r["state_code"])), rank_txt,
                        display if has else _("no data")]
    finite = z[np.isfinite(z)]
    zmin = float(min(finite.min(), 99.0)) if finite.size else 0.0
    common = dict(x=list(range(ncols)), y=list(range(nrows)), xgap=4, ygap=4, hoverongaps=False, text=text,
                  texttemplate="%{text}", customdata=custom,
                  hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<br>"
                                + _("Score %{customdata[3]}<br>All-India rank %{customdata[2]}") + "<extra></extra>")
    data = []
    if np.isfinite(z_missing).any():
        data.append(dict(type="heatmap", z=z_missing, colorscale=[[0, "#adb5bd"], [1, "#adb5bd"]], showscale=False,
                         textfont=dict(size=12, color="#111111"), name=_("No data"), **common))
    if finite.size:
        data.append(dict(type="heatmap", z=z, colorscale=SCORE_SCALE, zmin=zmin, zmax=100, name=_("Score"),
                         textfont=dict(size=12),
                         colorbar=dict(title=dict(text=_("Score"), side="right"), thickness=12, len=0.75), **common))
    layout: dict[str, Any] = dict(
        height=480, margin=dict(l=4, r=4, t=4, b=4), dragmode=False,
        xaxis=dict(visible=False, fixedrange=True, range=[-0.5, ncols - 0.5]),
        yaxis=dict(visible=False, fixedrange=True, autorange="reversed", scaleanchor="x", scaleratio=1,
                   constrain="domain"),
    )
    if highlight and highlight in STATE_TILE_POSITIONS:
        c, w = STATE_TILE_POSITIONS[highlight]
        layout["shapes"] = [dict(line=dict(color="#f2a900", width=3), type="rect", x0=c - 0.5, x1=c + 0.5,
                                 y0=w - 0.5, y1=w + 0.5)]
    return {"data": data, "layout": layout}


def tile_map(states_df: pd.DataFrame, *, highlight: str | None = None) -> go.Figure:
    return to_figure(tile_map_spec(states_df, highlight=highlight))


def _number(x: object) -> float:
    """A float, NaN for missing or non-numeric values (like pd.to_numeric(errors="coerce"))."""
    if _missing(x) or isinstance(x, bool):
        return float("nan")
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


# --- trend ----------------------------------------------------------------------------------------


def score_trend_spec(trend_df: pd.DataFrame, methodology_switch_months: Iterable[str] = (), *,
                     name: str | None = None, compare_df: pd.DataFrame | None = None,
                     compare_name: str | None = None, published_df: pd.DataFrame | None = None) -> Spec:
    """Score over months (month, score or score_centi[, version_id]) with a dashed vertical marker and
    annotation at each month where the methodology version changes. Optional `compare_df` (same shape)
    draws a second, thinner line (e.g. the State above, or the State's score behind a district). Optional
    `published_df` (month, score_centi) marks the scores NCRB published, "as published by NCRB"."""
    has_published = published_df is not None and not published_df.empty
    if (trend_df is None or trend_df.empty) and not has_published:
        return empty_figure_spec()
    if trend_df is None or trend_df.empty:
        trend_df = pd.DataFrame({"month": pd.Series(dtype=str), "score_centi": pd.Series(dtype="Int64")})
    months, scores, versions = _score_series(trend_df)
    if np.isnan(scores).all() and not has_published:
        return empty_figure_spec()
    data = [dict(
        type="scatter", x=months, y=scores, mode="lines+markers", name=plotly_text(name or _("Score")),
        line=dict(width=3, color=OURS_COLOUR), marker=dict(size=7),
        hovertemplate="%{x}: <b>%{y:.2f}</b><extra>" + plotly_template_literal(name or _("Score")) + "</extra>",
    )]
    all_months = list(months)
    compared = np.empty(0)
    if compare_df is not None and not compare_df.empty:
        c_months, c_scores, _versions = _score_series(compare_df)
        all_months = sorted(set(all_months) | set(c_months))
        compared = c_scores
        data.append(dict(
            type="scatter", x=c_months, y=c_scores, mode="lines", name=plotly_text(compare_name or _("Comparison")),
            line=dict(width=2, color=RIVAL_COLOUR, dash="dot"),
            hovertemplate="%{x}: %{y:.2f}<extra>" + plotly_template_literal(compare_name) + "</extra>",
        ))
    if has_published:
        p_months, p_scores, _p_versions = _score_series(published_df)
        all_months = sorted(set(all_months) | set(p_months))
        data.append(dict(
            type="scatter", x=p_months, y=p_scores, mode="markers", name=_("As published by NCRB"),
            marker=dict(size=11, symbol="diamond-open", color=RIVAL_COLOUR, line=dict(width=2)),
            hovertemplate="%{x}: %{y:.2f}<extra>" + plotly_template_literal(_("As published by NCRB")) + "</extra>",
        ))
        scores = np.concatenate([scores, p_scores]) if len(scores) else p_scores
    switches = list(methodology_switch_months)
    if not switches and versions is not None:
        switches = [m for m, a, b in zip(months[1:], versions[:-1], versions[1:], strict=True) if a != b]
    shapes, annotations = [], []
    for m in switches:
        if m in all_months:
            shapes.append(dict(line=dict(color="#888", dash="dash", width=2), type="line", x0=m, x1=m, xref="x",
                               y0=0, y1=1, yref="paper"))
            annotations.append(dict(font=dict(size=BASE_FONT_SIZE - 3), showarrow=False,
                                    text=_("Methodology changed"), x=m, xanchor="left", y=1, yanchor="bottom",
                                    yref="paper"))
    lo = float(np.nanmin(np.concatenate([scores, compared])))  # the comparison line stays on the chart
    layout: dict[str, Any] = dict(
        height=360,
        yaxis=dict(title=dict(text=_("Score")), range=[max(0.0, min(lo - 1.0, 99.0)), 100.5]),
        xaxis=dict(type="category", categoryorder="array", categoryarray=all_months, title={}),
        hovermode="x unified", legend=dict(orientation="h", y=-0.15, x=0), margin=dict(l=10, r=10, t=30, b=10),
    )
    if shapes:
        layout["shapes"] = shapes
        layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def score_trend(trend_df: pd.DataFrame, methodology_switch_months: Iterable[str] = (), **kwargs: Any) -> go.Figure:
    return to_figure(score_trend_spec(trend_df, methodology_switch_months, **kwargs))


def _score_series(df: pd.DataFrame) -> tuple[list[str], np.ndarray, list | None]:
    """(months, score to plot, version ids) sorted by month: the published score (score_centi / 100), else
    the exact score."""
    d = df.sort_values("month")
    score = pd.to_numeric(d["score"], errors="coerce").to_numpy(dtype=float) if "score" in d else None
    if "score_centi" in d:
        plot = pd.to_numeric(d["score_centi"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) / 100.0
        if score is not None:
            plot = np.where(np.isnan(plot), score, plot)
    else:
        plot = score if score is not None else np.full(len(d), np.nan)
    versions = d["version_id"].tolist() if "version_id" in d else None
    return d["month"].tolist(), np.asarray(plot, dtype=float), versions


# --- why rank moved --------------------------------------------------------------------------------


def why_rank_moved_spec(decomposition_df: pd.DataFrame, *, ours_label: str = N_("Our change"),
                        rivals_label: str = N_("Rivals' change (avg)")) -> Spec:
    """Diverging horizontal bars per parameter: our change in score contribution (`change`) beside the
    rivals' (`rivals_change`, optional). Columns: parameter, parameter_name (optional), change,
    rivals_change (optional). Sorted by our change; positive bars to the right."""
    if decomposition_df is None or decomposition_df.empty:
        return empty_figure_spec()
    df = decomposition_df.copy()
    if "parameter_name" not in df:
        df["parameter_name"] = df["parameter"]
    df["change"] = pd.to_numeric(df["change"], errors="coerce").fillna(0.0)
    has_rivals = "rivals_change" in df
    if has_rivals:
        df["rivals_change"] = pd.to_numeric(df["rivals_change"], errors="coerce").fillna(0.0)
        keep = (df["change"].abs() > 1e-9) | (df["rivals_change"].abs() > 1e-9)
    else:
        keep = df["change"].abs() > 1e-9
    df = df[keep]
    if df.empty:
        return empty_figure_spec(N_("No change in any parameter since last month"))
    df = df.sort_values("change", kind="stable")
    names, params = _objects(_labels(df["parameter_name"])), _objects(df["parameter"])
    ours_label, rivals_label = _(ours_label), _(rivals_label)
    ours_name, rivals_name = plotly_text(ours_label), plotly_text(rivals_label)
    ours_hover, rivals_hover = plotly_template_literal(ours_label), plotly_template_literal(rivals_label)
    change = df["change"].to_numpy(dtype=float)
    data = [dict(
        type="bar", y=names, x=change, orientation="h", name=ours_name,
        marker=dict(color=[GAIN_COLOUR if v >= 0 else LOSS_COLOUR for v in change]),
        text=[f"{v:+.3f}" for v in change], textposition="outside", cliponaxis=False,
        customdata=params, hovertemplate="%{y}<br>" + ours_hover + ": %{x:+.3f}<extra></extra>",
    )]
    rivals = df["rivals_change"].to_numpy(dtype=float) if has_rivals else None
    if rivals is not None:
        data.append(dict(
            type="bar", y=names, x=rivals, orientation="h", name=rivals_name,
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=RIVAL_COLOUR, width=2),
                        pattern=dict(fgcolor=RIVAL_COLOUR, shape="/")),
            customdata=params, hovertemplate="%{y}<br>" + rivals_hover + ": %{x:+.3f}<extra></extra>",
        ))
    layout = dict(
        height=max(300, 90 + 34 * len(df)),
        shapes=[dict(line=dict(color="#888", width=1.5), type="line", x0=0, x1=0, xref="x", y0=0, y1=1,
                     yref="y domain")],
        xaxis=dict(range=_padded_range([*change, *(rivals if rivals is not None else [])]),
                   title=dict(text=_("Change in score points")), zeroline=False),
        yaxis=dict(automargin=True, title={}),
        barmode="group", bargap=0.25, legend=dict(orientation="h", y=-0.08, x=0),
        margin=dict(l=10, r=30, t=10, b=10),
    )
    return {"data": data, "layout": layout}


def why_rank_moved(decomposition_df: pd.DataFrame, **kwargs: Any) -> go.Figure:
    return to_figure(why_rank_moved_spec(decomposition_df, **kwargs))


def _padded_range(values: Iterable[float], pad: float = 0.18) -> list[float]:
    """An x range with room for the outside bar labels on both sides."""
    vals = [float(v) for v in values if pd.notna(v)]
    lo, hi = min([0.0, *vals]), max([0.0, *vals])
    span = (hi - lo) or 1.0
    return [lo - (pad * span if lo < 0 else 0.0), hi + (pad * span if hi > 0 else 0.0)]


# --- marks lost bars -------------------------------------------------------------------------------


def marks_lost_bars_spec(df: pd.DataFrame, *, top_n: int | None = 15) -> Spec:
    """Horizontal bars of marks lost by parameter (parameter, parameter_name, marks_lost[, numerator,
    denominator, value, weight]), largest at the top; zero losses left out."""
    if df is None or df.empty:
        return empty_figure_spec()
    d = df.copy()
    if "parameter_name" not in d:
        d["parameter_name"] = d["parameter"]
    d["marks_lost"] = pd.to_numeric(d["marks_lost"], errors="coerce")
    d = d[d["marks_lost"].fillna(0) > 1e-9].sort_values("marks_lost", ascending=False, kind="stable")
    if d.empty:
        return empty_figure_spec(N_("No marks lost — full marks on every parameter"))
    if top_n:
        d = d.head(top_n)
    d = d.iloc[::-1]
    lost = d["marks_lost"].to_numpy(dtype=float)
    detail = ([f"{_indian(n)} / {_indian(m)}" for n, m in zip(d["numerator"], d["denominator"], strict=True)]
              if "numerator" in d else ["–"] * len(d))
    value = [f"{float(v):.2f}%" if pd.notna(v) else "–" for v in d["value"]] if "value" in d else ["–"] * len(d)
    data = [dict(
        type="bar", y=_objects(_labels(d["parameter_name"])), x=lost, orientation="h", marker=dict(color=LOSS_COLOUR),
        text=[f"{v:.3f}" for v in lost], textposition="outside", cliponaxis=False,
        customdata=np.column_stack([d["parameter"], detail, value]),
        hovertemplate=(_("%{y}<br>Marks lost: %{x:.3f}<br>Value: %{customdata[2]}"
                         "<br>Numerator / denominator: %{customdata[1]}") + "<extra></extra>"),
        name=_("Marks lost"),
    )]
    layout = dict(
        height=max(280, 80 + 32 * len(d)),
        xaxis=dict(title=dict(text=_("Marks lost (score points)")), range=_padded_range([0.0, *lost])),
        yaxis=dict(automargin=True, title={}), showlegend=False, margin=dict(l=10, r=40, t=10, b=10),
    )
    return {"data": data, "layout": layout}


def marks_lost_bars(df: pd.DataFrame, *, top_n: int | None = 15) -> go.Figure:
    return to_figure(marks_lost_bars_spec(df, top_n=top_n))


# --- parameter trend (station page) ------------------------------------------------------------------


def parameter_trend_spec(trend_df: pd.DataFrame, parameter_name: str = "", target: float | None = None) -> Spec:
    """One parameter of one unit over months: value % (month, value, numerator, denominator[, imputed,
    marks, weight]) with the target as a dashed line. Months where the value was imputed (the station did
    not report: rule 3) are drawn as hollow red markers and say so on hover."""
    if trend_df is None or trend_df.empty or pd.to_numeric(trend_df["value"], errors="coerce").isna().all():
        return empty_figure_spec(N_("No values for this parameter in the window"))
    df = trend_df.sort_values("month")
    imputed = ([bool(v) if not _missing(v) else False for v in df["imputed"].tolist()] if "imputed" in df
               else [False] * len(df))
    ratio = [f"{_indian(n)} / {_indian(d)}" for n, d in zip(df["numerator"], df["denominator"], strict=True)]
    marks = ([_("{marks} of {weight}").format(marks=_fmt2(m), weight=_fmt2(w))
              for m, w in zip(df["marks"], df["weight"], strict=True)]
             if "marks" in df and "weight" in df else ["–"] * len(df))
    flag = [_("not reported: counted as 0 (rule 3)") if i else _("reported") for i in imputed]
    months = df["month"].tolist()
    values = df["value"].to_numpy(dtype=float)
    data = [dict(
        type="scatter", x=months, y=values, mode="lines+markers", name=plotly_text(parameter_name or _("Value")),
        line=dict(width=3, color=OURS_COLOUR),
        marker=dict(size=[11 if i else 7 for i in imputed],
                    color=["rgba(0,0,0,0)" if i else OURS_COLOUR for i in imputed],
                    line=dict(width=2, color=[LOSS_COLOUR if i else OURS_COLOUR for i in imputed])),
        customdata=np.column_stack([ratio, marks, flag]),
        hovertemplate=("%{x}: <b>%{y:.2f}%</b><br>"
                       + _("Numerator / denominator: %{customdata[0]}<br>Marks: %{customdata[1]}")
                       + "<br>%{customdata[2]}<extra></extra>"),
    )]
    lo = float(np.nanmin(values))
    layout: dict[str, Any] = dict(
        height=320,
        yaxis=dict(title=dict(text=_("Value (%)")), range=[max(0.0, min(lo - 2.0, 90.0)), 101.5]),
        xaxis=dict(type="category", categoryorder="array", categoryarray=months, title={}),
        showlegend=False, hovermode="closest", margin=dict(l=10, r=10, t=10, b=10),
    )
    if target is not None and not pd.isna(target):
        t = float(target)
        layout["shapes"] = [dict(line=dict(color="#888", dash="dash", width=1.5), type="line", x0=0, x1=1,
                                 xref="x domain", y0=t, y1=t, yref="y")]
        layout["annotations"] = [dict(showarrow=False, text=_("target {target}%").format(target=f"{t:g}"), x=1, xanchor="right", xref="x domain",
                                      y=t, yanchor="top", yref="y")]
    return {"data": data, "layout": layout}


