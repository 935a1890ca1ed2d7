"""Every SQL statement the callbacks run when cold, with its plan: which ones scan a table instead of
seeking an index. A developer's tool next to `bench.profile_cold`: a scan of `result_units` that was 2 ms
at 3 months of history is 400 ms at 60 months, and the benchmark's cold column only shows the sum.

    python -m bench.query_plans --url sqlite:///path/db.sqlite3 [--output id.prop ...] [--limit 4]
        [--all]

For each callback (all with an inputs generator, or the `--output`s named), its first `--limit` inputs are
answered with the caches emptied, recording every statement and its wall time; each distinct statement
(by its SQL text) is then explained once with its first parameters (SQLite: EXPLAIN QUERY PLAN;
PostgreSQL: EXPLAIN with sequential scans priced out, so that a small database shows whether an index can
serve the statement) and listed when its plan scans a growing table (or always, with `--all`), slowest
first.
`scans(plan_lines)` is what `tests/dashboard/read/test_query_plans.py` asserts on.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from bench.common import callback_body, signed_in_app

# tables that grow with the history (months x units): a scan of one of them grows with every import
GROWING_TABLES = ("result_units", "result_params", "result_lagging", "result_stakes", "result_station_counts",
                  "station_rows", "state_rows", "published_results", "import_replaced", "audit_events",
                  "projections", "projection_backtests", "data_flags", "provisional_station_rows",
                  "provisional_units", "provisional_params", "provisional_lagging", "provisional_stakes")

_SQLITE_SCAN = re.compile(r"\bSCAN (\w+)")  # "SCAN r USING COVERING INDEX ..." or "SCAN result_units"
_SQLITE_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+AS)?\s+(\w+)", re.IGNORECASE)
_PG_SCAN = re.compile(r"Seq Scan on (\w+)")
_PG_INDEX = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:Backward )?(?:using|on) (\w+)")
_PG_COND = re.compile(r"Index Cond: (.*)")


@dataclass
class Statement:
    sql: str
    params: Any
    dialect: str
    calls: int = 0
    seconds: float = 0.0
    callbacks: set[str] = field(default_factory=set)


class Recorder:
    """Every statement an engine runs while `on` is set, grouped by SQL text."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.on = False
        self.label = ""
        self.statements: dict[str, Statement] = {}
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        self._started.append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seconds = time.perf_counter() - self._started.pop() if self._started else 0.0
        if not self.on or executemany:
            return
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head not in ("SELECT", "WITH"):
            return
        st = self.statements.setdefault(statement, Statement(statement, parameters, self.engine.dialect.name))
        st.calls += 1
        st.seconds += seconds
        st.callbacks.add(self.label)


def explain(engine: Engine, st: Statement) -> list[str]:
    """The plan of one recorded statement, a line per step."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        try:
            if st.dialect == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + st.sql, st.params)
                return [row[-1] for row in cur.fetchall()]
            # with sequential scans priced out, a "Seq Scan" left in the plan is one no index can serve
            # (on a small database the planner would otherwise prefer scans that an index could avoid)
            cur.execute("SET enable_seqscan = off")
            try:
                cur.execute("EXPLAIN " + st.sql, st.params)
                return [row[0] for row in cur.fetchall()]
            finally:
                cur.execute("RESET enable_seqscan")
        finally:
            cur.close()


def pg_leading_columns(engine: Engine, tables: Iterable[str] = GROWING_TABLES) -> dict[str, tuple[str, str]]:
    """{index name: (table, its first column)} of the growing tables' indexes (PostgreSQL)."""
    from sqlalchemy import text

    sql = text("SELECT i.relname, t.relname, a.attname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
               "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_attribute a ON a.attrelid = t.oid "
               "AND a.attnum = x.indkey[0] WHERE t.relname = ANY(:tables)")
    with engine.connect() as conn:
        return {index: (table, column) for index, table, column in conn.execute(sql, {"tables": list(tables)})}


