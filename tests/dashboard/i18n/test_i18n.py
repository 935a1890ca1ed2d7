"""The language machinery (dashboard.i18n) and the one formatting module (dashboard.display) in both
languages; the Hindi catalog covers every extracted string."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import display
from dashboard.i18n import (
    LANGUAGES,
    N_,
    Translated,
    catalog_path,
    clean_language,
    compile_po,
    current_language,
    gettext,
    ngettext,
    translations,
    use_language,
)

ROOT = Path(__file__).resolve().parents[3]


def extracted_messages() -> dict[str, str]:
    """Every string the code marks for translation (pybabel's own extraction with the repo's babel.cfg)."""
    from babel.messages.extract import extract_from_dir

    method_map, options_map = [], {}
    section = None
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            method, pattern = line[1:-1].split(":", 1)
            method_map.append((pattern.strip(), method.strip()))
            section = pattern.strip()
            options_map[section] = {}
    keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found: dict[str, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        if filename.startswith((".venv", "tests", "bench", "instance")):
            continue
        found[message[0] if isinstance(message, tuple) else message] = filename
    return found


def test_every_extracted_string_has_its_hindi():
    """A string a person reads that was marked but not translated fails here (and lists the strings)."""
    from babel.messages.pofile import read_po

    with catalog_path("hi").open("rb") as fh:
        po = read_po(fh)
    untranslated = []
    for message, filename in sorted(extracted_messages().items()):
        if not message:
            continue
        entry = po.get(message)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            (entry.string,) if entry is not None else ("",))
        if entry is None or entry.fuzzy or not all(strings):
            untranslated.append(f"{filename}: {message!r}")
    assert not untranslated, "not in the Hindi catalog:\n" + "\n".join(untranslated)


def test_hindi_keeps_every_placeholder():
    """A translation that drops or renames `{name}` / `%(n)s` would break the page at run time."""
    import re

    from babel.messages.pofile import read_po

    with catalog_path("hi").open("rb") as fh:
        po = read_po(fh)
    fields = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")
    for m in po:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            assert sorted(set(fields.findall(s))) == sorted(set(fields.findall(ids[-1]))), (m.id, s)


def test_gettext_follows_the_language_of_the_block():
    assert current_language() == "en"
    assert gettext("Lagging stations") == "Lagging stations"
    with use_language("hi"):
        assert current_language() == "hi"
        assert gettext("Lagging stations") == "पिछड़े थाने"
        assert gettext("a string nobody translated") == "a string nobody translated"
        assert ngettext("up {n} place", "up {n} places", 3).format(n=3) == "3 स्थान ऊपर"
    assert current_language() == "en"
    assert ngettext("up {n} place", "up {n} places", 1).format(n=1) == "up 1 place"


def test_translated_tables_read_in_the_current_language():
    table = Translated({"met": N_("Met"), "open": N_("Open")})
    assert dict(table) == {"met": "Met", "open": "Open"}
    with use_language("hi"):
        assert table["met"] == "पूरा हुआ"
        assert table.get("open") == "खुला"
        assert list(table.values()) == ["पूरा हुआ", "खुला"]
    assert table.english == {"met": "Met", "open": "Open"}


@pytest.mark.parametrize(("raw", "code"), [("hi", "hi"), ("HI", "hi"), ("hi-IN", "hi"), ("en_IN", "en"),
                                           ("fr", None), ("", None), (None, None), ("hi<script>", None), (5, None)])
def test_clean_language(raw, code):
    assert clean_language(raw) == code


def test_a_missing_mo_is_compiled_from_the_po():
    data = compile_po(catalog_path("hi"))
    assert data[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")  # the .mo magic number
    assert translations("hi").gettext("National") == "राष्ट्रीय"
    assert set(LANGUAGES) == {"en", "hi"}


# --- numbers and dates, one module for both languages ---------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_indian_grouping_and_latin_digits_in_both_languages(lang):
    with use_language(lang):
        assert display.format_indian(123456789) == "12,34,56,789"
        assert display.format_indian(-1234567) == "-12,34,567"
        assert display.format_indian(123456.785, 2) == "1,23,456.79"  # half up, not half even
        assert display.format_indian(Decimal("0.125"), 2) == "0.13"
        assert display.format_indian(-0.001, 2) == "0.00"
        assert display.format_indian(None) == "–"
        assert display.ratio_text(1234, 56789) == "1,234 / 56,789"


@settings(deadline=None)  # Babel's first call loads its locale data: slow on a loaded machine, not a fault
@given(st.integers(min_value=-10**15, max_value=10**15))
def test_whole_numbers_are_grouped_as_babel_groups_them(n):
    for lang, locale in (("en", "en_IN"), ("hi", "hi_IN")):
        with use_language(lang):
            assert display.format_indian(n) == format_decimal(n, locale=locale)
    assert display.format_indian(n).replace(",", "").lstrip("-").isascii()


def test_large_counts_in_lakh_and_crore_words():
    assert display.format_count(98765) == "98,765"
    assert display.format_count(1234567) == "12.35 lakh"
    assert display.format_count(123456789) == "12.35 crore"
    with use_language("hi"):
        assert display.format_count(1234567) == "12.35 लाख"
        assert display.format_count(123456789) == "12.35 करोड़"
        assert display.format_count(None) == "–"


def test_month_names_in_both_languages():
    assert display.month_label("2023-02") == "Feb 2023"
    assert display.month_long("2023-02") == "February 2023"
    with use_language("hi"):
        assert display.month_label("2023-02") == "फ़रवरी 2023"
        assert display.month_long("2023-10") == "अक्टूबर 2023"
        assert display.month_short("2023-12") == "दिसंबर 2023"
        assert display.month_label("not a month") == "not a month"


def test_times_are_shown_in_india_standard_time(monkeypatch):
    stored = datetime(2026, 11, 28, 14, 45)  # naive UTC, as the database keeps it
    assert display.format_timestamp(stored) == "28 Nov 2026, 20:15 IST"
    assert display.format_timestamp("2026-11-28T14:45:00+00:00") == "28 Nov 2026, 20:15 IST"
    assert display.format_timestamp(datetime(2026, 11, 28, 20, 0, tzinfo=UTC)) == "29 Nov 2026, 01:30 IST"
    with use_language("hi"):
        assert display.format_timestamp(stored) == "28 नवंबर 2026, 20:15 IST"
        assert display.format_date(date(2023, 2, 5)) == "5 फ़रवरी 2023"
    monkeypatch.setenv("CCTNS_TIMEZONE", "UTC")
    assert display.format_timestamp(stored) == "28 Nov 2026, 14:45 UTC"
    monkeypatch.setenv("CCTNS_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="CCTNS_TIMEZONE"):
        display.format_timestamp(stored)


def test_lagging_words_in_hindi():
    with use_language("hi"):
        reasons = display.lagging_reasons(True, True, "41.20", "50", [(None, "FIR पंजीकरण", 28, 40)], "50%")
        assert reasons[0] == "डेटा नहीं भेजा: इस माह का कोई डेटा प्राप्त नहीं हुआ"
        assert reasons[1] == "स्कोर 41.20, 50 से कम"
        assert reasons[2] == "गंभीर: FIR पंजीकरण — 40 में से 28 (70.0%)"
        assert display.rank_change_text(2)[2] == "2 स्थान ऊपर"
        assert display.score_display(None) == "डेटा नहीं"
        assert display.is_no_data("डेटा नहीं") and display.is_no_data("no data")
        assert display.outcome_words("partly_met") == "आंशिक रूप से पूरा"


# --- parameter names from the methodology TOML (`name_hi` beside `name`) ----------------------------------


def test_every_parameter_of_the_default_methodology_has_its_hindi_name():
    from metrics.methodology import default_methodology, missing_translations

    assert missing_translations(default_methodology(), "hi") == [], "parameters without name_hi (shown in English)"


def test_a_parameter_without_name_hi_falls_back_to_english_and_is_listed():
    from metrics.methodology import MethodologyError, missing_translations, parse_methodology

    toml = """
[[version]]
id = "v1"
title = "test"
effective_from = "2021-01"
lagging_score_below = 90
critical_achievement_below = 0.8
  [[version.parameter]]
  id = "a"
  name = "FIRs registered in CCTNS"
  name_hi = "CCTNS में दर्ज FIR"
  head = "CCTNS database"
  level = "station"
  kind = "count"
  weight = 1
  target = 100
  [[version.parameter]]
  id = "b"
  name = "New thing"
  head = "New head"
  head_hi = "नया शीर्ष"
  level = "station"
  kind = "count"
  weight = 1
  target = 100
"""
    m = parse_methodology(toml)
    a, b = m.versions[0].parameters
    assert missing_translations(m) == ["v1/b"]
    with use_language("hi"):
        assert display.parameter_text(a) == "CCTNS में दर्ज FIR"
        assert display.parameter_text(b) == "New thing"  # no name_hi: English
        assert display.parameter_text(b, "head") == "नया शीर्ष"
    assert display.parameter_text(a) == "FIRs registered in CCTNS"
    with pytest.raises(MethodologyError, match="name_hi must be non-empty text"):
        parse_methodology(toml.replace('name_hi = "CCTNS में दर्ज FIR"', 'name_hi = ""'))
