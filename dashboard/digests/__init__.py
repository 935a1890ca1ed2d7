"""Digests by e-mail: after each month is imported, each user gets the page they would have opened (a
State's standing and what to do, a district's lagging stations and open actions, the national table), in
their language and scoped to what they may see; before NCRB's cut-off, a reminder of what is pending.
Sent once (the send log), retried when the SMTP server was down. Run by `cctns digest` from cron or a
systemd timer, never inside the web workers."""

from dashboard.digests.catalog import CATALOGS, DEFAULT_LANGUAGE, LANGUAGES, words
from dashboard.digests.compose import district_digest, national_digest, reminder_digest, state_digest
from dashboard.digests.gather import district_facts, national_facts, reminder_facts, state_facts
from dashboard.digests.model import Digest, Kpi, Link, Links, Section, Styled, Table
from dashboard.digests.recipients import (
    KINDS,
    ProfileError,
    Recipient,
    clean_email,
    get_profile,
    recipients,
    set_email,
    set_profile,
)
from dashboard.digests.render import build_message, header_text, render_html, render_text
from dashboard.digests.schedule import Reminder, cutoff_date, due_month, next_reminder_day, reminder_due
from dashboard.digests.send import (
    MAX_ATTEMPTS,
    Mailer,
    SendReport,
    SmtpConfig,
    SmtpSettingsError,
    backoff,
    compose_monthly,
    compose_reminder,
    review_pack_pdf,
    send_monthly,
    send_reminders,
    smtp_config,
    status,
)

__all__ = [
    "CATALOGS", "DEFAULT_LANGUAGE", "KINDS", "LANGUAGES", "MAX_ATTEMPTS", "Digest", "Kpi", "Link", "Links",
    "Mailer", "ProfileError", "Recipient", "Reminder", "Section", "SendReport", "SmtpConfig", "SmtpSettingsError",
    "Styled", "Table", "backoff", "build_message", "clean_email", "compose_monthly", "compose_reminder",
    "cutoff_date", "district_digest", "district_facts", "due_month", "get_profile", "header_text",
    "national_digest", "national_facts", "next_reminder_day", "recipients", "reminder_digest", "reminder_due",
    "reminder_facts", "render_html", "render_text", "review_pack_pdf", "send_monthly", "send_reminders",
    "set_email", "set_profile", "smtp_config", "state_digest", "state_facts", "status", "words",
]
