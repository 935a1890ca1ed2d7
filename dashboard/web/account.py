"""`/account/password`: a signed-in user changes their own password (the current one is needed; the rules
of `passwords.validate_password`; argon2id). A user holding a one-time password set by an administrator is
sent here by the guard until they have chosen their own. Afterwards every session of the user ends and they
sign in again with the new password.

A page of its own outside the Dash app, like sign-in and sign-out: a plain form, posted with its CSRF token,
that works before anything else of the app is open to the user.
"""

from __future__ import annotations

import hmac

from flask import Response, redirect, request, session
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
    render_page,
    template,
)
from dashboard.web.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from dashboard.web.users import UserError

PASSWORD_TEMPLATE = _page('{{ _("change password") }}', template("password.html"))


def _render(status: int = 200, error: str = "") -> Response:
    user = current_user_session()
    html = render_page(PASSWORD_TEMPLATE, username=user.username if user else "", error=error,
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
