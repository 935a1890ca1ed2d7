"""The flags grid's answer stays under the response budget (issue 15: every answer ≤ 150 KB): rows are
kept in the table's order while their JSON fits, and the summary then says how many are listed."""

from __future__ import annotations

import orjson
import pandas as pd

from callbacks.foresight import MAX_ANSWER_BYTES, flag_rows


def _flags(n: int, reason: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": i, "rule": "denominator_drop", "level": "station", "unit_code": f"XX-D1-{i:03d}",
        "unit_name": f"Station {i}", "state_code": "XX", "state_name": "Exland", "district_code": "XX-D1",
        "district_name": "One", "parameter": "fir_in_cctns",
        "evidence": {"denominator_prev": 120, "denominator": 40, "denominator_change": -0.667,
                     "numerator_prev": 100, "numerator": 40},
        "status": "dismissed", "reason": reason, "decided_by": "haryana"} for i in range(n)])


def test_rows_stop_at_the_budget_in_order() -> None:
    table = _flags(40, "checked with the SHO: the register was re-opened " * 9)  # a long review reason
    everything = flag_rows(table, {}, budget=10**9)
    assert [r["id"] for r in everything] == list(range(40))
    kept = flag_rows(table, {}, budget=6_000)
    assert 0 < len(kept) < 40
    assert kept == everything[: len(kept)]  # the first ones, unchanged
    assert len(orjson.dumps(kept)) <= 6_000
    assert len(orjson.dumps(everything[: len(kept) + 1])) > 6_000  # one more would not fit


def test_the_default_budget_leaves_room_for_the_rest_of_the_answer() -> None:
    table = _flags(2_000, "गवाहों के बयान दोबारा दर्ज किए गए; रजिस्टर थाने में जाँचा गया " * 8)  # Hindi: 3 bytes a letter
    rows = flag_rows(table, {})
    assert len(orjson.dumps(rows)) <= MAX_ANSWER_BYTES < 150 * 1024 - 10_000
