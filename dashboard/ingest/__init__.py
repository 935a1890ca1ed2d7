"""Writes: reading and validating import files (`files`, `validate`), all-or-nothing imports (`importer`,
`write`) with batches and an exact revert (`batches`), what an import or revert would change before it is
written (`preview`: the same code in a rolled-back transaction), the recomputation of results (`recompute`), and the
deterministic demo dataset (`demo`) with its review meetings (`demo_reviews`)."""

from dashboard.ingest.action_register import (
    EXPORT_ONLY_COLUMNS,
    REGISTER_COLUMNS,
    RegisterReport,
    import_action_register,
    read_register,
)
from dashboard.ingest.batches import BatchInfo, RevertRefused, RevertReport, list_batches, revert_batch
from dashboard.ingest.demo import generate_demo
from dashboard.ingest.demo_provisional import DEMO_PROVISIONAL_STATES, ProvisionalFiles, provisional_files
from dashboard.ingest.demo_reviews import hold_reviews
from dashboard.ingest.files import KINDS, ImporterError, ImportRejected, Problem
from dashboard.ingest.importer import DataChanged, ImportReport, import_files, validate_files
from dashboard.ingest.preview import (
    TOP_UNITS,
    BatchChanges,
    ChangePreview,
    LaggingChange,
    MasterChange,
    MonthChange,
    ProvisionalChange,
    SchemeChange,
    SchemeWarning,
    UnitChange,
    batch_changes,
    preview_import,
    preview_provisional,
    preview_revert,
)
from dashboard.ingest.recompute import recompute_months
from dashboard.ingest.write import months_with_data

__all__ = [
    "DEMO_PROVISIONAL_STATES", "ProvisionalFiles", "provisional_files",
    "EXPORT_ONLY_COLUMNS", "REGISTER_COLUMNS", "RegisterReport", "import_action_register", "read_register",
    "TOP_UNITS", "BatchChanges", "ChangePreview", "DataChanged", "LaggingChange", "MasterChange", "MonthChange", "SchemeChange", "SchemeWarning", "UnitChange",
    "batch_changes", "preview_import", "preview_revert", "ProvisionalChange", "preview_provisional",
    "KINDS", "BatchInfo", "ImportRejected", "ImportReport", "ImporterError", "Problem", "RevertRefused",
    "RevertReport", "generate_demo", "hold_reviews", "import_files", "list_batches", "months_with_data", "recompute_months",
    "revert_batch", "validate_files",
]
