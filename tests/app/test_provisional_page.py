"""The provisional figures page (issue 14): banner, standing against the others' latest figures, what still has
to happen, scope; the shell's notice and the month picker; the provisional download. The session demo holds
the month after its last one as provisional for HR, UP and DL (tests/conftest.py, as `cctns demo`)."""

from __future__ import annotations

import pytest
from unit_pages_support import text_of

import callbacks.common
from callbacks import provisional as pcb
from dashboard.display import local_today
from dashboard.scope import Scope
from layouts import provisional as pl
from layouts.shell import ids as shell_ids

NATIONAL = Scope.national()


@pytest.fixture(scope="module")
def pmonth(demo_engine) -> str:
    from dashboard import read

    return read.provisional_months(demo_engine)[0]["month"]


def _as(monkeypatch, s: Scope) -> None:
    monkeypatch.setattr(callbacks.common, "scope", lambda: s)


def _page(dash_app, query: dict) -> dict:
    with dash_app.server.test_request_context():
        out = pcb.update_page(query)
    return {f"{i}.{p}": v for (i, p), v in zip(pcb.OUTPUTS, out, strict=True)}


def test_the_demo_has_a_provisional_month_after_its_final_ones(demo_engine, pmonth):
    from dashboard import read

    assert pmonth > read.latest_month(demo_engine) and pmonth not in read.months(demo_engine)
    assert set(read.provisional_snapshots(demo_engine, pmonth)["state_code"]) == {"HR", "UP", "DL"}


def test_state_level_says_provisional_and_compares_with_the_others(dash_app, demo_engine, pmonth, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope.national())
    out = _page(dash_app, {"month": pmonth, "state": "HR"})
    banner = text_of(out[f"{pl.ids.BANNER}.children"])
    assert "PROVISIONAL" in banner and "as of" in banner and "Days to the cut-off" in banner
    head = read.provisional_headline(demo_engine, pmonth, "HR", NATIONAL)
    kpis = text_of(out[f"{pl.ids.KPIS}.children"])
    assert head["score_display"] in kpis and f"of {head['states_ranked']}" in kpis
    states = text_of(out[f"{pl.ids.STATES}.children"])
    latest = read.latest_month(demo_engine)
    from dashboard.display import month_label

    assert f"final {month_label(latest)}" in states and f"provisional {month_label(pmonth)}" in states
    todo = read.still_to_happen(demo_engine, pmonth, Scope.national(), "HR", limit=pcb.TODO_ROWS)
    todo_text = text_of(out[f"{pl.ids.TODO}.children"])
    assert all(name in todo_text for name in todo["station_name"].head(5))
    assert out[f"{pl.ids.TODO_BOX}.style"] == {} and out[f"{pl.ids.UNITS_BOX}.style"] == {}
    assert "provisional" in text_of(out[f"{pl.ids.DOWNLOADS}.children"]).lower()


def test_district_sp_sees_their_district_and_not_another(dash_app, demo_engine, pmonth, monkeypatch):
    from dashboard import read

    sp = Scope("district", "HR", "HR-KNL", "karnal-sp")
    _as(monkeypatch, sp)
    out = _page(dash_app, {"month": pmonth})  # no unit named: the SP's own district
    todo = read.still_to_happen(demo_engine, pmonth, sp, "HR", "HR-KNL", limit=pcb.TODO_ROWS)
    assert len(todo) and all(n in text_of(out[f"{pl.ids.TODO}.children"]) for n in todo["station_name"])
    assert "Karnal" in out[f"{pl.ids.TITLE}.children"]
    other = _page(dash_app, {"month": pmonth, "state": "HR", "district": "HR-ABL"})
    assert "not available" in text_of(other[f"{pl.ids.TODO}.children"]).lower()
    abl = read.still_to_happen(demo_engine, pmonth, Scope.national(), "HR", "HR-ABL", limit=50)
    leaked = text_of(other)
    assert not any(code in leaked for code in abl["station_code"])


