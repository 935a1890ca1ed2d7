"""Server-side sessions through a real HTTP server (issue 9, finding 1): the whole app on the demo database,
served by werkzeug on 127.0.0.1:<free port> in a thread, driven with `requests` like an attacker would.

A cookie kept from before sign-out, a password change, disabling the user or "sign out everywhere" must
answer 401 on a download and on a callback. Each test uses its own users, so the demo users' sessions
(shared with other test modules) are never revoked here."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import select
from typer.testing import CliRunner

from dashboard import read
from dashboard.store.models import LoginSession, User
from dashboard.web.users import create_user, disable_user, revoke_sessions, set_password

DISTRICT = "HR-KNL"
FOOTER_OUTPUT = "shell-user.children"


@pytest.fixture(scope="module")
def live_url(dash_app) -> Iterator[str]:
    from live_server import serve

    with serve(dash_app.server, "sessions-live-server") as url:
        yield url


@dataclass
class Probe:
    """A user of its own for one test, with a password."""

    username: str
    password: str


@pytest.fixture
def probe(demo_engine) -> Probe:
    name = f"session-probe-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(15)
    create_user(demo_engine, name, password, "district", district_code=DISTRICT, actor="test")
    return Probe(name, password)


def form_token(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the form"
    return m.group(1)


def sign_in(base: str, probe: Probe) -> requests.Session:
    browser = requests.Session()
    token = form_token(browser.get(f"{base}/login", timeout=10).text)
    r = browser.post(f"{base}/login", data={"username": probe.username, "password": probe.password,
                                             "csrf_token": token, "next": "/"},
                     allow_redirects=False, timeout=10)
    assert r.status_code == 303, r.text[:300]
    assert browser.cookies.get("cctns_session") and browser.cookies.get("_csrf_token")
    return browser


def sign_out(base: str, browser: requests.Session, everywhere: bool = False) -> requests.Response:
    page = browser.get(f"{base}/logout", timeout=10)
    assert page.status_code == 200 and "Sign out everywhere" in page.text
    return browser.post(f"{base}/logout", data={"csrf_token": form_token(page.text),
                                                "scope": "everywhere" if everywhere else "this"},
                        allow_redirects=False, timeout=10)


def stolen(browser: requests.Session) -> requests.Session:
    """Another client holding a copy of the browser's cookies as they are now (what an attacker keeps)."""
    copy = requests.Session()
    for name in ("cctns_session", "_csrf_token"):
        copy.cookies.set(name, browser.cookies.get(name), domain="127.0.0.1", path="/")
    return copy


@pytest.fixture(scope="module")
def download_path(demo_engine) -> str:
    month = read.latest_month(demo_engine)
    return f"/download/lagging?month={month}&state=HR&district={DISTRICT}&format=csv"


def footer_body(base: str, browser: requests.Session) -> dict:
    deps = browser.get(f"{base}/_dash-dependencies", timeout=10).json()
    dep = next(d for d in deps if FOOTER_OUTPUT in d["output"])
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
               for o in dep["output"].strip(".").split("...")]
    return {"output": dep["output"], "outputs": outputs,
            "inputs": [{"id": "url", "property": "search", "value": ""}],
            "changedPropIds": ["url.search"], "state": []}


