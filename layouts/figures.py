"""Pure plotly figure builders: DataFrame in, go.Figure out. No I/O.

Every builder returns an annotated empty figure ("No data for this month") for empty input, so pages
never show a blank chart. Figures are built for the light theme; `apply_theme(fig, dark)` switches the
template (pages call it with the theme from the shell's theme store).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

FONT_FAMILY = ('system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, '
               "sans-serif")
BASE_FONT_SIZE = 15  # readable on a projector
LIGHT_TEMPLATE = "cctns_light"
DARK_TEMPLATE = "cctns_dark"
EMPTY_MESSAGE = "No data for this month"

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


def apply_theme(fig: go.Figure, dark: bool) -> go.Figure:
    """Switch a figure between the light and dark templates (in place; returns the figure). Costs ~20 ms
    (plotly validates the template); in callbacks prefer `themed(fig, dark)`, which is ~free."""
    fig.update_layout(template=pio.templates[DARK_TEMPLATE if dark else LIGHT_TEMPLATE])
    return fig


def themed(fig: go.Figure, dark: bool) -> dict:
    """The figure as JSON for a dcc.Graph, on the template of the theme (no re-validation)."""
    out = fig.to_plotly_json()
    out.setdefault("layout", {})["template"] = template_json(dark)
    return out


def template_json(dark: bool) -> dict:
    """The template as plain JSON (cached; also used by the shell's clientside theme swap)."""
    if dark not in _TEMPLATE_JSON:
        fig = go.Figure(layout=dict(template=pio.templates[template_name(dark)]))
        _TEMPLATE_JSON[dark] = fig.to_plotly_json()["layout"]["template"]
    return _TEMPLATE_JSON[dark]


def template_name(dark: bool) -> str:
    return DARK_TEMPLATE if dark else LIGHT_TEMPLATE


def _base(height: int | None = None, dark: bool = False) -> go.Figure:
    fig = go.Figure()  # the light template is the default (see above)
    if dark:
        apply_theme(fig, dark)
    if height:
        fig.update_layout(height=height)
    return fig


def empty_figure(message: str = EMPTY_MESSAGE, height: int = 320, dark: bool = False) -> go.Figure:
    """A blank figure that says why it is blank."""
    fig = _base(height, dark)
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=BASE_FONT_SIZE + 3))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(meta={"empty": True})
    return fig


def is_empty_figure(fig: go.Figure) -> bool:
    meta = fig.layout.meta
    return isinstance(meta, dict) and bool(meta.get("empty"))


def _fmt2(x: object) -> str:
    return "–" if pd.isna(x) else f"{float(x):.2f}"  # type: ignore[arg-type]


def _indian(n: object) -> str:
    from layouts.components import format_indian

    return format_indian(n)


# --- heat-map -------------------------------------------------------------------------------------


