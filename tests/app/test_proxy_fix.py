"""Behind a load balancer (issue 9, finding 8b): CCTNS_TRUSTED_PROXIES=N trusts the last N hops of
X-Forwarded-For / X-Forwarded-Proto, so the per-address sign-in limit counts real clients; with 0 (the
default) the headers are ignored, so nobody can dodge the limit by sending a made-up address."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.config import load_settings
from dashboard.store.models import AuditEvent

LOAD_BALANCER = "10.20.0.5"
ADDRESS_LIMIT = 5  # CCTNS_IP_FAILURES is 20 in production; fewer sign-ins keep the test quick, same logic


@pytest.fixture(scope="module")
def apps(demo_settings) -> dict[int, Any]:
    from app import create_app

    out = {}
    for trusted in (0, 1):
        app = create_app(replace(demo_settings, trusted_proxies=trusted))
        app.server.config["TESTING"] = True
        app.server.config["CCTNS_IP_FAILURES"] = ADDRESS_LIMIT
        out[trusted] = app
    return out


def random_address() -> str:
    return f"203.0.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"


def failed_sign_in(app: Any, forwarded_for: str | None) -> Any:
    """One wrong sign-in through the load balancer (a fresh unknown user each time: no per-user lockout)."""
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = LOAD_BALANCER
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", headers=headers, data={
        "username": "nobody-" + secrets.token_hex(4), "password": "wrong", "csrf_token": token})


def recorded_addresses(demo_engine, actor_prefix: str = "nobody-") -> set[str]:
    with demo_engine.connect() as conn:
        rows = conn.execute(select(AuditEvent.remote_addr).where(AuditEvent.actor.like(actor_prefix + "%")))
        return {r for (r,) in rows}


def test_trusted_proxies_comes_from_the_environment():
    assert load_settings({}).trusted_proxies == 0
    assert load_settings({"CCTNS_TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    assert load_settings({"CCTNS_TRUSTED_PROXIES": " 2 "}).trusted_proxies == 2
    for bad in ("-1", "one", "1.5"):
        with pytest.raises(ValueError, match="CCTNS_TRUSTED_PROXIES"):
            load_settings({"CCTNS_TRUSTED_PROXIES": bad})


def test_without_trusted_proxies_x_forwarded_for_is_ignored(apps, demo_engine):
    """An attacker cannot spoof addresses to dodge the per-address limit: every attempt counts against the
    connecting address, whatever X-Forwarded-For says."""
    app = apps[0]
    limit = int(app.server.config["CCTNS_IP_FAILURES"])
    connecting = random_address()
    client_addresses = [random_address() for _ in range(limit + 1)]
    statuses = []
    for fake in client_addresses:
        client = app.server.test_client()
        client.environ_base["REMOTE_ADDR"] = connecting
        page = client.get("/login", headers={"X-Forwarded-For": fake}).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = client.post("/login", headers={"X-Forwarded-For": fake}, data={
            "username": "nobody-" + secrets.token_hex(4), "password": "wrong", "csrf_token": token})
        statuses.append(r.status_code)
    assert statuses == [401] * limit + [429]
    seen = recorded_addresses(demo_engine)
    assert connecting in seen and not seen & set(client_addresses)


def test_with_one_trusted_proxy_each_client_has_its_own_count(apps, demo_engine):
    """The limit's worth of failures from one client behind the load balancer (20 in production) do not
    block another client."""
    app = apps[1]
    limit = int(app.server.config["CCTNS_IP_FAILURES"])
    noisy, other = random_address(), random_address()
    statuses = [failed_sign_in(app, noisy).status_code for _ in range(limit + 1)]
    assert statuses == [401] * limit + [429]
    assert failed_sign_in(app, other).status_code == 401  # wrong password, not "too many failures"
    # only the last hop is trusted: a client-supplied address in front of it changes nothing
    assert failed_sign_in(app, f"198.51.100.7, {noisy}").status_code == 429
    seen = recorded_addresses(demo_engine)
    assert {noisy, other} <= seen and LOAD_BALANCER not in seen


def test_with_one_trusted_proxy_x_forwarded_proto_makes_the_request_secure(apps):
    client = apps[1].server.test_client()
    client.environ_base["REMOTE_ADDR"] = LOAD_BALANCER
    r = client.get("/login", headers={"X-Forwarded-For": random_address(), "X-Forwarded-Proto": "https"})
    assert r.headers.get("Strict-Transport-Security") == "max-age=31536000"
    assert "Secure" in r.headers.get("Set-Cookie", "")
    plain = client.get("/login", headers={"X-Forwarded-For": random_address(), "X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers


def test_without_trusted_proxies_x_forwarded_proto_is_ignored(apps):
    client = apps[0].server.test_client()
    r = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in r.headers
    assert "Secure" not in r.headers.get("Set-Cookie", "")