def test_a_state_without_provisional_figures_says_so(dash_app, pmonth, monkeypatch):
    _as(monkeypatch, Scope("state", "MN", username="manipur-hq"))
    out = _page(dash_app, {"month": pmonth})
    assert "no provisional figures" in text_of(out[f"{pl.ids.TODO}.children"]).lower()
    assert out[f"{pl.ids.BANNER}.children"] is None  # nothing provisional shown: no banner needed


def _picker(client, search: str, pathname: str) -> tuple[list, str]:
    from app_http_support import call

    out = call(client, [(shell_ids.MONTH, "options"), (shell_ids.MONTH, "value"), (shell_ids.URL, "search")],
               [(shell_ids.URL, "search", search), (shell_ids.MONTH, "value", None)],
               [(shell_ids.URL, "pathname", pathname)])
    return out[shell_ids.MONTH]["options"], out[shell_ids.MONTH]["value"]


def test_shell_notice_and_month_picker(dash_app, demo_engine, national_client, pmonth, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope.national())
    with dash_app.server.test_request_context():
        notice = pcb.shell_notice("/district/HR-KNL", f"?month={read.latest_month(demo_engine)}")
        none_on_page = pcb.shell_notice(pl.PATH, f"?month={pmonth}")
    options, value = _picker(national_client, f"?month={pmonth}", pl.PATH)
    final_options, final_value = _picker(national_client, "", "/")
    href = text_of(notice)
    assert "PROVISIONAL" in href and f"/provisional?month={pmonth}" in href and "district=HR-KNL" in href
    days, when = pcb.cutoff_text(pmonth, local_today(), 10)  # the district page says how long is left
    assert f"Days to the cut-off: {days} ({when})" in href
    assert none_on_page is None
    assert options[0] == {"label": options[0]["label"], "value": pl.PICKER_PREFIX + pmonth}
    assert "provisional" in options[0]["label"] and value == pl.PICKER_PREFIX + pmonth
    assert final_value == read.latest_month(demo_engine) and final_options == options
    # picking the provisional month opens the provisional page of the unit on screen, and back
    assert pcb.month_picked(pl.PICKER_PREFIX + pmonth, "/state/HR", "?month=2025-06") == \
        f"/provisional?month={pmonth}&state=HR"
    assert pcb.month_picked("2025-06", pl.PATH, f"?month={pmonth}&state=HR&district=HR-KNL") == \
        "/district/HR-KNL?month=2025-06"
    assert shell_ids.PROVISIONAL_NOTICE == pcb.NOTICE_ID


def test_provisional_download_says_so(national_client, pmonth):
    r = national_client.get(f"/download/provisional.csv?month={pmonth}&state=HR&what=todo")
    assert r.status_code == 200
    assert 'filename="provisional-' in r.headers["Content-Disposition"]
    lines = r.get_data(as_text=True).splitlines()
    assert lines[0].startswith("figures,") and len(lines) > 1 and all(line.startswith("\"provisional ") for line in lines[1:])
    r = national_client.get(f"/download/provisional.csv?month={pmonth}&what=states&format=xlsx")
    assert r.status_code == 200 and "provisional-" in r.headers["Content-Disposition"]
    assert national_client.get("/download/provisional.csv?month=2020-01&what=states").status_code == 404


def test_pages_over_http(national_client, pmonth):
    r = national_client.get(f"/provisional?month={pmonth}&state=HR")
    assert r.status_code == 200