def heatmap_marks_lost(long_df: pd.DataFrame, unit_label: str = "State/UT", *, max_units: int | None = None,
                       unit_order: Sequence[str] | None = None, transpose: bool = False,
                       unit_codes_as_labels: bool = False) -> go.Figure:
    """Units x parameters coloured by marks lost.

    `long_df` (as from queries.param_matrix): unit_code, name, parameter, parameter_name, numerator,
    denominator, applicable, value, marks, weight, marks_lost; optional `head`, `rank`.
    Units are ordered by `unit_order` (codes) or total marks lost (fewest first); columns by parameter
    order of appearance. Not-applicable cells are blank. customdata per cell: [unit_code, parameter,
    value text, numerator / denominator, marks text, weight text] so clicks can drill down.
    """
    if long_df is None or long_df.empty:
        return empty_figure()
    df = long_df.copy()
    if "parameter_name" not in df:
        df["parameter_name"] = df["parameter"]
    if "name" not in df:
        df["name"] = df["unit_code"]
    if "applicable" in df:
        applicable = df["applicable"].fillna(False).astype(bool)
        df.loc[~applicable, "marks_lost"] = np.nan
    params = list(dict.fromkeys(df["parameter"]))
    param_names = df.drop_duplicates("parameter").set_index("parameter")["parameter_name"].reindex(params)
    if unit_order is not None:
        present = set(df["unit_code"].tolist())
        units = [u for u in unit_order if u in present]
    else:
        totals = df.groupby("unit_code", sort=False)["marks_lost"].sum(min_count=1).fillna(0)
        units = list(totals.sort_values(kind="stable").index)
    if max_units:
        units = units[:max_units]
    names = df.drop_duplicates("unit_code").set_index("unit_code")["name"].reindex(units)
    z = df.pivot_table(index="unit_code", columns="parameter", values="marks_lost", aggfunc="first",
                       dropna=False).reindex(index=units, columns=params)
    cols = [c for c in ("unit_code", "parameter", "applicable", "value", "numerator", "denominator", "marks",
                        "weight") if c in df]
    records = {(r["unit_code"], r["parameter"]): r
               for r in (dict(zip(cols, row, strict=True)) for row in df[cols].astype(object).to_numpy().tolist())}
    custom = []
    for u in units:
        row = []
        for p in params:
            r = records.get((u, p))
            if r is None:
                row.append([u, p, "–", "–", "–", "–"])
                continue
            na = "applicable" in r and not bool(r["applicable"])
            value = r.get("value")
            row.append([
                u, p,
                "n/a" if na else (f"{float(value):.2f}%" if value is not None and pd.notna(value) else "–"),
                f"{_indian(r.get('numerator'))} / {_indian(r.get('denominator'))}",
                _fmt2(r.get("marks")), _fmt2(r.get("weight")),
            ])
        custom.append(row)
    zarr = z.to_numpy(dtype=float)
    zmax = float(np.nanmax(zarr)) if np.isfinite(zarr).any() else 1.0
    for i, u in enumerate(units):
        for row in custom[i]:
            row.append(str(names[u]))
    unit_labels = [str(u) if unit_codes_as_labels else str(names[u]) for u in units]
    param_labels = [str(param_names[p]) for p in params]
    hover = "<b>%{customdata[6]}</b> (" + unit_label + ")<br>"
    hover += ("Value: %{customdata[2]}<br>Numerator / denominator: %{customdata[3]}"
              "<br>Marks: %{customdata[4]} of weight %{customdata[5]}<br>Marks lost: %{z:.2f}<extra></extra>")
    if transpose:
        zz, xs, ys = zarr.T, unit_labels, param_labels
        cd = np.array(custom, dtype=object).transpose(1, 0, 2) if units and params else []
        hover = hover.replace("<br>Value", "<br>%{y}<br>Value")
    else:
        zz, xs, ys, cd = zarr, param_labels, unit_labels, np.array(custom, dtype=object)
        hover = hover.replace("<br>Value", "<br>%{x}<br>Value")
    fig = _base()
    fig.add_trace(go.Heatmap(
        z=zz, x=xs, y=ys, customdata=cd, colorscale=SEQUENTIAL_LOSS, zmin=0, zmax=max(zmax, 0.01),
        xgap=1, ygap=1, hoverongaps=False,
        colorbar=dict(title=dict(text="Marks lost", side="right"), thickness=14),
        hovertemplate=hover,
    ))
    if transpose:
        height = max(320, 90 + 30 * len(params))
        fig.update_xaxes(side="top", tickangle=0 if unit_codes_as_labels else -45, automargin=True,
                         tickfont=dict(size=BASE_FONT_SIZE - 3), fixedrange=True, type="category")
        fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=BASE_FONT_SIZE - 3),
                         fixedrange=True, type="category")
    else:
        height = max(320, 200 + 30 * len(units))
        fig.update_xaxes(side="top", tickangle=-40, automargin=True, tickfont=dict(size=BASE_FONT_SIZE - 3),
                         fixedrange=True, type="category")
        fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=BASE_FONT_SIZE - 2),
                         title=None, fixedrange=True, type="category")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10))
    return fig


# --- bump chart -----------------------------------------------------------------------------------


