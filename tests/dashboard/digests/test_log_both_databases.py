"""The send log on SQLite and PostgreSQL (migration 0004): a digest is claimed once, whatever the number of
runs at once; a failure waits for its back-off; users' digest columns have their defaults."""

from __future__ import annotations

import threading
from datetime import timedelta

from dashboard.digests import backoff, get_profile, recipients, set_email, status
from dashboard.digests.send import claim, mark_failed, mark_sent
from dashboard.store import get_engine, upgrade, utcnow
from dashboard.web.users import create_user

PASSWORD = "correct-horse-battery-staple-42"


def test_claims_are_unique_and_retries_wait(any_db_url):
    engine = get_engine(any_db_url)
    upgrade(engine)
    create_user(engine, "nat", PASSWORD, "national", actor="test")
    p = get_profile(engine, "nat")
    assert (p.email, p.language, p.monthly, p.reminder) == (None, "en", True, True)
    assert recipients(engine, "monthly") == []
    set_email(engine, "nat", "nat@example.org")
    (r,) = recipients(engine, "monthly")
    now = utcnow()

    got: list[int | None] = []
    threads = [threading.Thread(target=lambda: got.append(claim(engine, r, "2025-06", "monthly", now)))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [g for g in got if g is not None]
    assert len(winners) == 1

    mark_failed(engine, winners[0], "SMTP down", now)
    assert claim(engine, r, "2025-06", "monthly", now) is None  # back-off
    later = now + backoff(1) + timedelta(seconds=1)
    again = claim(engine, r, "2025-06", "monthly", later)
    assert again == winners[0]
    mark_sent(engine, again, "<id@example.org>", later)
    assert claim(engine, r, "2025-06", "monthly", later + timedelta(days=9)) is None
    assert claim(engine, r, "2025-06", "reminder", later) is not None  # another kind is another digest
    log = status(engine, "2025-06", "monthly")
    assert log[["status", "attempts", "message_id"]].values.tolist() == [["sent", 2, "<id@example.org>"]]
