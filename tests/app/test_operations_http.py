"""Operations in the browser over HTTP (issue 16): the upload route (who, size, kind, nothing kept when
refused), a hostile XLSX refused by the check, the upload token bound to its session, the problem list as
inert CSV, the audit download for administrators only, and a one-time password that opens nothing but the
password form."""

from __future__ import annotations

import io
import json
import re
import secrets
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
from access_support import callbacks_from_dependencies  # noqa: E402

from dashboard.web import MAX_UPLOAD_BYTES  # noqa: E402

HOSTILE = Path(__file__).resolve().parents[1] / "dashboard" / "ingest" / "hostile_files"
IMPORT_CB = "import-result.children"


def sign_in(app, username: str, password: str):
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"})
    assert r.status_code in (302, 303)
    with client.session_transaction() as s:
        client.csrf = s["csrf"]
    return client


@pytest.fixture(scope="module")
def clients(dash_app, demo_users):
    return {u: sign_in(dash_app, u, demo_users[u]) for u in ("ncrb", "haryana", "karnal-sp")}


@pytest.fixture(scope="module")
def uploads_dir(demo_settings) -> Path:
    return Path(demo_settings.instance_dir) / "uploads"


def upload(client, files: list[tuple[str, bytes]]):
    data = {"files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post("/upload/import", data=data, content_type="multipart/form-data",
                       headers={"X-CSRFToken": client.csrf})


def check(client, token: str) -> str:
    deps = callbacks_from_dependencies(client.get("/_dash-dependencies").get_json())
    cb = next(c for c in deps if c.output.startswith(".." + IMPORT_CB) or c.outputs[0] == ("import-result", "children"))
    values = {("import-uploaded", "data"): {"token": token}, ("import-token", "data"): None,
              ("import-query", "data"): {}}
    body = {"output": cb.output, "outputs": [{"id": i, "property": p} for i, p in cb.outputs],
            "inputs": [{"id": i, "property": p, "value": values.get((i, p), 0)} for i, p in cb.inputs],
            "state": [{"id": i, "property": p, "value": values.get((i, p))} for i, p in cb.state],
            "changedPropIds": ["import-uploaded.data"]}
    r = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json",
                    headers={"X-CSRFToken": client.csrf})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_data(as_text=True)


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".csv", ".xlsx")] if folder.exists() else []


