"""How every number, score, rank, change, streak, month and date is written, and the one wording of the
lagging reasons and actions: used by the pages, the downloads, `cctns export`, the deck and the packs.

Pure (no I/O, no Dash): layouts, reports and the read API import it. Scores come as exact hundredths
(`score_centi`) and are never re-rounded from floats. A missing value is written `MISSING` ("–") on
pages and `no_data()` ("no data") in the published tables and downloads.

Numbers and dates follow the current language (`dashboard.i18n`) with Babel's `en_IN` / `hi_IN` data:
Latin digits in both languages, Indian grouping (1,23,45,678), lakh/crore words for large counts
(`format_count`), month names in Hindi ("फ़रवरी 2023"), times in `CCTNS_TIMEZONE` (India Standard Time).
Words go through the Hindi catalog like every other string.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from numbers import Integral

from dashboard.i18n import N_, Translated, babel_locale, current_language, ngettext
from dashboard.i18n import gettext as _
from metrics.analysis import PEER_GROUPS, PEER_UNKNOWN
from metrics.methodology import Parameter

MISSING = "–"
NO_DATA = N_("no data")  # English; `no_data()` in the current language


def no_data() -> str:
    """ "no data" in the current language (published tables and downloads)."""
    return _(NO_DATA)


def is_no_data(text: object) -> bool:
    """Whether `text` is the "no data" of any language (or the page's dash)."""
    from dashboard.i18n import LANGUAGES, translations

    return text == MISSING or any(text == translations(lang).gettext(NO_DATA) for lang in LANGUAGES)

# --- missing values and numbers ------------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA/NaT."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_indian(n: object, decimals: int = 0) -> str:
    """Indian digit grouping in the current language's Babel locale: 1234567 -> "12,34,567"; 123456.789 with
    decimals=2 -> "1,23,456.79" (Latin digits in Hindi too). Rounding is half-up on the decimal text of the
    number (Babel itself would round half-even); missing values give an en dash."""
    name = babel_locale()
    return _write_indian(n, decimals, name, _decimal_symbols(name))


def format_indian_many(values: Sequence[object], decimals: int = 0) -> list[str]:
    """`format_indian` of each value, the locale and its signs looked up once (a big district's heat-map
    writes thousands: each cell's numerator, denominator and marks lost; issue 15)."""
    name = babel_locale()
    symbols = _decimal_symbols(name)
    return [_write_indian(n, decimals, name, symbols) for n in values]


def _write_indian(n: object, decimals: int, name: str, symbols: tuple[str, str, str]) -> str:
    """`format_indian` in the locale `name`, whose group, minus and decimal signs are `symbols`."""
    group, minus, point = symbols
    if decimals == 0 and (type(n) is int or isinstance(n, Integral) and not isinstance(n, bool)):  # whole numbers
        return _indian_int(int(n), group, minus)
    if isinstance(n, float):  # Python's or numpy's: missing only as NaN, no pandas check needed
        if not math.isfinite(n):
            return MISSING
        # a count read as a float; below 2**53 its int is the exact decimal of its text
        if decimals == 0 and n.is_integer() and abs(n) < 2**53:
            return _indian_int(int(n), group, minus)
    elif is_missing(n):
        return MISSING
    d = Decimal(str(n))
    if not d.is_finite():
        return MISSING
    d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "-0.00"
    if decimals <= 0:
        return _number_pattern(decimals).apply(d, _locale(name))
    # what Babel's "#,##,##0.00" writes, without its per-call cost (a district heat-map's table writes
    # hundreds): the whole part grouped as `_indian_int` does, the locale's decimal sign, the quantized digits
    whole, _, fraction = f"{abs(d):f}".partition(".")
    text = _indian_int(int(whole), group, minus) + point + fraction
    return minus + text if d < 0 else text


def _indian_int(n: int, group: str, minus: str) -> str:
    """What Babel's "#,##,##0" pattern writes for a whole number, without its per-call cost (a heat-map
    writes thousands): the last three digits, then pairs, joined by the locale's group symbol."""
    digits = str(-n if n < 0 else n)
    if len(digits) > 3:
        head = digits[:-3]
        pairs = [head[max(i - 2, 0):i] for i in range(len(head), 0, -2)]
        digits = group.join([*reversed(pairs), digits[-3:]])
    return minus + digits if n < 0 else digits


@lru_cache(maxsize=4)
def _int_symbols(name: str) -> tuple[str, str]:
    """The group and minus signs Babel uses for Latin digits in the locale `name`."""
    from babel.numbers import get_group_symbol, get_minus_sign_symbol

    return get_group_symbol(name), get_minus_sign_symbol(name)


@lru_cache(maxsize=4)
def _decimal_symbols(name: str) -> tuple[str, str, str]:
    """The group, minus and decimal signs Babel uses for Latin digits in the locale `name`."""
    from babel.numbers import get_decimal_symbol

    return (*_int_symbols(name), get_decimal_symbol(name))


@lru_cache(maxsize=8)
def _number_pattern(decimals: int):  # -> babel.numbers.NumberPattern
    from babel.numbers import parse_pattern

    return parse_pattern("#,##,##0" + ("." + "0" * decimals if decimals else ""))


@lru_cache(maxsize=4)
def _locale(name: str):  # -> babel.Locale
    from babel import Locale

    return Locale.parse(name)


def _group_indian(whole: str) -> str:
    """Digits grouped the Indian way: "1234567" -> "12,34,567" (for text that is already digits)."""
    return format_indian(int(whole)) if whole.isdigit() else whole


LAKH, CRORE = 100_000, 10_000_000


def format_count(n: object) -> str:
    """A count for a headline: in full below a lakh ("98,765"), in lakh/crore words above ("12.35 lakh",
    "1.23 crore"; in Hindi "12.35 लाख", "1.23 करोड़"); the exact figure stays in the tables."""
    if is_missing(n):
        return MISSING
    value = int(n)  # type: ignore[arg-type]
    if abs(value) < LAKH:
        return format_indian(value)
    if abs(value) >= CRORE:
        return _("{n} crore").format(n=format_indian(Decimal(value) / CRORE, 2))
    return _("{n} lakh").format(n=format_indian(Decimal(value) / LAKH, 2))


def ratio_text(num: object, den: object) -> str:
    """ "38 / 40" with Indian grouping; "–" parts when missing."""
    return f"{format_indian(num)} / {format_indian(den)}"


def format_score(score: object, centi: object = None) -> str:
    """A score to the published 2 decimals. Prefer the exact published value `centi` (score x 100)."""
    if not is_missing(centi):
        c = int(centi)  # type: ignore[arg-type]
        sign = "-" if c < 0 else ""
        return f"{sign}{abs(c) // 100}.{abs(c) % 100:02d}"
    if is_missing(score):
        return "–"
    return str(Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def gap_to_100(centi: object) -> int | None:
    """Gap to a perfect 100, in hundredths, from the published score x 100."""
    return None if is_missing(centi) else 10000 - int(centi)  # type: ignore[arg-type]


def format_gap(centi: object) -> str:
    """ "0.57" for a published 99.43; "–" when unscored."""
    gap = gap_to_100(centi)
    return "–" if gap is None else format_score(None, gap)


def format_change_centi(change: object) -> str:
    """A score change in hundredths as signed text: 123 -> "+1.23", -5 -> "−0.05", 0 -> "0.00"."""
    if is_missing(change):
        return "–"
    c = int(change)  # type: ignore[arg-type]
    body = format_score(None, abs(c))
    return f"+{body}" if c > 0 else (f"−{body}" if c < 0 else body)


def score_display(centi: object) -> str:
    """The published score as it appears in tables and downloads: "98.69", or "no data" when unscored."""
    return no_data() if is_missing(centi) else format_score(None, centi)


def fmt3(x: object) -> str:
    """Marks at stake to 3 decimals ("–" when missing)."""
    return "–" if is_missing(x) else f"{float(x):.3f}"  # type: ignore[arg-type]


def pct(x: object) -> str:
    return "–" if is_missing(x) else f"{float(x):.2f}%"  # type: ignore[arg-type]


def as_int(v: object) -> int | None:
    return None if is_missing(v) else int(v)  # type: ignore[arg-type]


# --- ranks and streaks ---------------------------------------------------------------------------------


def format_rank(rank: object, shared: bool = False, style: str = "equals") -> str:
    """A competition rank; shared ranks read as shared: "=3" (style "equals") or "3 (shared)"."""
    if is_missing(rank):
        return "–"
    r = int(rank)  # type: ignore[arg-type]
    if not shared:
        return str(r)
    return f"={r}" if style == "equals" else _("{rank} (shared)").format(rank=r)


def shared_ranks(ranks: Sequence[object]) -> list[bool]:
    """For each rank in a list, whether another entry has the same rank (a tie)."""
    counts: dict[int, int] = {}
    for r in ranks:
        if not is_missing(r):
            counts[int(r)] = counts.get(int(r), 0) + 1  # type: ignore[arg-type]
    return [False if is_missing(r) else counts[int(r)] > 1 for r in ranks]  # type: ignore[arg-type]


def rank_change_text(change: object) -> tuple[str, str, str]:
    """(symbol text, tone, accessible words) for a rank change (previous - current; positive = up)."""
    if is_missing(change):
        return _("new"), "secondary", _("no rank last month")
    c = int(change)  # type: ignore[arg-type]
    if c > 0:
        return f"▲{c}", "success", ngettext("up {n} place", "up {n} places", c).format(n=c)
    if c < 0:
        return f"▼{-c}", "danger", ngettext("down {n} place", "down {n} places", -c).format(n=-c)
    return "–", "secondary", _("no change in rank")


def streak_text(at1: object, top5: object, where: str = "", *, short: bool = False) -> str:
    """Consecutive months at #1 and in the top 5: "6 months at #1 · 12 months in the top 5"; `short` for
    a narrow table column: "6 mo #1 · 12 mo top 5" ("–" when there is no streak)."""
    a, t = as_int(at1) or 0, as_int(top5) or 0
    parts = []
    if a:
        parts.append(_("{n} mo #1").format(n=a) + where if short
                     else ngettext("{n} month at #1", "{n} months at #1", a).format(n=a) + where)
    if t:
        parts.append(_("{n} mo top 5").format(n=t) if short
                     else ngettext("{n} month in the top 5", "{n} months in the top 5", t).format(n=t))
    return " · ".join(parts) or (MISSING if short else _("No current streak"))


# --- months and dates ----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _month_names(locale: str, width: str) -> tuple[str, ...]:
    from babel.dates import get_month_names

    names = get_month_names(width, context="stand-alone", locale=locale)
    return tuple(names[i] for i in range(1, 13))


def _month_name(month: str, width: str) -> str | None:
    """The name of the month of "YYYY-MM" (None when it is not one). Hindi always uses the full name
    ("फ़रवरी"): its abbreviations ("फ़र॰") are not what a reader expects."""
    try:
        number = int(month[5:7])
    except (ValueError, TypeError):
        return None
    if not 1 <= number <= 12:
        return None
    if current_language() != "en":
        width = "wide"
    return _month_names(babel_locale(), width)[number - 1]


def month_label(month: str | None) -> str:
    """ "2026-10" -> "Oct 2026" ("अक्टूबर 2026" in Hindi)."""
    if not month or len(month) != 7:
        return month or ""
    name = _month_name(month, "abbreviated")
    return f"{name} {month[:4]}" if name else month


def month_long(month: str) -> str:
    """ "2026-10" -> "October 2026" ("अक्टूबर 2026")."""
    name = _month_name(month, "wide") if isinstance(month, str) else None
    return f"{name} {month[:4]}" if name else str(month)


def month_short(month: str) -> str:
    """ "2026-10" -> "Oct 2026" ("अक्टूबर 2026")."""
    name = _month_name(month, "abbreviated") if isinstance(month, str) else None
    return f"{name} {month[:4]}" if name else str(month)


def to_display_time(value: object):  # -> datetime | None
    """A stored time (naive = UTC, or aware) in the display time zone (`CCTNS_TIMEZONE`); None if not one."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from dashboard.config import display_timezone

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(display_timezone()))


def local_today(now=None):  # (datetime | None) -> date
    """Today (or the day of `now`, an aware time) in the display time zone (`CCTNS_TIMEZONE`, India
    Standard Time by default): at 02:00 IST on a cut-off day it is that day, though UTC still says
    yesterday."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from dashboard.config import display_timezone

    return (now or datetime.now(UTC)).astimezone(ZoneInfo(display_timezone())).date()


def format_timestamp(value: object) -> str:
    """A stored time (UTC, ISO text or datetime) as shown: "28 Nov 2026, 20:15 IST" ("28 नवंबर 2026, 20:15
    IST" in Hindi); as stored when not parseable."""
    if value is None or value == "" or is_missing(value):
        return "–"
    ts = to_display_time(value)
    if ts is None:
        return str(value)
    return f"{format_date(ts)}, {ts:%H:%M} {ts.tzname()}"


def format_date(value: object) -> str:
    """A date as shown: "28 Nov 2026" ("28 नवंबर 2026")."""
    from datetime import date

    if not isinstance(value, date):
        return str(value)
    name = _month_name(f"{value.year:04d}-{value.month:02d}", "abbreviated")
    return f"{value.day} {name} {value.year}"


# --- the lagging list: filters, columns, reasons and actions in words -----------------------------------


# URL value -> label. Reasons follow rule 12 of metrics/RULES.md.
REASONS: Translated = Translated({  # read in the current language
    "not_reported": N_("Not reported"),
    "low_score": N_("Low score"),
    "critical": N_("Critical parameter"),
})
# URL value -> peer-group label of metrics.analysis.peer_group (FIR volume bands), as stored (English).
PEERS: dict[str, str] = {
    "low": PEER_GROUPS[0][0],
    "medium": PEER_GROUPS[1][0],
    "high": PEER_GROUPS[2][0],
    "unknown": PEER_UNKNOWN,
}
# the same labels as they are read (metrics is pure and English; these are its labels marked for the catalog)
PEER_WORDS = Translated({"Low (<20 FIRs)": N_("Low (<20 FIRs)"), "Medium (20-59)": N_("Medium (20-59)"),
                         "High (60+)": N_("High (60+)"), "Unknown": N_("Unknown"), "No FIR data": N_("No FIR data")})


def peer_words(label: object) -> str:
    """A peer-group label (or its URL value) in the current language."""
    text = PEERS.get(str(label), str(label or ""))
    return PEER_WORDS.get(text, text)

# The lagging table: field -> header. The page's grid and the CSV/XLSX download use these columns, in
# this order.
LAGGING_COLUMNS: Translated = Translated({  # read in the current language
    "position": "#",
    "station_code": N_("Station code"),
    "station_name": N_("Police station"),
    "district_name": N_("District"),
    "peer_group": N_("Peer group (FIRs a month)"),
    "score": N_("Score"),
    "reasons": N_("Why it is lagging"),
    "at_stake_state": N_("Marks at stake (State)"),
    "at_stake_district": N_("Marks at stake (district)"),
    "actions": N_("What the SP must do"),
})


def indian(n: int) -> str:
    """Indian digit grouping of a whole number: 1234567 -> "12,34,567" (the pages' formatter)."""
    return format_indian(int(n))


def pct_text(num: int, den: int) -> str:
    if den <= 0:
        return "–"
    return format_indian(Decimal(100) * num / den, 1) + "%"


def _count_words(p: Parameter | None, num: int, den: int) -> str:
    """ "28 of 40 FIRs registered in all modes (70.0%)"; days and flags read naturally."""
    if p is not None and p.kind == "flag":
        return _("done this month") if num >= den and den > 0 else _("not done this month")
    if p is not None and p.shortfall:  # ITSSO: "14 of 31 cases past 60 days"
        return _("{num} of {den} {shortfall}").format(num=indian(max(den - num, 0)), den=indian(den),
                                                      shortfall=parameter_text(p, "shortfall"))
    unit = (_("days") if p is not None and p.kind == "days" else (parameter_text(p, "denominator")
                                                                  if p is not None and p.denominator else ""))
    unit = unit.strip()
    return _("{num} of {den}{unit} ({pct})").format(num=indian(num), den=indian(den),
                                                    unit=(" " + unit) if unit else "", pct=pct_text(num, den))


def parameter_text(p: Parameter | object, field: str = "name") -> str:
    """A parameter's `name` (or `denominator`, ..., or a version's `title`) in the current language: the
    methodology file's `<field>_hi` beside it, English when it has none."""
    if current_language() != "en":
        translated = (getattr(p, "translations", None) or {}).get(f"{field}_{current_language()}")
        if translated:
            return translated
    return str(getattr(p, field, "") or "")


def scheme_name_text(scheme: dict | object) -> str:
    """A ranking scheme's name in the current language: `name_hi` of its `[scheme]` table (a `read.schemes`
    row's "name_hi", a Methodology's `scheme_name_hi`) in Hindi, English when it has none."""
    if isinstance(scheme, dict):
        english, translated = scheme.get("name", ""), scheme.get(f"name_{current_language()}", "")
    else:
        english = getattr(scheme, "scheme_name", "")
        translated = getattr(scheme, f"scheme_name_{current_language()}", "")
    if current_language() != "en" and translated:
        return str(translated)
    return str(english or "")


def provenance_words(v: object) -> str:
    """`Version.provenance_text` in the current language."""
    if getattr(v, "provenance", None) == "notified":
        return _("as notified by NCRB on {date}, {reference}").format(date=v.notified_on, reference=v.reference)
    return _("reconstructed from public reports")


def critical_words(p: Parameter | None, name: str, num: int, den: int) -> str:
    return _("Critical: {name} — {counts}").format(name=name, counts=_count_words(p, num, den))


def action_words(p: Parameter | None, name: str, num: int, den: int, needed: int, at_stake: float | None) -> str:
    """What fixing one parameter takes and is worth (rule 11: raise it to its target); `at_stake` None: the
    worth is not known (not a lagging station) and is left out."""
    worth = "" if at_stake is None else _("worth +{marks}").format(marks=f"{at_stake:.3f}")
    if p is not None and p.kind == "flag":
        return _("{name}: get it done this month").format(name=name) + (f" ({worth})" if worth else "")
    pending = max(needed - num, 0)
    target = _("; target {target}%").format(target=f"{float(p.target):g}") if p is not None else ""
    tail = f"; {worth}" if worth else ""
    if p is not None and p.kind == "days":
        need = _("{name}: {n} more days needed").format(name=name, n=indian(pending))
    else:
        need = _("{name}: {n} more needed").format(name=name, n=indian(pending))
    done = _("{num} of {den} done").format(num=indian(num), den=indian(den))
    return f"{need} ({done}{target}{tail})"


def lagging_reasons(not_reported: bool, low_score: bool, score_text: str, lagging_below: str,
                    critical: Sequence[tuple[Parameter | None, str, int | None, int | None]],
                    critical_below: str) -> list[str]:
    """Why a station lags (rule 12), in the one wording of every page, download, deck and pack.

    `critical`: (parameter, its name, numerator, denominator) per critical parameter; counts may be None
    when the station has no marks at stake on it (then the threshold is named instead)."""
    reasons = []
    if not_reported:
        reasons.append(_("Not reported: no data received for this month"))
    if low_score and not is_no_data(score_text):
        reasons.append(_("Score {score}, below {threshold}").format(score=score_text, threshold=lagging_below))
    for p, name, num, den in critical:
        if num is None or den is None:
            reasons.append(_("Critical: {name} below {threshold} of target").format(name=name,
                                                                                    threshold=critical_below))
        else:
            reasons.append(critical_words(p, name, num, den))
    return reasons


def lagging_actions(not_reported: bool,
                    stakes: Sequence[tuple[Parameter | None, str, int, int, int, float]],
                    most: int, total: int | None = None) -> list[str]:
    """What the SP must do, largest marks at stake first: (parameter, name, numerator, denominator,
    numerator needed, marks at stake) per parameter; the first `most`, then how many more. `total`: how
    many parameters there are in all when `stakes` holds only the first ones."""
    actions = [_("Enter this month's CCTNS data (nothing was received)")] if not_reported else []
    actions += [action_words(p, name, num, den, needed, at_stake) for p, name, num, den, needed, at_stake in stakes[:most]]
    more = max(0, (len(stakes) if total is None else total) - most)
    if more:
        actions.append(ngettext("and {n} more parameter", "and {n} more parameters", more).format(n=more))
    return actions


# --- the review loop: actions in words -----------------------------------------------------------------

OUTCOME_WORDS = Translated({  # read in the current language
    "pending": N_("pending"),
    "met": N_("met"),
    "partly_met": N_("partly met"),
    "not_met": N_("not met"),
    "no_data": N_("not met (no data)"),
    "unit_closed": N_("cannot be judged (station closed)"),
    "parameter_dropped": N_("cannot be judged (parameter dropped)"),
    "not_applicable": N_("cannot be judged (no cases)"),
})
STATUS_WORDS = Translated({"open": N_("open"), "done": N_("done"), "dropped": N_("dropped"),
                           "escalated": N_("escalated")})
FORUM_WORDS = Translated({"state_review": N_("State review"), "district_meeting": N_("District meeting"),
                          "conference": N_("Conference")})


def outcome_words(outcome: object) -> str:
    """An action's outcome in words ("partly met"); unknown values as they are."""
    return OUTCOME_WORDS.get(str(outcome), str(outcome or MISSING))


def action_value(value: object, numerator: object, denominator: object, has_parameter: bool) -> str:
    """One figure of an action: "62.5% (25 / 40)" for a parameter, the score "64.20" without one."""
    if is_missing(value):
        return no_data()
    if not has_parameter:
        return _("score {score}").format(score=f"{float(value):.2f}")  # type: ignore[arg-type]
    text = f"{float(value):.1f}%"  # type: ignore[arg-type]
    if not is_missing(numerator) and not is_missing(denominator):
        text += f" ({ratio_text(numerator, denominator)})"
    return text


def action_carry_text(due_month: str, current_due_month: str, carry_cycles: object, status: str) -> str:
    """When an action is due: "Jun 2025", or "Jun 2025 → Aug 2025 (carried over 2×, escalated)"."""
    cycles = as_int(carry_cycles) or 0
    text = month_short(due_month)
    if cycles and current_due_month and current_due_month != due_month:
        text += " → " + month_short(current_due_month) + " (" + _("carried over {n}×").format(n=cycles)
        text += (", " + _("escalated") + ")") if status == "escalated" else ")"
    elif status == "escalated":
        text += " (" + _("escalated") + ")"
    return text


def action_data_text(row: dict) -> str:
    """What the data shows for one action (a row of `dashboard.actions.list_actions`): the figure it was made
    on, the figure of the month that judged it, the target and the outcome, e.g.
    "45.0% (18 / 40) in May 2025 → 52.5% (21 / 40) in Jun 2025; target 90%: not met"."""
    has_parameter = not is_missing(row.get("parameter")) and bool(row.get("parameter"))
    then = action_value(row.get("gap_value"), row.get("gap_numerator"), row.get("gap_denominator"), has_parameter)
    text = _("{figure} in {month}").format(figure=then, month=month_short(str(row.get("basis_month"))))
    outcome = str(row.get("outcome") or "pending")
    if outcome != "pending" and not is_missing(row.get("outcome_month")):
        now = action_value(row.get("now_value"), row.get("now_numerator"), row.get("now_denominator"),
                           has_parameter)
        text += " → " + _("{figure} in {month}").format(figure=now, month=month_short(str(row.get("outcome_month"))))
    target = row.get("gap_target")
    if not is_missing(target):
        text += (_("; target {target}%").format(target=f"{float(target):g}") if has_parameter  # type: ignore[arg-type]
                 else _("; lagging below {target}").format(target=f"{float(target):g}"))  # type: ignore[arg-type]
    return f"{text}: {outcome_words(outcome)}"


# --- looking ahead: projections (estimates) and data to verify ------------------------------------------


def ordinal(n: object) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd" (Hindi: "1वाँ")."""
    if is_missing(n):
        return MISSING
    k = int(n)  # type: ignore[arg-type]
    if current_language() == "hi":
        return _("{n}th").format(n=k)
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def rank_range_text(low: object, high: object) -> str:
    """The 80 % rank range: "2nd–4th" ("3rd" when every likely draw gives the same rank)."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return ordinal(low) if int(low) == int(high) else f"{ordinal(low)}–{ordinal(high)}"  # type: ignore[arg-type]


def probability_text(p: object) -> str:
    """A probability as a percentage: "64 %", "<1 %" and ">99 %" near the ends (never a false 0 or 100)."""
    if is_missing(p):
        return MISSING
    x = float(p)  # type: ignore[arg-type]
    if x <= 0:
        return "0 %"
    if x >= 1:
        return "100 %"
    if x < 0.005:
        return "<1 %"
    if x > 0.995:
        return ">99 %"
    return f"{round(100 * x)} %"


PROJECTION_LABEL = N_("Estimate")
PROJECTION_NOTE = N_("An estimate, not a result: next month's ranks simulated from each State's recent month-on-month "
                     "changes (all States together, 4,000 draws). The range holds 80 % of the draws.")


def projection_headline(rank_low: object, rank_high: object, p_first: object) -> str:
    """ "Likely rank next month: 1st–2nd, P(first) 64 %" (the range always with the probability)."""
    return _("Likely rank next month: {range}, P(first) {p}").format(range=rank_range_text(rank_low, rank_high),
                                                                      p=probability_text(p_first))


def backtest_text(coverage: object, checks: object, mae_model: object, mae_carry: object,
                  months: int) -> tuple[str, str]:
    """(how the 80 % range held, how it compares with carrying the rank forward) over the backtest months."""
    if is_missing(coverage) or not checks:
        return (_("Not enough months yet to check the projection against what happened."), "")
    held = ngettext("Backtest over the last {n} month: the 80 % range held {share} of the time ({checks} "
                    "State-months).", "Backtest over the last {n} months: the 80 % range held {share} of the "
                    "time ({checks} State-months).", months).format(
        n=months, share=probability_text(coverage), checks=format_indian(checks))
    model, carry = float(mae_model), float(mae_carry)  # type: ignore[arg-type]
    if model < carry - 1e-9:
        compare = _("Its middle rank was off by {model} places on average, against {carry} for simply carrying "
                    "last month's rank forward.").format(model=f"{model:.2f}", carry=f"{carry:.2f}")
    else:
        compare = _("It did no better than simply carrying last month's rank forward (off by {model} places on "
                    "average, against {carry}): read it as a range, not a forecast.").format(
            model=f"{model:.2f}", carry=f"{carry:.2f}")
    return held, compare


FLAG_RULE_WORDS: Translated = Translated({
    "peer_change": N_("Change far outside its peers'"),
    "jump_to_full": N_("Jump to 99.5 % or more from below 80 %"),
    "denominator_drop": N_("Base shrank, numerator flat"),
    "level_shift": N_("Lasting level shift"),
    "too_perfect": N_("Exactly 100 % on every parameter for months"),
})
FLAG_STATUS_WORDS: Translated = Translated({"open": N_("Needs verification"), "verified": N_("Verified"),
                                            "dismissed": N_("Dismissed")})
FLAG_NOTE = N_("These figures need verification: they are unusual against the unit's own history or its peers. "
               "A flag is a question for the data, not a finding about anyone.")


def _pp(x: object) -> str:
    return f"{float(x):.1f} %"  # type: ignore[arg-type]


def _ratio(num: object, den: object) -> str:
    return f"{format_indian(num)}/{format_indian(den)}"


def flag_evidence_text(rule: str, e: dict) -> str:
    """The evidence of a flag in numbers and plain words."""
    if rule == "peer_change":
        return _("{before} → {after} ({change} points; {ratio}); peers' median change {median} points, robust z "
                 "{z} across {peers} peers").format(
            before=_pp(e["value_prev"]), after=_pp(e["value"]), change=f"{e['change']:+.1f}",
            ratio=_ratio(e["numerator"], e["denominator"]), median=f"{e['peer_median']:+.1f}", z=f"{e['z']:+.1f}",
            peers=format_indian(e["peers"]))
    if rule == "jump_to_full":
        return _("{before} ({ratio_before}) → {after} ({ratio_after}) in one month").format(
            before=_pp(e["value_prev"]), ratio_before=_ratio(e["numerator_prev"], e["denominator_prev"]),
            after=_pp(e["value"]), ratio_after=_ratio(e["numerator"], e["denominator"]))
    if rule == "denominator_drop":
        return _("base {before} → {after} ({change} %) while the numerator went {num_before} → {num_after}").format(
            before=format_indian(e["denominator_prev"]), after=format_indian(e["denominator"]),
            change=f"{100 * e['denominator_change']:+.0f}", num_before=format_indian(e["numerator_prev"]),
            num_after=format_indian(e["numerator"]))
    if rule == "level_shift":
        return _("{before} on average for {months_before} months, then {after} for {months_after} months "
                 "({shift} points; month-to-month noise {noise} points)").format(
            before=_pp(e["mean_before"]), months_before=e["months_before"], after=_pp(e["mean_after"]),
            months_after=e["months_after"], shift=f"{e['shift']:+.1f}", noise=f"{e['noise']:.1f}")
    if rule == "too_perfect":
        return _("exactly 100 % on all {parameters} parameters for {months} months since {since}, while on average "
                 "{share} of the district's other stations were").format(
            parameters=e["parameters"], months=e["months"], since=month_label(e["from_month"]),
            share=probability_text(e["district_all_full_share"]))
    return ""
