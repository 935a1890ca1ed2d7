"""Register every callback module's callbacks on one app (never the global `dash.callback`)."""

from __future__ import annotations

import importlib

import dash

# callbacks/<module>.py: register(app); the shell first, pages after.
MODULES: tuple[str, ...] = ("shell", "national", "state", "district", "station", "lagging", "methodology", "data", "present",
                             "assign", "actions", "action_panels",
                             "profile", "provisional", "foresight")

OPS_MODULES: tuple[str, ...] = ("imports", "batches", "users", "audit")  # operations in the browser (issue 16)


def register_callbacks(app: dash.Dash) -> list[str]:
    done: list[str] = []
    for module in (*MODULES, *OPS_MODULES):
        importlib.import_module(f"callbacks.{module}").register(app)
        done.append(module)
    return done
