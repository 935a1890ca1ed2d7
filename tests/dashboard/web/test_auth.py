"""Sign-in, sessions, the guard, CSRF, lockout and headers, against a tiny Dash app on a temp database."""

from __future__ import annotations

import os
import re
import stat
import threading
from datetime import timedelta
from pathlib import Path

import dash
import pytest
from argon2 import PasswordHasher
from dash import Input, Output, dcc, html
from flask import Flask
from sqlalchemy import func, insert, select

from dashboard.config import Settings
from dashboard.store.audit import list_events
from dashboard.store.db import get_engine
from dashboard.store.models import District, LoginSession, State, User, utcnow
from dashboard.store.schema import upgrade
from dashboard.web import auth, passwords
from dashboard.web.auth import (
    LOCKED,
    WRONG_CREDENTIALS,
    current_scope,
    current_username,
    init_auth,
    require_scope,
    safe_next,
    set_csp_script_hashes,
)
from dashboard.web.language import init_language
from dashboard.web.routes import register_sign_in_routes
from dashboard.web.users import create_user, disable_user, revoke_sessions, session_token_hash, set_password

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing():
    passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.set_hasher(passwords.production_hasher())


@pytest.fixture
def engine(any_db_url):  # SQLite, and PostgreSQL when CCTNS_TEST_POSTGRES_URL is set (tests/conftest.py)
    eng = get_engine(any_db_url)
    upgrade(eng)
    with eng.begin() as conn:
        conn.execute(insert(State).values(code="HR", name="Haryana", category="Large"))
        conn.execute(insert(District), [
            {"code": "HR-KNL", "state_code": "HR", "name": "Karnal"},
            {"code": "HR-AMB", "state_code": "HR", "name": "Ambala"},
        ])
    create_user(eng, "ncrb", PASSWORD, "national", is_admin=True)
    create_user(eng, "haryana", PASSWORD, "state", state_code="HR", can_import=True)
    create_user(eng, "karnal-sp", PASSWORD, "district", district_code="HR-KNL")
    return eng


def make_settings(tmp_path: Path, **kw) -> Settings:
    base = dict(database_url="sqlite://", secret_key="k" * 48, demo_mode=False, redis_url=None,
                instance_dir=tmp_path / "instance", session_hours=12.0, methodology_file=None)
    base.update(kw)
    return Settings(**base)


def build_app(engine, settings: Settings) -> dash.Dash:
    app = dash.Dash(__name__, assets_folder=str(ROOT / "assets"), serve_locally=True)
    app.layout = html.Div([dcc.Input(id="inp"), html.Div(id="out"), dcc.Input(id="district"),
                           html.Div(id="stations")])

    @app.callback(Output("out", "children"), Input("inp", "value"))
    def echo(value):
        return f"{current_username()} typed {value}"

    @app.callback(Output("stations", "children"), Input("district", "value"))
    def stations(district):
        scope = current_scope()
        require_scope(scope.can_see_district("HR", district), f"stations of district {district}")
        return f"stations of {district}"

    init_auth(app.server, settings, lambda: engine)
    init_language(app.server)  # as create_app does: the sign-in templates are worded through the catalog
    register_sign_in_routes(app.server)

    @app.server.route("/health")
    def health():
        return {"status": "ok"}

    @app.server.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @app.server.route("/download/file.csv")
    def download():
        return "a,b\n1,2\n"

    set_csp_script_hashes(app.server, app.csp_hashes())
    return app


@pytest.fixture
def app(engine, tmp_path):
    return build_app(engine, make_settings(tmp_path))


@pytest.fixture
def client(app):
    return app.server.test_client()


def csrf_from(html_text: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html_text)
    assert m, "no CSRF field on the sign-in page"
    return m.group(1)


def login(client, username: str = "karnal-sp", password: str = PASSWORD, next_url: str | None = None):
    page = client.get("/login" + (f"?next={next_url}" if next_url else ""))
    data = {"username": username, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def logout(client, everywhere: bool = False):
    """Sign out the way the browser does: the GET confirmation page, then its POST form."""
    page = client.get("/logout")
    assert page.status_code == 200, page.status_code
    return client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                        "scope": "everywhere" if everywhere else "this"})


