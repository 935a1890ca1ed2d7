"""`result_months` / `result_schemes` (index seeks, read in the caller's connection: an import's transaction)
give what `SELECT DISTINCT` over every result row gives, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from dashboard.read import result_months, result_schemes


def test_the_months_and_schemes_equal_select_distinct(any_demo_engine):
    with any_demo_engine.connect() as conn:
        schemes = [s for (s,) in conn.execute(text("SELECT DISTINCT scheme FROM result_units ORDER BY scheme"))]
        assert result_schemes(conn) == schemes == ["cctns", "icjs", "itsso"]
        every = [m for (m,) in conn.execute(text(
            "SELECT DISTINCT month FROM result_units WHERE level = 'state' ORDER BY month"))]
        assert len(every) > 2 and result_months(conn, None) == every
        for scheme in schemes:
            assert result_months(conn, scheme) == [m for (m,) in conn.execute(text(
                "SELECT DISTINCT month FROM result_units WHERE scheme = :s AND level = 'state' ORDER BY month"),
                {"s": scheme})]
        assert result_months(conn, "no-such-scheme") == []


def test_they_see_the_callers_uncommitted_months(any_demo_engine):
    with any_demo_engine.begin() as conn:
        conn.execute(text("DELETE FROM result_units WHERE level = 'state' AND month = "
                          "(SELECT MAX(month) FROM result_units)"))
        fewer = result_months(conn, None)
        conn.rollback()
    with any_demo_engine.connect() as conn:
        assert len(result_months(conn, None)) == len(fewer) + 1