def test_only_importers_upload_and_refusals_keep_nothing(clients, uploads_dir):
    before = stored_files(uploads_dir)
    r = upload(clients["karnal-sp"], [("rows.csv", b"a,b\n1,2\n")])
    assert r.status_code == 403 and "may not import" in r.get_json()["error"]
    r = upload(clients["haryana"], [("rows.exe", b"MZ\x90\x00")])
    assert r.status_code == 400 and ".csv and .xlsx" in r.get_json()["error"]
    big = b"month,station_code,parameter,numerator,denominator\n" + b"2025-06,HR-KNL-001,x,1,2\n" * (
        MAX_UPLOAD_BYTES // 25 + 10)
    r = upload(clients["haryana"], [("big.csv", big)])
    assert r.status_code in (400, 413) and ("larger than" in r.get_json()["error"] or "too large" in
                                            r.get_json()["error"])
    r = clients["haryana"].post("/upload/import", data={"files": [(io.BytesIO(b"x"), "a.csv")]},
                                content_type="multipart/form-data")  # no CSRF header
    assert r.status_code == 403
    assert stored_files(uploads_dir) == before, "a refused upload left files behind"


def test_hostile_files_are_refused_by_the_check_and_deleted(clients, uploads_dir, tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(600):
                f.write(bytes(1 << 20))
    for name, body, words in (("zip_bomb.xlsx", bomb.getvalue(), "uncompressed"),
                              ("binary.csv", (HOSTILE / "binary.csv").read_bytes(), "binary"),
                              ("nul_in_row.csv", (HOSTILE / "nul_in_row.csv").read_bytes(), "NUL")):
        r = upload(clients["haryana"], [(name, body)])
        assert r.status_code == 200, r.get_data(as_text=True)
        token = r.get_json()["token"]
        text = check(clients["haryana"], token)
        assert "problem" in text and words in text, (name, text[:400])
        assert not stored_files(uploads_dir / token), f"{name} was kept after it was refused"


def test_problem_list_is_inert_csv_and_bound_to_the_session(clients, dash_app, demo_users):
    body = (HOSTILE / "formula_plus_name.csv").read_bytes().replace(b"S7,D1", b"HR-KNL-901,HR-KNL") + \
        b"HR-KNL-902,HR-KNL,=HYPERLINK(\"http://x\"),,\n"
    r = upload(clients["haryana"], [("stations.csv", body)])
    token = r.get_json()["token"]
    text = check(clients["haryana"], token)
    assert "must not begin with" in text
    csv = clients["haryana"].get(f"/download/problems?token={token}")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    lines = csv.get_data(as_text=True).splitlines()
    assert any(",'+1+1," in line or ",'+1+1" in line for line in lines), lines
    assert not any(re.search(r'(^|,)"?[=+@-]', line) for line in lines[1:]), lines
    # the same user in another session, and another user: nothing
    other_session = sign_in(dash_app, "haryana", demo_users["haryana"])
    assert other_session.get(f"/download/problems?token={token}").status_code == 404
    assert clients["ncrb"].get(f"/download/problems?token={token}").status_code == 404
    assert "no longer available" in check(other_session, token)


def test_audit_download_for_administrators_only(clients):
    r = clients["ncrb"].get("/download/audit?kind=login")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert r.get_data(as_text=True).splitlines()[0] == "When (UTC),User,Kind,Outcome,Detail,Address"
    hindi = clients["ncrb"].get("/download/audit?kind=login&lang=hi")  # headers in the user's language
    assert hindi.get_data(as_text=True).splitlines()[0] == "कब (UTC),उपयोगकर्ता,प्रकार,परिणाम,विवरण,पता"
    for role in ("haryana", "karnal-sp"):
        assert clients[role].get("/download/audit").status_code == 403


def test_a_one_time_password_opens_only_the_password_form(dash_app, demo_engine):
    from dashboard.web.admin import Actor, add_user

    name = f"otp-{secrets.token_hex(3)}"
    _rec, otp = add_user(demo_engine, Actor("ncrb", "national", None, True), name, "district",
                         district_code="HR-KNL")
    client = sign_in(dash_app, name, otp)
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/account/password")
    r = client.post("/_dash-update-component", json={}, headers={"X-CSRFToken": client.csrf})
    assert r.status_code == 403 and r.get_json()["password"] == "/account/password"
    assert client.get("/download/lagging?format=csv").status_code == 403
    page = client.get("/account/password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/account/password", data={"csrf_token": token, "current_password": "wrong one!!",
                                               "new_password": "a fresh passphrase", "confirm_password":
                                               "a fresh passphrase"})
    assert r.status_code == 400 and "current password is wrong" in r.get_data(as_text=True)
    r = client.post("/account/password", data={"csrf_token": token, "current_password": otp,
                                               "new_password": "a fresh passphrase", "confirm_password":
                                               "a fresh passphrase"})
    assert r.status_code == 303 and r.headers["Location"] == "/login?signed_out=password"
    assert client.get("/").status_code == 302  # signed out everywhere
    again = sign_in(dash_app, name, "a fresh passphrase")
    assert again.get("/").status_code == 200
    r = again.post("/account/password", data={"current_password": "a fresh passphrase"})
    assert r.status_code == 400  # no form token: refused


def test_a_provisional_upload_is_previewed_as_provisional(clients, demo_engine):
    """The import page's "Provisional" switch (issue 14): the same check, a preview of the snapshot it would
    make; a final month is refused as a problem. Nothing is written by the preview."""
    from dashboard import read

    month = read.provisional_months(demo_engine)[0]["month"]
    before = read.provisional_snapshots(demo_engine, month)["batch_id"].tolist()
    body = (f"month,station_code,parameter,numerator,denominator\n{month},HR-KNL-001,fir_in_cctns,10,12\n").encode()
    token = upload(clients["haryana"], [("prov.csv", body)]).get_json()["token"]
    deps = callbacks_from_dependencies(clients["haryana"].get("/_dash-dependencies").get_json())
    cb = next(c for c in deps if c.outputs[0] == ("import-result", "children"))
    values = {("import-uploaded", "data"): {"token": token}, ("import-provisional", "value"): True,
              ("import-query", "data"): {}, ("import-token", "data"): None}
    req = {"output": cb.output, "outputs": [{"id": i, "property": p} for i, p in cb.outputs],
           "inputs": [{"id": i, "property": p, "value": values.get((i, p), 0)} for i, p in cb.inputs],
           "state": [{"id": i, "property": p, "value": values.get((i, p))} for i, p in cb.state],
           "changedPropIds": ["import-uploaded.data"]}
    r = clients["haryana"].post("/_dash-update-component", data=json.dumps(req), content_type="application/json",
                                headers={"X-CSRFToken": clients["haryana"].csrf})
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "What the provisional load will make" in text and "PROVISIONAL" in text
    assert read.provisional_snapshots(demo_engine, month)["batch_id"].tolist() == before
    final = read.latest_month(demo_engine)
    body = (f"month,station_code,parameter,numerator,denominator\n{final},HR-KNL-001,fir_in_cctns,10,12\n").encode()
    req["inputs"] = [{**i, "value": {"token": upload(clients["haryana"], [("late.csv", body)]).get_json()["token"]}}
                     if i["id"] == "import-uploaded" else i for i in req["inputs"]]
    r = clients["haryana"].post("/_dash-update-component", data=json.dumps(req), content_type="application/json",
                                headers={"X-CSRFToken": clients["haryana"].csrf})
    assert "provisional rows never change a final month" in r.get_data(as_text=True)


def test_an_upload_of_several_schemes_is_previewed_per_scheme(clients, demo_engine):
    """Issue 13: rows of CCTNS, ICJS and ITSSO in one file: the preview shows each scheme, labelled, with
    its all-India ranks, its rows and its warnings; nothing is written by the check."""
    from dashboard import read
    from dashboard.store import read_generation

    month = read.latest_month(demo_engine)
    body = ("month,station_code,parameter,numerator,denominator\n"
            f"{month},HR-KNL-001,fir_in_cctns,1,40\n"
            f"{month},HR-KNL-001,icjs_police_exchange,1,50\n"
            f"{month},HR-KNL-001,itsso_within_60_days,0,9\n").encode()
    generation = read_generation(demo_engine)
    token = upload(clients["haryana"], [("mixed.csv", body)]).get_json()["token"]
    text = check(clients["haryana"], token)
    assert "What the import will change" in text
    for scheme, short in (("cctns", "CCTNS"), ("icjs", "ICJS"), ("itsso", "ITSSO")):
        assert f'"data-scheme":"{scheme}"' in text.replace(" ", ""), scheme
        assert f"All-India rank ({short})" in text, short
        assert re.search(rf"(1 rows of {short} added, 0 replaced|0 rows of {short} added, 1 replaced)", text), short
    assert "The files hold rows of 3 ranking schemes: CCTNS, ICJS, ITSSO" in text
    assert read_generation(demo_engine) == generation  # the check wrote nothing
