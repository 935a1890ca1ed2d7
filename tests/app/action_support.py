"""The review loop's web tests: an app on a copy of the demo database (these tests make actions; the shared
demo stays as it was), signed-in clients per user, and helpers to post the loop's callbacks over HTTP."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any

import pytest
from app_http_support import call as plain_call
from app_http_support import sign_in
from sqlalchemy import Engine, func, select

from dashboard.scope import Scope
from layouts.actions import ids as page_ids
from layouts.assign import ids as assign_ids
from layouts.lagging import ids as lagging_ids

MONTH = "2025-06"  # the demo's last scored month
NEXT = "2025-07"
STATE = "MN"  # the small demo's State with lagging stations
DISTRICT = "MN-IWT"
OTHER_DISTRICT = "MN-IET"
PASSWORD = "Loop-test-password-42"
USERS = {  # username: (role, state, district)
    "mn-admin": ("state", "MN", None),
    "iwt-sp": ("district", "MN", "MN-IWT"),
    "ncrb": ("national", None, None),
    "haryana": ("state", "HR", None),
}
SCOPES = {u: Scope(r, s, d, u) for u, (r, s, d) in USERS.items()}

OPEN_DIALOG = [(i, p) for i, p in (
    (assign_ids.MODAL, "is_open"), (assign_ids.TITLE, "children"), (assign_ids.UNITS, "children"),
    (assign_ids.FIELDS, "style"), (assign_ids.PARAMETER, "options"), (assign_ids.PARAMETER, "value"),
    (assign_ids.TEXT, "value"), (assign_ids.PREVIEW, "children"), (assign_ids.OWNER, "options"),
    (assign_ids.OWNER, "value"), (assign_ids.DUE, "options"), (assign_ids.DUE, "value"),
    (assign_ids.REVIEW_DATE, "value"), (assign_ids.FORUM, "value"), (assign_ids.ERROR, "children"),
    (assign_ids.SAVE, "disabled"), (assign_ids.CONTEXT, "data"))]
SAVE_DIALOG = [(assign_ids.MODAL, "is_open"), (assign_ids.ERROR, "children"), (assign_ids.RESULT, "is_open"),
               (assign_ids.RESULT_BODY, "children"), (assign_ids.CHANGED, "data")]
SAVE_ACTION = [(page_ids.MESSAGE, "children"), (page_ids.DETAILS, "children"), (page_ids.COMMENTS, "children"),
               (page_ids.HISTORY, "children"), (page_ids.OPENED, "data"), (page_ids.COMMENT, "value"),
               (assign_ids.CHANGED, "data")]


@dataclass
class Loop:
    app: Any
    engine: Engine
    clients: dict[str, Any]


@pytest.fixture(scope="module")
def loop(demo_engine, demo_settings, demo_users, tmp_path_factory) -> Loop:
    from app import create_app
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_user, get_user, set_password

    folder = tmp_path_factory.mktemp("loop")
    db = folder / "loop.sqlite3"
    src = sqlite3.connect(demo_engine.url.database)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    engine = get_engine(f"sqlite:///{db}")
    for name, (role, state, district) in USERS.items():
        if get_user(engine, name) is None:
            create_user(engine, name, PASSWORD, role, state_code=state, district_code=district, actor="test")
        else:
            set_password(engine, name, PASSWORD, actor="test")
    app = create_app(replace(demo_settings, database_url=f"sqlite:///{db}", instance_dir=folder / "instance"))
    app.server.config["TESTING"] = True
    return Loop(app, engine, {u: sign_in(app, u, PASSWORD) for u in USERS})


def call(client: Any, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]],
         state: list[tuple[str, str, Any]] = (), changed: list[str] | None = None) -> dict:
    """`app_http_support.call` for callbacks with allow_duplicate outputs (their ids carry Dash's @hash):
    the exact output string is taken from the app's /_dash-dependencies."""
    import json

    wanted = [f"{i}.{p}" for i, p in outputs]
    deps = client.get("/_dash-dependencies").get_json()
    for d in deps:
        parts = d["output"].strip(".").split("...") if d["output"].startswith("..") else [d["output"]]
        if [x.split("@")[0] for x in parts] == wanted:
            output = d["output"]
            break
    else:
        return plain_call(client, outputs, inputs, state, changed)
    outs: Any = ({"id": outputs[0][0], "property": parts[0].split(".", 1)[1]} if len(parts) == 1 else
                 [{"id": i, "property": x.split(".", 1)[1]} for (i, _), x in zip(outputs, parts, strict=True)])
    body = {"output": output, "outputs": outs,
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": changed if changed is not None else [f"{inputs[0][0]}.{inputs[0][1]}"]}
    r = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json",
                    headers={"X-CSRFToken": client.csrf})
    assert r.status_code in (200, 204), r.get_data(as_text=True)[:800]
    if r.status_code == 204:
        return {}
    return {k: {p.split("@")[0]: v for p, v in props.items()} for k, props in r.get_json()["response"].items()}


def lagging_codes(engine: Engine, district: str | None = None, n: int = 3) -> list[str]:
    from dashboard import read

    lag = read.lagging(engine, MONTH, Scope.national(), STATE, district, worded=False)
    return list(lag["station_code"])[:n]


def count_actions(engine: Engine) -> int:
    from dashboard.store import Action

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Action)).scalar_one())


