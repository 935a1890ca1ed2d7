"""When digests go out: NCRB's cut-off for a month's data, and the reminder window before it. Pure.

Assumed cut-off (configurable, CCTNS_CUTOFF_DAY, default 10): a month's figures are due at NCRB by that
day of the following month (June's by 10 July). `cctns digest remind --days N` sends the reminder about the
month due when today is within N days before that cut-off (on the cut-off day itself included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from metrics.methodology import next_month, previous_month


@dataclass(frozen=True)
class Reminder:
    month: str  # the month whose figures are due
    cutoff: date  # the day they are due at NCRB
    days_left: int


def cutoff_date(month: str, cutoff_day: int) -> date:
    """The day `month`'s figures are due: `cutoff_day` of the following month."""
    following = next_month(month)
    return date(int(following[:4]), int(following[5:7]), cutoff_day)


def due_month(today: date) -> str:
    """The month whose figures are being collected today: the calendar month before today's."""
    return previous_month(f"{today.year:04d}-{today.month:02d}")


def reminder_due(today: date, days: int, cutoff_day: int) -> Reminder | None:
    """The reminder to send today, or None when today is not within `days` days before a cut-off."""
    month = due_month(today)
    cutoff = cutoff_date(month, cutoff_day)
    left = (cutoff - today).days
    return Reminder(month, cutoff, left) if 0 <= left <= days else None


def next_reminder_day(today: date, days: int, cutoff_day: int) -> date:
    """The first day on or after `today` on which `reminder_due` gives a reminder."""
    day = today
    for _ in range(62):
        if reminder_due(day, days, cutoff_day) is not None:
            return day
        day += timedelta(days=1)
    return day  # unreachable for 0 <= days
