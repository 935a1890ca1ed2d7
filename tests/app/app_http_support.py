"""Signing in through the real /login form and calling a Dash callback over HTTP (shared by app tests)."""

from __future__ import annotations

import re
from typing import Any


def sign_in(app, username: str, password: str):
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:500]
    with client.session_transaction() as s:
        client.csrf = s["csrf"]
    return client


def call(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]],
         state: list[tuple[str, str, Any]] = (), changed: list[str] | None = None) -> dict:
    """POST /_dash-update-component for a callback; returns {id: {prop: value}}."""
    if len(outputs) == 1:
        output = f"{outputs[0][0]}.{outputs[0][1]}"
        outs: Any = {"id": outputs[0][0], "property": outputs[0][1]}
    else:
        output = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
        outs = [{"id": i, "property": p} for i, p in outputs]
    body = {
        "output": output,
        "outputs": outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": changed if changed is not None else [f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    r = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": client.csrf})
    assert r.status_code in (200, 204), r.get_data(as_text=True)[:800]
    return {} if r.status_code == 204 else r.get_json()["response"]


def html_table_rows(table: dict[str, Any]) -> list[dict[str, str]]:
    """The rows of a table as assets/plain_table.js draws them from its data (layouts.components.plain_table_data):
    each row's id as "id" and each cell's text by its column id."""
    ids = [c["id"] for c in table["columns"]]
    return [{"id": row["id"], **{col: cell[0] for col, cell in zip(ids, row["cells"], strict=True)}}
            for row in table["rows"]]