def session_rows(engine, username: str | None = None) -> int:
    stmt = select(func.count()).select_from(LoginSession)
    if username:
        stmt = stmt.join(User).where(User.username == username)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def echo_body(value: str = "q", district: str | None = None) -> dict:
    if district is not None:
        return {"output": "stations.children", "outputs": {"id": "stations", "property": "children"},
                "inputs": [{"id": "district", "property": "value", "value": district}],
                "changedPropIds": ["district.value"], "state": []}
    return {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "inp", "property": "value", "value": value}],
            "changedPropIds": ["inp.value"], "state": []}


def csrf_header(client) -> dict[str, str]:
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "no _csrf_token cookie after sign-in"
    return {"X-CSRFToken": cookie.value}


def actions(engine, actor: str | None = None) -> list[str]:
    return [e.action for e in reversed(list_events(engine, limit=1000, actor=actor))]


# --- unauthenticated ---------------------------------------------------------------------------------


def test_page_redirects_to_login_with_next(client):
    r = client.get("/some/page?month=2025-01")
    assert r.status_code == 302
    assert r.headers["Location"] == "/login?next=/some/page%3Fmonth%3D2025-01"
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/")


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/_dash-component-suites/dash/x.js",
                                  "/_reload-hash", "/download/file.csv", "/export/x.xlsx", "/api/anything"])
def test_data_routes_401_without_session(client, path):
    r = client.get(path)
    assert r.status_code == 401
    assert r.get_json()["error"] == "not signed in"


def test_callback_401_without_session(client):
    r = client.post("/_dash-update-component", json=echo_body())
    assert r.status_code == 401
    assert "typed" not in r.get_data(as_text=True)


def test_public_paths(client):
    assert client.get("/health").status_code == 200
    r = client.get("/assets/bootstrap.min.css")
    assert r.status_code == 200 and r.mimetype == "text/css"
    assert client.get("/login").status_code == 200
    r = client.get("/assets/session-expired.js")
    assert r.status_code == 200 and "/login?next=" in r.get_data(as_text=True)
    # only static css/js under /assets is public
    assert client.get("/assets/bootstrap.LICENSE").status_code == 302
    assert client.get("/assets/../dashboard/auth.py").status_code in (302, 401, 404)
    assert client.get("/login/").status_code == 302


def test_login_page_is_accessible_html(client):
    r = client.get("/login?next=/district/HR-KNL")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "<title>CCTNS progress dashboard — sign in</title>" in text
    assert "<html lang=\"en\"" in text
    assert 'href="/assets/bootstrap.min.css"' in text
    assert '<label for="username"' in text and 'id="username"' in text
    assert '<label for="password"' in text and 'type="password"' in text
    assert 'autocomplete="current-password"' in text
    assert 'name="next" value="/district/HR-KNL"' in text
    assert "<script" not in text
    assert r.headers["Cache-Control"] == "no-store"


# --- sign-in -----------------------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_same_message(client, engine):
    a = login(client, "karnal-sp", "wrong password!")
    b = login(client, "nobody-here", "wrong password!")
    assert a.status_code == b.status_code == 401
    assert WRONG_CREDENTIALS in a.get_data(as_text=True)
    assert WRONG_CREDENTIALS in b.get_data(as_text=True)
    def strip(r, name):
        text = re.sub(r'name="csrf_token" value="[^"]*"', "", r.get_data(as_text=True))
        return text.replace(f'value="{name}"', 'value="?"')

    assert strip(a, "karnal-sp") == strip(b, "nobody-here")
    assert actions(engine)[-2:] == ["login_failed", "login_failed"]
    assert client.get("/").status_code == 302


