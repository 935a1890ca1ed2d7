"""metrics.methodology: the loader rejects bad files with clear messages; the default catalogue loads."""

from __future__ import annotations

import pytest

from metrics.methodology import (
    MethodologyError,
    days_in_month,
    default_methodology,
    is_month,
    load_methodology,
    month_range,
    next_month,
    parse_methodology,
    previous_month,
)

VERSION = """
[[version]]
id = "{vid}"
title = "t"
effective_from = "{eff}"
lagging_score_below = 90
critical_achievement_below = 0.8
"""
PARAM = """
  [[version.parameter]]
  id = "{pid}"
  name = "n"
  head = "h"
  level = "{level}"
  kind = "{kind}"
  weight = {weight}
  target = {target}
"""


def toml(*versions) -> str:
    """versions: (vid, eff, [param dicts])."""
    out = []
    for vid, eff, params in versions:
        out.append(VERSION.format(vid=vid, eff=eff))
        for p in params:
            out.append(PARAM.format(**{"level": "station", "kind": "count", "weight": 1, "target": 100, **p}))
    return "".join(out)


def problems(text: str) -> list[str]:
    with pytest.raises(MethodologyError) as info:
        parse_methodology(text, "test.toml")
    assert str(info.value).startswith("test.toml: ")
    return info.value.problems


def test_default_catalogue_loads():
    m = default_methodology()
    assert [v.id for v in m.versions] == ["pragati-2021", "pragati-2025"]
    assert m.first_month == "2021-01"
    assert sum(1 for _ in m.versions[0].parameters) == 26 and len(m.versions[1].parameters) == 15
    assert m.version("pragati-2025").parameter("fingerprints_nafis").target == 95


def test_a_good_file_parses_and_versions_are_sorted():
    m = parse_methodology(toml(("b", "2022-01", [{"pid": "x"}]), ("a", "2020-01", [{"pid": "x", "weight": 0.5}])))
    assert [v.id for v in m.versions] == ["a", "b"]
    assert m.version_for("2021-06").id == "a" and m.version_for("2022-01").id == "b"
    assert m.version_for("2019-12") is None


def test_duplicate_parameter_id():
    msg = problems(toml(("v", "2020-01", [{"pid": "x"}, {"pid": "x"}])))
    assert any("duplicate parameter id 'x'" in p for p in msg)


def test_duplicate_version_id():
    msg = problems(toml(("v", "2020-01", [{"pid": "x"}]), ("v", "2021-01", [{"pid": "x"}])))
    assert any("duplicate version id 'v'" in p for p in msg)


@pytest.mark.parametrize("weight", [0, -1])
def test_weight_must_be_positive(weight):
    msg = problems(toml(("v", "2020-01", [{"pid": "x", "weight": weight}])))
    assert any("weight must be > 0" in p and "(x)" in p for p in msg)


def test_weight_must_be_a_number():
    msg = problems(toml(("v", "2020-01", [{"pid": "x", "weight": '"heavy"'}])))
    assert any("weight is not a number" in p for p in msg)


def test_unknown_kind():
    msg = problems(toml(("v", "2020-01", [{"pid": "x", "kind": "ratio"}])))
    assert any("unknown kind 'ratio'" in p and "count, days, flag" in p for p in msg)


def test_unknown_level():
    msg = problems(toml(("v", "2020-01", [{"pid": "x", "level": "district"}])))
    assert any("unknown level 'district'" in p and "station, state" in p for p in msg)


def test_state_level_parameters_are_counts():
    msg = problems(toml(("v", "2020-01", [{"pid": "x", "level": "state", "kind": "days"}])))
    assert any("state-level parameter must be of kind 'count'" in p for p in msg)


@pytest.mark.parametrize("target", [0, -5, 100.5, 250])
def test_target_outside_0_100(target):
    msg = problems(toml(("v", "2020-01", [{"pid": "x", "target": target}])))
    assert any("target must be in (0, 100]" in p for p in msg)


@pytest.mark.parametrize("target", [100, 0.01, 97.5])
def test_target_inside_0_100(target):
    v = parse_methodology(toml(("v", "2020-01", [{"pid": "x", "target": target}]))).versions[0]
    assert 0 < v.parameters[0].target <= 100


def test_two_versions_with_the_same_effective_from():
    msg = problems(toml(("a", "2020-01", [{"pid": "x"}]), ("b", "2020-01", [{"pid": "x"}])))
    assert any("effective_from 2020-01 is also used by version 'a'" in p for p in msg)


def test_missing_parameter_fields():
    text = VERSION.format(vid="v", eff="2020-01") + '\n  [[version.parameter]]\n  id = "x"\n  name = "n"\n'
    msg = problems(text)
    assert any("missing field(s) head, level, kind, weight, target" in p for p in msg)


def test_missing_version_fields():
    text = '[[version]]\nid = "v"\ntitle = "t"\n  [[version.parameter]]\n  id = "x"\n'
    msg = problems(text)
    assert any("missing field(s) effective_from, lagging_score_below, critical_achievement_below" in p for p in msg)


def test_bad_effective_from_and_thresholds():
    assert any("effective_from must be YYYY-MM" in p for p in problems(toml(("v", "2020-13", [{"pid": "x"}]))))
    text = toml(("v", "2020-01", [{"pid": "x"}])).replace("critical_achievement_below = 0.8", "critical_achievement_below = 2")
    assert any("critical_achievement_below must be in [0, 1]" in p for p in problems(text))
    text = toml(("v", "2020-01", [{"pid": "x"}])).replace("lagging_score_below = 90", "lagging_score_below = 101")
    assert any("lagging_score_below must be in [0, 100]" in p for p in problems(text))


def test_critical_must_be_boolean():
    text = toml(("v", "2020-01", [{"pid": "x"}])) + '  critical = "yes"\n'
    assert any("critical must be true or false" in p for p in problems(text))


def test_every_problem_is_reported_together():
    msg = problems(toml(("v", "2020-01", [{"pid": "x", "weight": 0}, {"pid": "y", "kind": "ratio", "target": 0}])))
    assert len(msg) == 3


def test_no_versions_no_parameters_not_toml():
    assert problems("") == ["no [[version]] tables"]
    assert any("has no parameters" in p for p in problems(VERSION.format(vid="v", eff="2020-01")))
    assert problems("[[version]\nid=")[0].startswith("not valid TOML")


def test_load_methodology_from_a_path(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(toml(("v", "2020-01", [{"pid": "x"}])), encoding="utf-8")
    assert load_methodology(path).versions[0].id == "v"
    with pytest.raises(MethodologyError, match="cannot read file"):
        load_methodology(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(toml(("v", "2020-01", [{"pid": "x", "weight": -2}])), encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"bad\.toml: .*weight must be > 0"):
        load_methodology(bad)


def test_month_helpers():
    assert is_month("2025-01") and not is_month("2025-1") and not is_month("2025-13") and not is_month(202501)
    assert days_in_month("2024-02") == 29 and days_in_month("2023-02") == 28 and days_in_month("2023-12") == 31
    assert previous_month("2025-01") == "2024-12" and next_month("2024-12") == "2025-01"
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
