"""Actions registers: a CSV or XLSX file of actions, for States that keep their review register in Excel
(`cctns actions import FILE --user NAME`). Read with the limits and hostile-input rules of every import
(`files`: sizes, XLSX zip checks, NUL bytes, formula cells), every problem listed with its row and column,
then made all or none through `dashboard.actions`, in the scope of the named user (who is recorded as
having assigned them).

Columns (README "File formats"): `level, unit_code, parameter, text, owner_kind, owner_user, due_month,
review_date, forum`; `level`, `unit_code`, `text` and `owner_kind` are required, the others may be blank
or left out. The columns `cctns actions export` adds after them (`id`, `status`, `outcome`, ...) are read
and ignored, so an export imports as it is. An XLSX register has a sheet named `actions`.

Typed text stays text: an action that starts with `=`, `+`, `-` or `@` is stored as typed (every output
writes it inert); the `'` that our CSV exports put before such a text is taken off again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.actions import (
    FORUMS,
    MAX_REGISTER,
    OWNER_KINDS,
    ActionRefused,
    NewAction,
    check_new_actions,
    create_actions,
)
from dashboard.ingest.files import (
    CODE_RE,
    CODE_RULE,
    FORMULA_CELL_RULE,
    ImporterError,
    ImportRejected,
    Kind,
    Problem,
    _Problems,
    _read_file,
)
from dashboard.safe_text import starts_like_formula
from dashboard.scope import OutOfScope, Scope
from dashboard.store import User
from metrics.actions import LEVELS
from metrics.methodology import is_month

REGISTER_COLUMNS = ("level", "unit_code", "parameter", "text", "owner_kind", "owner_user", "due_month",
                    "review_date", "forum")
REGISTER_REQUIRED = ("level", "unit_code", "text", "owner_kind")
# written by `cctns actions export` after the register's columns; read and ignored on import
EXPORT_ONLY_COLUMNS = ("id", "unit_name", "state_code", "district_code", "parameter_name", "scheme", "owner",
                       "assigned_by", "basis_month", "gap_value", "gap_target", "current_due_month",
                       "carry_cycles", "status", "outcome", "outcome_month", "now_value", "comment_count")
REGISTER_KIND = Kind("actions", REGISTER_COLUMNS + EXPORT_ONLY_COLUMNS, (),
                     optional=tuple(c for c in REGISTER_COLUMNS + EXPORT_ONLY_COLUMNS if c not in REGISTER_REQUIRED))
TEXT_MAX = 500  # as dashboard.actions (a longer text is refused there too; said here with its row)
_PARAMETER_RE = re.compile(r"[a-z0-9_]{1,60}", re.ASCII)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# where the core's reasons point: the first prefix found names the column (the text column otherwise)
_REASON_COLUMNS = (
    ("the unit level", "level"), ("choose the unit", "unit_code"), ("there is no station", "unit_code"),
    ("there is no district", "unit_code"), ("there is no state", "unit_code"), ("may not assign", "unit_code"),
    ("is not active in", "unit_code"), ("has no scored data", "unit_code"), ("the parameter", "parameter"),
    ("names the parameter", "parameter"), ("the owner", "owner_kind"), ("an sho", "owner_kind"),
    ("a state's action", "owner_kind"), ("choose the user", "owner_user"), ("there is no active user", "owner_user"),
    ("cannot see this unit", "owner_user"), ("due month", "due_month"), ("already scored", "due_month"),
    ("review date", "review_date"), ("the forum", "forum"), ("the action", "text"),
)


@dataclass(frozen=True)
class RegisterReport:
    """What an actions register made: the new actions' ids, the file and who assigned them."""

    file: str
    user: str
    action_ids: list[int]


def _column_of(reason: str) -> str:
    low = reason.lower()
    return next((col for prefix, col in _REASON_COLUMNS if prefix in low), "text")


def _typed_text(value: str) -> str:
    """The action's text as typed: our CSV export's `'` before a formula-looking text is taken off."""
    if value.startswith("'") and starts_like_formula(value[1:]):
        return value[1:]
    return value


def _row_problems(label: str, row: int, cells: dict[str, str], problems: _Problems) -> None:
    """The checks of one row that need no database (format), each named by its column."""
    level = cells["level"].lower()
    if level not in LEVELS:
        problems.add(label, row, "level", cells["level"], f"must be one of {', '.join(LEVELS)}")
    code = cells["unit_code"]
    if not code:
        problems.add(label, row, "unit_code", code, "the unit's code is required")
    elif len(code) > 24 or not CODE_RE.fullmatch(code):
        problems.add(label, row, "unit_code", code, CODE_RULE)
    parameter = cells["parameter"]
    if parameter and not _PARAMETER_RE.fullmatch(parameter):
        problems.add(label, row, "parameter", parameter, "a parameter id: lower-case letters, digits and _ "
                     "(as in the methodology), or blank for a station's action about its score")
    text = cells["text"]
    if not text.strip():
        problems.add(label, row, "text", text, "the action's text is required")
    elif _CONTROL_RE.search(text):
        problems.add(label, row, "text", text, "control characters (escape, bell, ...) are not allowed")
    elif len(text.strip()) > TEXT_MAX:
        problems.add(label, row, "text", text, f"too long ({len(text.strip())} characters; at most {TEXT_MAX})")
    if cells["owner_kind"].lower() not in OWNER_KINDS:
        problems.add(label, row, "owner_kind", cells["owner_kind"], f"must be one of {', '.join(OWNER_KINDS)}")
    elif cells["owner_kind"].lower() == "user" and not cells["owner_user"]:
        problems.add(label, row, "owner_user", "", "owner_kind user needs the owner's username here")
    if cells["due_month"] and not is_month(cells["due_month"]):
        problems.add(label, row, "due_month", cells["due_month"], "a month YYYY-MM (blank: the next month to "
                     "be scored)")
    if cells["review_date"] and not _DATE_RE.fullmatch(cells["review_date"]):
        problems.add(label, row, "review_date", cells["review_date"], "a date YYYY-MM-DD (blank: today)")
    if cells["forum"] and cells["forum"].lower() not in FORUMS:
        problems.add(label, row, "forum", cells["forum"], f"must be one of {', '.join(FORUMS)} (blank: state_review)")