def test_login_success_page_and_callback(client, engine):
    r = login(client)
    assert r.status_code == 303 and r.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    r = client.post("/_dash-update-component", json=echo_body("q"), headers=csrf_header(client))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["response"]["out"]["children"] == "karnal-sp typed q"
    ev = list_events(engine, limit=1, action="login")[0]
    assert ev.actor == "karnal-sp" and ev.remote_addr == "127.0.0.1"
    user = select(User.failed_logins).where(User.username == "karnal-sp")
    with engine.connect() as conn:
        assert conn.execute(user).scalar_one() == 0


def test_username_is_case_insensitive(client):
    assert login(client, "  Karnal-SP ").status_code == 303


def test_callback_without_or_with_wrong_csrf_is_403(client):
    login(client)
    r = client.post("/_dash-update-component", json=echo_body())
    assert r.status_code == 403
    r = client.post("/_dash-update-component", json=echo_body(), headers={"X-CSRFToken": "forged"})
    assert r.status_code == 403
    # a token from another session does not work either
    other = client.application.test_client()
    login(other, "haryana")
    r = client.post("/_dash-update-component", json=echo_body(), headers=csrf_header(other))
    assert r.status_code == 403


def test_csrf_cookie_is_readable_by_dash_renderer(client):
    r = login(client)
    cookies = r.headers.getlist("Set-Cookie")
    csrf = [c for c in cookies if c.startswith("_csrf_token=")]
    session_cookie = [c for c in cookies if c.startswith("cctns_session=")]
    assert csrf and "HttpOnly" not in csrf[0] and "SameSite=Lax" in csrf[0]
    assert session_cookie and "HttpOnly" in session_cookie[0] and "SameSite=Lax" in session_cookie[0]
    assert "Secure" not in session_cookie[0]  # plain HTTP in the test


def test_dash_renderer_reads_the_cookie_names_we_use():
    """dash-renderer copies cookie `_csrf_token` into header `X-CSRFToken` (Dash 4 defaults)."""
    app = dash.Dash(__name__)
    assert app.config.csrf_token_name == auth.CSRF_COOKIE_NAME
    assert app.config.csrf_header_name == auth.CSRF_HEADER_NAME


def test_login_form_needs_csrf_token(client):
    r = client.post("/login", data={"username": "karnal-sp", "password": PASSWORD})
    assert r.status_code == 400
    r = client.post("/login", data={"username": "karnal-sp", "password": PASSWORD, "csrf_token": "x" * 43})
    assert r.status_code == 400
    assert client.get("/").status_code == 302


def test_session_rotated_on_login(client):
    page = client.get("/login")
    before = csrf_from(page.get_data(as_text=True))
    login(client)
    assert client.get_cookie("_csrf_token").value != before


def test_scope_enforced_in_callback_and_audited(client, engine):
    login(client)
    h = csrf_header(client)
    r = client.post("/_dash-update-component", json=echo_body(district="HR-KNL"), headers=h)
    assert r.status_code == 200 and "stations of HR-KNL" in r.get_data(as_text=True)
    r = client.post("/_dash-update-component", json=echo_body(district="HR-AMB"), headers=h)
    assert r.status_code == 403
    assert "HR-AMB" not in r.get_data(as_text=True) or "stations of" not in r.get_data(as_text=True)
    ev = list_events(engine, limit=1, action="scope_violation")[0]
    assert ev.actor == "karnal-sp" and "HR-AMB" in ev.detail


def test_current_scope_outside_a_session_raises(app):
    from dashboard.scope import OutOfScope

    with app.server.test_request_context("/"), pytest.raises(OutOfScope):
        current_scope()
    assert current_username() == ""


# --- next / open redirect ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil",
                                   "http:/evil", "javascript:alert(1)", "/login", "/logout?x=1",
                                   "/_dash-layout", "/ok\r\nSet-Cookie: x", "", None, "evil"])
def test_safe_next_rejects(value):
    assert safe_next(value) == "/"


@pytest.mark.parametrize("value", ["/", "/state/HR?month=2025-01", "/district/HR-KNL#top"])
def test_safe_next_accepts_local_paths(value):
    assert safe_next(value) == value