def violations(engine: Engine, actor: str) -> int:
    from dashboard.store.models import AuditEvent

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "scope_violation", AuditEvent.actor == actor)).scalar_one())


def open_dialog(client: Any, stations: list[str], month: str | None = MONTH, scheme: str | None = None) -> dict:
    return call(client, OPEN_DIALOG, [(assign_ids.REQUEST, "data", {"stations": stations, "month": month,
                                                                    "scheme": scheme, "at": 1})])


def save_dialog(client: Any, context: Any, *, parameter: Any = None, text: Any = "", owner: Any = "sp",
                due: Any = NEXT, review_date: Any = None, forum: Any = "state_review") -> dict:
    return call(client, SAVE_DIALOG, [(assign_ids.SAVE, "n_clicks", 1)], state=[
        (assign_ids.CONTEXT, "data", context), (assign_ids.PARAMETER, "value", parameter),
        (assign_ids.TEXT, "value", text), (assign_ids.OWNER, "value", owner), (assign_ids.DUE, "value", due),
        (assign_ids.REVIEW_DATE, "value", review_date), (assign_ids.FORUM, "value", forum),
        (assign_ids.CHANGED, "data", 0)])


def assign_from_lagging(client: Any, codes: list[str], scheme: str | None = None) -> dict:
    """The lagging page's "Assign selected (n)" with these rows ticked: the dialog's request."""
    return call(client, [(assign_ids.REQUEST, "data")], [(lagging_ids.ASSIGN, "n_clicks", 1)], state=[
        (lagging_ids.TABLE, "selectedRows", [{"station_code": c} for c in codes]),
        (lagging_ids.RESOLVED, "data", {"month": MONTH, "state": STATE, "district": None, "scheme": scheme})])


def save_action(client: Any, button: str, opened: dict, *, status: Any = None, reason: Any = "", comment: Any = "",
                text: Any = None, owner: Any = None, due: Any = None) -> dict:
    return call(client, SAVE_ACTION, [(page_ids.SAVE_STATUS, "n_clicks", 1 if button == "status" else None),
                                      (page_ids.SAVE_COMMENT, "n_clicks", 1 if button == "comment" else None),
                                      (page_ids.SAVE_EDIT, "n_clicks", 1 if button == "edit" else None)],
                state=[(page_ids.OPENED, "data", opened), (page_ids.NEW_STATUS, "value", status),
                       (page_ids.REASON, "value", reason), (page_ids.COMMENT, "value", comment),
                       (page_ids.EDIT_TEXT, "value", text), (page_ids.EDIT_OWNER, "value", owner),
                       (page_ids.EDIT_DUE, "value", due), (assign_ids.CHANGED, "data", 0)],
                changed=[f"{dict(status=page_ids.SAVE_STATUS, comment=page_ids.SAVE_COMMENT, edit=page_ids.SAVE_EDIT)[button]}"
                         ".n_clicks"])
