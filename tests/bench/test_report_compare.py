"""The benchmark's report and its before/after comparison, on hand-made runs."""

from __future__ import annotations

from bench.compare import compare
from bench.report import verdicts


def _cb(name: str, cold: float, cold_cpu: float | None, warm: float, kb: float) -> dict:
    return {"callback": name, "status": "ok", "inputs": 3,
            "cold": {"p50_ms": cold, "p95_ms": cold}, "warm": {"p50_ms": warm, "p95_ms": warm},
            "cold_cpu": {"p50_ms": cold_cpu, "p95_ms": cold_cpu} if cold_cpu is not None else None,
            "warm_cpu": None, "max_bytes": kb * 1024, "max_wire_bytes": kb * 256, "errors": 0}


def _run(name: str, callbacks: list[dict], month_s: float) -> dict:
    return {"run": name, "command": f"bench/run.sh {name}", "databases": {"sqlite": {
        "loadavg": {"before import": 0.5},
        "build": {"month_import": {"max_s": month_s, "max_cpu_s": month_s - 0.5, "max_recompute_s": 1.0},
                  "reimport_latest": {"seconds": 4.0, "cpu_s": 3.5}},
        "callbacks": {"floor": {"p50_ms": 1.5}, "callbacks": callbacks}}}}


def test_the_cold_cpu_verdict_names_the_worst_callback() -> None:
    run = _run("after", [_cb("a.children <- q.data", 30.0, 12.0, 2.0, 10), _cb("b.figure <- q.data", 25.0, 22.5, 3.0, 5)], 2.5)
    v = verdicts(run)["sqlite"]
    assert v["callback_p95_cold"].startswith("MISSED by 10 ms") and "a.children" in v["callback_p95_cold"]
    assert v["callback_p95_cold_cpu"].startswith("MISSED by 2.5 ms") and "b.figure" in v["callback_p95_cold_cpu"]
    assert v["callbacks_over_20ms_cold_cpu"] == "1 of 2"
    assert v["month_import_s"].startswith("met (2.5 s ≤ 3)")


def test_compare_pairs_callbacks_by_label_and_keeps_the_ones_only_one_run_has() -> None:
    before = _run("before", [_cb("a.children <- q.data", 92.5, None, 3.0, 49.5)], 11.2)
    after = _run("after", [_cb("a.children <- q.data", 18.0, 12.0, 2.5, 49.5), _cb("new.data <- q.data", 4.0, 3.0, 1.0, 1)], 2.8)
    md = compare(before, after)
    assert "| `a.children <- q.data` | 92.5 → 18.0 | – → 12.0 | 3.0 → 2.5 | – → – | 49.5 → 49.5 |" in md
    assert "| `new.data <- q.data` | – → 4.0 | – → 3.0 |" in md
    assert "| a month imported and rescored, max: wall (CPU) | 11.2 (10.7) | 2.8 (2.3) |" in md
