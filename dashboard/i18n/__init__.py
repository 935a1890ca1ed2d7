"""The languages of the dashboard: English and हिन्दी, with gettext catalogs (Babel).

Every layer that writes words a person reads (layouts, callbacks, `display`, reports, digests, web pages)
translates them here:

* `_("Lagging stations")` / `gettext` and `ngettext("{n} month", "{n} months", n)` translate into the
  language of the current request (or of the `use_language` block: packs, digests, the CLI).
* `N_("...")` only marks a string for extraction (module-level tables such as column headers): translate it
  where it is shown, with `_(value)`.
* `current_language()`: "en" or "hi". The web room sets it for each request (`set_language`); anything
  running outside a request gets `DEFAULT_LANGUAGE` unless it asks for another with `use_language`.

Catalogs: `dashboard/i18n/locale/<lang>/LC_MESSAGES/messages.po`, compiled to `.mo` by `scripts/setup.sh`
(`scripts/i18n.sh compile`); a missing or stale `.mo` is compiled from its `.po` in memory, so a fresh clone
works before setup has run. Extraction needs nothing of the app: `scripts/i18n.sh extract` (pybabel with
`babel.cfg`). A pure leaf: no Flask, no Dash, no I/O beyond reading the catalogs once per process.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from io import BytesIO
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
# code -> the language's own name (what the switch and the profile page show)
LANGUAGES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}
# code -> Babel locale of numbers and dates (Indian English: lakh grouping, day-month-year)
BABEL_LOCALES: dict[str, str] = {"en": "en_IN", "hi": "hi_IN"}
COOKIE_NAME = "cctns_lang"
QUERY_PARAMETER = "lang"

_language: ContextVar[str] = ContextVar("cctns_language", default=DEFAULT_LANGUAGE)


def clean_language(value: object) -> str | None:
    """A supported language code from untrusted text ("hi", "HI", "hi-IN" -> "hi"); None otherwise."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0][:8]
    return code if code in LANGUAGES else None


def current_language() -> str:
    return _language.get()


def babel_locale(language: str | None = None) -> str:
    return BABEL_LOCALES.get(language or current_language(), BABEL_LOCALES[DEFAULT_LANGUAGE])


def set_language(language: str | None) -> Token[str]:
    """Make `language` current for this request/context; returns the token for `reset_language`."""
    return _language.set(clean_language(language) or DEFAULT_LANGUAGE)


def reset_language(token: Token[str]) -> None:
    _language.reset(token)


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Within the block, write in `language` (packs, digests, the CLI's `--lang`)."""
    token = set_language(language)
    try:
        yield current_language()
    finally:
        _language.reset(token)


def catalog_path(language: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of `language` (English is the source language: no catalog)."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return _gettext.NullTranslations()
    po, mo = catalog_path(language), catalog_path(language, ".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if not po.exists():
        return _gettext.NullTranslations()
    return _gettext.GNUTranslations(BytesIO(compile_po(po)))


def compile_po(po: Path) -> bytes:
    """The `.mo` bytes of a `.po` file (as `pybabel compile` writes them, fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh)
    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def gettext(message: str) -> str:
    """`message` in the current language (itself when the catalog lacks it)."""
    if not message:
        return message
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for the count `n` in the current language."""
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in a context (the same English word with two meanings: "Data" the page, "data" values)."""
    return translations(current_language()).pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction only"
    """Marks `message` for extraction without translating it (module-level tables); `_()` it where shown."""
    return message


_ = gettext


class Translated(Mapping[str, str]):
    """A module-level table of English texts (each marked with `N_`) that reads in the current language:
    `WORDS["met"]`, `.get()`, `.items()` and `.values()` translate at the moment they are read, so the table
    can be built at import time and still follow each request's language. `.english` is the source."""

    def __init__(self, texts: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        self.english: dict[str, str] = dict(texts)

    def __getitem__(self, key: str) -> str:
        return gettext(self.english[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.english)

    def __len__(self) -> int:
        return len(self.english)

    def __repr__(self) -> str:
        return f"Translated({self.english!r})"


def in_catalog(text: str, language: str = "hi") -> bool:
    """Whether `text` is a translated message of `language`'s catalog (the browser test's check)."""
    return text in catalog_texts(language)


@cache
def catalog_texts(language: str) -> frozenset[str]:
    """Every translated text of `language`'s catalog (msgstr values, plural forms included)."""
    po = catalog_path(language)
    if not po.exists():
        return frozenset()
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh)
    out: set[str] = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        out.update(s for s in strings if s)
    return frozenset(out)


__all__ = [
    "BABEL_LOCALES", "COOKIE_NAME", "Translated", "DEFAULT_LANGUAGE", "LANGUAGES", "LOCALE_DIR", "N_", "QUERY_PARAMETER", "_",
    "babel_locale", "catalog_path", "catalog_texts", "clean_language", "compile_po", "current_language",
    "gettext", "in_catalog", "ngettext", "pgettext", "reset_language", "set_language", "translations",
    "use_language",
]
