"""dashboard.safe_text: spreadsheet cells never start like a formula, control characters go, plotly text has
no markup (issue 9, findings 2, 4 and 5)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dashboard.safe_text import (
    FORMULA_TRIGGERS,
    inert_spreadsheet_text,
    plotly_template_literal,
    plotly_text,
    starts_like_formula,
    strip_control_characters,
)

HOSTILE = ['=HYPERLINK("http://evil.example/?x=1","click me")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3",
           "\t=1+1", "\r=1+1", " =1+1", "\uff1d1+1"]


def _plotly_decode(text: str) -> str:
    """What plotly.js draws for a text without tags: svg_text_utils.convertEntities."""
    named = {"amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0", "mu": "\u03bc", "times": "\xd7", "plusmn": "\xb1",
             "deg": "\xb0"}

    def one(m: re.Match) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return named.get(ref, m.group(0))

    return re.sub(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);", one, text)


@pytest.mark.parametrize("name", HOSTILE)
def test_formula_like_names_are_prefixed(name):
    out = inert_spreadsheet_text(name)
    assert out.startswith("'") and out[1:] == name


@pytest.mark.parametrize("number", ["98.69", "-0.35", "+0.35", "0", "-2", "100.00"])
def test_plain_numbers_as_text_are_unchanged(number):
    assert inert_spreadsheet_text(number) == number


@pytest.mark.parametrize("value", [1, -2.5, None, True, 0.0])
def test_non_text_values_are_unchanged(value):
    assert inert_spreadsheet_text(value) is value


def test_ordinary_names_are_unchanged():
    for name in ("Imphal East", "Women PS Ukhrul", "Kotwali (Sadar)", "O'Brien Road", "A-1 Colony", "₹ 5"):
        assert inert_spreadsheet_text(name) == name


def test_control_characters_are_removed():
    assert strip_control_characters("Esc\x1bStation") == "EscStation"
    assert strip_control_characters("a\x00b\x7fc\x85d\ud800e\uffff") == "abcde"
    assert strip_control_characters("line\nnext\tcell\r") == "line\nnext\tcell\r"  # legal in XML and CSV
    assert inert_spreadsheet_text("\x1b=1+1") == "'=1+1"


@given(st.text())
def test_inert_text_never_starts_like_a_formula(text):
    out = inert_spreadsheet_text(text)
    assert out.startswith("'") or not out.lstrip(" \n\xa0").startswith(FORMULA_TRIGGERS) \
        or re.fullmatch(r"[+-]?\d+(\.\d+)?", out)
    assert not ILLEGAL_CHARACTERS_RE.search(out)
    assert not starts_like_formula(out)


@given(st.text())
def test_inert_text_keeps_the_text(text):
    out = inert_spreadsheet_text(text)
    assert out.removeprefix("'") == strip_control_characters(text) or out == strip_control_characters(text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_stay_numbers(number):
    assert inert_spreadsheet_text(number) == number
    assert inert_spreadsheet_text(str(number)) in (str(number), "'" + str(number))  # "1e+20" is not plain


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2))
def test_decimal_text_is_unchanged(number):
    text = f"{number:f}"
    assert inert_spreadsheet_text(text) == text


@given(st.text())
def test_plotly_text_has_no_markup_and_draws_the_original(text):
    out = plotly_text(text)
    assert "<" not in out and ">" not in out
    assert not ILLEGAL_CHARACTERS_RE.search(out)
    assert _plotly_decode(out) == strip_control_characters(text)


@given(st.text())
def test_template_literal_has_no_placeholder_and_draws_the_original(text):
    out = plotly_template_literal(text)
    assert "<" not in out and "%{" not in out and "%" not in out
    assert _plotly_decode(out) == strip_control_characters(text)


def test_plotly_text_of_a_link():
    link = '<a href="http://evil.example/phish">httplink</a>'
    assert plotly_text(link) == '&lt;a href="http://evil.example/phish"&gt;httplink&lt;/a&gt;'
    assert plotly_text("A & B &amp; <br>") == "A &amp; B &amp;amp; &lt;br&gt;"
    assert plotly_text(None) == "" and plotly_text(12) == "12"
    assert plotly_text("Esc\x1bStation") == "EscStation"