def assert_works(base: str, client: requests.Session, download_path: str, body: dict, username: str) -> None:
    r = client.get(base + download_path, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv"), r.text[:200]
    r = client.post(f"{base}/_dash-update-component", json=body, timeout=30,
                    headers={"X-CSRFToken": client.cookies.get("_csrf_token")})
    assert r.status_code == 200 and username in r.text, r.text[:200]


def assert_refused(base: str, client: requests.Session, download_path: str, body: dict) -> None:
    r = client.get(base + download_path, timeout=30)
    assert r.status_code == 401 and r.json()["error"] == "not signed in", (r.status_code, r.text[:200])
    r = client.post(f"{base}/_dash-update-component", json=body, timeout=30,
                    headers={"X-CSRFToken": client.cookies.get("_csrf_token")})
    assert r.status_code == 401 and r.json()["error"] == "not signed in", (r.status_code, r.text[:200])


def test_cookie_kept_from_before_sign_out_is_refused(live_url, probe, download_path, demo_engine):
    browser = sign_in(live_url, probe)
    body = footer_body(live_url, browser)
    assert_works(live_url, browser, download_path, body, probe.username)
    attacker = stolen(browser)
    assert_works(live_url, attacker, download_path, body, probe.username)
    r = sign_out(live_url, browser)
    assert r.status_code == 303 and r.headers["Location"] == "/login?signed_out=1"
    assert_refused(live_url, attacker, download_path, body)
    assert_refused(live_url, browser, download_path, body)
    with demo_engine.connect() as conn:
        user_id = conn.execute(select(User.id).where(User.username == probe.username)).scalar_one()
        assert conn.execute(select(LoginSession.id).where(LoginSession.user_id == user_id)).first() is None


def test_get_logout_does_not_sign_out(live_url, probe, download_path):
    browser = sign_in(live_url, probe)
    body = footer_body(live_url, browser)
    r = browser.get(f"{live_url}/logout", allow_redirects=False, timeout=10)
    assert r.status_code == 200 and 'action="/logout"' in r.text and 'method="post"' in r.text
    r = browser.post(f"{live_url}/logout", data={"scope": "everywhere"}, allow_redirects=False, timeout=10)
    assert r.status_code == 400
    r = browser.post(f"{live_url}/logout", data={"csrf_token": "forged" * 8}, allow_redirects=False, timeout=10)
    assert r.status_code == 400
    assert_works(live_url, browser, download_path, body, probe.username)


def test_signing_out_one_session_leaves_the_other(live_url, probe, download_path):
    laptop, phone = sign_in(live_url, probe), sign_in(live_url, probe)
    body = footer_body(live_url, laptop)
    assert sign_out(live_url, laptop).status_code == 303
    assert_refused(live_url, stolen(laptop), download_path, body)
    assert_works(live_url, phone, download_path, body, probe.username)


def test_sign_out_everywhere_ends_every_session(live_url, probe, download_path):
    laptop, phone = sign_in(live_url, probe), sign_in(live_url, probe)
    body = footer_body(live_url, laptop)
    kept = stolen(laptop)
    r = sign_out(live_url, laptop, everywhere=True)
    assert r.status_code == 303 and r.headers["Location"] == "/login?signed_out=all"
    for client in (kept, phone):
        assert_refused(live_url, client, download_path, body)


def test_password_change_ends_open_sessions(live_url, probe, download_path, demo_engine):
    browser = sign_in(live_url, probe)
    body = footer_body(live_url, browser)
    set_password(demo_engine, probe.username, secrets.token_urlsafe(15), actor="test")
    assert_refused(live_url, browser, download_path, body)


def test_disabling_the_user_ends_open_sessions(live_url, probe, download_path, demo_engine):
    browser = sign_in(live_url, probe)
    body = footer_body(live_url, browser)
    disable_user(demo_engine, probe.username, actor="test")
    assert_refused(live_url, browser, download_path, body)


def test_admin_revoke_sessions_function(live_url, probe, download_path, demo_engine):
    laptop, phone = sign_in(live_url, probe), sign_in(live_url, probe)
    body = footer_body(live_url, laptop)
    assert revoke_sessions(demo_engine, probe.username, actor="test") == 2
    for client in (laptop, phone):
        assert_refused(live_url, client, download_path, body)
    # signing in again works: only the old sessions were ended
    assert_works(live_url, sign_in(live_url, probe), download_path, body, probe.username)


def test_cli_users_signout_ends_every_session(live_url, probe, download_path, demo_engine, monkeypatch):
    import typer

    from dashboard.cli.users import users_app

    laptop, phone = sign_in(live_url, probe), sign_in(live_url, probe)
    body = footer_body(live_url, laptop)
    monkeypatch.setenv("CCTNS_DATABASE_URL", str(demo_engine.url))
    cli = typer.Typer()
    cli.add_typer(users_app, name="users")
    r = CliRunner().invoke(cli, ["users", "signout", probe.username.upper()])
    assert r.exit_code == 0, r.output
    assert f"Signed out {probe.username} everywhere (2 session(s) ended)" in r.output
    for client in (laptop, phone):
        assert_refused(live_url, client, download_path, body)
    r = CliRunner().invoke(cli, ["users", "signout", "nobody-at-all"])
    assert r.exit_code == 1 and "no user" in r.output