def test_open_redirect_rejected_at_login(client):
    r = login(client, next_url="//evil.example/x")
    assert r.status_code == 303 and r.headers["Location"] == "/"
    logout(client)
    r = login(client, next_url="https://evil.example/")
    assert r.headers["Location"] == "/"
    logout(client)
    r = login(client, next_url="/district/HR-KNL?month=2025-01")
    assert r.headers["Location"] == "/district/HR-KNL?month=2025-01"
    # already signed in: /login?next=... redirects, but only locally
    r = client.get("/login?next=https://evil.example/")
    assert r.status_code == 302 and r.headers["Location"] == "/"


# --- lockout and rate limit --------------------------------------------------------------------------


def test_lockout_after_five_failures(client, engine, monkeypatch):
    for i in range(4):
        r = login(client, "haryana", f"wrong password {i}")
        assert r.status_code == 401 and WRONG_CREDENTIALS in r.get_data(as_text=True)
    r = login(client, "haryana", "wrong password 5")
    assert r.status_code == 429 and LOCKED in r.get_data(as_text=True)
    # locked: even the right password is refused, with the same generic message
    r = login(client, "haryana", PASSWORD)
    assert r.status_code == 429 and LOCKED in r.get_data(as_text=True)
    assert client.get("/").status_code == 302
    acts = actions(engine, actor="haryana")
    assert acts.count("login_failed") == 6 and acts.count("lockout") == 1
    lock = list_events(engine, limit=1, action="lockout")[0]
    assert lock.actor == "haryana" and lock.remote_addr == "127.0.0.1"
    # 15 minutes later the account opens again
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(auth, "_now", lambda: later)
    r = login(client, "haryana", PASSWORD)
    assert r.status_code == 303
    assert client.get("/").status_code == 200


