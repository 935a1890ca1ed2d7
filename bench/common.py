"""Helpers shared by the benchmark parts: percentiles, sign-in, Dash request bodies, layout props."""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import socket
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    data = sorted(values)
    k = max(0, min(len(data) - 1, math.ceil(q / 100 * len(data)) - 1))
    return data[k]


def summary_ms(values: Sequence[float]) -> dict[str, Any]:
    return {"n": len(values), "p50_ms": _r(percentile(values, 50)), "p95_ms": _r(percentile(values, 95)),
            "max_ms": _r(max(values) if values else None)}


def _r(v: float | None, nd: int = 2) -> float | None:
    return None if v is None else round(v, nd)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def ms(self) -> float:
        return (time.perf_counter() - self.start) * 1000

    @property
    def s(self) -> float:
        return time.perf_counter() - self.start


# --- Dash request bodies ------------------------------------------------------------------------------


def parse_outputs(output: str) -> list[dict[str, str]] | dict[str, str]:
    """The `outputs` of a callback request from its dependency `output` string."""

    def one(spec: str) -> dict[str, str]:
        cid, _, prop = spec.rpartition(".")
        if cid.startswith("{"):
            raise ValueError("pattern-matching output")
        return {"id": cid, "property": prop}

    if output.startswith("..") and output.endswith(".."):
        return [one(s) for s in output[2:-2].split("...")]
    return one(output)


def output_keys(output: str) -> list[str]:
    """'id.prop' of every output (without the @hash of duplicate outputs)."""
    parsed = parse_outputs(output)
    items = parsed if isinstance(parsed, list) else [parsed]
    return [f"{o['id']}.{o['property'].split('@')[0]}" for o in items]


def callback_body(dep: dict[str, Any], values: dict[str, Any], changed: Sequence[str] | None = None) -> dict[str, Any]:
    """The JSON dash-renderer posts to /_dash-update-component for `dep` with these `id.prop` values."""

    def items(kind: str) -> list[dict[str, Any]]:
        out = []
        for spec in dep.get(kind, []):
            if isinstance(spec["id"], dict):
                raise ValueError("pattern-matching input")
            key = f"{spec['id']}.{spec['property']}"
            out.append({"id": spec["id"], "property": spec["property"], "value": values.get(key)})
        return out

    inputs = items("inputs")
    return {
        "output": dep["output"],
        "outputs": parse_outputs(dep["output"]),
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": list(changed) if changed is not None else [f"{i['id']}.{i['property']}" for i in inputs],
    }


def response_values(payload: dict[str, Any] | None) -> dict[str, Any]:
    """{'id.prop': value} from a callback response."""
    out: dict[str, Any] = {}
    for cid, props in ((payload or {}).get("response") or {}).items():
        if isinstance(props, dict):
            for prop, value in props.items():
                out[f"{cid}.{prop}"] = value
    return out


def layout_props(tree: Any) -> dict[str, Any]:
    """{'id.prop': value} of every component with a string id in a serialised layout."""
    out: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
            return
        if not isinstance(node, dict):
            return
        if "props" in node and "type" in node:
            props = node.get("props") or {}
            cid = props.get("id")
            if isinstance(cid, str):
                for prop, value in props.items():
                    if prop != "children":
                        out[f"{cid}.{prop}"] = value
            for value in props.values():
                if isinstance(value, dict | list):
                    walk(value)
            return
        for value in node.values():
            if isinstance(value, dict | list):
                walk(value)

    walk(tree)
    return out


def layout_ids(tree: Any) -> set[str]:
    return {k.rsplit(".", 1)[0] for k in layout_props(tree)} | _bare_ids(tree)


def _bare_ids(tree: Any) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if "props" in node and "type" in node and isinstance((node.get("props") or {}).get("id"), str):
                found.add(node["props"]["id"])
            for v in node.values():
                if isinstance(v, dict | list):
                    walk(v)

    walk(tree)
    return found


def split_url(url: str) -> tuple[str, str]:
    path, _, query = url.partition("?")
    return path, ("?" + query) if query else ""


def url_props(url: str) -> dict[str, Any]:
    path, search = split_url(url)
    return {"url.pathname": path, "url.search": search, "url.href": "http://127.0.0.1" + url, "url.hash": "",
            "_pages_location.pathname": path, "_pages_location.search": search}


def chunks(seq: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def proc_stats() -> dict[int, tuple[float, int]]:
    """Every process here: pid -> (CPU seconds of it plus its reaped children, its parent pid), from
    /proc/PID/stat (utime, stime, cutime, cstime: a child's CPU is added to its parent's when it is reaped)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[float, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[int(entry)] = sum(int(x) for x in fields[11:15]) / ticks, int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    return out


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=str)


# --- the developer tools' app ---------------------------------------------------------------------------


@dataclass
class SignedIn:
    """An app on a database and a test client signed in to it (`signed_in_app`)."""

    app: Any  # dash.Dash
    engine: Any  # sqlalchemy.Engine
    client: Any  # the Flask test client
    csrf: str
    passwords: dict[str, str]


def as_a_worker() -> None:
    """This process's collector as a worker of `cctns serve --prod` has it (the loaded app frozen by the master
    before it forks: dashboard/web/gunicorn_conf.py), so that a tool answering callbacks in-process times them
    as the server would. Call once the app is built."""
    from dashboard.web import freeze_loaded_app

    freeze_loaded_app()


def signed_in_app(url: str, user: str = "ncrb", purpose: str = "bench") -> SignedIn:
    """The setup of the developer tools next to the benchmark (`bench.profile_cold`, `bench.query_plans`):
    the app on `url` with a throwaway instance folder (its file cache) and secret key unless set, the demo
    users (re)created with fresh passwords (so use a copy of a database you may write to), and a test client
    signed in as `user`. The background warm-up is left off (`CCTNS_WARM=0`) unless set: a tool measures
    what it asks, not a warm-up thread's answers."""
    os.environ["CCTNS_DATABASE_URL"] = url
    os.environ.setdefault("CCTNS_INSTANCE_DIR", tempfile.mkdtemp(prefix=f"cctns-{purpose}-"))
    os.environ.setdefault("CCTNS_SECRET_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("CCTNS_WARM", "0")

    from app import create_app
    from bench.callbacks import sign_in
    from dashboard.config import load_settings
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_demo_users

    engine = get_engine(url)
    passwords = create_demo_users(engine)
    app = create_app(load_settings())
    as_a_worker()
    client = app.server.test_client()
    return SignedIn(app, engine, client, sign_in(client, user, passwords[user]), passwords)
