"""Sign-in, sessions, the request guard, CSRF, security headers and scope helpers.

Flask-level, so it protects every route of the Dash server (pages, `/_dash-*`, downloads, exports):

    server = app.server
    init_auth(server, settings, get_engine)            # before any other before_request hook matters
    ... register callbacks (incl. clientside ones) ...
    set_csp_script_hashes(server, app.csp_hashes())     # after the last clientside callback

Login attempts are counted in the database (users.failed_logins / locked_until, and `login_failed`
audit rows for per-address limits), so every worker process sees the same counts.

Sessions live on the server (`user_sessions`): the signed cookie carries a random session id whose SHA-256
is looked up, with the user row, on every request. Sign-out deletes that row; "sign out everywhere",
a password change and disabling the user delete all of the user's rows, so a copied cookie stops
working at once on every worker and app server (issue 9, finding 1). Sign-out is a POST with the CSRF
token; GET /logout only shows the confirmation form (finding 8).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import Engine, bindparam, delete, select
from werkzeug.exceptions import InternalServerError

from dashboard.config import Settings
from dashboard.i18n import N_
from dashboard.scope import OutOfScope, Scope
from dashboard.store import GENERATION_KEY, LoginSession, Meta, User, audit, session_scope, utcnow
from dashboard.web.passwords import burn_verify, hash_password, needs_rehash, verify_password
from dashboard.web.users import end_user_sessions, normalise_username, session_token_hash

log = logging.getLogger(__name__)

SESSION_COOKIE_NAME = "cctns_session"
CSRF_COOKIE_NAME = "_csrf_token"  # what dash-renderer reads (Dash(csrf_token_name=...) default)
CSRF_HEADER_NAME = "X-CSRFToken"  # what dash-renderer sends (Dash(csrf_header_name=...) default)

# messages in English, shown in the request's language by the templates (`{{ _(error) }}`)
WRONG_CREDENTIALS = N_("Wrong username or password.")
LOCKED = N_("Too many failed sign-in attempts. Please wait 15 minutes and try again.")
FORM_EXPIRED = N_("The sign-in form had expired. Please try again.")
SIGN_OUT_EXPIRED = N_("The sign-out form had expired. Please choose again.")
SIGNED_OUT = {"1": N_("You have signed out."), "all": N_("You have signed out everywhere."),
              "password": N_("Your password has been changed. Sign in with your new password.")}
# where a user whose password must be changed (a one-time password) may go: the form, and out
PASSWORD_PATH = "/account/password"
PASSWORD_REQUIRED = "Choose a new password first"

# Paths reachable without signing in. Everything else needs an active, signed-in user.
PUBLIC_PATHS = frozenset({"/login", "/logout", "/health", "/_favicon.ico"})
PUBLIC_ASSET_SUFFIXES = (".css", ".js")
# Unauthenticated requests here get a 401 JSON body instead of a redirect to the sign-in page.
API_PREFIXES = ("/_", "/download/", "/export/", "/api/")
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AUDITED_FLAG = "cctns_audited"  # on flask.g: this request wrote an audit event

DEFAULTS: dict[str, Any] = {
    "CCTNS_LOCKOUT_FAILURES": 5,  # failures in a row for one user before a lockout
    "CCTNS_LOCKOUT_MINUTES": 15,
    "CCTNS_IP_FAILURES": 20,  # failures from one address within the window before refusing it
    "CCTNS_IP_WINDOW_MINUTES": 15,
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,  # uploads are size-limited
}


# --- state ------------------------------------------------------------------------------------------


@dataclass
class AuthState:
    settings: Settings
    engine_getter: Callable[[], Engine]
    force_https: bool
    lifetime: timedelta
    csp_script_hashes: list[str] = field(default_factory=list)
    csp: str = ""

    def engine(self) -> Engine:
        return self.engine_getter()


def _state() -> AuthState:
    return current_app.extensions["cctns_auth"]


def _now() -> datetime:
    """Naive UTC, like the database columns (tests monkeypatch this)."""
    return utcnow()


# --- the signed-in user -----------------------------------------------------------------------------


class UserSession:
    """The signed-in user as flask-login sees it (a snapshot of the users row for this request), and the
    id of the server-side session (`user_sessions` row) it came through."""

    is_anonymous = False

    def __init__(self, row: Any, fingerprint: str, session_id: str = "") -> None:
        """`row`: a `User` or a row with its columns (the guard's statement)."""
        self.id = row.id
        self.username = row.username
        self.role = row.role
        self.state_code = row.state_code
        self.district_code = row.district_code
        self.can_import = bool(row.can_import)
        self.is_admin = bool(row.is_admin)
        self.active = bool(row.active)
        self.must_change_password = bool(row.must_change_password)
        self.language = row.language or "en"  # the profile's language (dashboard.web.language)
        self._fingerprint = fingerprint
        self.session_id = session_id

    @property
    def is_authenticated(self) -> bool:
        return self.active

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What the signed cookie keeps: the session id and the password fingerprint (never the user id)."""
        return f"{self.session_id}.{self._fingerprint}"

    @property
    def scope(self) -> Scope:
        return Scope(self.role, self.state_code, self.district_code, self.username)

    def __repr__(self) -> str:
        return f"UserSession({self.username!r}, {self.scope.cache_key})"


def _fingerprint(password_hash: str) -> str:
    """Ties a session to the password as well: a password changed by any path (even straight in the
    database) ends every open session, on top of users.set_password deleting the session rows."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:20]


_USERS, _SESSIONS, _META = User.__table__, LoginSession.__table__, Meta.__table__
# The guard's one statement per request: the live session's user (what UserSession keeps) and, in the same
# round trip, the results generation (`read_generation`'s two meta rows) for the response cache. Core, not
# the ORM: built once, compiled once (SQLAlchemy's compiled cache), ~0.1 ms on SQLite against ~1.3 ms for
# the ORM query and a second statement for the generation (issue 15).
_SESSION_USER = (
    select(_USERS.c.id, _USERS.c.username, _USERS.c.role, _USERS.c.state_code, _USERS.c.district_code,
           _USERS.c.can_import, _USERS.c.is_admin, _USERS.c.active, _USERS.c.must_change_password,
           _USERS.c.language, _USERS.c.password_hash,
           select(_META.c.value).where(_META.c.key == GENERATION_KEY).scalar_subquery().label("generation"),
           select(_META.c.value).where(_META.c.key == "data_as_of").scalar_subquery().label("data_as_of"))
    .select_from(_SESSIONS.join(_USERS, _SESSIONS.c.user_id == _USERS.c.id))
    .where(_SESSIONS.c.token_sha256 == bindparam("token"), _SESSIONS.c.expires_at > bindparam("now"),
           _USERS.c.active.is_(True))
)
# the sign-in's read of the user: what UserSession keeps and what the sign-in checks
_USER_BY_NAME = select(
    _USERS.c.id, _USERS.c.username, _USERS.c.role, _USERS.c.state_code, _USERS.c.district_code,
    _USERS.c.can_import, _USERS.c.is_admin, _USERS.c.active, _USERS.c.must_change_password, _USERS.c.language,
    _USERS.c.password_hash, _USERS.c.failed_logins, _USERS.c.locked_until,
).where(_USERS.c.username == bindparam("username"))
GENERATION_FLAG = "cctns_guard_generation"  # on flask.g: (database URL, generation) read with the user


def _load_user(cookie_id: str) -> UserSession | None:
    """The user of a live server-side session, read afresh from the database on every request (so that
    signing out, "sign out everywhere", disabling a user and changing a password take effect at once on
    every worker and app server): one Core statement joining `user_sessions` to `users`, which also
    brings the results generation as this request sees it (`results_generation`)."""
    session_id, _, fp = (cookie_id or "").partition(".")
    if len(session_id) < 32 or not fp:
        return None
    engine = _state().engine()
    with engine.connect() as conn:
        row = conn.execute(_SESSION_USER, {"token": session_token_hash(session_id), "now": _now()}).first()
    if row is None:
        return None
    expected = _fingerprint(row.password_hash)
    if not hmac.compare_digest(expected, fp):
        return None
    if has_request_context():
        from dashboard.read import remember_generation

        seen = f"{row.generation or '-'}/{row.data_as_of or '-'}"
        g.setdefault(GENERATION_FLAG, (str(engine.url), seen))
        # the read cache of this request takes it too: a callback answered by Dash (not from the response
        # cache) no longer reads the two meta rows again in a statement of its own (issue 15)
        remember_generation(engine, seen)
    return UserSession(row, expected, session_id)


def results_generation(engine: Engine) -> str | None:
    """The results generation read with this request's user (None when it was not, or for another
    database): the same value `dashboard.read.generation` would read, one round trip earlier."""
    seen = g.get(GENERATION_FLAG) if has_request_context() else None
    return seen[1] if seen is not None and seen[0] == str(engine.url) else None


def _end_session(session_id: str) -> None:
    """Delete one server-side session (sign-out, expiry): its cookie opens nothing any more."""
    if session_id:
        with session_scope(_state().engine()) as s:
            s.execute(delete(LoginSession).where(LoginSession.token_sha256 == session_token_hash(session_id)))


def current_user_session() -> UserSession | None:
    if not has_request_context():
        return None
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    return user if isinstance(user, UserSession) and user.is_authenticated else None


def current_scope() -> Scope:
    """The signed-in user's Scope; raises OutOfScope when nobody is signed in."""
    user = current_user_session()
    if user is None:
        raise OutOfScope("not signed in")
    return user.scope


def current_username() -> str:
    user = current_user_session()
    return user.username if user is not None else ""


def _remote_addr() -> str:
    return (request.remote_addr or "") if has_request_context() else ""


def audit_request(action: str, detail: str = "") -> None:
    """Record an audit event for the current request's user and address (exports, downloads ...). The
    request's answer is then never taken from or put in the response cache (`AUDITED_FLAG`)."""
    g.setdefault(AUDITED_FLAG, True)
    audit.record(_state().engine(), action, actor=current_username(), detail=detail,
                 remote_addr=_remote_addr())


def require_scope(allowed: bool, what: str) -> None:
    """Raise OutOfScope (and audit a `scope_violation`) unless `allowed`. Use in every data callback:

        require_scope(current_scope().can_see_district(state, district), f"district {district}")
    """
    if allowed:
        return
    actor = current_username()
    try:
        audit.record(_state().engine(), "scope_violation", actor=actor, detail=what,
                     remote_addr=_remote_addr())
    except Exception:  # the refusal matters more than the log line
        log.exception("could not audit a scope violation")
    raise OutOfScope(f"{actor or 'user'} may not see {what}")


# --- configuration ----------------------------------------------------------------------------------


def resolve_secret_key(settings: Settings) -> str:
    """CCTNS_SECRET_KEY; in demo mode a random key kept in instance_dir/secret_key (0600)."""
    if settings.secret_key:
        if len(settings.secret_key) < 32:
            log.warning("CCTNS_SECRET_KEY is short; use at least 32 random characters")
        return settings.secret_key
    if not settings.demo_mode:
        raise RuntimeError("CCTNS_SECRET_KEY must be set")
    path = Path(settings.instance_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(50):
        try:
            key = path.read_text().strip()
        except FileNotFoundError:
            key = ""
        if key:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            return key
        # write to a private temp file, then link it into place atomically (several workers may race)
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (secrets.token_urlsafe(48) + "\n").encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        time.sleep(0.01)
    raise RuntimeError(f"could not create or read {path}")


def _is_https() -> bool:
    if not has_request_context():
        return False
    state = current_app.extensions.get("cctns_auth")
    return bool(request.is_secure or (state is not None and state.force_https))


class _SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or _is_https()


def _build_csp(script_hashes: Iterable[str]) -> str:
    script_src = " ".join(["'self'", *script_hashes])
    return "; ".join([
        "default-src 'self'",
        f"script-src {script_src}",
        "style-src 'self' 'unsafe-inline'",  # plotly.js sets inline styles
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def set_csp_script_hashes(server: Flask, hashes: Iterable[str]) -> None:
    """Allow Dash's inline scripts: call with `app.csp_hashes()` after the last clientside callback."""
    state: AuthState = server.extensions["cctns_auth"]
    state.csp_script_hashes = [h for h in hashes if h]
    state.csp = _build_csp(state.csp_script_hashes)


def init_auth(
    server: Flask,
    settings: Settings,
    engine_getter: Callable[[], Engine],
    csp_script_hashes: Iterable[str] | None = None,
) -> None:
    """Configure sessions, flask-login, the guard, CSRF, headers and the sign-in routes on `server`.

    Raises RuntimeError("CCTNS_SECRET_KEY must be set") outside demo mode without a secret key."""
    server.config["SECRET_KEY"] = resolve_secret_key(settings)
    lifetime = timedelta(hours=float(settings.session_hours))
    server.config.update(
        PERMANENT_SESSION_LIFETIME=lifetime,
        SESSION_COOKIE_NAME=SESSION_COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=False,  # lifetime counts from sign-in, not from the last click
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    for key, value in DEFAULTS.items():
        if server.config.get(key) is None:
            server.config[key] = value
    server.session_interface = _SessionInterface()

    force_https = os.environ.get("CCTNS_HTTPS", "").strip().lower() in ("1", "true", "yes")
    state = AuthState(settings=settings, engine_getter=engine_getter, force_https=force_https,
                      lifetime=lifetime)
    server.extensions["cctns_auth"] = state
    set_csp_script_hashes(server, csp_script_hashes or [])

    manager = LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.init_app(server)

    # the guard must run before any other hook (e.g. Dash's own), so put it first
    server.before_request_funcs.setdefault(None, []).insert(0, _guard)
    server.after_request(_after_request)

    server.register_error_handler(InternalServerError, _internal_error)
    server.register_error_handler(OutOfScope, _out_of_scope)


# --- guard ------------------------------------------------------------------------------------------


def is_public_path(path: str) -> bool:
    if path in PUBLIC_PATHS:
        return True
    if path.startswith("/assets/"):
        rest = path[len("/assets/"):]
        return bool(rest) and ".." not in rest and "\\" not in rest and rest.lower().endswith(
            PUBLIC_ASSET_SUFFIXES)
    return False


def _wants_json(path: str) -> bool:
    return path.startswith(API_PREFIXES) or request.method not in SAFE_METHODS


def json_error(status: int, message: str, **extra: Any) -> Response:
    """The small JSON body every refusal of the web room answers with (never data, never a trace)."""
    resp = jsonify({"error": message, **extra})
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def request_engine() -> Engine:
    """The engine of the app serving this request (created lazily, once per process)."""
    from dashboard.store import get_engine

    return get_engine(current_app.config["CCTNS_DATABASE_URL"])


def _refuse_unauthenticated(path: str) -> Response:
    if _wants_json(path):
        return json_error(401, "not signed in", login="/login")
    target = request.full_path if request.query_string else path
    return redirect("/login?next=" + quote(target, safe="/"), code=302)


def _guard() -> Response | None:
    path = request.path
    if is_public_path(path):
        return None
    user = current_user_session()
    if user is None:
        return _refuse_unauthenticated(path)
    state = _state()
    auth_at = session.get("auth_at")
    now = time.time()
    if (not isinstance(auth_at, int | float) or now - auth_at > state.lifetime.total_seconds()
            or auth_at > now + 300):
        _end_session(user.session_id)
        logout_user()
        session.clear()
        return _refuse_unauthenticated(path)
    if request.method not in SAFE_METHODS and path != PASSWORD_PATH:  # that form posts its token itself
        token = session.get("csrf")
        sent = request.headers.get(CSRF_HEADER_NAME, "")
        if not token or not sent or not hmac.compare_digest(str(token), sent):
            return json_error(403, "missing or wrong CSRF token")
    if user.must_change_password and path != PASSWORD_PATH:
        # a one-time password opens nothing but the form to replace it
        if _wants_json(path) or path.startswith(STATIC_PREFIXES):
            return json_error(403, PASSWORD_REQUIRED, password=PASSWORD_PATH)
        return redirect(PASSWORD_PATH, code=302)
    return None


def _after_request(response: Response) -> Response:
    state = _state()
    h = response.headers
    h["Content-Security-Policy"] = state.csp
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["Permissions-Policy"] = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                               "fullscreen=(self)")
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    https = _is_https()
    if https:
        h["Strict-Transport-Security"] = "max-age=31536000"
    path = request.path
    if not path.startswith(STATIC_PREFIXES) and "Cache-Control" not in h:
        h["Cache-Control"] = "no-store"
    if path.startswith(STATIC_PREFIXES):
        return response
    # double-submit token for Dash posts: dash-renderer copies this cookie into the X-CSRFToken header
    token = session.get("csrf") if current_user_session() is not None else None
    if token and request.cookies.get(CSRF_COOKIE_NAME) != token:
        response.set_cookie(CSRF_COOKIE_NAME, token, max_age=int(state.lifetime.total_seconds()),
                            path="/", secure=https, httponly=False, samesite="Lax")
    return response


# --- sign-in page -----------------------------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parent / "templates"
# the body's emphasis colour for the link: Bootstrap's link blue is 4.26:1 on the page's light grey (axe-core)
_SWITCH = ('      <p class="text-end small mb-2"><a class="link-body-emphasis" href="{{ language_switch.href }}" '
           'lang="{{ language_switch.code }}" hreflang="{{ language_switch.code }}" '
           'title="{{ language_switch.title }}">{{ language_switch.name }}</a></p>\n')


def _page(title: str, body: str, *, narrow: bool = True) -> str:
    """A page of its own (sign-in, sign-out, errors) outside the Dash app, with the vendored Bootstrap: one
    head for all of them, in the request's language (`lang`, `_` and `language_switch` come from the context
    processor of `dashboard.web.language`); `body` is a Jinja template fragment (every value in it is
    escaped by Jinja), `title` a Jinja expression."""
    head = ('<!doctype html>\n<html lang="{{ lang }}" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="robots" content="noindex">\n'
            '<title>{{ _("CCTNS progress dashboard") }} — ' + title + '</title>\n'
            '<link rel="stylesheet" href="/assets/bootstrap.min.css">\n</head>\n')
    if narrow:
        return (head + '<body class="bg-body-tertiary">\n<main class="container py-5">\n'
                '  <div class="row justify-content-center">\n    <div class="col-12 col-sm-10 col-md-7 col-lg-5 col-xl-4">\n'
                + _SWITCH + body + "    </div>\n  </div>\n</main>\n</body>\n</html>\n")
    return (head + '<body>\n<main class="container py-5">\n' + _SWITCH + body
            + "</main>\n</body>\n</html>\n")


def template(name: str) -> str:
    """A body fragment of `dashboard/web/templates` (its words extracted by pybabel's Jinja extractor)."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render_page(source: str, **context: Any) -> str:
    """Render one of the page templates below (or another Jinja source) with the request's context.

    Compiled once per app and kept in `app.extensions`: Flask's render_template_string compiles its source on
    every call, which cost ~50 ms of CPU per sign-in page, as much as the argon2 verification itself, when a
    hall of people signs in at once (issue 15)."""
    compiled = current_app.extensions.setdefault("cctns_page_templates", {})
    page = compiled.get(source)
    if page is None:
        page = compiled[source] = current_app.jinja_env.from_string(source)
    return render_template(page, **context)


LOGIN_TEMPLATE = _page('{{ _("sign in") }}', template("login.html"))
LOGOUT_TEMPLATE = _page('{{ _("sign out") }}', template("logout.html"))
ERROR_TEMPLATE = _page("{{ _(title) }}", template("error.html"), narrow=False)


def safe_next(value: object) -> str:
    """A local path to go to after signing in; anything else (other sites, scheme-relative URLs,
    backslash tricks, control characters, the sign-in pages, Dash internals) becomes '/'."""
    if not isinstance(value, str):
        return "/"
    value = value.strip()
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path in ("/login", "/logout") or parts.path.startswith("/_"):
        return "/"
    return value


def _csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _render_login(status: int = 200, error: str = "", info: str = "", username: str = "",
                  next_url: str = "/") -> Response:
    html = render_page(LOGIN_TEMPLATE, error=error, info=info, username=username,
                                  next=next_url, csrf_token=_csrf_token())
    return Response(html, status=status, mimetype="text/html")


def login_view() -> Response:
    if request.method == "GET":
        next_url = safe_next(request.args.get("next"))
        if current_user_session() is not None:
            return redirect(next_url, code=302)
        info = SIGNED_OUT.get(request.args.get("signed_out", ""), "")
        return _render_login(info=info, next_url=next_url)
    return _login_post()


def _login_post() -> Response:
    form = request.form
    next_url = safe_next(form.get("next"))
    username = normalise_username(form.get("username", ""))[:80]
    password = form.get("password", "")
    token = session.get("csrf")
    sent = form.get("csrf_token", "")
    if not token or not sent or not hmac.compare_digest(str(token), sent):
        return _render_login(400, error=FORM_EXPIRED, username=username, next_url=next_url)

    cfg = current_app.config
    state = _state()
    engine = state.engine()
    ip = _remote_addr()
    now = _now()
    ip_window = now - timedelta(minutes=cfg["CCTNS_IP_WINDOW_MINUTES"])
    lock_window = now - timedelta(minutes=cfg["CCTNS_LOCKOUT_MINUTES"])
    max_failures = int(cfg["CCTNS_LOCKOUT_FAILURES"])

    def refuse(message: str, status: int) -> Response:
        return _render_login(status, error=message, username=username, next_url=next_url)

    # Core statements (issue 15: a hall of 100 signing in at once spends its CPU on argon2, not on the ORM),
    # and no database connection held while argon2 runs or waits for its slot (`passwords._hash_slot`):
    # reads (and a refusal's audit row) first, the verification outside, then the writes of the outcome
    with engine.begin() as conn:
        if audit.count_since(conn, "login_failed", ip_window, remote_addr=ip) >= int(cfg["CCTNS_IP_FAILURES"]):
            audit.record(conn, "login_failed", actor=username, detail="refused: too many failures from address",
                         remote_addr=ip)
            return refuse(LOCKED, 429)
        row = conn.execute(_USER_BY_NAME, {"username": username}).first() if username else None
        if row is None:
            if audit.count_since(conn, "login_failed", lock_window, actor=username) >= max_failures:
                audit.record(conn, "login_failed", actor=username, detail="refused: locked", remote_addr=ip)
                return refuse(LOCKED, 429)
        elif row.locked_until is not None and row.locked_until > now:
            audit.record(conn, "login_failed", actor=username, detail="refused: locked", remote_addr=ip)
            return refuse(LOCKED, 429)

    if row is None:
        burn_verify(password)  # unknown users behave exactly like real ones: same work, same messages, same lockout
        ok = False
    else:
        ok = verify_password(row.password_hash, password)

    # nothing is written in this transaction before a rehash (see `_rehash`)
    with engine.begin() as conn:
        if row is None:
            audit.record(conn, "login_failed", actor=username, detail="unknown user", remote_addr=ip)
            earlier = audit.count_since(conn, "login_failed", lock_window, actor=username)
            if earlier >= max_failures:
                audit.record(conn, "lockout", actor=username, detail="unknown user", remote_addr=ip)
                return refuse(LOCKED, 429)
            return refuse(WRONG_CREDENTIALS, 401)

        if ok and not row.active:
            audit.record(conn, "login_failed", actor=username, detail="account disabled", remote_addr=ip)
            return refuse(WRONG_CREDENTIALS, 401)
        users = _USERS
        if not ok:
            conn.execute(users.update().where(users.c.id == row.id)
                         .values(failed_logins=users.c.failed_logins + 1))
            failures = int(conn.execute(select(users.c.failed_logins).where(users.c.id == row.id)).scalar() or 0)
            audit.record(conn, "login_failed", actor=username, detail=f"wrong password ({failures})",
                         remote_addr=ip)
            if failures >= max_failures:
                until = now + timedelta(minutes=cfg["CCTNS_LOCKOUT_MINUTES"])
                conn.execute(users.update().where(users.c.id == row.id).values(failed_logins=0, locked_until=until))
                audit.record(conn, "lockout", actor=username, detail=f"{failures} failures; locked until {until:%Y-%m-%d %H:%M} UTC",
                             remote_addr=ip)
                return refuse(LOCKED, 429)
            return refuse(WRONG_CREDENTIALS, 401)

        password_hash = row.password_hash
        if needs_rehash(password_hash):
            password_hash = _rehash(conn, row.id, password_hash, password)
            if password_hash is None:
                audit.record(conn, "login_failed", actor=username, detail="password changed during sign-in",
                             remote_addr=ip)
                return refuse(WRONG_CREDENTIALS, 401)
        if row.failed_logins or row.locked_until is not None:
            conn.execute(users.update().where(users.c.id == row.id).values(failed_logins=0, locked_until=None))
        # a new server-side session (a fresh id: no fixation); expired rows of anyone are purged on the way
        session_id = secrets.token_urlsafe(32)
        sessions = _SESSIONS
        conn.execute(sessions.delete().where(sessions.c.expires_at <= now))
        earlier = current_user_session()
        if earlier is not None:  # signing in again in this browser ends the session it had
            conn.execute(sessions.delete().where(sessions.c.token_sha256 == session_token_hash(earlier.session_id)))
        conn.execute(sessions.insert().values(
            token_sha256=session_token_hash(session_id), user_id=row.id, created_at=now,
            expires_at=now + state.lifetime, user_agent=request.user_agent.string[:200], remote_addr=ip[:64]))
        audit.record(conn, "login", actor=username, detail="", remote_addr=ip)
        user = UserSession(row, _fingerprint(password_hash), session_id)

    session.clear()  # a fresh session: no fixation, new CSRF token
    login_user(user, remember=False)
    session.permanent = True
    session["auth_at"] = time.time()
    session["csrf"] = secrets.token_urlsafe(32)
    return redirect(next_url, code=303)


def _rehash(conn: Any, user_id: int, verified: str, password: str) -> str | None:
    """Store the password again with the current argon2 parameters (they changed since it was stored);
    returns the hash stored now.

    Only if the stored hash is still the one just verified: two sign-ins of the same user at once would
    otherwise both rehash, the last write would win, and the other's new session would end at its next
    request (a session is tied to the stored hash). The loser takes the winner's hash after checking the
    password against it (None if it no longer matches: the password was changed meanwhile)."""
    users = _USERS
    changed = conn.execute(users.update().where(users.c.id == user_id, users.c.password_hash == verified)
                           .values(password_hash=hash_password(password))).rowcount
    stored = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar()
    if changed or (stored is not None and verify_password(stored, password)):
        return stored
    return None


def _render_logout(user: UserSession, status: int = 200, error: str = "") -> Response:
    html = render_page(LOGOUT_TEMPLATE, username=user.username, error=error,
                                  csrf_token=_csrf_token())
    return Response(html, status=status, mimetype="text/html")


def logout_view() -> Response:
    """GET: the confirmation form (a cross-site link signs nobody out). POST with the form's CSRF token:
    end this session, or with `scope=everywhere` every session of the user."""
    user = current_user_session()
    if user is None:
        session.clear()
        return redirect("/login", code=302 if request.method == "GET" else 303)
    if request.method == "GET":
        return _render_logout(user)
    token = session.get("csrf")
    sent = request.form.get("csrf_token", "")
    if not token or not sent or not hmac.compare_digest(str(token), sent):
        return _render_logout(user, 400, error=SIGN_OUT_EXPIRED)  # still signed in; a fresh form to retry
    everywhere = request.form.get("scope") == "everywhere"
    with session_scope(_state().engine()) as s:
        if everywhere:
            ended = end_user_sessions(s, user.id)
            detail = f"everywhere ({ended} session(s) ended)"
        else:
            s.execute(delete(LoginSession).where(LoginSession.token_sha256 == session_token_hash(user.session_id)))
            detail = ""
        audit.record(s, "logout", actor=user.username, detail=detail, remote_addr=_remote_addr())
    logout_user()
    session.clear()
    resp = redirect("/login?signed_out=" + ("all" if everywhere else "1"), code=303)
    resp.delete_cookie(CSRF_COOKIE_NAME, path="/")
    return resp


# --- errors -----------------------------------------------------------------------------------------


def _internal_error(_err: Exception) -> Response:
    if request.path.startswith(API_PREFIXES):
        return json_error(500, "internal error")
    html = render_page(ERROR_TEMPLATE, title=N_("Something went wrong"),
                                  message=N_("The dashboard could not complete this request. "
                                             "Please try again; if it keeps happening, tell the administrator."))
    return Response(html, status=500, mimetype="text/html")


def _out_of_scope(_err: OutOfScope) -> Response:
    if request.path.startswith(API_PREFIXES) or request.method not in SAFE_METHODS:
        return json_error(403, "not in your scope")
    html = render_page(ERROR_TEMPLATE, title=N_("Not available"),
                                  message=N_("This page is outside what your account may see."))
    return Response(html, status=403, mimetype="text/html")