def test_unknown_user_locks_like_a_real_one(client, engine):
    statuses = [login(client, "ghost", "wrong password").status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    assert actions(engine, actor="ghost").count("lockout") == 1


def test_per_address_rate_limit(client, engine):
    client.application.config["CCTNS_IP_FAILURES"] = 3
    for name in ("a1", "a2", "a3"):
        assert login(client, name, "wrong password").status_code == 401
    r = login(client, "karnal-sp", PASSWORD)  # right password, but this address is throttled
    assert r.status_code == 429 and LOCKED in r.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # another address is unaffected (the count is in the database, shared by all workers)
    other = client.application.test_client()
    page = other.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    r = other.post("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"},
                   data={"username": "karnal-sp", "password": PASSWORD,
                         "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 303


def test_disabled_user_cannot_sign_in_and_is_signed_out(client, engine):
    assert login(client).status_code == 303
    assert client.get("/").status_code == 200
    disable_user(engine, "karnal-sp")
    assert client.get("/").status_code == 302
    r = login(client)
    assert r.status_code == 401 and WRONG_CREDENTIALS in r.get_data(as_text=True)


def test_password_change_signs_out_open_sessions(client, engine):
    login(client)
    assert client.get("/").status_code == 200
    set_password(engine, "karnal-sp", "a brand new password")
    assert client.get("/").status_code == 302
    assert login(client, password="a brand new password").status_code == 303


class CountingHasher(PasswordHasher):
    """The test hasher, counting verifications and the length of each password verified."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified: list[int] = []
        self.hashed = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002 - argon2's name
        self.verified.append(len(password))
        return super().verify(hash, password)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)


@pytest.mark.parametrize("password", ["wrong password!", "x" * 1025, "y" * 100_000])
def test_known_and_unknown_users_cost_the_same_hashing(client, password):
    """Issue 9, finding 7: the same hashing work for a known and an unknown username, whatever the
    password's length (counted, not timed: one verification of at most 1,024 characters each)."""
    hasher = CountingHasher()
    passwords.set_hasher(hasher)
    passwords.burn_verify("warm up the dummy hash")
    work = {}
    for username in ("karnal-sp", "nobody-here"):
        hasher.verified.clear()
        hasher.hashed = 0
        r = login(client, username, password)
        assert r.status_code == 401
        work[username] = (list(hasher.verified), hasher.hashed)
    expected = ([min(len(password), passwords.MAX_PASSWORD_LENGTH)], 0)
    assert work["karnal-sp"] == work["nobody-here"] == expected


def test_over_long_password_never_matches(engine):
    long_password = "z" * (passwords.MAX_PASSWORD_LENGTH + 1)
    stored = passwords.hash_password(long_password[:passwords.MAX_PASSWORD_LENGTH])
    assert not passwords.verify_password(stored, long_password)


def test_weak_hash_is_upgraded_on_login(client, engine):
    with engine.connect() as conn:
        old = conn.execute(select(User.password_hash).where(User.username == "ncrb")).scalar_one()
    passwords.set_hasher(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert login(client, "ncrb").status_code == 303
    with engine.connect() as conn:
        new = conn.execute(select(User.password_hash).where(User.username == "ncrb")).scalar_one()
    assert new != old and "m=2048,t=2" in new


def test_production_hashes_are_argon2id_at_owasp_minimum():
    h = passwords.production_hasher().hash(PASSWORD)
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.production_hasher().verify(h, PASSWORD)


def test_hash_from_earlier_parameters_is_rehashed_once_at_sign_in(client, engine):
    """A hash stored with argon2-cffi's default parameters (what the dashboard used before: 64 MiB, t=3,
    p=4) is replaced at its owner's next sign-in by one at OWASP's minimum, with the real hasher; the
    session opened by that sign-in works, and the next sign-in leaves the new hash alone."""
    earlier = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    with engine.begin() as conn:
        conn.execute(User.__table__.update().where(User.username == "karnal-sp").values(password_hash=earlier))
    passwords.set_hasher(passwords.production_hasher())
    assert passwords.needs_rehash(earlier)
    assert login(client).status_code == 303
    assert client.get("/").status_code == 200

    def stored() -> str:
        with engine.connect() as conn:
            return conn.execute(select(User.password_hash).where(User.username == "karnal-sp")).scalar_one()

    upgraded = stored()
    assert upgraded != earlier and upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not passwords.needs_rehash(upgraded)
    logout(client)
    assert login(client).status_code == 303
    assert stored() == upgraded


def test_two_sign_ins_rehashing_at_once_both_keep_their_sessions(app, engine, monkeypatch):
    """While one sign-in rehashes, another (same user, other browser) stores its own new hash first: the
    first takes that hash instead of overwriting it, so both sessions stay open."""
    earlier = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2).hash(PASSWORD)
    with engine.begin() as conn:
        conn.execute(User.__table__.update().where(User.username == "karnal-sp").values(password_hash=earlier))
    first, second = app.server.test_client(), app.server.test_client()
    real_hash = passwords.hash_password
    winner: list[str] = []

    def other_browser() -> None:
        assert login(second).status_code == 303
        with engine.connect() as conn:
            winner[0] = conn.execute(select(User.password_hash).where(User.username == "karnal-sp")).scalar_one()

    def racing_hash(password: str) -> str:
        if not winner:  # the other browser's sign-in completes in the middle of this one (its own thread)
            winner.append("running")
            t = threading.Thread(target=other_browser)
            t.start()
            t.join(60)
        return real_hash(password)

    monkeypatch.setattr(auth, "hash_password", racing_hash)
    assert login(first).status_code == 303
    with engine.connect() as conn:
        stored = conn.execute(select(User.password_hash).where(User.username == "karnal-sp")).scalar_one()
    assert stored == winner[0] != earlier
    assert first.get("/").status_code == 200 and second.get("/").status_code == 200


def test_no_database_connection_is_held_while_a_password_is_verified(client, engine, monkeypatch):
    """A hall signing in at once queues for the argon2 slots: none of them may hold a pooled connection
    meanwhile (the pool would run dry and the people already signed in would wait for it)."""
    held: list[int] = []
    real_verify, real_burn = auth.verify_password, auth.burn_verify

    def verify(stored: str, password: str) -> bool:
        held.append(engine.pool.checkedout())
        return real_verify(stored, password)

    def burn(password: str) -> None:
        held.append(engine.pool.checkedout())
        real_burn(password)

    monkeypatch.setattr(auth, "verify_password", verify)
    monkeypatch.setattr(auth, "burn_verify", burn)
    assert login(client, password="a wrong password entirely").status_code == 401
    assert login(client, username="nobody-here").status_code == 401
    assert login(client).status_code == 303
    assert held == [0, 0, 0]


def test_sign_in_refused_when_the_password_changes_during_its_rehash(client, engine, monkeypatch):
    earlier = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2).hash(PASSWORD)
    with engine.begin() as conn:
        conn.execute(User.__table__.update().where(User.username == "karnal-sp").values(password_hash=earlier))
    real_hash = passwords.hash_password

    def changed_meanwhile(password: str) -> str:
        with engine.begin() as conn:
            conn.execute(User.__table__.update().where(User.username == "karnal-sp")
                         .values(password_hash=real_hash("another password entirely")))
        return real_hash(password)

    monkeypatch.setattr(auth, "hash_password", changed_meanwhile)
    r = login(client)
    assert r.status_code == 401 and WRONG_CREDENTIALS in r.get_data(as_text=True)
    assert client.get("/").status_code == 302

# --- sessions ----------------------------------------------------------------------------------------


def test_session_expires_after_session_hours(client):
    login(client)
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        assert sess.permanent
        sess["auth_at"] -= 12 * 3600 + 1
    assert client.get("/").status_code == 302
    assert client.post("/_dash-update-component", json=echo_body()).status_code == 401


def test_session_lifetime_from_settings(engine, tmp_path):
    app = build_app(engine, make_settings(tmp_path, session_hours=0.5))
    assert app.server.permanent_session_lifetime == timedelta(minutes=30)
    c = app.server.test_client()
    r = login(c)
    cookie = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("cctns_session=")][0]
    assert "Expires=" in cookie
    with c.session_transaction() as sess:
        sess["auth_at"] -= 31 * 60
    assert c.get("/").status_code == 302