def scans(plan: Iterable[str], sql: str, dialect: str, tables: Iterable[str] = GROWING_TABLES,
          leading: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """The growing tables a plan reads whole: SQLite "SCAN <alias>"; PostgreSQL "Seq Scan on <table>", or an
    index of one (`leading`: `pg_leading_columns`) whose Index Cond leaves out the index's first column —
    PostgreSQL then walks the whole index, checking the other columns entry by entry."""
    wanted = set(tables)
    found: list[str] = []
    leading = leading or {}
    if dialect == "sqlite":
        aliases = {alias.lower(): table.lower() for table, alias in _SQLITE_ALIAS.findall(sql)}
        for line in plan:
            m = _SQLITE_SCAN.search(line)
            if m:
                name = m.group(1).lower()
                table = aliases.get(name, name)
                if table in wanted:
                    found.append(table)
    else:
        lines = list(plan)
        for i, line in enumerate(lines):
            m = _PG_SCAN.search(line)
            if m and m.group(1).lower() in wanted:
                found.append(m.group(1).lower())
                continue
            m = _PG_INDEX.search(line)
            if not m or m.group(1) not in leading:
                continue
            table, first = leading[m.group(1)]
            if table not in wanted:
                continue
            cond = next((c.group(1) for c in map(_PG_COND.search, lines[i + 1:i + 4]) if c), "")
            if not re.search(rf"\(?\b{re.escape(first)}\b\)?(?:::\w+)? = ", cond):
                found.append(table)
    return found


def sweep(app: Any, engine: Engine, client: Any, csrf: str, outputs: set[str] | None = None,
          limit: int = 4, quick: bool = True) -> list[tuple[Statement, list[str], list[str]]]:
    """Answer each callback's first `limit` inputs cold (the outputs named, or every one with an inputs
    generator) as the signed-in client; every distinct SELECT with its plan and the growing tables it scans,
    slowest first."""
    from bench.callbacks import Ctx, generator_for, label_of, pick_units
    from dashboard.read.cache import clear

    deps = client.get("/_dash-dependencies").get_json()
    ctx = Ctx(client, csrf, deps, pick_units(engine, quick=quick))
    recorder = Recorder(engine)
    try:
        for dep in deps:
            if dep.get("clientside_function"):
                continue
            name, gen = generator_for(dep)
            if gen is None or (outputs and name not in outputs and name.split(" <- ")[0] not in outputs):
                continue
            recorder.label = label_of(dep)
            for sc in gen(ctx)[:limit]:
                values = dict(ctx.page_props(sc.url))
                values.update(sc.values)
                body = callback_body(dep, values, sc.changed)
                clear(app.server)
                recorder.on = True
                try:
                    ctx.post(body)
                finally:
                    recorder.on = False
    finally:
        recorder.close()
    leading = pg_leading_columns(engine) if engine.dialect.name == "postgresql" else None
    out = []
    for st in sorted(recorder.statements.values(), key=lambda s: -s.seconds):
        plan = explain(engine, st)
        out.append((st, plan, scans(plan, st.sql, st.dialect, leading=leading)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="the database (SQLAlchemy URL); demo users are (re)created in it")
    ap.add_argument("--output", action="append", help="a callback's first output 'id.prop' (repeatable)")
    ap.add_argument("--limit", type=int, default=4, help="inputs per callback")
    ap.add_argument("--all", action="store_true", help="list every statement, not only those that scan")
    ap.add_argument("--user", default="ncrb")
    args = ap.parse_args()

    session = signed_in_app(args.url, args.user, "plans")
    found = sweep(session.app, session.engine, session.client, session.csrf, set(args.output or []), args.limit)
    listed = 0
    for st, plan, scanned in found:
        if not scanned and not args.all:
            continue
        listed += 1
        print(f"{st.seconds * 1000:9.1f} ms in {st.calls} calls  scans: {', '.join(scanned) or '-'}")
        print("   by: " + "; ".join(sorted(st.callbacks)))
        print("   " + " ".join(st.sql.split())[:600])
        for line in plan:
            print("     | " + line)
    print(f"{len(found)} distinct statements, {listed} listed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
