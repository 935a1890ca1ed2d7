"""Storage: the SQLAlchemy schema, engines and sessions, migrations, the stored methodology, the audit trail
and the small facts of the `meta` table. The one door to the database for every other room."""

from dashboard.store import audit
from dashboard.store.db import (
    bulk_insert,
    copy_text,
    dispose_engines,
    frame_rows,
    get_engine,
    insert_frame,
    make_engine,
    read_columns,
    refresh_planner_statistics,
    session_scope,
)
from dashboard.store.meta import GENERATION_KEY, bump_results_generation, read_generation
from dashboard.store.models import (
    Action,
    ActionComment,
    AuditEvent,
    Base,
    DataFlag,
    DigestLog,
    District,
    FlagReview,
    ImportBatch,
    ImportReplaced,
    LoginSession,
    Meta,
    MethodologyParameter,
    MethodologySource,
    MethodologyVersion,
    PoliceStation,
    Projection,
    ProjectionBacktest,
    ProvisionalLagging,
    ProvisionalParam,
    ProvisionalSnapshot,
    ProvisionalStake,
    ProvisionalStateRow,
    ProvisionalStationRow,
    ProvisionalUnit,
    PublishedResult,
    ResultLagging,
    ResultParam,
    ResultStake,
    ResultUnit,
    State,
    StateRow,
    StationRow,
    User,
    utcnow,
)
from dashboard.store.schema import (
    load_stored_methodology,
    load_stored_schemes,
    scheme_order,
    store_methodology,
    store_schemes,
    upgrade,
)

__all__ = [
    "GENERATION_KEY", "AuditEvent", "Base", "DataFlag", "FlagReview", "Projection", "ProjectionBacktest", "DigestLog", "District", "ImportBatch", "ImportReplaced", "Meta",
    "MethodologyParameter", "MethodologySource", "MethodologyVersion", "PoliceStation", "ResultLagging",
    "Action", "ActionComment", "LoginSession", "ResultParam", "ResultStake", "ResultUnit", "State", "StateRow", "StationRow", "User", "audit",
    "bulk_insert", "copy_text",
    "bump_results_generation", "dispose_engines", "frame_rows", "get_engine", "insert_frame", "load_stored_methodology",
    "make_engine", "read_columns", "read_generation", "PublishedResult", "load_stored_schemes", "scheme_order", "store_schemes", "refresh_planner_statistics", "session_scope", "store_methodology",
    "upgrade", "utcnow",
    "ProvisionalLagging", "ProvisionalParam", "ProvisionalSnapshot", "ProvisionalStake", "ProvisionalStateRow",
    "ProvisionalStationRow", "ProvisionalUnit",
]
