"""Operations in the browser (issue 16): who may import and revert, the upload route, checking an upload
(every problem, or the preview of what it changes), importing it, reverting a batch, and the downloads of
the problem list and the audit trail. The pages' callbacks call these; nothing here builds components.

Who may import: users with `can_import` (a State user: their own State's rows only; a national user: any)
and national admins. Reverting is for the same users, on the batches they can see (a State's operator: the
batches loaded by their State's users, as on the data page). The results generation a preview was made on
is kept on the server (the upload's folder, the session for a revert), never taken from the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from flask import Response, request, session
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.display import format_indian, month_label
from dashboard.i18n import N_, Translated
from dashboard.i18n import gettext as _
from dashboard.ingest import (
    ChangePreview,
    DataChanged,
    ImporterError,
    ImportRejected,
    RevertRefused,
    import_files,
    preview_import,
    preview_provisional,
    preview_revert,
    revert_batch,
)
from dashboard.reports import export_bytes
from dashboard.store import ImportBatch, User, read_generation
from dashboard.web.admin import Actor, AdminRefused, AuditFilters, audit_trail
from dashboard.web.auth import (
    _remote_addr,
    _state,
    audit_request,
    current_user_session,
    json_error,
    request_engine,
)
from dashboard.web.uploads import (
    Upload,
    UploadRefused,
    discard_upload,
    drop_files,
    load_problems,
    open_upload,
    owner_key,
    save_problems,
    save_upload,
    set_generation,
    uploads_root,
)

UPLOAD_PATH = "/upload/import"
PROBLEMS_PATH = "/download/problems"
AUDIT_PATH = "/download/audit"
PROBLEM_COLUMNS = ["file", "row", "column", "value", "rule"]
# the downloads' headers in the language of the request, as the lagging list's download (`LAGGING_COLUMNS`)
PROBLEM_HEADERS = Translated({"file": N_("File"), "row": N_("Row"), "column": N_("Column"), "value": N_("Value"),
                              "rule": N_("Rule")})
AUDIT_HEADERS = Translated({"at": N_("When (UTC)"), "actor": N_("User"), "action": N_("Kind"),
                            "outcome": N_("Outcome"), "detail": N_("Detail"), "remote_addr": N_("Address")})


def current_actor() -> Actor:
    """The signed-in user as an actor of the operations pages (anonymous: a nobody who may do nothing)."""
    user = current_user_session()
    if user is None:
        return Actor("", "none", None, False)
    return Actor(user.username, user.role, user.state_code, user.is_admin)


def may_import(user=None) -> bool:
    user = user or current_user_session()
    if user is None:
        return False
    return bool(user.can_import and user.role in ("national", "state")) or (user.role == "national" and user.is_admin)


def _only_state(user) -> str | None:
    return user.state_code if user.role != "national" else None


def _root() -> Path:
    return uploads_root(_state().settings.instance_dir)


def _owner() -> str:
    user = current_user_session()
    return owner_key(user.session_id if user else "")


# --- the upload route ---------------------------------------------------------------------------------------


def upload_view() -> Response:
    """POST /upload/import (multipart, CSRF header): store the files privately; JSON {token, files} or
    {error}. Nothing is checked or imported here: the page then asks for the check."""
    user = current_user_session()
    if user is None or not may_import(user):
        audit_request("import", "refused: upload by a user who may not import")
        return json_error(403, _("your account may not import data"))
    try:
        files = [(f.filename or "", f.stream) for f in request.files.getlist("files")]
    except RequestEntityTooLarge:
        return json_error(413, _("the upload is too large: split it into several uploads"))
    try:
        up = save_upload(_root(), _owner(), user.username, files)
    except UploadRefused as exc:
        return json_error(400, str(exc))
    resp = Response(json.dumps({"token": up.token, "files": up.files}), mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --- check, import, cancel ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    status: str  # "preview" | "problems" | "gone" | "refused" | "imported" | "changed" | "cancelled" | "error"
    message: str = ""
    files: tuple[dict, ...] = ()
    problems: tuple[dict, ...] = ()
    omitted: int = 0
    preview: ChangePreview | None = None
    batch_id: int | None = None
    token: str | None = None  # the upload (preview: to import; problems: to download the list)


def _problem_rows(problems) -> list[dict]:
    return [{"file": p.file, "row": p.row, "column": p.column, "value": p.value, "rule": p.rule} for p in problems]


def _preview(up: Upload, user, provisional: bool = False) -> Checked:
    engine = request_engine()
    try:
        p = (preview_provisional(engine, up.paths, user.username, only_state=_only_state(user), today=date.today())
             if provisional else
             preview_import(engine, up.paths, user.username, scope=user.scope, only_state=_only_state(user),
                            focus_state=user.state_code, today=date.today()))
    except ImportRejected as exc:
        rows = _problem_rows(exc.problems)
        save_problems(up, rows, exc.omitted)
        drop_files(up)  # nothing of a refused file is kept
        return Checked("problems", files=tuple(up.files), problems=tuple(rows), omitted=exc.omitted,
                       token=up.token)
    except ImporterError as exc:
        discard_upload(up)
        return Checked("error", str(exc), files=tuple(up.files))
    set_generation(up, p.generation)
    return Checked("preview", files=tuple(up.files), preview=p, token=up.token)


def check_upload(token: object, provisional: bool = False) -> Checked:
    """Check an upload and preview it (as a provisional load of the month being collected when
    `provisional`)."""
    user = current_user_session()
    if user is None or not may_import(user):
        return Checked("refused", _("Your account may not import data."))
    up = open_upload(_root(), token, _owner())
    if up is None or not up.has_files:
        return Checked("gone", _("This upload is no longer available (imported, cancelled or expired): upload "
                                 "the files again."))
    return _preview(up, user, provisional)


def commit_upload(token: object, provisional: bool = False) -> Checked:
    """Import the previewed upload in one transaction, refused if the data changed since its preview (then
    the new preview is returned)."""
    user = current_user_session()
    if user is None or not may_import(user):
        return Checked("refused", _("Your account may not import data."))
    up = open_upload(_root(), token, _owner())
    if up is None or not up.has_files or not up.generation:
        return Checked("gone", _("This upload is no longer available: upload the files again."))
    try:
        report = import_files(request_engine(), up.paths, user=user.username, progress=False,
                              only_state=_only_state(user), expect_generation=up.generation, today=date.today(),
                              provisional=provisional)
    except DataChanged:
        checked = _preview(up, user, provisional)
        return Checked("changed", _("Someone else imported or reverted data since this preview. Nothing was "
                                    "imported: check the new preview below and import again."),
                       files=checked.files, problems=checked.problems, omitted=checked.omitted,
                       preview=checked.preview, token=checked.token)
    except ImportRejected as exc:
        rows = _problem_rows(exc.problems)
        save_problems(up, rows, exc.omitted)
        drop_files(up)
        return Checked("problems", files=tuple(up.files), problems=tuple(rows), omitted=exc.omitted,
                       token=up.token)
    discard_upload(up)
    if report.provisional:
        return Checked("imported", _("Imported as provisional batch {id}: {added} rows for {months}, replacing "
                                     "{replaced} rows of the previous provisional load; no final month was "
                                     "changed.").format(id=report.batch_id, added=format_indian(report.rows_added),
                                                        months=", ".join(month_label(m) for m in report.months),
                                                        replaced=format_indian(report.rows_replaced)),
                       files=tuple(up.files), batch_id=report.batch_id)
    return Checked("imported", _("Imported as batch {id}: {added} rows added, {replaced} replaced.").format(
        id=report.batch_id, added=format_indian(report.rows_added), replaced=format_indian(report.rows_replaced)),
                   files=tuple(up.files),
                   batch_id=report.batch_id)


def cancel_upload(token: object) -> Checked:
    up = open_upload(_root(), token, _owner())
    if up is not None:
        discard_upload(up)
    return Checked("cancelled", _("Cancelled: the uploaded files were deleted and nothing was imported."))


# --- batches and revert ---------------------------------------------------------------------------------------------


def visible_batch(batch_id: object) -> dict | None:
    """The batch row if the signed-in user may see it (national: all; others: their State's users')."""
    user = current_user_session()
    if user is None or not isinstance(batch_id, int) or isinstance(batch_id, bool) or batch_id <= 0:
        return None
    t = ImportBatch.__table__
    stmt = select(t).where(t.c.id == batch_id)
    if user.role != "national":
        stmt = stmt.where(t.c.created_by.in_(select(User.username).where(User.state_code == user.state_code)))
    with request_engine().connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def may_revert(batch: dict | None) -> bool:
    return batch is not None and batch.get("status") == "applied" and may_import()


_REVERT_KEY = "cctns_revert_preview"


def revert_preview(batch_id: object) -> tuple[ChangePreview | None, str]:
    """(preview, "") or (None, why not). The generation is kept in the session for `revert`."""
    batch = visible_batch(batch_id)
    if not may_revert(batch):
        return None, (_("Your account may not revert this batch.") if batch is not None and
                      batch["status"] == "applied" else _("This batch cannot be reverted.") if batch is not None
                      else _("No such batch."))
    user = current_user_session()
    try:
        p = preview_revert(request_engine(), int(batch["id"]), user.username, scope=user.scope,
                           focus_state=user.state_code)
    except RevertRefused as exc:
        return None, str(exc)
    session[_REVERT_KEY] = {"batch": int(batch["id"]), "generation": p.generation}
    return p, ""


def revert(batch_id: object, reason: object) -> tuple[bool, str]:
    batch = visible_batch(batch_id)
    if not may_revert(batch):
        return False, _("This batch cannot be reverted by your account.")
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) < 5:
        return False, _("Give the reason for the revert (at least 5 characters); it is kept in the audit trail.")
    kept = session.get(_REVERT_KEY) or {}
    if kept.get("batch") != batch["id"] or not kept.get("generation"):
        return False, _("Look at the preview of this revert first.")
    user = current_user_session()
    try:
        r = revert_batch(request_engine(), int(batch["id"]), user.username, reason=reason[:500],
                         expect_generation=kept["generation"])
    except DataChanged:
        return False, _("Someone else imported or reverted data since this preview: nothing was reverted. "
                        "Look at the preview again.")
    except RevertRefused as exc:
        return False, str(exc)
    session.pop(_REVERT_KEY, None)
    return True, _("Batch {id} reverted: {removed} rows removed, {restored} earlier values put back.").format(
        id=r.batch_id, removed=format_indian(r.rows_removed), restored=format_indian(r.rows_restored))


def current_generation() -> str:
    return read_generation(request_engine())


# --- downloads ------------------------------------------------------------------------------------------------------


def _csv(df: pd.DataFrame, name: str) -> Response:
    body = export_bytes(df, "csv")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def download_problems() -> Response:
    """GET /download/problems?token= : the problem list of the user's own upload, as CSV (output-safe)."""
    up = open_upload(_root(), request.args.get("token"), _owner())
    found = load_problems(up) if up is not None else None
    if found is None:
        return json_error(404, "no such problem list (it expires with its upload)")
    rows, omitted = found
    df = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if omitted:
        df.loc[len(df)] = ["", None, "", "", _("{n} more problem(s) not listed (at most 200 per file)").format(
            n=format_indian(omitted))]
    audit_request("download", f"import problems ({len(rows)} rows)")
    return _csv(df.rename(columns=dict(PROBLEM_HEADERS.items())), "import-problems.csv")


