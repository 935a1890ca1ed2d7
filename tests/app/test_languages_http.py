"""The language of a request over HTTP: `?lang=`, the cookie, the profile, Accept-Language; `lang` on
`<html>`; the navbar's switch (profile + cookie, same page); the caches keyed on the language."""

from __future__ import annotations

import re

import pytest
from app_http_support import call, sign_in

from dashboard.digests import get_profile, set_profile
from dashboard.i18n import COOKIE_NAME
from layouts import lagging as lagging_layout
from layouts.shell import ids as shell_ids

MONTH, STATE = "2025-06", "MN"


def html_lang(page: str) -> str:
    return re.search(r"<html[^>]*\blang=\"([a-z]+)\"", page).group(1)


def test_sign_in_page_in_both_languages(dash_app):
    client = dash_app.server.test_client()
    english = client.get("/login").get_data(as_text=True)
    assert html_lang(english) == "en" and "Sign in to continue." in english
    assert 'href="/login?lang=hi"' in english and 'lang="hi"' in english  # the switch, in its own language

    r = client.get("/login?lang=hi&next=/state/HR")
    hindi = r.get_data(as_text=True)
    assert html_lang(hindi) == "hi"
    assert "आगे बढ़ने के लिए साइन इन करें।" in hindi and "उपयोगकर्ता नाम" in hindi
    assert "Sign in to continue." not in hindi
    assert "next=%2Fstate%2FHR" in hindi or "next=/state/HR" in hindi  # the switch keeps where to go next
    cookie = r.headers.get("Set-Cookie", "")
    assert f"{COOKIE_NAME}=hi" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # the cookie keeps the choice: the next page (and a wrong password) answers in Hindi
    again = client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": "wrong"})
    assert "साइन-इन फ़ॉर्म की अवधि समाप्त हो गई थी" in again.get_data(as_text=True)


