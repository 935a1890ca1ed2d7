"""The import page's preview per scheme (issue 13), at the callback: an upload whose rows belong to several
schemes is shown scheme by scheme, each labelled, with its ranks, rows and warnings in words, in English and
Hindi; names from the file stay inert text."""

from __future__ import annotations

import json
from types import SimpleNamespace

from callbacks.imports import render
from dashboard.i18n import use_language
from dashboard.ingest import ChangePreview, MonthChange, SchemeChange, SchemeWarning, UnitChange
from dashboard.web.operations import Checked

HOSTILE = "<img src=x onerror=alert(1)>"


def _preview() -> ChangePreview:
    def state(code: str, name: str, before: int, after: int, rb: int, ra: int) -> UnitChange:
        return UnitChange("state", code, name, code, None, before, after, rb, ra)

    cctns = SchemeChange("cctns", "CCTNS Pragati", "CCTNS प्रगति", "CCTNS", 0, 2, [MonthChange(
        "2025-03", 0, 2, [state("YY", "Whyland", 6000, 3000, 1, 2), state("XX", HOSTILE, 5400, 4800, 2, 1)],
        [], [], [])],
        [SchemeWarning("published", "2025-03", "XX", HOSTILE, published=5400, computed=4800),
         SchemeWarning("not_reported", "2025-03", "XX", HOSTILE, count=1, total=2)])
    itsso = SchemeChange("itsso", "ITSSO (sexual offences investigated within 60 days)", "", "ITSSO", 0, 1,
                         [MonthChange("2025-03", 0, 1, [state("XX", HOSTILE, 5484, 10000, 2, 1)], [], [], [])])
    return ChangePreview("import", "g1", 0, 3, ["2025-03"], schemes=[cctns, itsso])


def _shown(language: str = "en") -> str:
    with use_language(language):
        out = render(Checked("preview", preview=_preview(), token="t0k"), SimpleNamespace(state_code="XX"))
    assert out[1] == "t0k" and out[2] is False  # Import is offered
    return json.dumps(out[0].to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def test_each_scheme_is_shown_labelled_with_its_ranks_and_warnings():
    text = _shown()
    assert text.index('"data-scheme": "cctns"') < text.index('"data-scheme": "itsso"')
    assert '"data-scheme": "icjs"' not in text  # only the schemes in the file
    assert "The files hold rows of 2 ranking schemes: CCTNS, ITSSO" in text
    assert "All-India rank (CCTNS)" in text and "All-India rank (ITSSO)" in text
    assert "0 rows of CCTNS added, 2 replaced" in text and "0 rows of ITSSO added, 1 replaced" in text
    assert "2 warnings in CCTNS" in text and "warnings in ITSSO" not in text
    assert "NCRB published 54.00; after this import our data gives 48.00: \u22126.00" in text
    assert "1 of 2 active police station has no row of this scheme" in text
    assert "54.84" in text and "100.00" in text
    # a name from a file is a string in the component tree, never markup
    assert HOSTILE in text and "dangerously_allow_html" not in text


def test_the_preview_per_scheme_in_hindi():
    text = _shown("hi")
    assert "CCTNS प्रगति" in text  # the scheme's Hindi name from its methodology
    assert "अखिल भारतीय रैंक (CCTNS)" in text
    assert "All-India rank" not in text and "warnings in" not in text and "NCRB published" not in text
