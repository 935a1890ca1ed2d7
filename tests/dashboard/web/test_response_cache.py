"""The whole-response cache (dashboard.web.response_cache): a warm click is the same bytes from the cache;
two scope classes never share an entry; a new import, the language and the actions' stamp move the key;
audited answers and callbacks not marked are never cached; no cached callback reads its trigger."""

from __future__ import annotations

import inspect
import json
import shutil

import pytest

from dashboard import read
from dashboard.web.response_cache import Policy, response_key
from tests.app.app_http_support import sign_in

UPDATE = "/_dash-update-component"


@pytest.fixture
def cached_app(held_back, tmp_path):
    """An app with a filesystem cache on a fresh copy of the demo with its last month held back."""
    from app import create_app
    from dashboard.config import load_settings
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_demo_users

    db = tmp_path / "db.sqlite3"
    shutil.copy(held_back.base_db, db)
    url = f"sqlite:///{db}"
    users = create_demo_users(get_engine(url))
    settings = load_settings({"CCTNS_DATABASE_URL": url, "CCTNS_INSTANCE_DIR": str(tmp_path / "instance"),
                              "CCTNS_SECRET_KEY": "test-secret-key-not-for-production-0123456789"})
    app = create_app(settings)
    app.server.config["TESTING"] = True
    yield app, users, url
    get_engine(url).dispose()


