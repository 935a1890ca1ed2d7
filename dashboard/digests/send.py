"""Sending: SMTP (smtplib), the send log (`digest_log`), retries with back-off, and the status report.

Never twice: a digest (user x month x kind) is *claimed* by inserting its log row (unique) before it is
composed and sent; a re-run finds the row and skips it. A failed send stays `failed` with its error and
is tried again by a later run once its back-off has passed (5 min, 10, 20 ... at most 12 h; after
MAX_ATTEMPTS it is `gave_up`). A run that finds the SMTP server down records a failed attempt for every
digest due, marks nothing sent and does not crash. A row left `sending` by a run that was killed mid-send
is reported as interrupted and not re-sent automatically (the message may have gone out)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from dashboard.config import Settings
from dashboard.digests import compose, gather  # noqa: F401
from dashboard.digests.model import Digest, Links
from dashboard.digests.recipients import Recipient, recipients
from dashboard.digests.render import build_message, header_text
from dashboard.digests.schedule import Reminder
from dashboard.i18n import use_language
from dashboard.store import DigestLog, utcnow

BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=12)
MAX_ATTEMPTS = 8
STALE_SENDING = timedelta(minutes=30)
ERROR_MAX = 500


class SmtpSettingsError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    timeout: float = 30.0
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def smtp_config(url: str, user: str | None = None, password: str | None = None) -> SmtpConfig:
    """CCTNS_SMTP_URL: smtp://host:port (plain), smtps://host:port (SSL), ?starttls=1, ?timeout=S.
    Credentials come from CCTNS_SMTP_USER / CCTNS_SMTP_PASSWORD, never from the URL."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpSettingsError(f"CCTNS_SMTP_URL must look like smtp://host:port or smtps://host:port, not {url!r}")
    if parts.username or parts.password:
        raise SmtpSettingsError("put SMTP credentials in CCTNS_SMTP_USER / CCTNS_SMTP_PASSWORD, not in CCTNS_SMTP_URL")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    secure = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if secure else 25)
        timeout = float(query.get("timeout", "30"))
    except ValueError as exc:
        raise SmtpSettingsError(f"CCTNS_SMTP_URL: {exc}") from None
    return SmtpConfig(unquote(parts.hostname), port, secure, query.get("starttls", "0").lower() in ("1", "true", "yes"),
                      timeout, user, password)


