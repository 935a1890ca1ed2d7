"""SQLAlchemy 2 schema: master data, methodology, monthly rows, import batches, pre-computed results, users.

Months are stored as 'YYYY-MM' text everywhere. Published scores are stored as integer hundredths
(`score_centi`), so what the pages show is exact and never re-rounded.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# --- master data -------------------------------------------------------------------------------------


class State(Base):
    __tablename__ = "states"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))


class District(Base):
    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    state_code: Mapped[str] = mapped_column(ForeignKey("states.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))


class PoliceStation(Base):
    __tablename__ = "police_stations"
    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    opened: Mapped[str | None] = mapped_column(String(7), nullable=True)
    closed: Mapped[str | None] = mapped_column(String(7), nullable=True)


# --- methodology -------------------------------------------------------------------------------------


SCHEME_DEFAULT = "cctns"  # rows written before ranking schemes existed are CCTNS Pragati's (migration 0009)


def _scheme_column(primary_key: bool = False) -> Mapped[str]:
    return mapped_column(String(20), primary_key=primary_key, default=SCHEME_DEFAULT, server_default=SCHEME_DEFAULT)


class MethodologyVersion(Base):
    __tablename__ = "methodology_versions"
    id: Mapped[str] = mapped_column(String(60), primary_key=True)  # unique across schemes
    scheme: Mapped[str] = _scheme_column()
    title: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[str] = mapped_column(String(7))
    lagging_score_below: Mapped[float] = mapped_column(Float)
    critical_achievement_below: Mapped[float] = mapped_column(Float)
    provenance: Mapped[str] = mapped_column(Text, default="")  # in words: "as notified by NCRB on ..."

    __table_args__ = (UniqueConstraint("scheme", "effective_from", name="uq_methodology_versions_scheme_from_s"),)


class MethodologyParameter(Base):
    __tablename__ = "methodology_parameters"
    version_id: Mapped[str] = mapped_column(ForeignKey("methodology_versions.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    head: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    numerator: Mapped[str] = mapped_column(Text, default="")
    denominator: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[str] = mapped_column(String(30))  # exact decimal text, e.g. "12" or "2.5"
    target: Mapped[str] = mapped_column(String(30))
    critical: Mapped[bool] = mapped_column(Boolean, default=False)


class MethodologySource(Base):
    """The TOML text each scheme's methodology was loaded from (one row per scheme): the exact contract in
    force."""

    __tablename__ = "methodology_source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scheme: Mapped[str] = mapped_column(String(20), unique=True, default=SCHEME_DEFAULT, server_default=SCHEME_DEFAULT)
    toml: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- monthly input rows ------------------------------------------------------------------------------


class StationRow(Base):
    __tablename__ = "station_rows"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: one B-tree, the key's (migration 0012)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class StateRow(Base):
    __tablename__ = "state_rows"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: one B-tree, the key's (migration 0012)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    state_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


# --- imports and audit -------------------------------------------------------------------------------


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="cli")
    file_name: Mapped[str] = mapped_column(String(400))
    file_sha256: Mapped[str] = mapped_column(String(64))
    kinds: Mapped[str] = mapped_column(String(200), default="")  # comma list: station_rows,state_rows,...
    months: Mapped[str] = mapped_column(Text, default="")  # comma list of months touched
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_replaced: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="applied")  # applied | reverted
    reverted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # a provisional load (issue 14): its rows are in the provisional_* tables, never in station_rows/state_rows
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ImportReplaced(Base):
    """What a batch overwrote, so that `cctns imports revert` can restore it exactly."""

    __tablename__ = "import_replaced"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # no foreign key on PostgreSQL (migration 0008: checked row by row, it was 40 % of a re-import); the
    # importer writes these rows in its batch's transaction and batches are never deleted
    batch_id: Mapped[int] = mapped_column(Integer, index=True)
    table_name: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(Text)  # JSON of the primary key
    old_values: Mapped[str] = mapped_column(Text)  # JSON of the replaced columns (incl. old batch_id)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # national | state | district
    state_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    can_import: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # a one-time password set by an administrator: the user must choose their own at the next sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # digests by e-mail (migration 0004): the address, the language of what we write, and the choices
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    digest_monthly: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    digest_reminder: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class LoginSession(Base):
    """One signed-in browser. The cookie carries a random session id; only its SHA-256 is stored, so a
    copy of this table opens nothing. Deleting the row signs that browser out on every worker at once."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


