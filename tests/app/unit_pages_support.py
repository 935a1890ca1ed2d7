"""Shared bits for the State / district / station page tests: component walking, output lists of the
page callbacks (as registered), clients per demo user."""

from __future__ import annotations

import json

import plotly

from layouts import district as dl
from layouts import shell
from layouts import state as sl
from layouts import station as stl

STATE_SUMMARY = [(sl.ids.TITLE, "children"), (sl.ids.SUBTITLE, "children"), (sl.ids.ACTIONS, "children"),
                 (sl.ids.KPIS, "children"), (sl.ids.WHY, "figure"), (sl.ids.RIVALS, "children"),
                 (sl.ids.MARKS_LOST, "figure"), (sl.ids.OVERTAKE, "children"), (sl.ids.TREND, "figure")]
STATE_DETAIL = [(sl.ids.DISTRICTS, "rowData"), (sl.ids.DISTRICTS_BOX, "style"), (sl.ids.DISTRICTS_NOTE, "children"),
                (sl.ids.HEATMAP, "figure"), (sl.ids.HEATMAP_BOX, "style"), (sl.ids.HEATMAP_MSG, "children"),
                (sl.ids.HEATMAP_TABLE_DATA, "data"), (sl.ids.LAGGING, "children")]
DISTRICT_PAGE = [(dl.ids.TITLE, "children"), (dl.ids.SUBTITLE, "children"), (dl.ids.ACTIONS, "children"),
                 (dl.ids.NOTICE, "children"), (dl.ids.KPIS, "children"), (dl.ids.LAGGING, "children"),
                 (dl.ids.MOVERS, "children")]
DISTRICT_HEATMAP = [(dl.ids.HEATMAP, "figure"), (dl.ids.HEATMAP_BOX, "style"), (dl.ids.HEATMAP_NOTE, "children"),
                    (dl.ids.HEATMAP_TABLE_DATA, "data")]
DISTRICT_STATIONS = [(dl.ids.STATIONS, "rowData"), (dl.ids.STATIONS_BOX, "style"), (dl.ids.STATIONS_NOTE, "children")]
STATION_PAGE = [(stl.ids.TITLE, "children"), (stl.ids.SUBTITLE, "children"), (stl.ids.ACTIONS, "children"),
                (stl.ids.NOTICE, "children"), (stl.ids.KPIS, "children"), (stl.ids.PARAMS, "rowData"),
                (stl.ids.PARAMS_BOX, "style"), (stl.ids.PARAMS_NOTE, "children"), (stl.ids.PICK, "options"),
                (stl.ids.PICK, "value"), (stl.ids.NOT_REPORTED, "children"), (stl.ids.TREND, "figure")]
THEME = (shell.ids.THEME_STORE, "data", "light")


def ids_in(component) -> list:
    out = []

    def walk(node):
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
            return
        if hasattr(node, "to_plotly_json"):
            cid = getattr(node, "id", None)
            if cid is not None:
                out.append(cid)
            walk(getattr(node, "children", None))

    walk(component)
    return out


def text_of(obj) -> str:
    """Every string inside a component tree / JSON response (for 'does this name appear' checks)."""
    return json.dumps(obj if isinstance(obj, dict | list | str) else obj.to_plotly_json(),
                      cls=plotly.utils.PlotlyJSONEncoder)


def as_figure(fig: dict):
    """A callback's figure JSON (a spec with base64 typed arrays) as a plotly Figure, for attribute access
    (`fig.data[0].z`) in the tests."""
    import base64

    import numpy as np
    import plotly.graph_objects as go

    def decode(obj):
        if isinstance(obj, dict):
            if "bdata" in obj and "dtype" in obj:
                arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
                if "shape" in obj:
                    arr = arr.reshape([int(x) for x in str(obj["shape"]).split(",")])
                return arr.tolist()
            return {k: decode(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [decode(v) for v in obj]
        return obj

    plain = decode(fig.to_plotly_json() if isinstance(fig, go.Figure) else fig)
    return go.Figure(data=plain.get("data", []), layout={k: v for k, v in plain.get("layout", {}).items()
                                                         if k != "template"})