def test_logout(client, engine):
    login(client)
    assert client.get("/").status_code == 200
    r = logout(client)
    assert r.status_code == 303 and r.headers["Location"] == "/login?signed_out=1"
    assert "You have signed out." in client.get("/login?signed_out=1").get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert client.post("/_dash-update-component", json=echo_body()).status_code == 401
    assert list_events(engine, limit=1, action="logout")[0].actor == "karnal-sp"
    assert session_rows(engine, "karnal-sp") == 0
    # signed out already: the page sends you to sign in
    r = client.get("/logout")
    assert r.status_code == 302 and r.headers["Location"] == "/login"


def test_get_logout_only_asks(client, engine):
    """Issue 9, finding 8: a cross-site link to /logout signs nobody out; it shows a POST form."""
    login(client)
    r = client.get("/logout")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html" and "<script" not in text
    assert '<form method="post" action="/logout"' in text and 'name="csrf_token"' in text
    assert "Sign out everywhere" in text and '<html lang="en"' in text
    assert r.headers["Cache-Control"] == "no-store"
    assert client.get("/").status_code == 200
    assert "logout" not in actions(engine, "karnal-sp")


def test_post_logout_needs_the_form_token(client, engine):
    login(client)
    cookie_token = client.get_cookie("_csrf_token").value
    for data in ({}, {"csrf_token": "x" * 43}, {"csrf_token": "", "scope": "everywhere"}):
        r = client.post("/logout", data=data)
        assert r.status_code == 400 and "Sign out everywhere" in r.get_data(as_text=True)
        assert client.get("/").status_code == 200
    assert "logout" not in actions(engine, "karnal-sp") and session_rows(engine, "karnal-sp") == 1
    # the token the page carries is the session's (the same as dash-renderer's cookie)
    assert client.post("/logout", data={"csrf_token": cookie_token}).status_code == 303
    assert client.get("/").status_code == 302