def bump_chart(rank_history_df: pd.DataFrame, highlight_codes: Iterable[str] = (), top_n: int = 10,
               ) -> go.Figure:
    """Rank history (month, unit_code, name, rank[, score_centi]): the units in the top `top_n` in the
    latest month plus `highlight_codes` (drawn thicker). Rank 1 at the top."""
    if rank_history_df is None or rank_history_df.empty or rank_history_df["rank"].isna().all():
        return empty_figure()
    df = rank_history_df.dropna(subset=["rank"]).copy()
    df["rank"] = df["rank"].astype(int)
    months = sorted(df["month"].unique())
    last = df[df["month"] == months[-1]].sort_values("rank")
    highlight = [c for c in dict.fromkeys(highlight_codes) if c in set(df["unit_code"])]
    codes = list(dict.fromkeys([*last["unit_code"].head(top_n), *highlight]))
    fig = _base(height=460)
    max_rank = int(df[df["unit_code"].isin(codes)]["rank"].max())
    for i, code in enumerate(codes):
        d = df[df["unit_code"] == code].sort_values("month")
        name = str(d["name"].iloc[-1]) if "name" in d else code
        picked = code in highlight
        score_txt = ([_fmt2(c / 100) if pd.notna(c) else "–" for c in d["score_centi"]]
                     if "score_centi" in d else ["–"] * len(d))
        fig.add_trace(go.Scatter(
            x=d["month"], y=d["rank"], mode="lines+markers", name=name,
            line=dict(width=4.5 if picked else 2.5, color=OKABE_ITO[i % len(OKABE_ITO)],
                      dash="solid" if (i < len(OKABE_ITO) or picked) else "dot"),
            marker=dict(size=9 if picked else 7),
            customdata=np.column_stack([[code] * len(d), score_txt]),
            hovertemplate=f"<b>{name}</b><br>%{{x}}: rank %{{y}}<br>Score %{{customdata[1]}}<extra></extra>",
        ))
        end = d.iloc[-1]
        fig.add_annotation(x=end["month"], y=int(end["rank"]), text=f" {code}", showarrow=False,
                           xanchor="left", font=dict(size=BASE_FONT_SIZE - 2))
    fig.update_yaxes(autorange=False, range=[max_rank + 0.6, 0.4], dtick=1 if max_rank <= 20 else 5,
                     title="Rank", zeroline=False)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=months, title=None,
                     tickvals=months, ticktext=[_short_month(m, i == 0) for i, m in enumerate(months)], tickangle=0)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), hovermode="closest",
                      margin=dict(l=10, r=40, t=10, b=10))
    return fig


def _short_month(month: str, with_year: bool = False) -> str:
    """ "2026-01" -> "Jan<br>2026" (January, or `with_year`), else "Feb"."""
    from layouts.components import MONTH_NAMES

    try:
        name = MONTH_NAMES[int(month[5:7]) - 1]
    except (ValueError, IndexError):
        return month
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