def test_the_page_its_download_and_the_notice_follow_the_scheme(dash_app, demo_engine, national_client, pmonth,
                                                                   monkeypatch):
    """?scheme=itsso: the State is ranked by its ITSSO provisional score against the others' ITSSO finals, the
    download and the shell's notice keep the scheme; an unknown scheme is CCTNS on the page, refused by the
    download."""
    from dashboard import read

    _as(monkeypatch, Scope.national())
    out = _page(dash_app, {"month": pmonth, "state": "HR", "scheme": "itsso"})
    head = read.provisional_headline(demo_engine, pmonth, "HR", NATIONAL, scheme="itsso")
    assert head["score_centi"] != read.provisional_headline(demo_engine, pmonth, "HR", NATIONAL)["score_centi"]
    assert head["score_display"] in text_of(out[f"{pl.ids.KPIS}.children"])
    assert out[f"{pl.ids.SUBTITLE}.children"].endswith("· ITSSO")
    assert "scheme=itsso" in str(out[f"{pl.ids.DOWNLOADS}.children"])
    todo = read.still_to_happen(demo_engine, pmonth, Scope.national(), "HR", limit=pcb.TODO_ROWS, scheme="itsso")
    assert set(todo["parameter"]) == {"itsso_within_60_days"}
    unknown = _page(dash_app, {"month": pmonth, "state": "HR", "scheme": "nope"})
    assert unknown[f"{pl.ids.SUBTITLE}.children"].endswith("· CCTNS")
    with dash_app.server.test_request_context():
        notice = text_of(pcb.shell_notice("/state/HR", "?scheme=icjs"))
    assert "scheme=icjs" in notice and "state=HR" in notice
    assert pcb.month_picked(pl.PICKER_PREFIX + pmonth, "/state/HR", "?scheme=itsso") == \
        f"/provisional?month={pmonth}&scheme=itsso&state=HR"
    assert pcb.month_picked("2025-06", pl.PATH, f"?month={pmonth}&state=HR&scheme=itsso") == \
        "/state/HR?month=2025-06&scheme=itsso"
    r = national_client.get(f"/download/provisional.csv?month={pmonth}&state=HR&what=todo&scheme=itsso")
    assert r.status_code == 200 and 'filename="provisional-' in r.headers["Content-Disposition"]
    assert "-HR-itsso-todo.csv" in r.headers["Content-Disposition"]
    lines = r.get_data(as_text=True).splitlines()[1:]
    assert lines and all(line.startswith("\"provisional ITSSO ") and "itsso_within_60_days" in line for line in lines)
    r = national_client.get(f"/download/provisional.csv?month={pmonth}&what=states&scheme=icjs")
    assert r.status_code == 200 and "final ICJS " in r.get_data(as_text=True)
    assert national_client.get(f"/download/provisional.csv?month={pmonth}&what=states&scheme=nope").status_code == 400


def test_state_level_shows_where_the_provisional_score_loses_marks(dash_app, demo_engine, pmonth, monkeypatch):
    """Parameter by parameter, most marks lost first, with the same parameter's marks lost in the last final
    month beside it; an SP (district level) gets no State breakdown."""
    from dashboard import read
    from dashboard.display import fmt3, month_label, pct_text, ratio_text

    _as(monkeypatch, Scope("state", "HR", username="haryana"))
    out = _page(dash_app, {"month": pmonth, "state": "HR"})
    assert out[f"{pl.ids.PARAMS_BOX}.style"] == {}
    lost = read.provisional_marks_lost(demo_engine, pmonth, "HR", NATIONAL)
    head = read.provisional_headline(demo_engine, pmonth, "HR", NATIONAL)
    final = read.unit_params(demo_engine, head["last_final_month"], "state", "HR").set_index("parameter")
    table = out[f"{pl.ids.PARAMS}.children"].children  # the Bootstrap table inside its scroll box
    header = [th.children for th in table.children[0].children.children]
    assert header[-1] == f"Marks lost, final {month_label(head['last_final_month'])}"
    body = table.children[1].children
    assert len(body) == len(lost)
    cells = [[td.children for td in tr.children] for tr in body]
    top = lost.iloc[0]
    assert cells[0][0] == top["parameter_name"] and cells[0][2] == fmt3(top["marks_lost"])
    assert cells[0][3] == fmt3(final.at[top["parameter"], "marks_lost"])
    value = [div.children for div in cells[0][1].children]
    assert value == [pct_text(int(top["numerator"]), int(top["denominator"])),
                     ratio_text(top["numerator"], top["denominator"])]
    shown = [float(c[2]) for c in cells if c[2] != "–"]
    assert shown == sorted(shown, reverse=True) and shown[0] > 0
    _as(monkeypatch, Scope("district", "HR", "HR-KNL", "karnal-sp"))
    sp = _page(dash_app, {"month": pmonth})
    assert sp[f"{pl.ids.PARAMS_BOX}.style"] == pcb.HIDDEN and sp[f"{pl.ids.PARAMS}.children"] is None
