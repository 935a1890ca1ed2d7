"""/profile: the signed-in user's own address and digest choices, shown and saved over HTTP (the user comes
from the session; a request cannot name another user)."""

from __future__ import annotations

import pytest
from app_http_support import call, sign_in
from sqlalchemy import select

from dashboard.digests import get_profile, set_profile
from dashboard.store.models import AuditEvent

LOAD_OUT = [("profile-subtitle", "children"), ("profile-email", "value"), ("profile-choices", "value"),
            ("profile-language", "value"), ("profile-about", "children")]


def save(client, email, choices, language="en"):
    return call(client, [("profile-status", "children")], [("profile-save", "n_clicks", 1)],
                state=[("profile-email", "value", email), ("profile-choices", "value", choices),
                       ("profile-language", "value", language)])["profile-status"]["children"]


@pytest.fixture
def karnal(dash_app, demo_users, demo_engine):
    before = get_profile(demo_engine, "karnal-sp")
    yield sign_in(dash_app, "karnal-sp", demo_users["karnal-sp"])
    set_profile(demo_engine, "karnal-sp", email=before.email, monthly=before.monthly, reminder=before.reminder,
                language=before.language, actor="test")


def test_the_page_is_registered_and_needs_sign_in(dash_app, karnal):
    assert dash_app.server.test_client().get("/profile").status_code == 302
    assert karnal.get("/profile").status_code == 200


def test_profile_shows_and_saves_the_users_own_choices(karnal, demo_engine):
    set_profile(demo_engine, "karnal-sp", email="karnal-sp@example.org", monthly=True, reminder=True, actor="test")
    shown = call(karnal, LOAD_OUT, [("profile-query", "data", {"user": "ncrb"})])  # a crafted key is ignored
    assert shown["profile-email"]["value"] == "karnal-sp@example.org"
    assert sorted(shown["profile-choices"]["value"]) == ["monthly", "reminder"]
    assert "karnal-sp" in shown["profile-subtitle"]["children"]

    status = save(karnal, "sp.karnal@example.org", ["reminder"])
    assert "Saved" in str(status)
    p = get_profile(demo_engine, "karnal-sp")
    assert (p.email, p.monthly, p.reminder) == ("sp.karnal@example.org", False, True)
    assert get_profile(demo_engine, "ncrb").email != "sp.karnal@example.org"
    with demo_engine.connect() as conn:
        details = [d for (d,) in conn.execute(select(AuditEvent.detail).where(
            AuditEvent.action == "profile_update", AuditEvent.actor == "karnal-sp"))]
    assert any("sp.karnal@example.org" in d for d in details)


@pytest.mark.parametrize("bad", ["not-an-address", "a@b.org\r\nBcc: x@evil.example", "<a@b.org>", ["x@y.org"], 5])
def test_bad_input_is_refused_and_changes_nothing(karnal, demo_engine, bad):
    before = get_profile(demo_engine, "karnal-sp")
    status = save(karnal, bad, ["monthly"], "en")
    assert "Not saved" in str(status)
    assert get_profile(demo_engine, "karnal-sp") == before


def test_unknown_language_and_odd_choices(karnal, demo_engine):
    assert "Not saved" in str(save(karnal, "karnal-sp@example.org", ["monthly"], "xx"))
    assert "Saved" in str(save(karnal, "karnal-sp@example.org", "monthly", "en"))  # not a list: nothing chosen
    p = get_profile(demo_engine, "karnal-sp")
    assert (p.monthly, p.reminder) == (False, False)