def _new_action(cells: dict[str, str]) -> NewAction:
    return NewAction(
        level=cells["level"].lower(), unit_code=cells["unit_code"], parameter=cells["parameter"] or None,
        text=_typed_text(cells["text"]), owner_kind=cells["owner_kind"].lower(),
        owner_user=cells["owner_user"] or None, due_month=cells["due_month"] or None,
        review_date=cells["review_date"] or None, forum=cells["forum"].lower() or "state_review")


def register_scope(engine: Engine, username: str) -> Scope:
    """The scope of the user named on the command line; ImporterError when there is no such active user or
    the user may not assign actions (national users follow actions up; State and district users assign)."""
    name = (username or "").strip().lower()
    with engine.connect() as conn:
        u = conn.execute(select(User.username, User.role, User.state_code, User.district_code, User.active)
                         .where(User.username == name)).first()
    if u is None or not u.active:
        raise ImporterError(f"there is no active user {username!r}: name the State or district user who "
                            "assigns these actions (cctns users list)")
    if u.role not in ("state", "district"):
        raise ImporterError(f"{u.username} is a {u.role} user: actions are assigned by State users (in their "
                            "State) and district SPs (for their police stations)")
    return Scope(u.role, u.state_code, u.district_code, u.username)


@dataclass(frozen=True)
class RegisterRow:
    """One row of a register: where it is (file or file[sheet], spreadsheet row), the action it asks for, and
    whether its cells are well formed (only those are checked against the database)."""

    label: str
    row: int
    action: NewAction
    well_formed: bool


def read_register(path: Path) -> tuple[list[RegisterRow], list[Problem], int]:
    """The rows of a register with every format problem: (rows, problems listed, problems not listed)."""
    problems = _Problems()
    label = path.name
    read = _read_file(path, problems, {REGISTER_KIND.name: REGISTER_KIND})
    rows: list[RegisterRow] = []
    tables = read.tables if read is not None else []
    total = sum(len(t.df) for t in tables)
    if total > MAX_REGISTER:
        problems.add(label, None, "", "", f"{total:,} actions in one file (at most {MAX_REGISTER:,}): split it")
        tables = []
    for table in tables:
        for row, col, formula in table.formulas:
            problems.add(table.label, row, col, formula, FORMULA_CELL_RULE)
        df: pd.DataFrame = table.df
        for record in df.to_dict("records"):
            cells = {c: str(record.get(c, "") or "") for c in REGISTER_COLUMNS}
            cells = {c: (v if c == "text" else v.strip()) for c, v in cells.items()}
            before = sum(problems.counts.values())
            _row_problems(table.label, int(record["_row"]), cells, problems)
            well_formed = sum(problems.counts.values()) == before
            rows.append(RegisterRow(table.label, int(record["_row"]), _new_action(cells), well_formed))
    listed, omitted = problems.result()
    return rows, listed, omitted


def import_action_register(engine: Engine, path: Path | str, username: str) -> RegisterReport:
    """Read, check and make every action of the register in one transaction, as `username` (their scope);
    ImportRejected with every problem (row and column) and nothing stored when anything is wrong."""
    path = Path(path)
    scope = register_scope(engine, username)
    rows, listed, omitted = read_register(path)
    if not rows and not (listed or omitted):
        raise ImportRejected([Problem(path.name, None, "", "", "the file has no actions")])
    # the rows without a format problem are checked against the database too: every problem at once
    checked = [r for r in rows if r.well_formed]
    found = check_new_actions(engine, scope, [r.action for r in checked]) if checked else []
    if listed or omitted or found:
        located = sorted([*listed, *_located(checked, found)], key=lambda p: (p.file, p.row or 0))
        raise ImportRejected(located, omitted)
    try:
        ids = create_actions(engine, scope, [r.action for r in rows], actor=scope.username, limit=MAX_REGISTER)
    except (ActionRefused, OutOfScope) as exc:  # changed between the check and the write (a month imported)
        n = re.match(r"action (\d+): ", str(exc))
        index = int(n.group(1)) - 1 if n else 0
        raise ImportRejected(_located(rows, [(index, re.sub(r"^action \d+: ", "", str(exc)))])) from None
    return RegisterReport(path.name, scope.username, ids)


def _located(rows: Sequence[RegisterRow], found: Sequence[tuple[int, str]]) -> list[Problem]:
    """The core's reasons (by item index) as problems with the row and the column they point at."""
    out = []
    for index, reason in found:
        item = rows[index].action
        column = _column_of(reason)
        value = {"level": item.level, "unit_code": item.unit_code, "parameter": item.parameter or "",
                 "text": item.text, "owner_kind": item.owner_kind, "owner_user": item.owner_user or "",
                 "due_month": item.due_month or "", "review_date": item.review_date or "",
                 "forum": item.forum}.get(column, "")
        out.append(Problem(rows[index].label, rows[index].row, column, value, reason))
    return out


__all__ = ["EXPORT_ONLY_COLUMNS", "REGISTER_COLUMNS", "REGISTER_KIND", "REGISTER_REQUIRED", "RegisterReport", "RegisterRow",
           "import_action_register", "read_register", "register_scope"]