class Meta(Base):
    """Small key/value facts: data_as_of, last recompute, demo seed."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- pre-computed results (written by dashboard.ingest.recompute, read by the pages) -------------------------


class ResultUnit(Base):
    """One row per unit (state, district, station) and month: score, ranks, rank changes, reporting."""

    __tablename__ = "result_units"
    scheme: Mapped[str] = _scheme_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)  # state | district | station
    unit_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    state_code: Mapped[str] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    version_id: Mapped[str] = mapped_column(String(60))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)  # exact score as float (ordering, gaps)
    score_centi: Mapped[int | None] = mapped_column(Integer, nullable=True)  # published score x 100, exact
    score_change_centi: Mapped[int | None] = mapped_column(Integer, nullable=True)  # vs previous month
    weight_sum: Mapped[float | None] = mapped_column(Float, nullable=True)
    reported: Mapped[bool] = mapped_column(Boolean, default=True)  # station: has any row this month
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    stations_active: Mapped[int] = mapped_column(Integer, default=0)
    stations_reported: Mapped[int] = mapped_column(Integer, default=0)
    rank_national: Mapped[int | None] = mapped_column(Integer, nullable=True)  # states among all
    rank_category: Mapped[int | None] = mapped_column(Integer, nullable=True)  # states in category
    rank_in_state: Mapped[int | None] = mapped_column(Integer, nullable=True)  # districts, stations
    rank_in_district: Mapped[int | None] = mapped_column(Integer, nullable=True)  # stations
    rank_change_national: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_change_category: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_change_in_state: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_change_in_district: Mapped[int | None] = mapped_column(Integer, nullable=True)
    streak_at_1: Mapped[int] = mapped_column(Integer, default=0)  # consecutive months at rank 1 (main scope)
    streak_top5: Mapped[int] = mapped_column(Integer, default=0)  # consecutive months in the top 5
    lagging: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_result_units_scope", "scheme", "month", "level", "state_code", "district_code"),
        Index("ix_result_units_unit", "scheme", "level", "unit_code", "month"),
    )


class ResultParam(Base):
    """Pooled value and marks per parameter for States and districts (stations are computed on demand)."""

    __tablename__ = "result_params"
    scheme: Mapped[str] = _scheme_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    state_code: Mapped[str] = mapped_column(String(8))
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    applicable: Mapped[bool] = mapped_column(Boolean)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    achievement: Mapped[float | None] = mapped_column(Float, nullable=True)
    marks: Mapped[float | None] = mapped_column(Float, nullable=True)
    weight: Mapped[float] = mapped_column(Float)
    marks_lost: Mapped[float | None] = mapped_column(Float, nullable=True)  # rule 10, in score points
    contribution: Mapped[float | None] = mapped_column(Float, nullable=True)  # 100*marks/sum(weights)

    __table_args__ = (Index("ix_result_params_scope", "scheme", "month", "level", "state_code"),)


class ResultLagging(Base):
    __tablename__ = "result_lagging"
    scheme: Mapped[str] = _scheme_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(16))
    state_code: Mapped[str] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    not_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    low_score: Mapped[bool] = mapped_column(Boolean, default=False)
    critical_parameters: Mapped[str] = mapped_column(Text, default="")  # comma list
    at_stake_state: Mapped[float] = mapped_column(Float, default=0.0)
    at_stake_district: Mapped[float] = mapped_column(Float, default=0.0)

    __table_args__ = (Index("ix_result_lagging_scope", "scheme", "month", "state_code", "district_code"),)


class ResultStake(Base):
    """Marks at stake per lagging station and parameter (rule 11, only that parameter raised)."""

    __tablename__ = "result_stakes"
    scheme: Mapped[str] = _scheme_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    state_code: Mapped[str] = mapped_column(String(8))
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    numerator_needed: Mapped[int] = mapped_column(Integer)  # numerator' of rule 11
    at_stake_state: Mapped[float] = mapped_column(Float)
    at_stake_district: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_result_stakes_scope", "scheme", "month", "state_code"),)


class ResultStationCounts(Base):
    """Each active station's numerators and denominators per station parameter of one month, after rule 3,
    with the imputed flags (`dashboard.read.station_values`), one row per district: the district heat-map
    and the station page score them (rules 4-6) instead of reading and rescoring the station rows on each
    click. Written by the recomputation (import, re-import, revert, methodology reload)."""

    __tablename__ = "result_station_counts"
    scheme: Mapped[str] = _scheme_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    version_id: Mapped[str] = mapped_column(String(60))
    station_codes: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class PublishedResult(Base):
    """A score and rank NCRB published for a State/UT in a scheme and month (the official record): imported
    like every file (batches, revert), shown beside our own computation and reconciled with it."""

    __tablename__ = "published_results"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(20), primary_key=True)
    state_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    score_centi: Mapped[int] = mapped_column(Integer)  # published score x 100
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    category_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_published_results_scheme", "scheme", "state_code", "month"),)


# --- the review loop: actions with owners and due months, judged by the data ---------------------------


class Action(Base):
    """A direction given in a review about one unit (and optionally one parameter), with its owner and the
    month by which it must show in the data. The gap is copied at creation and kept; the evaluation columns
    are written by `dashboard.actions.evaluate` whenever a month is imported or reverted."""

    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock: bumped by every change
    level: Mapped[str] = mapped_column(String(10))  # station | district | state
    unit_code: Mapped[str] = mapped_column(String(24))
    state_code: Mapped[str] = mapped_column(String(8), index=True)
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    parameter: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # the gap when the action was made (basis_month's data)
    basis_month: Mapped[str] = mapped_column(String(7))
    gap_numerator: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gap_denominator: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gap_value: Mapped[float | None] = mapped_column(Float, nullable=True)  # percent (parameter) or score
    gap_target: Mapped[float | None] = mapped_column(Float, nullable=True)  # target percent or lagging bar
    gap_needed: Mapped[int | None] = mapped_column(Integer, nullable=True)  # numerator needed (rule 11)
    gap_at_stake: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    owner_kind: Mapped[str] = mapped_column(String(10))  # sho | sp | scrb | user
    owner_user: Mapped[str | None] = mapped_column(String(80), nullable=True)
    assigned_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    review_date: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, the meeting
    forum: Mapped[str] = mapped_column(String(20))  # state_review | district_meeting | conference
    due_month: Mapped[str] = mapped_column(String(7), index=True)  # as set when made (or edited)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done | dropped | escalated
    status_reason: Mapped[str] = mapped_column(Text, default="")
    escalated_by_data: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # what the data shows (dashboard.actions.evaluate)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    outcome_month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    current_due_month: Mapped[str] = mapped_column(String(7))  # due_month + carry-over cycles
    carry_cycles: Mapped[int] = mapped_column(Integer, default=0)
    now_numerator: Mapped[int | None] = mapped_column(Integer, nullable=True)
    now_denominator: Mapped[int | None] = mapped_column(Integer, nullable=True)
    now_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    now_at_stake: Mapped[float | None] = mapped_column(Float, nullable=True)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ActionComment(Base):
    __tablename__ = "action_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)


# --- digests by e-mail (dashboard.digests) -----------------------------------------------------------------


class DigestLog(Base):
    """One digest of one kind for one user and month: claimed (this row) before it is sent, so a re-run
    never sends it twice; a failed send is retried with back-off (`next_attempt_at`)."""

    __tablename__ = "digest_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(80))
    month: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # monthly | reminder
    email: Mapped[str] = mapped_column(String(254), default="")
    message_id: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12))  # sending | sent | failed | gave_up
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("user_id", "month", "kind", name="uq_digest_log_user_month_kind"),)


# --- provisional figures of the month being collected (issue 14) -------------------------------------------
# Kept apart from the final rows and results on purpose: no query of the final tables can ever see a
# provisional row, and the provisional read functions (dashboard.read.provisional) read only these tables.


class ProvisionalSnapshot(Base):
    """One provisional load of one State's month. A State x month has at most one `current` snapshot: the
    next provisional load `replaced` it, the month's final import `finalised` it (its figures are no longer
    shown), a revert of its batch `reverted` it. Rows are kept so that a revert can bring a snapshot back."""

    __tablename__ = "provisional_snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    state_code: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    as_of: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # when it was loaded (UTC)
    created_by: Mapped[str] = mapped_column(String(80), default="cli")
    status: Mapped[str] = mapped_column(String(12), default="current")  # current|replaced|finalised|reverted
    ended_by_batch: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the batch that replaced/finalised it
    station_rows: Mapped[int] = mapped_column(Integer, default=0)
    state_rows: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_provisional_snapshots_month", "month", "state_code", "status"),)


class ProvisionalStationRow(Base):
    __tablename__ = "provisional_station_rows"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("provisional_snapshots.id"), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)


class ProvisionalStateRow(Base):
    __tablename__ = "provisional_state_rows"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("provisional_snapshots.id"), primary_key=True)
    state_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)


class ProvisionalUnit(Base):
    """Scores of a current snapshot's State, districts and stations (ranks within the State only: the
    State's rank against the others is taken at read time from their latest figures)."""

    __tablename__ = "provisional_units"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("provisional_snapshots.id"), primary_key=True)
    scheme: Mapped[str] = _scheme_column(primary_key=True)  # the ranking scheme scored (migration 0010)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    state_code: Mapped[str] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    version_id: Mapped[str] = mapped_column(String(60))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_centi: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reported: Mapped[bool] = mapped_column(Boolean, default=True)
    stations_active: Mapped[int] = mapped_column(Integer, default=0)
    stations_reported: Mapped[int] = mapped_column(Integer, default=0)
    rank_in_state: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_in_district: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lagging: Mapped[bool] = mapped_column(Boolean, default=False)


