"""The page query cleaners are total (issue 9, finding 8a): any JSON in, {key: str | None} out."""

from __future__ import annotations

import pytest

from callbacks.common import MAX_QUERY_VALUE, query_strings

KEYS = ("month", "state_code", "district_code")


@pytest.mark.parametrize("raw", [None, [], ["HR"], "HR", 12, 1.5, True, {"x": 1}])
def test_anything_but_a_dict_is_an_empty_query(raw):
    assert query_strings(raw, KEYS) == dict.fromkeys(KEYS)


@pytest.mark.parametrize("bad", [["HR-KNL"], {"code": "HR-KNL"}, 7, 7.5, False, None, "", "A" * (MAX_QUERY_VALUE + 1)])
def test_a_value_that_is_not_a_short_string_is_no_value(bad):
    q = query_strings({"month": "2025-06", "district_code": bad, "other": "kept out"}, KEYS)
    assert q == {"month": "2025-06", "state_code": None, "district_code": None}


def test_strings_pass_through_for_the_page_to_check():
    q = query_strings({"month": "2025-06", "state_code": "HR", "district_code": "HR-KNL"}, KEYS)
    assert q == {"month": "2025-06", "state_code": "HR", "district_code": "HR-KNL"}


def test_a_list_for_a_district_code_shows_the_not_found_state(national_client, dash_call):
    """A crafted store with a list where the district code belongs: the page's "not found" state, 200."""
    outputs = [("district-title", "children"), ("district-subtitle", "children"), ("district-actions", "children"),
               ("district-notice", "children"), ("district-kpis", "children"), ("district-lagging", "children"),
               ("district-movers", "children")]
    out = dash_call(national_client, outputs,
                    [("district-query", "data", {"month": "2025-06", "district_code": ["HR-KNL"]})],
                    state=[("shell-theme", "data", "light")])
    assert out["district-title"]["children"] == "District"
    assert "HR-KNL" not in str(out) and "Karnal" not in str(out)
    assert out["district-notice"]["children"]  # the unknown-unit message
