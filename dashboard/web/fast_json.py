"""Every answer Dash writes (callback responses, the layout, the dependencies) serialised in one orjson pass.

Dash serialises through `plotly.io.json.to_json_plotly`. With orjson installed, plotly first tries
`orjson.dumps` as it is; an answer that holds a Dash component (every page callback's does) makes it fail,
and plotly then walks the whole answer in Python (`clean_to_json_compatible`) before dumping it again:
for a cold State page that walk is about a fifth of the callback's time. Here orjson walks the answer
itself and hands each object it does not know to `_default`: a component (or figure) gives its
`to_plotly_json()` dict, which orjson walks in turn; anything else (pandas, numpy scalars, decimals)
goes through plotly's own cleaner. The bytes are the same as plotly's (same orjson options, same
escaping of `<`, `>` and `/` for HTML), which `tests/dashboard/web/test_fast_json.py` checks.
"""

from __future__ import annotations

from typing import Any

import orjson
import plotly.io._json as plotly_json

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _modules() -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    return {"sage_all": None, "np": np, "pd": pd, "image": None}


def _default(value: Any) -> Any:
    to_plotly_json = getattr(value, "to_plotly_json", None)
    if to_plotly_json is not None:
        return to_plotly_json()
    cleaned = plotly_json.clean_to_json_compatible(value, numpy_allowed=True, datetime_allowed=True,
                                                   modules=_modules())
    if cleaned is value:  # plotly does not know it either
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return cleaned


def to_json_plotly(plotly_object: Any, pretty: bool = False, engine: str | None = None) -> str:
    """`plotly.io.json.to_json_plotly` in one orjson pass; plotly's own for what this does not cover."""
    if pretty or engine == "json":
        return _ORIGINAL(plotly_object, pretty=pretty, engine=engine)
    try:
        raw = orjson.dumps(plotly_object, default=_default, option=_OPTIONS)
    except TypeError:
        return _ORIGINAL(plotly_object, pretty=pretty, engine=engine)
    return plotly_json._safe(raw.decode("utf8"), plotly_json._swap_orjson)


_ORIGINAL = getattr(plotly_json.to_json_plotly, "__wrapped_original__", plotly_json.to_json_plotly)
to_json_plotly.__wrapped_original__ = _ORIGINAL  # type: ignore[attr-defined]


def install() -> None:
    """Make `to_json_plotly` (looked up by Dash at every call) this one. Idempotent: a replacement of a
    library function by an equivalent, not state that changes while the app runs."""
    import plotly.io.json

    for module in (plotly_json, plotly.io.json):
        module.to_json_plotly = to_json_plotly  # type: ignore[attr-defined]


def original() -> Any:
    """plotly's own function (for the equivalence test)."""
    return _ORIGINAL