def test_accept_language_before_any_choice(dash_app):
    client = dash_app.server.test_client()
    page = client.get("/login", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.8"}).get_data(as_text=True)
    assert html_lang(page) == "hi"
    page = client.get("/login", headers={"Accept-Language": "en-IN,en;q=0.9,hi;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == "en"
    page = client.get("/login?lang=xx", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_lang(page) == "en"


@pytest.fixture
def karnal(dash_app, demo_users, demo_engine):
    before = get_profile(demo_engine, "karnal-sp")
    client = sign_in(dash_app, "karnal-sp", demo_users["karnal-sp"])
    yield client
    set_profile(demo_engine, "karnal-sp", email=before.email, monthly=before.monthly, reminder=before.reminder,
                language=before.language, actor="test")


def test_dash_pages_carry_lang_and_follow_the_profile(karnal, demo_engine):
    page = karnal.get("/district/HR-KNL?month=2025-06").get_data(as_text=True)
    assert html_lang(page) == "en"
    p = get_profile(demo_engine, "karnal-sp")
    set_profile(demo_engine, "karnal-sp", email=p.email, monthly=p.monthly, reminder=p.reminder, language="hi",
                actor="test")
    page = karnal.get("/district/HR-KNL?month=2025-06").get_data(as_text=True)
    assert html_lang(page) == "hi"  # no cookie in this browser: the profile's language
    assert "जिला · CCTNS प्रगति डैशबोर्ड" in page  # the page's title
    # a shared link in English overrides, and this browser keeps it (the cookie) for the callbacks
    r = karnal.get("/district/HR-KNL?month=2025-06&lang=en")
    assert html_lang(r.get_data(as_text=True)) == "en" and f"{COOKIE_NAME}=en" in r.headers.get("Set-Cookie", "")
    assert html_lang(karnal.get("/district/HR-KNL").get_data(as_text=True)) == "en"


def test_the_switch_saves_the_profile_and_cookie_and_keeps_the_page(karnal, demo_engine):
    href = "http://localhost/lagging?month=2025-06&state=HR&reason=critical&lang=en"
    out = call(karnal, [(shell_ids.LANGUAGE_RELOAD, "href")], [(shell_ids.LANGUAGE_SWITCH, "n_clicks", 1)],
               state=[(shell_ids.LANGUAGE_SWITCH, "value", "hi"), (shell_ids.URL, "href", href)])
    assert out[shell_ids.LANGUAGE_RELOAD]["href"] == "/lagging?month=2025-06&state=HR&reason=critical"
    assert get_profile(demo_engine, "karnal-sp").language == "hi"
    assert karnal.get_cookie(COOKIE_NAME).value == "hi"
    page = karnal.get("/lagging?month=2025-06&state=HR&reason=critical").get_data(as_text=True)
    assert html_lang(page) == "hi"
    # and back to English
    call(karnal, [(shell_ids.LANGUAGE_RELOAD, "href")], [(shell_ids.LANGUAGE_SWITCH, "n_clicks", 2)],
         state=[(shell_ids.LANGUAGE_SWITCH, "value", "en"), (shell_ids.URL, "href", "http://localhost/")])
    assert get_profile(demo_engine, "karnal-sp").language == "en"
    assert karnal.get_cookie(COOKIE_NAME).value == "en"


def test_a_crafted_href_cannot_leave_the_site(karnal):
    for href in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        out = call(karnal, [(shell_ids.LANGUAGE_RELOAD, "href")], [(shell_ids.LANGUAGE_SWITCH, "n_clicks", 1)],
                   state=[(shell_ids.LANGUAGE_SWITCH, "value", "en"), (shell_ids.URL, "href", href)])
        target = out[shell_ids.LANGUAGE_RELOAD]["href"]
        assert target.startswith("/") and not target.startswith("//"), target


def test_the_same_callback_answers_in_english_then_in_hindi(national_client):
    """The caches (read results, whole responses) key on the language: English, Hindi, English again."""
    from callbacks import lagging as cb

    def reasons() -> list[str]:
        out = call(national_client, list(cb.OUTPUTS),
                   [(lagging_layout.ids.QUERY, "data", {"month": MONTH, "state": STATE})])
        return [r["reasons"] for r in out[lagging_layout.ids.TABLE]["rowData"]]

    national_client.set_cookie(COOKIE_NAME, "en")
    english = reasons()
    national_client.set_cookie(COOKIE_NAME, "hi")
    hindi = reasons()
    national_client.set_cookie(COOKIE_NAME, "en")
    assert reasons() == english
    assert len(english) == len(hindi) > 0
    assert any("Critical" in r or "Not reported" in r or "Score" in r for r in english)
    assert all(not re.search(r"Critical|Not reported|Score ", r) for r in hindi)
    assert any("गंभीर" in r or "डेटा नहीं भेजा" in r or "स्कोर" in r for r in hindi)


def test_the_unit_pages_answer_in_hindi(national_client):
    """The State, district and station pages' callbacks in Hindi: no error, the words from the catalog, the
    numbers as in English (Latin digits, the same published scores)."""
    import json

    from unit_pages_support import (
        DISTRICT_PAGE,
        DISTRICT_STATIONS,
        STATE_DETAIL,
        STATE_SUMMARY,
        STATION_PAGE,
        THEME,
    )

    from layouts import district as dl
    from layouts import state as sl
    from layouts import station as stl

    cases = [(STATE_SUMMARY, [(sl.ids.QUERY, "data", {"state_code": "HR", "month": MONTH})], [THEME]),
             (STATE_DETAIL, [(sl.ids.QUERY, "data", {"state_code": "HR", "month": MONTH})], [THEME]),
             (DISTRICT_PAGE, [(dl.ids.QUERY, "data", {"district_code": "HR-KNL", "month": MONTH})], [THEME]),
             (DISTRICT_STATIONS, [(dl.ids.QUERY, "data", {"district_code": "HR-KNL", "month": MONTH}),
                                  (dl.ids.PEER, "value", "all")], []),
             (STATION_PAGE, [(stl.ids.QUERY, "data", {"station_code": "HR-KNL-001", "month": MONTH})],
              [(stl.ids.PICK, "value", None), THEME])]
    for outputs, inputs, state in cases:
        national_client.set_cookie(COOKIE_NAME, "en")
        english = json.dumps(call(national_client, outputs, inputs, state=state), ensure_ascii=False)
        national_client.set_cookie(COOKIE_NAME, "hi")
        hindi = json.dumps(call(national_client, outputs, inputs, state=state), ensure_ascii=False)
        assert re.search("[\u0900-\u097f]", hindi), outputs[0]
        scores = set(re.findall(r"\b\d{1,3}\.\d\d\b", english))
        assert scores and scores <= set(re.findall(r"\b\d{1,3}\.\d\d\b", hindi)), outputs[0]
    national_client.set_cookie(COOKIE_NAME, "en")