def audit_filters(args) -> AuditFilters:
    def day(v: object) -> date | None:
        try:
            return date.fromisoformat(str(v)[:10]) if v else None
        except ValueError:
            return None

    outcome = str(args.get("outcome") or "")
    return AuditFilters(user=str(args.get("user") or "")[:80], kind=str(args.get("kind") or "")[:40],
                        since=day(args.get("since")), until=day(args.get("until")),
                        outcome=outcome if outcome in ("ok", "refused") else "")


def download_audit() -> Response:
    """GET /download/audit?user=&kind=&since=&until=&outcome= : the audit trail as shown, CSV (admins)."""
    actor = current_actor()
    if not actor.any_admin:
        audit_request("scope_violation", "audit trail download by a user who is not an administrator")
        audit_request("download", "refused: audit trail (not an administrator)")
        return json_error(403, "not in your scope")
    try:
        rows, more = audit_trail(request_engine(), actor, audit_filters(request.args))
    except AdminRefused:
        return json_error(403, "not in your scope")
    df = pd.DataFrame(rows, columns=["at", "actor", "action", "outcome", "detail", "remote_addr"])
    df["at"] = df["at"].astype(str)
    audit_request("download", f"audit trail ({len(rows)} rows{', capped' if more else ''})")
    return _csv(df.rename(columns=dict(AUDIT_HEADERS.items())), "audit-trail.csv")


def remote_addr() -> str:
    return _remote_addr()
