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


def html_table_rows(table: Any) -> list[dict[str, str]]:
    """The rows of a plain HTML table as a callback answered it (Dash's JSON of html.Table): each row's
    `data-row-id` as "id" and each cell's text by its `data-col-id` (a link's text for a link)."""

    def text(node: Any) -> str:
        if node is None:
            return ""
        if isinstance(node, str | int | float):
            return str(node)
        if isinstance(node, list):
            return "".join(text(n) for n in node)
        return text(node.get("props", {}).get("children"))

    def find(node: Any, kind: str) -> list[dict]:
        if isinstance(node, list):
            return [hit for n in node for hit in find(n, kind)]
        if not isinstance(node, dict):
            return []
        here = [node] if node.get("type") == kind else []
        return here + find(node.get("props", {}).get("children"), kind)

    rows = []
    for body in find(table, "Tbody"):
        for tr in find(body, "Tr"):
            row = {"id": tr["props"]["data-row-id"]}
            for cell in find(tr["props"].get("children"), "Td") + find(tr["props"].get("children"), "Th"):
                row[cell["props"]["data-col-id"]] = text(cell["props"].get("children"))
            rows.append(row)
    return rows