class ProvisionalParam(Base):
    __tablename__ = "provisional_params"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("provisional_snapshots.id"), primary_key=True)
    scheme: Mapped[str] = _scheme_column(primary_key=True)  # the ranking scheme scored (migration 0010)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    applicable: Mapped[bool] = mapped_column(Boolean)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    marks: Mapped[float | None] = mapped_column(Float, nullable=True)
    weight: Mapped[float] = mapped_column(Float)
    marks_lost: Mapped[float | None] = mapped_column(Float, nullable=True)


class ProvisionalLagging(Base):
    __tablename__ = "provisional_lagging"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("provisional_snapshots.id"), primary_key=True)
    scheme: Mapped[str] = _scheme_column(primary_key=True)  # the ranking scheme scored (migration 0010)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    not_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    low_score: Mapped[bool] = mapped_column(Boolean, default=False)
    critical_parameters: Mapped[str] = mapped_column(Text, default="")
    at_stake_state: Mapped[float] = mapped_column(Float, default=0.0)
    at_stake_district: Mapped[float] = mapped_column(Float, default=0.0)


class ProvisionalStake(Base):
    """Marks at stake per active station x parameter (rule 11), every station (not only lagging ones):
    the records whose entry before the cut-off gains most."""

    __tablename__ = "provisional_stakes"
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("provisional_snapshots.id"), primary_key=True)
    scheme: Mapped[str] = _scheme_column(primary_key=True)  # the ranking scheme scored (migration 0010)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    parameter: Mapped[str] = mapped_column(String(60), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(16))
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    numerator_needed: Mapped[int] = mapped_column(Integer)
    at_stake_state: Mapped[float] = mapped_column(Float)
    at_stake_district: Mapped[float] = mapped_column(Float)