def body(app, prefix: str, values: dict[str, object]) -> dict:
    """The request dash-renderer posts for the callback whose output starts with `prefix`; inputs and
    states not in `values` ('id.prop') are None, the theme is light."""
    output = output_of(app, prefix)
    dep = app.callback_map[output]
    outs = output[2:-2].split("...") if output.startswith("..") else [output]
    parsed = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]} for o in outs]
    values = {"shell-theme.data": "light", **values}

    def items(kind: str) -> list[dict]:
        return [{"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
                for i in dep[kind]]

    inputs = items("inputs")
    return {"output": output, "outputs": parsed if output.startswith("..") else parsed[0], "inputs": inputs,
            "state": items("state"), "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def output_of(app, prefix: str) -> str:
    return next(k for k in app.callback_map if k.startswith(prefix) or k.startswith(".." + prefix))


def post(client, payload: dict):
    r = client.post(UPDATE, json=payload, headers={"X-CSRFToken": client.csrf})
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    return r


def page_query(kind: str, **args: str | None) -> dict:
    """The query store a page's layout holds when opened with `args` (what the browser posts)."""
    from dashboard.scope import Scope
    from dashboard.web.warmup import Page, page_props

    page = Page(Scope.national("t"), "/", kind, args.get(f"{kind}_code"), args.get("month"))
    return page_props(page)[f"{kind}-query.data"]


def state_detail(app, code: str, month: str | None = None) -> dict:
    return body(app, "state-districts.rowData", {"state-query.data": page_query("state", state_code=code, month=month)})


def district_stations(app, code: str) -> dict:
    return body(app, "district-stations.rowData", {"district-query.data": page_query("district", district_code=code),
                                                   "district-peer.value": "all"})


def karnal(url: str) -> str:
    from sqlalchemy import select

    from dashboard.store import District
    from dashboard.store.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.scalar(select(District.code).where(District.name == "Karnal"))


def add_karnal_action(url: str, text: str) -> None:
    """Haryana's users assign an action to a police station of Karnal (on its first station parameter)."""
    from sqlalchemy import select

    from dashboard import read
    from dashboard.actions import NewAction, create_actions
    from dashboard.scope import Scope
    from dashboard.store import PoliceStation
    from dashboard.store.db import get_engine

    eng = get_engine(url)
    with eng.connect() as conn:
        station = conn.scalar(select(PoliceStation.code).where(PoliceStation.district_code == karnal(url)))
    version = read.version_for(eng, read.latest_month(eng))
    parameter = next(p.id for p in version.parameters if p.level == "station")
    create_actions(eng, Scope("state", "HR", username="haryana"),
                   [NewAction(level="station", unit_code=station, parameter=parameter, text=text, owner_kind="sho")],
                   actor="haryana")


def other_district(url: str, than: str) -> str:
    from sqlalchemy import select

    from dashboard.store import District
    from dashboard.store.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.scalar(select(District.code).where(District.state_code == "HR", District.code != than))


def test_a_warm_click_is_the_same_answer_from_the_cache(cached_app):
    from dashboard.web import response_cache_stats

    app, users, _ = cached_app
    client = sign_in(app, "ncrb", users["ncrb"])
    first = post(client, state_detail(app, "HR"))
    assert "X-CCTNS-Cache" not in first.headers
    second = post(client, state_detail(app, "HR"))
    assert second.headers["X-CCTNS-Cache"] == "hit"
    assert second.get_json() == first.get_json()
    gz = client.post(UPDATE, json=state_detail(app, "HR"), headers={"X-CSRFToken": client.csrf, "Accept-Encoding": "gzip"})
    assert gz.headers["X-CCTNS-Cache"] == "hit" and gz.headers["Content-Encoding"] == "gzip"
    stats = response_cache_stats(app.server)
    assert stats["hits"] == 2 and stats["stored"] == 1
    # the same inputs in another key order are the same entry
    reordered = state_detail(app, "HR")
    reordered["inputs"][0]["value"] = dict(reversed(list(reordered["inputs"][0]["value"].items())))
    assert post(client, reordered).headers["X-CCTNS-Cache"] == "hit"


def test_two_scope_classes_never_share_an_entry(cached_app):
    from dashboard.web import response_cache_stats

    app, users, url = cached_app
    own = karnal(url)
    other = other_district(url, own)
    national = sign_in(app, "ncrb", users["ncrb"])
    sp = sign_in(app, "karnal-sp", users["karnal-sp"])
    state = sign_in(app, "haryana", users["haryana"])

    seen = post(national, district_stations(app, other)).get_json()
    assert seen["response"]["district-stations"]["rowData"]  # the national user sees the district's stations
    refused = post(sp, district_stations(app, other))
    assert "X-CCTNS-Cache" not in refused.headers  # not the national user's entry
    assert not refused.get_json()["response"]["district-stations"]["rowData"]
    again = post(sp, district_stations(app, other))
    assert "X-CCTNS-Cache" not in again.headers  # refusals are audited every time, so never cached
    assert post(state, district_stations(app, other)).headers.get("X-CCTNS-Cache") is None
    assert post(state, district_stations(app, other)).headers["X-CCTNS-Cache"] == "hit"  # its own entry
    assert response_cache_stats(app.server)["stored"] == 2  # national + State: two entries, no refusal


def test_the_key_moves_with_scope_generation_and_context():
    b = {"output": "x.children", "inputs": [{"id": "q", "property": "data", "value": {"a": 1}}], "state": [],
         "changedPropIds": ["q.data"]}
    base = response_key(b, Policy(), "national:*:*", "g1", {"language": "en"})
    assert base == response_key(dict(b, changedPropIds=[]), Policy(), "national:*:*", "g1", {"language": "en"})
    for other in (response_key(b, Policy(), "state:HR:*", "g1", {"language": "en"}),
                  response_key(b, Policy(), "national:*:*", "g2", {"language": "en"}),
                  response_key(b, Policy(), "national:*:*", "g1", {"language": "hi"}),
                  response_key(b, Policy(), "national:*:*", "g1", {"language": "en", "actions": "1.1.1.0.0"}),
                  response_key(dict(b, changedPropIds=[]), Policy(trigger=True), "national:*:*", "g1", {"language": "en"})):
        assert other != base


def test_the_request_context_names_the_language(cached_app):
    from dashboard.i18n import use_language
    from dashboard.web import request_context

    app, _, _ = cached_app
    with app.server.test_request_context("/"):
        assert request_context()["language"] == "en"
        assert request_context()["day"]  # answers are never served on another day
        with use_language("hi"):
            assert request_context()["language"] == "hi"


def test_a_hindi_answer_is_not_an_english_one(cached_app):
    app, users, _ = cached_app
    client = sign_in(app, "ncrb", users["ncrb"])
    english = post(client, state_detail(app, "HR"))
    client.set_cookie("cctns_lang", "hi")
    hindi = post(client, state_detail(app, "HR"))
    assert "X-CCTNS-Cache" not in hindi.headers and hindi.get_data() != english.get_data()
    assert post(client, state_detail(app, "HR")).headers["X-CCTNS-Cache"] == "hit"


def test_a_new_import_invalidates(cached_app, held_back):
    from dashboard.display import month_label
    from dashboard.ingest import import_files
    from dashboard.store.db import get_engine

    app, users, url = cached_app
    client = sign_in(app, "ncrb", users["ncrb"])
    latest = body(app, "national-table.rowData", {"national-query.data": {"month": None}})
    before = post(client, latest)
    assert post(client, latest).headers["X-CCTNS-Cache"] == "hit"
    import_files(get_engine(url), held_back.last_files, user="test")
    after = post(client, latest)
    assert "X-CCTNS-Cache" not in after.headers
    shown = month_label(held_back.last_month)
    assert shown not in json.dumps(before.get_json())
    assert shown in json.dumps(after.get_json())  # the new month is the page's latest


def test_a_warm_click_is_one_statement_and_follows_another_process(cached_app):
    """The guard reads the session's user and the results generation in one statement, so a warm click runs
    no other SQL; a generation committed by another process (its own engine and connections) keys the very
    next click: nothing in this process has to learn of it."""
    from sqlalchemy import event

    from dashboard.store import bump_results_generation, read_generation
    from dashboard.store.db import get_engine, make_engine

    app, users, url = cached_app
    client = sign_in(app, "ncrb", users["ncrb"])
    latest = body(app, "national-table.rowData", {"national-query.data": {"month": None}})
    first = post(client, latest)
    engine = get_engine(url)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert post(client, latest).headers["X-CCTNS-Cache"] == "hit"
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1, statements
    assert "user_sessions" in statements[0] and "meta" in statements[0]

    other = make_engine(url)  # another gunicorn worker or app server: its own engine, pool and connections
    try:
        with other.begin() as conn:
            bump_results_generation(conn)
        fresh = read_generation(other)
    finally:
        other.dispose()
    assert fresh == read_generation(engine)
    again = post(client, latest)
    assert "X-CCTNS-Cache" not in again.headers and again.get_json() == first.get_json()
    assert post(client, latest).headers["X-CCTNS-Cache"] == "hit"


def test_a_callback_answered_by_dash_reads_the_generation_with_the_user(cached_app):
    """The footer is not response-cached (it names the user): Dash answers it from the read cache, whose
    keys take the results generation the guard read with the user, so a warm footer reads the meta rows
    once, in the guard's statement (it used to read them again in a statement of its own; what is left is the
    stored methodology, read once per request)."""
    from sqlalchemy import event

    from dashboard.store.db import get_engine

    app, users, url = cached_app
    client = sign_in(app, "ncrb", users["ncrb"])
    footer = body(app, "shell-data-as-of.children", {"url.search": ""})
    assert "X-CCTNS-Cache" not in post(client, footer).headers  # answered by Dash (fills the read cache)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = post(client, footer)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200 and "X-CCTNS-Cache" not in response.headers
    with_meta = [s for s in statements if "meta" in s]
    assert len(with_meta) == 1 and "user_sessions" in with_meta[0], statements
    assert len(statements) <= 2, statements


def test_the_deck_follows_the_actions(cached_app):


    app, users, url = cached_app
    client = sign_in(app, "ncrb", users["ncrb"])
    deck = body(app, "deck-stage.children", {"deck-query.data": {"state": "HR", "district": None, "month": None}})
    post(client, deck)
    assert post(client, deck).headers["X-CCTNS-Cache"] == "hit"
    add_karnal_action(url, "Visit the station")
    assert "X-CCTNS-Cache" not in post(client, deck).headers  # a new action: a new key


def test_callbacks_not_marked_are_never_cached(cached_app):
    """What writes (assign, save an action, decide on a flag) or reads its trigger is answered by Dash."""
    from dashboard.web import cached_outputs

    app, users, _ = cached_app
    marked = cached_outputs(app.server)
    assert not any("assign" in k or "action-message" in k or "flags-message" in k or "action-panel" in k
                   for k in marked)
    client = sign_in(app, "ncrb", users["ncrb"])
    flag_pick = body(app, "flags-selected.children", {"flags-table.selectedRows": None})
    for _ in range(2):
        assert "X-CCTNS-Cache" not in post(client, flag_pick).headers


def test_the_actions_panels_follow_the_actions(cached_app):
    """The State's actions panel is cached with the actions' stamp: a new action is a new key, and the
    panel then shows it."""

    from dashboard.web import cached_outputs

    app, users, url = cached_app
    assert cached_outputs(app.server)[output_of(app, "state-actions-panel.children")].actions
    client = sign_in(app, "haryana", users["haryana"])
    panel = body(app, "state-actions-panel.children", {"state-query.data": {"state_code": "HR", "month": None}})
    before = post(client, panel).get_data(as_text=True)
    assert post(client, panel).headers["X-CCTNS-Cache"] == "hit"
    add_karnal_action(url, "Visit the station about the pending charge-sheets")
    after = post(client, panel)
    assert "X-CCTNS-Cache" not in after.headers  # a new action: a new key
    assert "Visit the station about the pending charge-sheets" not in before
    assert "Visit the station about the pending charge-sheets" in after.get_data(as_text=True)


def test_flag_counts_follow_the_flag_reviews(cached_app):
    """The State headline's flag count is cached with the flag reviews' stamp: a dismissed flag is a new
    key, and the count drops by one."""
    from sqlalchemy import select

    from dashboard.foresight import review_flag
    from dashboard.scope import Scope
    from dashboard.store import DataFlag, FlagReview
    from dashboard.store.db import get_engine
    from dashboard.web import cached_outputs

    app, users, url = cached_app
    assert cached_outputs(app.server)[output_of(app, "state-foresight.children")].flags
    eng = get_engine(url)
    with eng.connect() as conn:
        reviewed = select(FlagReview.evidence_key)
        state, month, flag_id = conn.execute(select(DataFlag.state_code, DataFlag.month, DataFlag.id)
                                             .where(DataFlag.evidence_key.not_in(reviewed))
                                             .order_by(DataFlag.month.desc(), DataFlag.id)).first()
    client = sign_in(app, "ncrb", users["ncrb"])
    line = body(app, "state-foresight.children", {"state-query.data": {"state_code": state, "month": month}})
    before = post(client, line).get_json()
    assert post(client, line).headers["X-CCTNS-Cache"] == "hit"
    review_flag(eng, flag_id, "dismissed", "checked with the SCRB: the figure is right", Scope.national("ncrb"),
                actor="ncrb")
    after = post(client, line)
    assert "X-CCTNS-Cache" not in after.headers
    assert json.dumps(before) != json.dumps(after.get_json())


def test_no_cached_callback_reads_its_trigger(cached_app):
    """changedPropIds is not in the key, so a cached callback must not depend on it."""
    app, _, _ = cached_app
    from dashboard.web import cached_outputs

    for output, policy in cached_outputs(app.server).items():
        fn = app.callback_map[output]["callback"]
        source = inspect.getsource(inspect.unwrap(fn))
        assert policy.trigger or "triggered" not in source, output


def test_the_warm_up_answers_what_a_page_asks_first(cached_app, monkeypatch):
    """After the warm-up, opening the national, a State and a district page is warm for each scope class."""
    import dashboard.web.response_cache as response_cache
    from dashboard.read import generation

    # answers are keyed by the day (IST): one day for the whole test, or a run across midnight IST
    # (18:30 UTC) would warm one day and ask on the next
    monkeypatch.setattr(response_cache, "local_day", lambda: "2026-12-04")
    from dashboard.store.db import get_engine
    from dashboard.web import warm
    from dashboard.web.warmup import pages_to_warm

    app, users, url = cached_app
    own = karnal(url)
    pages = [p for p in pages_to_warm(app) if p.kind in ("national", "state") or (p.kind == "district" and p.code == own)]
    report = warm(app, generation(get_engine(url)), budget_s=600, pages=pages)
    assert report.answers > 0 and not report.failed and not report.stopped
    national = sign_in(app, "ncrb", users["ncrb"])
    state = sign_in(app, "haryana", users["haryana"])
    sp = sign_in(app, "karnal-sp", users["karnal-sp"])
    latest = read.latest_month(get_engine(url))
    for client in (national, state):
        for month in (None, latest):  # from the address bar and from a link: the answer computed once
            assert post(client, state_detail(app, "HR", month)).headers["X-CCTNS-Cache"] == "hit"
    for client in (national, state, sp):
        assert post(client, district_stations(app, karnal(url))).headers["X-CCTNS-Cache"] == "hit"
    page = body(app, "national-table.rowData", {"national-query.data": page_query("national")})
    assert post(national, page).headers["X-CCTNS-Cache"] == "hit"
    for path in ("/state/HR", f"/district/{own}"):  # the shell's callbacks that answer from the address
        shell = body(app, "shell-breadcrumb.children", {"url.pathname": path, "_pages_location.search": ""})
        assert post(sp if "district" in path else state, shell).headers["X-CCTNS-Cache"] == "hit"
    again = warm(app, generation(get_engine(url)), budget_s=600, pages=pages)
    assert again.answers == 0 and again.already == report.answers + report.already  # nothing answered twice


def test_the_warm_up_orders_pages_as_a_review_week_opens_them(cached_app):
    """National, then every State, then the districts of the largest States first, then police stations;
    each page at the latest month and also without one."""
    from dashboard.store.db import get_engine
    from dashboard.web.warmup import pages_to_warm

    app, _, url = cached_app
    eng = get_engine(url)
    latest = read.latest_month(eng)
    pages = list(pages_to_warm(app))
    kinds = [p.kind for p in pages]
    assert kinds[0] == "national" and kinds == sorted(kinds, key=["national", "state", "district", "station"].index)
    assert all(p.month == latest and p.also == (None,) for p in pages)
    size = dict(zip(*(read.states_table(eng, latest)[c] for c in ("state_code", "stations_active")), strict=True))
    district_states = [p.scope.state_code for p in pages if p.kind == "district" and p.scope.role == "state"]
    assert [size[s] for s in district_states] == sorted((size[s] for s in district_states), reverse=True)
    for kind, classes in (("state", {"national", "state"}), ("district", {"national", "state", "district"})):
        assert {p.scope.role for p in pages if p.kind == kind} == classes


def test_the_warm_up_waits_for_requests_in_flight(cached_app):
    """The gate counts this process's requests: the warm-up's waits end only once none is in flight."""
    from dashboard.web.request_gate import GATE

    app, users, _ = cached_app
    gate = app.server.extensions[GATE]
    seen = []
    app.server.add_url_rule("/_gate_probe", "gate_probe", lambda: str(seen.append(gate.wait_idle(0))))
    assert gate.wait_idle(0)
    app.server.test_client().get("/_gate_probe")  # turned away by the guard: counted in and out all the same
    assert gate.wait_idle(0)
    sign_in(app, "ncrb", users["ncrb"]).get("/_gate_probe")
    assert seen == [False]  # busy while the request ran
    assert gate.wait_idle(0)  # idle again after it


def test_the_warm_up_is_bounded_and_cancellable(cached_app):
    from dashboard.read import generation
    from dashboard.store.db import get_engine
    from dashboard.web import warm

    app, _, url = cached_app
    assert warm(app, generation(get_engine(url)), budget_s=0).stopped == "budget"
    assert warm(app, generation(get_engine(url)), budget_s=600, cancelled=lambda: True).stopped == "cancelled"


def _held(app, url: str, users: dict, release_after: float, answer: bool):
    """A first click (stored), its entry then removed and its lock taken as if another worker were computing
    it again; after `release_after` s that worker stores the same answer (`answer`) or nothing, and releases."""
    import threading
    import time

    from dashboard.web import response_cache

    client = sign_in(app, "ncrb", users["ncrb"])
    latest = body(app, "national-table.rowData", {"national-query.data": {"month": None}})
    keys: list[str] = []
    real_store = response_cache.store_answer

    def store(server, key, raw):
        keys.append(key)
        return real_store(server, key, raw)

    response_cache.store_answer = store
    try:
        first = post(client, latest)
    finally:
        response_cache.store_answer = real_store
    (key,) = keys
    server = app.server
    with server.app_context():
        backend = response_cache._backend(server)
        backend.delete(key)
        assert backend.add(key + response_cache.LOCK_SUFFIX, 1, timeout=60)

    def other_worker() -> None:
        time.sleep(release_after)
        with server.app_context():
            if answer:
                real_store(server, key, first.get_data())
            backend.delete(key + response_cache.LOCK_SUFFIX)

    thread = threading.Thread(target=other_worker)
    thread.start()
    return client, latest, first, thread, key


def test_a_cold_answer_being_computed_elsewhere_is_waited_for(cached_app):
    """Two people asking for the same cold answer at once: the second waits for the first's (any worker,
    any app server: the lock is in the shared cache) instead of computing it again."""
    from dashboard.web import response_cache_stats

    app, users, url = cached_app
    client, latest, first, thread, _ = _held(app, url, users, release_after=0.3, answer=True)
    before = response_cache_stats(app.server)
    second = post(client, latest)
    thread.join()
    assert second.headers["X-CCTNS-Cache"] == "hit" and second.get_json() == first.get_json()
    after = response_cache_stats(app.server)
    # the other worker's store only: this request computed nothing
    assert (after["hits"], after["misses"], after["stored"]) == (before["hits"] + 1, before["misses"], before["stored"] + 1)


def test_a_lock_released_without_an_answer_is_computed_here(cached_app):
    """The one computing stored nothing (its answer was refused, audited or failed): the waiter answers it
    itself, stores it and releases its own lock."""
    from dashboard.web import response_cache, response_cache_stats

    app, users, url = cached_app
    client, latest, first, thread, key = _held(app, url, users, release_after=0.3, answer=False)
    before = response_cache_stats(app.server)
    second = post(client, latest)
    thread.join()
    assert "X-CCTNS-Cache" not in second.headers and second.get_json() == first.get_json()
    assert response_cache_stats(app.server)["stored"] == before["stored"] + 1
    assert post(client, latest).headers["X-CCTNS-Cache"] == "hit"
    with app.server.app_context():
        assert not response_cache._backend(app.server).has(key + response_cache.LOCK_SUFFIX)
