"""The loop on SQLite and PostgreSQL: two people saving the same action at the same moment (exactly one
wins, the other is told who changed it), and the judgement written inside the import's transaction."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine

from dashboard import actions
from dashboard.actions import ActionConflict, NewAction
from dashboard.scope import Scope

HARYANA = Scope("state", "HR", None, "haryana")


def test_concurrent_saves_and_judgement_on_import(any_db_url, held_back):
    from dashboard.ingest import import_files
    from dashboard.store.schema import store_schemes, upgrade
    from dashboard.web.users import create_demo_users
    from metrics.methodology import shipped_schemes

    engine = create_engine(any_db_url)
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    import_files(engine, held_back.master, user="test")
    csv = held_back.folder / "csv"
    import_files(engine, sorted(csv.glob(f"*_{held_back.basis_month}.csv")), user="test")
    create_demo_users(engine)
    (i,) = actions.create_actions(engine, HARYANA, [NewAction("station", "HR-KNL-001", "fir_in_cctns",
                                                              "Register the pending FIRs", "sp")])

    barrier = threading.Barrier(2)
    results: list[object] = []

    def save(text: str, actor: str) -> None:
        barrier.wait()
        try:
            results.append(actions.update_action(engine, HARYANA, i, 1, text=text, actor=actor)["text"])
        except ActionConflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=save, args=(f"Version of {who}", who)) for who in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    saved = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, ActionConflict)]
    assert len(saved) == 1 and len(refused) == 1
    assert refused[0].latest["text"] == saved[0]
    assert actions.get_action(engine, HARYANA, i)["version"] == 2

    import_files(engine, held_back.last_files, user="test")
    a = actions.get_action(engine, HARYANA, i)
    assert a["outcome"] in ("met", "partly_met", "not_met", "no_data", "not_applicable")
    assert a["outcome_month"] == held_back.last_month
    engine.dispose()