# --- looking ahead (dashboard.foresight): projections and data to verify, written at import ----------------


class Projection(Base):
    """Next month's projected score and rank of a State, made from the months up to `month` (an estimate)."""

    __tablename__ = "projections"
    scheme: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # the origin: the last month known
    state_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    rank_now: Mapped[int] = mapped_column(Integer)
    score_now: Mapped[float] = mapped_column(Float)
    p_first: Mapped[float] = mapped_column(Float)
    p_top5: Mapped[float] = mapped_column(Float)
    p_improve: Mapped[float] = mapped_column(Float)
    rank_low: Mapped[int] = mapped_column(Integer)  # the 80 % rank range
    rank_high: Mapped[int] = mapped_column(Integer)
    rank_median: Mapped[int] = mapped_column(Integer)
    score_median: Mapped[float] = mapped_column(Float)
    score_low: Mapped[float] = mapped_column(Float)
    score_high: Mapped[float] = mapped_column(Float)


class ProjectionBacktest(Base):
    """How the projections made before `month` fared over the 12 months ending at `month`."""

    __tablename__ = "projection_backtests"
    scheme: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    months_checked: Mapped[str] = mapped_column(Text, default="")  # comma list of target months
    checks: Mapped[int] = mapped_column(Integer, default=0)  # State x month pairs
    coverage: Mapped[float | None] = mapped_column(Float, nullable=True)
    mae_model: Mapped[float | None] = mapped_column(Float, nullable=True)
    mae_carry: Mapped[float | None] = mapped_column(Float, nullable=True)
    brier_model: Mapped[float | None] = mapped_column(Float, nullable=True)
    brier_carry: Mapped[float | None] = mapped_column(Float, nullable=True)


