"""The language of each request, and the switch between English and हिन्दी.

Which language a request is answered in, first match wins:

1. `?lang=hi` / `?lang=en` in the URL (a shared link opens in the language it was shared in; the answer also
   sets the language cookie, so the page's callbacks, which carry no `?lang=`, follow it);
2. the `cctns_lang` cookie: the language this browser last chose or opened (set by the switch, by `?lang=`,
   by the sign-in page's switch before sign-in, and from the profile at sign-in);
3. the signed-in user's profile language (`users.language`, also the language of their e-mail digests): a
   new browser of theirs opens in it;
4. the browser's `Accept-Language` (Hindi only when it prefers Hindi to English);
5. English.

The navbar's switch saves the choice in the profile and in the cookie (`remember_language`), then reloads
the same page with its month and filters. Times and numbers follow the language in `dashboard.display`.
"""

from __future__ import annotations

import re
from contextlib import suppress
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Flask, Response, g, request
from sqlalchemy import update

from dashboard.i18n import (
    COOKIE_NAME,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    QUERY_PARAMETER,
    clean_language,
    gettext,
    reset_language,
    set_language,
)
from dashboard.store import User, session_scope

COOKIE_MAX_AGE = 365 * 24 * 3600


def request_language() -> str:
    """The language of this request (the order in the module's docstring)."""
    chosen = clean_language(request.args.get(QUERY_PARAMETER))
    if chosen:
        return chosen
    chosen = clean_language(request.cookies.get(COOKIE_NAME))
    if chosen:
        return chosen
    from dashboard.web.auth import current_user_session

    user = current_user_session() if not request.path.startswith("/assets/") else None
    if user is not None and clean_language(getattr(user, "language", None)):
        return clean_language(user.language) or DEFAULT_LANGUAGE
    best = request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE)
    return clean_language(best) or DEFAULT_LANGUAGE


def set_language_cookie(response: Response, language: str) -> None:
    from dashboard.web.auth import _is_https

    response.set_cookie(COOKIE_NAME, language, max_age=COOKIE_MAX_AGE, path="/", secure=_is_https(),
                        httponly=True, samesite="Lax")


def remember_language(language: str, response: Response | None = None) -> str:
    """Save `language` in the signed-in user's profile and (given a response) in the cookie; returns the
    clean code. Raises ValueError for a language the dashboard does not have."""
    code = clean_language(language)
    if code is None:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    from dashboard.web.auth import current_user_session, request_engine

    user = current_user_session()
    if user is not None and getattr(user, "language", None) != code:
        with session_scope(request_engine()) as s:
            s.execute(update(User).where(User.id == user.id).values(language=code))
        user.language = code
    if response is not None:
        set_language_cookie(response, code)
    return code


def _before() -> None:
    language = request_language()
    g.cctns_language = language
    g.cctns_language_token = set_language(language)


def _after(response: Response) -> Response:
    """A page opened with `?lang=` keeps that language for its callbacks and the next pages (the cookie)."""
    chosen = clean_language(request.args.get(QUERY_PARAMETER))
    if chosen and request.cookies.get(COOKIE_NAME) != chosen and not request.path.startswith("/assets/"):
        set_language_cookie(response, chosen)
    response.headers.add("Vary", "Cookie")
    if "Content-Language" not in response.headers:
        response.headers["Content-Language"] = g.get("cctns_language", DEFAULT_LANGUAGE)
    return response


def _teardown(_exc: BaseException | None) -> None:
    token = g.pop("cctns_language_token", None)
    if token is not None:
        with suppress(ValueError):  # set in another context (a copied request context): nothing to undo
            reset_language(token)


def template_gettext(message: str, **values: object) -> str:
    """`_()` of the Flask pages' templates: `{{ _("At least %(n)s characters", n=12) }}`."""
    text = gettext(message) if message else ""
    return text % values if values else text


def _template_context() -> dict[str, object]:
    """What every Flask page's template gets: `_`, `lang` and the link to the same page in the other
    language (the sign-in page in both languages before anyone signs in)."""
    current = g.get("cctns_language", DEFAULT_LANGUAGE)
    other = next(code for code in LANGUAGES if code != current)
    query = [(k, v) for k, v in request.args.items(multi=True) if k != QUERY_PARAMETER]
    href = request.path + "?" + urlencode([*query, (QUERY_PARAMETER, other)])
    title = (gettext("Show the dashboard in English") if other == "en"
             else gettext("Show the dashboard in Hindi"))
    return {"_": template_gettext, "lang": current,
            "language_switch": {"code": other, "name": LANGUAGES[other], "href": href, "title": title}}


def init_language(server: Flask) -> None:
    """Set the language for every request (right after the sign-in guard, before Dash's own hooks)."""
    funcs = server.before_request_funcs.setdefault(None, [])
    funcs.insert(1 if funcs else 0, _before)
    server.after_request(_after)
    server.teardown_request(_teardown)
    server.context_processor(_template_context)


_HTML_TAG = re.compile(r"<html(\s[^>]*)?>", re.IGNORECASE)


def html_with_lang(page: str, language: str | None = None) -> str:
    """`page` with `lang` (and `dir`) on its `<html>` tag for the current language (Dash's index page)."""
    code = clean_language(language) or g.get("cctns_language", DEFAULT_LANGUAGE)

    def tag(match: re.Match[str]) -> str:
        attrs = re.sub(r'\s(lang|dir)="[^"]*"', "", match.group(1) or "")
        return f'<html lang="{code}" dir="ltr"{attrs}>'

    return _HTML_TAG.sub(tag, page, count=1)


def language_href(href: str | None, language: str) -> str:
    """The same page (path, month, filters) without a `?lang=` that would override the new choice."""
    parts = urlsplit(href or "/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != QUERY_PARAMETER]
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        path = "/"
    return path + ("?" + urlencode(query) if query else "")