def test_cookie_kept_after_logout_is_refused(client, app, engine):
    """Issue 9, finding 1: the signed cookie is only a pointer to a server-side session."""
    login(client)
    kept_session = client.get_cookie("cctns_session").value
    kept_csrf = client.get_cookie("_csrf_token").value
    logout(client)
    replay = app.server.test_client()
    replay.set_cookie("cctns_session", kept_session)
    replay.set_cookie("_csrf_token", kept_csrf)
    assert replay.get("/download/file.csv").status_code == 401
    r = replay.post("/_dash-update-component", json=echo_body(), headers={"X-CSRFToken": kept_csrf})
    assert r.status_code == 401 and "typed" not in r.get_data(as_text=True)


def test_sessions_are_stored_as_hashes_only(client, engine):
    login(client)
    with client.session_transaction() as sess:
        session_id = sess["_user_id"].partition(".")[0]
    assert len(session_id) >= 40
    with engine.connect() as conn:
        row = conn.execute(select(LoginSession)).one()
    assert row.token_sha256 == session_token_hash(session_id) and session_id not in row.token_sha256
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.remote_addr == "127.0.0.1"


def test_each_sign_in_gets_a_new_session_id(app, client):
    """Session fixation: a cookie planted before sign-in is never the one that gets signed in."""
    attacker = app.server.test_client()
    attacker.get("/login")
    client.set_cookie("cctns_session", attacker.get_cookie("cctns_session").value)
    login(client)
    assert attacker.get("/").status_code == 302
    again = app.server.test_client()
    login(again)
    with client.session_transaction() as one, again.session_transaction() as two:
        assert one["_user_id"].partition(".")[0] != two["_user_id"].partition(".")[0]


def test_two_sessions_sign_out_one_or_everywhere(app, engine):
    laptop, phone, tablet = (app.server.test_client() for _ in range(3))
    for c in (laptop, phone, tablet):
        login(c)
    assert session_rows(engine, "karnal-sp") == 3
    logout(laptop)
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200 and tablet.get("/").status_code == 200
    r = logout(phone, everywhere=True)
    assert r.status_code == 303 and r.headers["Location"] == "/login?signed_out=all"
    assert tablet.get("/").status_code == 302
    assert session_rows(engine, "karnal-sp") == 0
    assert "You have signed out everywhere." in phone.get("/login?signed_out=all").get_data(as_text=True)
    assert "everywhere (2 session(s) ended)" in list_events(engine, limit=1, action="logout")[0].detail


def test_revoke_sessions_signs_a_user_out_everywhere(app, engine):
    karnal, haryana = app.server.test_client(), app.server.test_client()
    login(karnal)
    login(haryana, "haryana")
    assert revoke_sessions(engine, "Karnal-SP", actor="admin") == 1
    assert karnal.get("/").status_code == 302
    assert haryana.get("/").status_code == 200
    ev = list_events(engine, limit=1, action="sessions_revoked")[0]
    assert ev.actor == "admin" and "karnal-sp: 1 session(s) ended" in ev.detail


def test_expired_session_rows_are_refused_and_purged(client, app, engine, monkeypatch):
    login(client)
    later = utcnow() + timedelta(hours=12, minutes=1)
    monkeypatch.setattr(auth, "_now", lambda: later)
    assert client.get("/").status_code == 302  # the row has expired, whatever the cookie says
    assert session_rows(engine) == 1
    login(app.server.test_client(), "haryana")  # any sign-in purges expired rows
    assert session_rows(engine, "karnal-sp") == 0 and session_rows(engine, "haryana") == 1


def test_forged_session_cookie_is_rejected(client):
    client.set_cookie("cctns_session", "eyJfdXNlcl9pZCI6IjEuYWJjIn0.forged.sig")
    assert client.get("/").status_code == 302


# --- headers and errors ------------------------------------------------------------------------------