class StationFullness(Base):
    """Per month and station with rows: its parameters with a base (denominator > 0) and those at exactly
    100 % (numerator = denominator), over every scheme's rows. Written by the looking-ahead refresh of each
    import and revert for the months they change (`dashboard.foresight.compute`), read by the too-perfect
    rule: a station all-full since the first month needs its district's fullness over the whole streak, which
    aggregating the station rows again at every import made grow with the history."""

    __tablename__ = "station_fullness"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    parameters: Mapped[int] = mapped_column(Integer)
    full_parameters: Mapped[int] = mapped_column(Integer)


class DataFlag(Base):
    """A figure that needs verification: one rule on one unit x parameter x month, with its evidence."""

    __tablename__ = "data_flags"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))
    rule: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    unit_code: Mapped[str] = mapped_column(String(24))
    state_code: Mapped[str] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    parameter: Mapped[str] = mapped_column(String(60))  # "*": every parameter
    evidence: Mapped[str] = mapped_column(Text)  # JSON of the numbers
    evidence_key: Mapped[str] = mapped_column(String(32), index=True)

    __table_args__ = (
        UniqueConstraint("month", "rule", "level", "unit_code", "parameter", name="uq_data_flags_unit"),
        Index("ix_data_flags_scope", "month", "state_code", "district_code"),
    )


class FlagReview(Base):
    """A person's decision on a flag (verified / dismissed, with the reason). Kept when the flags are
    recomputed: it applies to every flag with the same evidence key, so a dismissed flag does not come
    back unless its evidence changes."""

    __tablename__ = "flag_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evidence_key: Mapped[str] = mapped_column(String(32), index=True)
    month: Mapped[str] = mapped_column(String(7))
    rule: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    unit_code: Mapped[str] = mapped_column(String(24))
    state_code: Mapped[str] = mapped_column(String(8), index=True)
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    parameter: Mapped[str] = mapped_column(String(60))
    decision: Mapped[str] = mapped_column(String(10))  # verified | dismissed
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