class Mailer:
    """One SMTP connection for a run, opened on first use; `send` raises on any failure."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        if self._smtp is not None:
            return
        c = self.config
        context = ssl.create_default_context()
        smtp = (smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context) if c.ssl
                else smtplib.SMTP(c.host, c.port, timeout=c.timeout))
        try:
            smtp.ehlo()
            if c.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if c.user:
                smtp.login(c.user, c.password or "")
        except Exception:
            smtp.close()
            raise
        self._smtp = smtp

    def send(self, msg: EmailMessage) -> None:
        self.open()
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(msg)
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            raise
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # noqa: BLE001 - closing a broken connection
                self._smtp.close()
            self._smtp = None


def error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return header_text(text, ERROR_MAX)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure before trying again."""
    return min(BACKOFF_FIRST * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


# --- the log -------------------------------------------------------------------------------------------


def claim(engine: Engine, r: Recipient, month: str, kind: str, now: datetime) -> int | None:
    """The log row's id if this run may send the digest now (new, or failed and due for a retry)."""
    where = (DigestLog.user_id == r.user_id, DigestLog.month == month, DigestLog.kind == kind)
    with engine.connect() as conn:
        exists = conn.execute(select(DigestLog.id).where(*where)).first() is not None
    if not exists:  # the usual case for a new month; the unique key settles a race between two runs
        try:
            with engine.begin() as conn:
                return int(conn.execute(insert(DigestLog).values(
                    user_id=r.user_id, username=r.username, month=month, kind=kind, email=r.email or "",
                    message_id="", status="sending", attempts=0, last_error="", claimed_at=now,
                    created_at=now)).inserted_primary_key[0])
        except IntegrityError:
            pass
    with engine.begin() as conn:
        row = conn.execute(select(DigestLog.id, DigestLog.status, DigestLog.attempts, DigestLog.next_attempt_at)
                           .where(*where)).first()
        if row is None or row.status != "failed" or (row.next_attempt_at is not None and row.next_attempt_at > now):
            return None
        done = conn.execute(update(DigestLog).where(DigestLog.id == row.id, DigestLog.status == "failed",
                                                    DigestLog.attempts == row.attempts)
                            .values(status="sending", claimed_at=now, email=r.email or "")).rowcount
        return int(row.id) if done else None


def mark_sent(engine: Engine, log_id: int, message_id: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(DigestLog).where(DigestLog.id == log_id).values(
            status="sent", message_id=message_id, sent_at=now, last_error="", next_attempt_at=None,
            attempts=DigestLog.attempts + 1))


def mark_failed(engine: Engine, log_id: int, error: str, now: datetime) -> None:
    with engine.begin() as conn:
        attempts = int(conn.execute(select(DigestLog.attempts).where(DigestLog.id == log_id)).scalar() or 0) + 1
        gave_up = attempts >= MAX_ATTEMPTS
        conn.execute(update(DigestLog).where(DigestLog.id == log_id).values(
            status="gave_up" if gave_up else "failed", attempts=attempts, last_error=error[:ERROR_MAX],
            next_attempt_at=None if gave_up else now + backoff(attempts)))


def status(engine: Engine, month: str | None = None, kind: str | None = None,
           now: datetime | None = None) -> pd.DataFrame:
    """The send log (newest month first): username, month, kind, email, status (`interrupted` for a row
    left `sending` by a killed run), attempts, last_error, message_id, sent_at, next_attempt_at."""
    now = now or utcnow()
    stmt = select(DigestLog).order_by(DigestLog.month.desc(), DigestLog.kind, DigestLog.username)
    if month:
        stmt = stmt.where(DigestLog.month == month)
    if kind:
        stmt = stmt.where(DigestLog.kind == kind)
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    if not df.empty:
        stale = (df["status"] == "sending") & (pd.to_datetime(df["claimed_at"]) < now - STALE_SENDING)
        df.loc[stale, "status"] = "interrupted"
    return df


# --- a run ------------------------------------------------------------------------------------------------


@dataclass
class SendReport:
    month: str | None
    kind: str
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (username, error)
    skipped: list[str] = field(default_factory=list)  # already sent, in progress, or waiting for back-off
    written: list[Path] = field(default_factory=list)  # dry run: .eml files

    @property
    def ok(self) -> bool:
        return not self.failed


PackBuilder = Callable[[Engine, str, str | None, str], bytes]
DEFAULT_PACK = object()


def review_pack_pdf(engine: Engine, state_code: str, district_code: str | None, month: str) -> bytes:
    """The State's PDF review pack (dashboard.reports: build_review + build_pack), as the State sees it."""
    from dashboard.reports import build_pack, build_review
    from dashboard.scope import Scope

    scope = Scope("state", state_code, None, "digest")
    return build_pack(engine, build_review(engine, month, scope, state_code, district_code), "pdf")


def compose_monthly(engine: Engine, r: Recipient, month: str, links: Links) -> Digest:
    scope = r.scope
    if r.role == "national":
        return compose.national_digest(gather.national_facts(engine, month, scope), links, r.username, r.email or "",
                                       r.language)
    if r.role == "state":
        return compose.state_digest(gather.state_facts(engine, month, scope), links, r.username, r.email or "",
                                    r.language)
    return compose.district_digest(gather.district_facts(engine, month, scope), links, r.username, r.email or "",
                                   r.language)


def compose_reminder(engine: Engine, r: Recipient, reminder: Reminder, today: date, links: Links) -> Digest:
    return compose.reminder_digest(gather.reminder_facts(engine, r.scope, reminder, today), links, r.username,
                                   r.email or "", r.role, r.language)


def _message(engine: Engine, make: Callable[[Recipient], Digest], r: Recipient, settings: Settings, links: Links,
             packs: dict, pack_builder: PackBuilder | None) -> EmailMessage:
    """One recipient's message, every word and figure (the pack too) in the recipient's language."""
    with use_language(r.language):
        return _message_in_language(engine, make(r), r, settings, links, packs, pack_builder)


def _message_in_language(engine: Engine, d: Digest, r: Recipient, settings: Settings, links: Links, packs: dict,
                         pack_builder: PackBuilder | None) -> EmailMessage:
    attachments = []
    if d.pack is not None and pack_builder is not None:
        key = (*d.pack, d.month, d.language)
        if key not in packs:
            packs[key] = pack_builder(engine, d.pack[0], d.pack[1], d.month)
        unit = d.pack[1] or d.pack[0]
        attachments.append((f"cctns-review-{unit}-{d.month}.pdf", "application/pdf", packs[key]))
    return build_message(d, r.email or "", settings.mail_from, attachments, list_unsubscribe=links.profile())


def run(engine: Engine, settings: Settings, kind: str, month: str, make: Callable[[Recipient], Digest], *,
        usernames: list[str] | None = None, dry_run_dir: Path | None = None, now: datetime | None = None,
        mailer: Mailer | None = None, pack_builder: PackBuilder | None | object = DEFAULT_PACK) -> SendReport:
    """Send (or, with `dry_run_dir`, write as .eml) the `kind` digest of `month` to every recipient.
    `pack_builder` makes the PDF review pack attached for State users (default `review_pack_pdf`; None: none)."""
    now = now or utcnow()
    if pack_builder is DEFAULT_PACK:
        pack_builder = review_pack_pdf
    links = Links(settings.base_url)
    report = SendReport(month, kind)
    packs: dict = {}
    people = recipients(engine, kind, usernames)
    if dry_run_dir is not None:
        dry_run_dir.mkdir(parents=True, exist_ok=True)
        for r in people:
            try:
                msg = _message(engine, make, r, settings, links, packs, pack_builder)
            except Exception as exc:  # noqa: BLE001 - one user's problem must not stop the others
                report.failed.append((r.username, error_text(exc)))
                continue
            path = dry_run_dir / f"{month}-{kind}-{r.username}.eml"
            path.write_bytes(msg.as_bytes())
            report.written.append(path)
        return report
    mailer = mailer or Mailer(smtp_config(settings.smtp_url, settings.smtp_user, settings.smtp_password))
    down: str | None = None
    try:
        for r in people:
            log_id = claim(engine, r, month, kind, now)
            if log_id is None:
                report.skipped.append(r.username)
                continue
            if down is None:
                try:
                    mailer.open()
                except Exception as exc:  # noqa: BLE001 - server down or refusing: recorded, retried later
                    down = f"SMTP server {mailer.config.host}:{mailer.config.port} unavailable ({error_text(exc)})"
            if down is not None:
                mark_failed(engine, log_id, down, now)
                report.failed.append((r.username, down))
                continue
            try:
                msg = _message(engine, make, r, settings, links, packs, pack_builder)
                mailer.send(msg)
            except Exception as exc:  # noqa: BLE001
                mark_failed(engine, log_id, error_text(exc), now)
                report.failed.append((r.username, error_text(exc)))
                continue
            mark_sent(engine, log_id, str(msg["Message-ID"]), now)
            report.sent.append(r.username)
    finally:
        mailer.close()
    return report


def send_monthly(engine: Engine, settings: Settings, month: str, **kwargs) -> SendReport:
    return run(engine, settings, "monthly", month,
               lambda r: compose_monthly(engine, r, month, Links(settings.base_url)), **kwargs)


def send_reminders(engine: Engine, settings: Settings, reminder: Reminder, today: date, **kwargs) -> SendReport:
    kwargs.setdefault("pack_builder", None)
    return run(engine, settings, "reminder", reminder.month,
               lambda r: compose_reminder(engine, r, reminder, today, Links(settings.base_url)), **kwargs)