def test_security_headers(client, app):
    login(client)
    for r in (client.get("/"), client.get("/login"), client.get("/assets/bootstrap.min.css"),
              client.get("/_dash-layout")):
        h = r.headers
        csp = h["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "style-src 'self' 'unsafe-inline'" in csp and "worker-src 'self' blob:" in csp
        assert "img-src 'self' data: blob:" in csp and "base-uri 'self'" in csp
        assert "'unsafe-eval'" not in csp
        assert h["X-Frame-Options"] == "DENY"
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        assert "camera=()" in h["Permissions-Policy"]
        assert "Strict-Transport-Security" not in h
    # the renderer's inline bootstrap script is allowed by hash
    for digest in app.csp_hashes():
        assert digest in client.get("/").headers["Content-Security-Policy"]


def test_https_adds_hsts_and_secure_cookies(app):
    c = app.server.test_client()
    page = c.get("/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    r = c.post("/login", base_url="https://localhost",
               data={"username": "ncrb", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 303
    for cookie in r.headers.getlist("Set-Cookie"):
        assert "Secure" in cookie


def test_cctns_https_env_forces_secure(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CCTNS_HTTPS", "1")
    c = build_app(engine, make_settings(tmp_path)).server.test_client()
    r = login(c)
    assert all("Secure" in h for h in r.headers.getlist("Set-Cookie"))
    assert "Strict-Transport-Security" in c.get("/").headers


def test_no_stack_traces(client):
    login(client)
    r = client.get("/boom")
    text = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "Traceback" not in text and "secret internal detail" not in text and "RuntimeError" not in text
    assert "Something went wrong" in text


def test_downloads_need_a_session(client):
    assert client.get("/download/file.csv").status_code == 401
    login(client)
    assert client.get("/download/file.csv").status_code == 200


# --- secret key --------------------------------------------------------------------------------------


def test_refuses_to_start_without_secret_key_outside_demo(tmp_path, engine):
    server = Flask(__name__)
    with pytest.raises(RuntimeError, match="CCTNS_SECRET_KEY must be set"):
        init_auth(server, make_settings(tmp_path, secret_key=None), lambda: engine)


def test_demo_mode_generates_and_keeps_a_private_secret_key(tmp_path, engine):
    settings = make_settings(tmp_path, secret_key=None, demo_mode=True)
    s1, s2 = Flask("a"), Flask("b")
    init_auth(s1, settings, lambda: engine)
    init_auth(s2, settings, lambda: engine)
    key_file = settings.instance_dir / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert s1.config["SECRET_KEY"] == s2.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(s1.config["SECRET_KEY"]) >= 40


def test_secret_key_from_settings(tmp_path, engine):
    server = Flask(__name__)
    init_auth(server, make_settings(tmp_path, secret_key="s" * 40), lambda: engine)
    assert server.config["SECRET_KEY"] == "s" * 40
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_signing_in_again_ends_the_session_this_browser_had(app, client, engine):
    """A second sign-in from a signed-in browser replaces its session: the earlier cookie stops working."""
    login(client)
    old_cookie = client.get_cookie("cctns_session").value
    with client.session_transaction() as sess:
        token = sess["csrf"]
    r = client.post("/login", data={"username": "karnal-sp", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    assert session_rows(engine, "karnal-sp") == 1
    replay = app.server.test_client()
    replay.set_cookie("cctns_session", old_cookie)
    assert replay.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_sign_in_page_template_compiled_once(app, client):
    """Issue 15: the sign-in page's template is compiled once per app (compiling it on every request cost as
    much CPU as the argon2 verification when a hall signs in at once), and still renders per request."""
    first = client.get("/login").get_data(as_text=True)
    compiled = dict(app.server.extensions["cctns_page_templates"])
    second = client.get("/login").get_data(as_text=True)
    assert auth.LOGIN_TEMPLATE in compiled
    assert app.server.extensions["cctns_page_templates"] == compiled  # the same compiled objects
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    assert token.search(first) and token.search(second)
