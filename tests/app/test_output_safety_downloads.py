"""The lagging download with hostile names (issue 9, findings 2 and 4): CSV cells that would run as formulas
carry a leading `'`, the XLSX has string cells only and no control character (it answered 500 before)."""

from __future__ import annotations

import pytest
from hostile_names import CMD, LINK, MONTH, STATE, assert_inert_csv, assert_inert_xlsx, hostile_copy


@pytest.fixture(scope="module")
def hostile(demo_engine, demo_users, tmp_path_factory):
    return hostile_copy(demo_engine, tmp_path_factory.mktemp("hostile") / "hostile.sqlite3")


def test_lagging_download_csv_and_xlsx(hostile, dash_app, demo_users, monkeypatch):
    from app_http_support import sign_in

    engine, renamed = hostile
    client = sign_in(dash_app, "ncrb", demo_users["ncrb"])
    monkeypatch.setitem(dash_app.server.config, "CCTNS_DATABASE_URL", str(engine.url))
    r = client.get(f"/download/lagging?month={MONTH}&state={STATE}&format=csv")
    assert r.status_code == 200
    df = assert_inert_csv(r.data, list(renamed.values()))
    assert "EscStation" in df["Police station"].tolist()
    assert "'" + CMD in df["District"].tolist()
    assert LINK in df["Police station"].tolist()  # a CSV is not markup: the name as it is

    r = client.get(f"/download/lagging?month={MONTH}&state={STATE}&format=xlsx")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert_inert_xlsx(r.data, [*renamed.values(), CMD])