def tile_map(states_df: pd.DataFrame, *, highlight: str | None = None) -> go.Figure:
    """Tile cartogram coloured by score: a heat-map on the fixed grid of STATE_TILE_POSITIONS, so tiles
    scale with the figure. `states_df`: state_code, name, score (float), optionally score_display /
    score_centi and rank_national. States/UTs without a score are grey tiles that say "no data".
    customdata per tile: [state_code, name, rank text, score text]; click a tile to drill down."""
    if states_df is None or states_df.empty:
        return empty_figure(height=480)
    df = states_df[states_df["state_code"].isin(STATE_TILE_POSITIONS)].copy()
    if df.empty:
        return empty_figure(height=480)
    if "score_display" not in df:
        df["score_display"] = [_fmt2(s) for s in df["score"]]
    df["score"] = pd.to_numeric(df["score"], errors="coerce")
    if "score_centi" in df:  # colour by the published score
        centi = pd.to_numeric(df["score_centi"], errors="coerce")
        df["score"] = (centi / 100.0).where(centi.notna(), df["score"])
    ncols = max(c for c, _ in STATE_TILE_POSITIONS.values()) + 1
    nrows = max(r for _, r in STATE_TILE_POSITIONS.values()) + 1
    z = np.full((nrows, ncols), np.nan)
    z_missing = np.full((nrows, ncols), np.nan)
    text = np.full((nrows, ncols), "", dtype=object)
    custom = np.full((nrows, ncols, 4), "", dtype=object)
    for _, r in df.iterrows():
        c, w = STATE_TILE_POSITIONS[r["state_code"]]
        rank = r.get("rank_national")
        rank_txt = "–" if rank is None or pd.isna(rank) else str(int(rank))
        has = pd.notna(r["score"])
        if has:
            z[w, c] = float(r["score"])
        else:
            z_missing[w, c] = 0.0
        text[w, c] = f"<b>{r['state_code']}</b><br>{r['score_display'] if has else 'no data'}"
        custom[w, c] = [r["state_code"], r.get("name", r["state_code"]), rank_txt,
                        r["score_display"] if has else "no data"]
    fig = _base(height=480)
    finite = z[np.isfinite(z)]
    zmin = float(min(finite.min(), 99.0)) if finite.size else 0.0
    common = dict(x=list(range(ncols)), y=list(range(nrows)), xgap=4, ygap=4, hoverongaps=False, text=text,
                  texttemplate="%{text}", customdata=custom,
                  hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<br>Score %{customdata[3]}"
                                "<br>All-India rank %{customdata[2]}<extra></extra>")
    if np.isfinite(z_missing).any():
        fig.add_trace(go.Heatmap(z=z_missing, colorscale=[[0, "#adb5bd"], [1, "#adb5bd"]], showscale=False,
                                 textfont=dict(size=12, color="#111111"), name="No data", **common))
    if finite.size:
        fig.add_trace(go.Heatmap(
            z=z, colorscale=SCORE_SCALE, zmin=zmin, zmax=100, name="Score",
            textfont=dict(size=12), colorbar=dict(title=dict(text="Score", side="right"), thickness=12, len=0.75),
            **common,
        ))
    if highlight and highlight in STATE_TILE_POSITIONS:
        c, w = STATE_TILE_POSITIONS[highlight]
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=w - 0.5, y1=w + 0.5,
                      line=dict(width=3, color="#f2a900"))
    fig.update_xaxes(visible=False, fixedrange=True, range=[-0.5, ncols - 0.5])
    fig.update_yaxes(visible=False, fixedrange=True, autorange="reversed", scaleanchor="x", scaleratio=1,
                     constrain="domain")
    fig.update_layout(margin=dict(l=4, r=4, t=4, b=4), dragmode=False)
    return fig


# --- trend ----------------------------------------------------------------------------------------


