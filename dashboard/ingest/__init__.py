"""Writes: reading and validating import files, all-or-nothing imports with batches and revert, the
recomputation of results, and the deterministic demo dataset."""

from dashboard.ingest.demo import generate_demo
from dashboard.ingest.importer import (
    KINDS,
    BatchInfo,
    ImporterError,
    ImportRejected,
    ImportReport,
    Problem,
    RevertRefused,
    RevertReport,
    import_files,
    list_batches,
    months_with_data,
    revert_batch,
    validate_files,
)
from dashboard.ingest.recompute import recompute_months

__all__ = [
    "KINDS", "BatchInfo", "ImportRejected", "ImportReport", "ImporterError", "Problem", "RevertRefused",
    "RevertReport", "generate_demo", "import_files", "list_batches", "months_with_data", "recompute_months", "revert_batch",
    "validate_files",
]
