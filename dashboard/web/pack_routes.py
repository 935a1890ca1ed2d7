"""`GET /download/pack?month=&state=&district=&format=pdf|pptx|xlsx`: the review pack of a State or a
district, scoped on the server from the signed-in user (whatever the parameters say) and audited.

Register once per server with `register_pack_routes(server)` (idempotent)."""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, jsonify, request

from dashboard.scope import OutOfScope

ENDPOINT = "cctns_download_pack"
FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CODE = re.compile(r"^[A-Za-z0-9-]{2,24}$")


def register_pack_routes(server: Flask) -> None:
    if ENDPOINT in server.view_functions:
        return
    server.add_url_rule("/download/pack", ENDPOINT, download_pack, methods=["GET"])


def _error(status: int, message: str) -> Response:
    resp = jsonify({"error": message})
    resp.status_code = status
    return resp


def download_pack() -> Response:
    from dashboard import read
    from dashboard.reports import ReviewError, build_pack, build_review
    from dashboard.store import get_engine
    from dashboard.web.auth import audit_request, current_scope

    args = request.args
    fmt = (args.get("format") or "pdf").lower()
    month = args.get("month") or ""
    state = (args.get("state") or "").upper() or None
    district = (args.get("district") or "").upper() or None
    detail = f"pack format={fmt[:8]} month={month[:10]} state={(state or '')[:24]} district={(district or '')[:24]}"
    scope = current_scope()  # the guard has already refused anonymous requests
    if fmt not in FORMATS or any(c is not None and not _CODE.match(c) for c in (state, district)):
        audit_request("download", "refused (bad request): " + detail)
        return _error(400, "format must be pdf, pptx or xlsx; state and district must be unit codes")
    engine = get_engine(current_app.config["CCTNS_DATABASE_URL"])
    if not month:
        month = read.latest_month(engine) or ""
    if state is None and district is None:
        state, district = scope.state_code, scope.district_code
    try:
        review = build_review(engine, month, scope, state or "", district)
    except OutOfScope:
        audit_request("scope_violation", detail)
        audit_request("download", "refused (out of scope): " + detail)
        return _error(403, "not in your scope")
    except ReviewError as exc:
        audit_request("download", "refused (no such review): " + detail)
        return _error(404, str(exc))
    data = build_pack(engine, review, fmt)
    audit_request("download", detail)
    resp = Response(data, mimetype=FORMATS[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{review.filename_stem}.{fmt}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
