"""Register every callback module's callbacks on one app (never the global `dash.callback`)."""

from __future__ import annotations

import importlib
import importlib.util

import dash

# callbacks/<module>.py: register(app); the shell first, pages after. Missing modules are skipped.
MODULES: tuple[str, ...] = ("shell", "national", "state", "district", "station", "lagging", "methodology", "data", "present")


def register_callbacks(app: dash.Dash) -> list[str]:
    done: list[str] = []
    for module in MODULES:
        name = f"callbacks.{module}"
        if importlib.util.find_spec(name) is None:
            continue
        importlib.import_module(name).register(app)
        done.append(module)
    return done
