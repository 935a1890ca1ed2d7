"""`/account/password`: a signed-in user changes their own password (the current one is needed; the rules
of `passwords.validate_password`; argon2id). A user holding a one-time password set by an administrator is
sent here by the guard until they have chosen their own. Afterwards every session of the user ends and they
sign in again with the new password.

A page of its own outside the Dash app, like sign-in and sign-out: a plain form, posted with its CSRF token,
that works before anything else of the app is open to the user.
"""

from __future__ import annotations

import hmac

from flask import Response, redirect, render_template_string, request, session
from flask_login import logout_user

from dashboard.web.admin import change_own_password
from dashboard.web.auth import (
    CSRF_COOKIE_NAME,
    _csrf_token,
    _page,
    _refuse_unauthenticated,
    _remote_addr,
    _state,
    current_user_session,
)
from dashboard.web.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from dashboard.web.users import UserError

PASSWORD_TEMPLATE = _page("change password", """      <h1 class="h3 mb-1">Change your password</h1>
      <p class="text-body-secondary mb-4">Signed in as <strong>{{ username }}</strong>.</p>
      {% if forced %}<div class="alert alert-info" role="status">Your password was set by an administrator.
        Choose your own password to continue.</div>{% endif %}
      {% if error %}<div class="alert alert-danger" role="alert" id="password-error">{{ error }}</div>{% endif %}
      <form method="post" action="/account/password" class="card card-body shadow-sm" aria-label="Change password">
        <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
        <div class="mb-3">
          <label for="current_password" class="form-label">Current password</label>
          <input id="current_password" name="current_password" type="password" class="form-control"
                 autocomplete="current-password" maxlength="{{ max_len }}" required autofocus
                 {% if error %}aria-describedby="password-error"{% endif %}>
        </div>
        <div class="mb-3">
          <label for="new_password" class="form-label">New password</label>
          <input id="new_password" name="new_password" type="password" class="form-control"
                 autocomplete="new-password" minlength="{{ min_len }}" maxlength="{{ max_len }}" required
                 aria-describedby="password-rules">
          <div id="password-rules" class="form-text">At least {{ min_len }} characters, not your username.
            A passphrase of several words is easiest to remember.</div>
        </div>
        <div class="mb-3">
          <label for="confirm_password" class="form-label">New password again</label>
          <input id="confirm_password" name="confirm_password" type="password" class="form-control"
                 autocomplete="new-password" maxlength="{{ max_len }}" required>
        </div>
        <button type="submit" class="btn btn-primary w-100">Change password</button>
        <p class="small text-body-secondary mt-2 mb-0">You will be signed out everywhere and sign in again with
          the new password.</p>
      </form>
      <p class="mt-3">{% if forced %}<a href="/logout">Sign out</a>{% else %}<a href="/">Back to the
        dashboard</a>{% endif %}</p>
""")


def _render(status: int = 200, error: str = "") -> Response:
    user = current_user_session()
    html = render_template_string(PASSWORD_TEMPLATE, username=user.username if user else "", error=error,
                                  forced=bool(user and user.must_change_password), csrf_token=_csrf_token(),
                                  min_len=MIN_PASSWORD_LENGTH, max_len=MAX_PASSWORD_LENGTH)
    return Response(html, status=status, mimetype="text/html")


def password_view() -> Response:
    """GET: the form. POST (form CSRF token): change the password, end every session, back to sign-in."""
    user = current_user_session()
    if user is None:  # the guard refuses anonymous requests first; kept for direct calls
        return _refuse_unauthenticated(request.path)
    if request.method == "GET":
        return _render()
    form = request.form
    token, sent = session.get("csrf"), form.get("csrf_token", "")
    if not token or not sent or not hmac.compare_digest(str(token), sent):
        return _render(400, "The form had expired. Please try again.")
    new = form.get("new_password", "")
    if new != form.get("confirm_password", ""):
        return _render(400, "The two new passwords are not the same.")
    try:
        change_own_password(_state().engine(), user.username, form.get("current_password", ""), new,
                            remote_addr=_remote_addr())
    except UserError as exc:
        return _render(400, str(exc)[:1].upper() + str(exc)[1:] + ".")
    logout_user()
    session.clear()
    resp = redirect("/login?signed_out=password", code=303)
    resp.delete_cookie(CSRF_COOKIE_NAME, path="/")
    return resp
