"""When reminders go out: NCRB's cut-off (CCTNS_CUTOFF_DAY of the following month) and the window before it."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.config import load_settings
from dashboard.digests import cutoff_date, due_month, next_reminder_day, reminder_due, smtp_config
from dashboard.digests.send import SmtpSettingsError


def test_cutoff_and_due_month():
    assert cutoff_date("2025-06", 10) == date(2025, 7, 10)
    assert cutoff_date("2025-12", 10) == date(2026, 1, 10)
    assert due_month(date(2025, 7, 3)) == "2025-06"
    assert due_month(date(2026, 1, 9)) == "2025-12"


@pytest.mark.parametrize(("today", "expected"), [
    (date(2025, 7, 4), None),  # 6 days before
    (date(2025, 7, 5), ("2025-06", 5)),
    (date(2025, 7, 10), ("2025-06", 0)),  # the cut-off day itself
    (date(2025, 7, 11), None),  # too late for June; July's window opens on 5 August
    (date(2026, 1, 8), ("2025-12", 2)),
])
def test_reminder_window(today, expected):
    r = reminder_due(today, 5, 10)
    assert (None if r is None else (r.month, r.days_left)) == expected


def test_next_window():
    assert next_reminder_day(date(2025, 7, 11), 5, 10) == date(2025, 8, 5)
    assert next_reminder_day(date(2025, 7, 6), 5, 10) == date(2025, 7, 6)


def test_settings_and_smtp_url():
    s = load_settings({"CCTNS_CUTOFF_DAY": "15", "CCTNS_BASE_URL": "https://cctns.example.org/",
                       "CCTNS_SMTP_URL": "smtps://mail.example.org", "CCTNS_SMTP_USER": "u",
                       "CCTNS_SMTP_PASSWORD": "pw-s3cr3t"})
    assert s.cutoff_day == 15 and s.base_url == "https://cctns.example.org"
    assert "pw-s3cr3t" not in repr(s)
    c = smtp_config(s.smtp_url, s.smtp_user, s.smtp_password)
    assert (c.host, c.port, c.ssl, c.starttls, c.user) == ("mail.example.org", 465, True, False, "u")
    assert "pw-s3cr3t" not in repr(c)
    c = smtp_config("smtp://relay:587?starttls=1&timeout=5")
    assert (c.port, c.starttls, c.timeout, c.ssl) == (587, True, 5.0, False)
    assert smtp_config("smtp://localhost").port == 25
    for bad in ("http://x", "smtp://", "smtp://user:pw@host:25"):
        with pytest.raises(SmtpSettingsError):
            smtp_config(bad)
    for env in ({"CCTNS_CUTOFF_DAY": "31"}, {"CCTNS_CUTOFF_DAY": "x"}, {"CCTNS_BASE_URL": "javascript:alert(1)"},
                {"CCTNS_BASE_URL": "https://x/?a=<b>"}):
        with pytest.raises(ValueError):
            load_settings(env)