def score_trend(trend_df: pd.DataFrame, methodology_switch_months: Iterable[str] = (), *,
                name: str | None = None, compare_df: pd.DataFrame | None = None,
                compare_name: str | None = None) -> go.Figure:
    """Score over months (month, score or score_centi[, version_id]) with a dashed vertical marker and
    annotation at each month where the methodology version changes. Optional `compare_df` (same shape)
    draws a second, thinner line (e.g. the State above, or the State's score behind a district)."""
    if trend_df is None or trend_df.empty:
        return empty_figure()
    df = _with_score(trend_df).sort_values("month")
    if df["score_plot"].isna().all():
        return empty_figure()
    fig = _base(height=360)
    months = list(df["month"])
    fig.add_trace(go.Scatter(
        x=months, y=df["score_plot"], mode="lines+markers", name=name or "Score",
        line=dict(width=3, color=OURS_COLOUR), marker=dict(size=7),
        hovertemplate="%{x}: <b>%{y:.2f}</b><extra>" + (name or "Score") + "</extra>",
    ))
    if compare_df is not None and not compare_df.empty:
        c = _with_score(compare_df).sort_values("month")
        months = sorted(set(months) | set(c["month"]))
        fig.add_trace(go.Scatter(
            x=c["month"], y=c["score_plot"], mode="lines", name=compare_name or "Comparison",
            line=dict(width=2, color=RIVAL_COLOUR, dash="dot"),
            hovertemplate="%{x}: %{y:.2f}<extra>" + (compare_name or "") + "</extra>",
        ))
    switches = list(methodology_switch_months)
    if not switches and "version_id" in df:
        v = df["version_id"].tolist()
        switches = [months_i for months_i, a, b in zip(df["month"].iloc[1:], v[:-1], v[1:], strict=True) if a != b]
    for m in switches:
        if m in months:
            fig.add_shape(type="line", x0=m, x1=m, y0=0, y1=1, yref="paper", xref="x",
                          line=dict(dash="dash", width=2, color="#888"))
            fig.add_annotation(x=m, y=1, yref="paper", text="Methodology changed", showarrow=False,
                               yanchor="bottom", xanchor="left", font=dict(size=BASE_FONT_SIZE - 3))
    lo = float(np.nanmin(df["score_plot"]))
    fig.update_yaxes(title="Score", range=[max(0.0, min(lo - 1.0, 99.0)), 100.5])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=months, title=None)
    fig.update_layout(hovermode="x unified", legend=dict(orientation="h", y=-0.15, x=0),
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig


def _with_score(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    if "score_centi" in out:
        out["score_plot"] = pd.to_numeric(out["score_centi"], errors="coerce") / 100.0
        if "score" in out:
            out["score_plot"] = out["score_plot"].fillna(pd.to_numeric(out["score"], errors="coerce"))
    else:
        out["score_plot"] = pd.to_numeric(out["score"], errors="coerce")
    out["score_plot"] = out["score_plot"].astype(float)
    return out


# --- why rank moved --------------------------------------------------------------------------------


def why_rank_moved(decomposition_df: pd.DataFrame, *, ours_label: str = "Our change",
                   rivals_label: str = "Rivals' change (avg)") -> go.Figure:
    """Diverging horizontal bars per parameter: our change in score contribution (`change`) beside the
    rivals' (`rivals_change`, optional). Columns: parameter, parameter_name (optional), change,
    rivals_change (optional). Sorted by our change; positive bars to the right."""
    if decomposition_df is None or decomposition_df.empty:
        return empty_figure()
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
        return empty_figure("No change in any parameter since last month")
    df = df.sort_values("change", kind="stable")
    fig = _base(height=max(300, 90 + 34 * len(df)))
    fig.add_trace(go.Bar(
        y=df["parameter_name"], x=df["change"], orientation="h", name=ours_label,
        marker_color=[GAIN_COLOUR if v >= 0 else LOSS_COLOUR for v in df["change"]],
        text=[f"{v:+.2f}" for v in df["change"]], textposition="outside", cliponaxis=False,
        customdata=df["parameter"], hovertemplate="%{y}<br>" + ours_label + ": %{x:+.3f}<extra></extra>",
    ))
    if has_rivals:
        fig.add_trace(go.Bar(
            y=df["parameter_name"], x=df["rivals_change"], orientation="h", name=rivals_label,
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=RIVAL_COLOUR, width=2), pattern_shape="/",
                        pattern_fgcolor=RIVAL_COLOUR),
            customdata=df["parameter"], hovertemplate="%{y}<br>" + rivals_label + ": %{x:+.3f}<extra></extra>",
        ))
    fig.add_vline(x=0, line_width=1.5, line_color="#888")
    fig.update_xaxes(range=_padded_range([*df["change"], *(df["rivals_change"] if has_rivals else [])]))
    fig.update_layout(barmode="group", bargap=0.25, legend=dict(orientation="h", y=-0.08, x=0),
                      margin=dict(l=10, r=30, t=10, b=10))
    fig.update_xaxes(title="Change in score points", zeroline=False)
    fig.update_yaxes(automargin=True, title=None)
    return fig


def _padded_range(values: Iterable[float], pad: float = 0.18) -> list[float]:
    """An x range with room for the outside bar labels on both sides."""
    vals = [float(v) for v in values if pd.notna(v)]
    lo, hi = min([0.0, *vals]), max([0.0, *vals])
    span = (hi - lo) or 1.0
    return [lo - (pad * span if lo < 0 else 0.0), hi + (pad * span if hi > 0 else 0.0)]


# --- marks lost bars -------------------------------------------------------------------------------


