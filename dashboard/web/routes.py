"""Every Flask route of the app, registered in one place (`register_routes`), each checked by the guard
of `dashboard.web.auth` before it runs (anonymous requests never get here, POSTs need the CSRF token):

| path | endpoint | what |
|---|---|---|
| `/login` | `cctns_login` | the sign-in page and form |
| `/logout` | `cctns_logout` | GET: a confirmation page; POST with its token: sign out (or everywhere) |
| `/account/password` | `cctns_password` | change one's own password (and a one-time password, first) |
| `/health` | `health` | for load balancers: says only whether the database answers |
| `/download/lagging` | `cctns_download_lagging` | the lagging list as shown, CSV or XLSX, scoped and audited |
| `/download/pack` | `cctns_download_pack` | the review pack (PDF, PPTX, XLSX), scoped and audited |
| `/download/provisional.csv` | `cctns_download_provisional` | a provisional table (issue 14), CSV or XLSX, scoped, audited |
| `/download/problems` | `cctns_download_problems` | the problem list of one's own upload (CSV) |
| `/download/audit` | `cctns_download_audit` | the audit trail as filtered (CSV), administrators, scoped |
| `/upload/import` | `cctns_upload` | POST: files to import, kept privately until checked and imported |
| `/_dash-component-suites/plotly/package_data/plotly.min.js` | `cctns_plotly_js` | the partial plotly.js bundle (below) |

Dash's own routes (pages, `/_dash-*`) are registered by Dash.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, Response, jsonify, request, send_from_directory
from sqlalchemy import text

from dashboard import read
from dashboard.read import lagging_table
from dashboard.reports import (
    PROVISIONAL_EXPORTS,
    ExportError,
    ReviewError,
    build_pack,
    build_provisional_export,
    build_review,
    export_bytes,
    provisional_file_stem,
)
from dashboard.scope import OutOfScope
from dashboard.web.account import password_view
from dashboard.web.auth import (
    audit_request,
    current_scope,
    json_error,
    login_view,
    logout_view,
    request_engine,
)
from dashboard.web.lagging_request import MIMETYPES, Refused, build, resolve
from dashboard.web.operations import (
    AUDIT_PATH,
    PROBLEMS_PATH,
    UPLOAD_PATH,
    download_audit,
    download_problems,
    upload_view,
)

PACK_FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CODE = re.compile(r"^[A-Za-z0-9-]{2,24}$")


def register_sign_in_routes(server: Flask) -> None:
    server.add_url_rule("/login", "cctns_login", login_view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "cctns_logout", logout_view, methods=["GET", "POST"])
    server.add_url_rule("/account/password", "cctns_password", password_view, methods=["GET", "POST"])


# dcc.Graph loads plotly.js only when the first graph of a page mounts, from this URL (dash-renderer's
# choice when the app serves its files locally); it answers with the partial bundle vendored in assets/
# (scripts/build-plotly.sh: the trace types the figures use, 1.2 MB instead of plotly.py's 4.8 MB). So the
# numbers paint first, and pages without a figure never load plotly.js at all.
PLOTLY_JS_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
PLOTLY_BUNDLE = "vendor/plotly-dashboard.min.js"


def register_plotly_bundle(server: Flask, assets_folder: Path) -> None:
    folder = Path(assets_folder)
    if not (folder / PLOTLY_BUNDLE).is_file():
        raise FileNotFoundError(f"{folder / PLOTLY_BUNDLE} is missing: run scripts/build-plotly.sh")

    def plotly_js() -> Response:
        # the URL has no fingerprint: revalidated by ETag on every use (a 304 on a warm visit)
        response = send_from_directory(folder, PLOTLY_BUNDLE, mimetype="text/javascript", max_age=0)
        response.cache_control.no_cache = True
        return response

    server.add_url_rule(PLOTLY_JS_URL, "cctns_plotly_js", plotly_js, methods=["GET"])


def register_routes(server: Flask, assets_folder: Path | None = None) -> None:
    """Every route of the app (call once, from `create_app`)."""
    register_sign_in_routes(server)
    if assets_folder is not None:
        register_plotly_bundle(server, assets_folder)
    server.add_url_rule("/health", "health", health, methods=["GET"])
    server.add_url_rule("/download/lagging", "cctns_download_lagging", download_lagging, methods=["GET"])
    server.add_url_rule("/download/pack", "cctns_download_pack", download_pack, methods=["GET"])
    server.add_url_rule("/download/provisional.csv", "cctns_download_provisional", download_provisional,
                        methods=["GET"])
    server.add_url_rule(PROBLEMS_PATH, "cctns_download_problems", download_problems, methods=["GET"])
    server.add_url_rule(AUDIT_PATH, "cctns_download_audit", download_audit, methods=["GET"])
    server.add_url_rule(UPLOAD_PATH, "cctns_upload", upload_view, methods=["POST"])


def health() -> Response | tuple[Response, int]:
    """Used by load balancers; says nothing about the data."""
    try:
        with request_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception:  # noqa: BLE001 - any database failure means "unavailable"
        return jsonify(status="degraded", database="unavailable"), 503


def download_lagging() -> Response:
    """GET /download/lagging?month=&state=&district=&parameter=&reason=&peer=&scheme=&format=csv|xlsx (the
    file name and sheet title name the ranking scheme)"""
    fmt = request.args.get("format", "csv")
    if fmt not in MIMETYPES:
        return json_error(400, "format must be csv or xlsx")
    sc = current_scope()
    try:
        r = resolve(request.args.to_dict(), sc, strict=True)
    except Refused as exc:
        audit_request("download", f"refused: {exc} ({request.query_string.decode()[:300]})")
        resp = jsonify(error="not in your scope")
        resp.status_code = 403
        return resp
    if r.month is None:
        return json_error(400, "month is missing or has no results")
    if r.state is None:
        return json_error(400, "state is missing or unknown")
    _full, shown = build(r, sc)
    table = lagging_table(shown)
    body = export_bytes(table, fmt, sheet=f"Lagging stations {read.scheme_short(request_engine(), r.scheme)}")
    filters = ", ".join(f"{k}={v}" for k, v in r.filters.as_query().items() if k != "district") or "no filters"
    audit_request("download", f"{r.what} ({filters}); {len(table)} rows; {fmt}")
    name = f"lagging-{r.scheme}-{r.state}-{r.district or 'all'}-{r.month}.{fmt}"
    return Response(body, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def download_provisional() -> Response:
    """GET /download/provisional.csv?month=&what=states|districts|lagging|todo&state=&district=&scheme=
    &format=csv|xlsx (without `what`: the States table at national level, what still has to happen for a State
    or district; without `scheme`: CCTNS Pragati).
    The file name starts with "provisional"; every row says which figures it holds."""
    args = request.args
    fmt = (args.get("format") or "csv").lower()
    month = args.get("month") or ""
    state = (args.get("state") or "").upper() or None
    district = (args.get("district") or "").upper() or None
    what = args.get("what") or ("todo" if state or district else "states")
    scheme = args.get("scheme") or "cctns"
    detail = (f"provisional {what[:12]} month={month[:10]} state={(state or '')[:24]} "
              f"district={(district or '')[:24]} scheme={scheme[:20]} format={fmt[:8]}")
    engine = request_engine()
    if fmt not in MIMETYPES or what not in PROVISIONAL_EXPORTS or any(
            c is not None and not _CODE.match(c) for c in (state, district)) or scheme not in read.scheme_ids(engine):
        audit_request("download", "refused (bad request): " + detail)
        return json_error(400, "format must be csv or xlsx; what one of " + ", ".join(PROVISIONAL_EXPORTS)
                          + "; scheme one of " + ", ".join(read.scheme_ids(engine)))
    try:
        table = build_provisional_export(engine, what, month, state, district, current_scope(), scheme=scheme)
    except OutOfScope:
        audit_request("scope_violation", detail)
        audit_request("download", "refused (out of scope): " + detail)
        return json_error(403, "not in your scope")
    except ExportError as exc:
        audit_request("download", "refused: " + detail)
        return json_error(404, str(exc))
    audit_request("download", f"{detail}; {len(table)} rows")
    name = f"{provisional_file_stem(what, month, state, district, scheme)}.{fmt}"
    body = export_bytes(table, fmt, sheet=f"Provisional {what}"[:31])
    return Response(body, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def download_pack() -> Response:
    args = request.args
    fmt = (args.get("format") or "pdf").lower()
    month = args.get("month") or ""
    state = (args.get("state") or "").upper() or None
    district = (args.get("district") or "").upper() or None
    asked_scheme = args.get("scheme") or "cctns"
    detail = (f"pack format={fmt[:8]} month={month[:10]} state={(state or '')[:24]} district={(district or '')[:24]}"
              f" scheme={asked_scheme[:20]}")
    scope = current_scope()  # the guard has already refused anonymous requests
    engine = request_engine()
    if fmt not in PACK_FORMATS or any(c is not None and not _CODE.match(c) for c in (state, district)) \
            or asked_scheme not in read.scheme_ids(engine):
        audit_request("download", "refused (bad request): " + detail)
        return json_error(400, "format must be pdf, pptx or xlsx; state and district must be unit codes; "
                               "scheme one of " + ", ".join(read.scheme_ids(engine)))
    if not month:
        month = read.latest_month(engine, scheme=asked_scheme) or ""
    if state is None and district is None:
        state, district = scope.state_code, scope.district_code
    try:
        review = build_review(engine, month, scope, state or "", district, scheme=asked_scheme)
    except OutOfScope:
        audit_request("scope_violation", detail)
        audit_request("download", "refused (out of scope): " + detail)
        return json_error(403, "not in your scope")
    except ReviewError as exc:
        audit_request("download", "refused (no such review): " + detail)
        return json_error(404, str(exc))
    data = build_pack(engine, review, fmt)
    audit_request("download", detail)
    resp = Response(data, mimetype=PACK_FORMATS[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{review.filename_stem}.{fmt}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
