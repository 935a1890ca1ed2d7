"""Text made safe for where the product writes it: spreadsheet cells (CSV, XLSX) and plotly figures.

Names of States, districts and police stations, parameter names and codes come from imports and the
methodology file, so they are data, not markup and not formulas (issue 9):

* `inert_spreadsheet_text`: a cell that Excel or LibreOffice would run as a formula is written as text
  (OWASP "CSV injection": a leading `'`).
* `strip_control_characters`: control characters removed (XML 1.0 cannot hold most of them, so openpyxl
  refuses the whole workbook; in a CSV they reach terminals and other tools).
* `plotly_text`: plotly renders a subset of HTML (`<a href>`, `<b>`, `<br>`, ...) in every text it draws;
  escaped text is drawn as the original characters (control characters removed: they break the SVG).

Pure and stdlib only; each function is one pass over the string (called per cell and per label).
"""

from __future__ import annotations

import re
from typing import Any

# OWASP CSV injection: a cell starting with one of these is read as a formula (tab and CR: some tools
# strip them and read what follows). The full-width forms are folded to ASCII by some spreadsheet locales.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# a plain signed decimal number cannot be a formula; scores and changes are written as such text ("-0.35")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_LEADING_BLANKS = " \n\u00a0"

# C0 controls but tab, LF and CR (legal in XML and in a quoted CSV cell), DEL, C1 controls, lone surrogates
# and the XML non-characters U+FFFE / U+FFFF: a superset of openpyxl's ILLEGAL_CHARACTERS_RE.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# plotly.js (svg_text_utils.convertToTspans) splits text on tags, then decodes entities in the text between
# them (&amp; &lt; &gt; and numeric ones), so these entities show as the original characters.
_PLOTLY_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# inside a hovertemplate or texttemplate `%{...}` is a placeholder: a literal `%` is written as an entity
_TEMPLATE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "%": "&#37;"})


def strip_control_characters(text: str) -> str:
    """`text` without control characters (tab, LF and CR are kept)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula (leading blanks ignored); plain numbers
    such as "-2.5" or "+0.35" are numbers, not formulas."""
    head = text.lstrip(_LEADING_BLANKS)
    return head.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def inert_spreadsheet_text(value: Any) -> Any:
    """A cell value for a CSV: strings without control characters and, when they start like a formula,
    prefixed with `'` so spreadsheets show them as text. Non-strings (numbers, dates, None) unchanged."""
    if not isinstance(value, str):
        return value
    text = strip_control_characters(value)
    return "'" + text if starts_like_formula(text) else text


def plotly_text(value: Any) -> str:
    """`value` as text plotly draws literally (no tags, no links) and without control characters (an SVG
    with one is not XML: kaleido fails on the pack's chart images); None becomes ""."""
    if value is None:
        return ""
    return strip_control_characters(str(value)).translate(_PLOTLY_ESCAPES)


def plotly_template_literal(value: Any) -> str:
    """`value` as literal text inside a hovertemplate / texttemplate we write (escaped as `plotly_text`, and
    `%` written as an entity so a name cannot open a `%{...}` placeholder)."""
    if value is None:
        return ""
    return strip_control_characters(str(value)).translate(_TEMPLATE_ESCAPES)


__all__ = ["FORMULA_TRIGGERS", "inert_spreadsheet_text", "plotly_template_literal", "plotly_text",
           "starts_like_formula", "strip_control_characters"]