def marks_lost_bars(df: pd.DataFrame, *, top_n: int | None = 15) -> go.Figure:
    """Horizontal bars of marks lost by parameter (parameter, parameter_name, marks_lost[, numerator,
    denominator, value, weight]), largest at the top; zero losses left out."""
    if df is None or df.empty:
        return empty_figure()
    d = df.copy()
    if "parameter_name" not in d:
        d["parameter_name"] = d["parameter"]
    d["marks_lost"] = pd.to_numeric(d["marks_lost"], errors="coerce")
    d = d[d["marks_lost"].fillna(0) > 1e-9].sort_values("marks_lost", ascending=False, kind="stable")
    if d.empty:
        return empty_figure("No marks lost — full marks on every parameter")
    if top_n:
        d = d.head(top_n)
    d = d.iloc[::-1]
    detail = [
        (f"{_indian(r.get('numerator'))} / {_indian(r.get('denominator'))}" if "numerator" in d else "–")
        for _, r in d.iterrows()
    ]
    value = [f"{float(v):.2f}%" if pd.notna(v) else "–" for v in d.get("value", pd.Series([np.nan] * len(d)))]
    fig = _base(height=max(280, 80 + 32 * len(d)))
    fig.add_trace(go.Bar(
        y=d["parameter_name"], x=d["marks_lost"], orientation="h", marker_color=LOSS_COLOUR,
        text=[f"{v:.2f}" for v in d["marks_lost"]], textposition="outside", cliponaxis=False,
        customdata=np.column_stack([d["parameter"], detail, value]),
        hovertemplate=("%{y}<br>Marks lost: %{x:.2f}<br>Value: %{customdata[2]}"
                       "<br>Numerator / denominator: %{customdata[1]}<extra></extra>"),
        name="Marks lost",
    ))
    fig.update_xaxes(title="Marks lost (score points)", range=_padded_range([0.0, *d["marks_lost"]]))
    fig.update_yaxes(automargin=True, title=None)
    fig.update_layout(showlegend=False, margin=dict(l=10, r=40, t=10, b=10))
    return fig


# --- parameter trend (station page) ------------------------------------------------------------------


def parameter_trend(trend_df: pd.DataFrame, parameter_name: str = "", target: float | None = None) -> go.Figure:
    """One parameter of one unit over months: value % (month, value, numerator, denominator[, imputed,
    marks, weight]) with the target as a dashed line. Months where the value was imputed (the station did
    not report: rule 3) are drawn as hollow red markers and say so on hover."""
    if trend_df is None or trend_df.empty or pd.to_numeric(trend_df["value"], errors="coerce").isna().all():
        return empty_figure("No values for this parameter in the window")
    df = trend_df.sort_values("month").copy()
    imputed = df["imputed"].fillna(False).astype(bool) if "imputed" in df else pd.Series(False, index=df.index)
    ratio = [f"{_indian(n)} / {_indian(d)}" for n, d in zip(df["numerator"], df["denominator"], strict=True)]
    marks = ([f"{_fmt2(m)} of {_fmt2(w)}" for m, w in zip(df["marks"], df["weight"], strict=True)]
             if "marks" in df and "weight" in df else ["–"] * len(df))
    flag = ["not reported: counted as 0 (rule 3)" if i else "reported" for i in imputed]
    fig = _base(height=320)
    months = list(df["month"])
    fig.add_trace(go.Scatter(
        x=months, y=df["value"].astype(float), mode="lines+markers", name=parameter_name or "Value",
        line=dict(width=3, color=OURS_COLOUR),
        marker=dict(size=[11 if i else 7 for i in imputed],
                    color=["rgba(0,0,0,0)" if i else OURS_COLOUR for i in imputed],
                    line=dict(width=2, color=[LOSS_COLOUR if i else OURS_COLOUR for i in imputed])),
        customdata=np.column_stack([ratio, marks, flag]),
        hovertemplate=("%{x}: <b>%{y:.2f}%</b><br>Numerator / denominator: %{customdata[0]}"
                       "<br>Marks: %{customdata[1]}<br>%{customdata[2]}<extra></extra>"),
    ))
    if target is not None and not pd.isna(target):
        fig.add_hline(y=float(target), line=dict(dash="dash", width=1.5, color="#888"),
                      annotation_text=f"target {float(target):g}%", annotation_position="bottom right")
    lo = float(np.nanmin(df["value"].astype(float)))
    fig.update_yaxes(title="Value (%)", range=[max(0.0, min(lo - 2.0, 90.0)), 101.5])
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=months, title=None)
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(l=10, r=10, t=10, b=10))
    return fig
