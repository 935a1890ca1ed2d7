"""Deterministic demo dataset, written as the same CSV files a user would import.

`generate_demo(out_dir, ...)` writes

* ``states.csv`` (state_code, name, category), ``districts.csv`` (district_code, state_code, name),
  ``police_stations.csv`` (station_code, district_code, name, opened, closed);
* per month ``station_rows_YYYY-MM.csv`` and ``state_rows_YYYY-MM.csv``
  (month, station_code|state_code, parameter, numerator, denominator).

Pure generation: no database, no scoring. Everything comes from one seed through numpy Generators, so
the same arguments give byte-identical files. `generate_master(...)` builds only the master data (fast).

Master data
-----------
* The 36 States/UTs under the two-letter codes of ``data/india-districts.json`` with their usual names
  and the three ranking categories ("Major States": the big States, Delhi and Goa; "Hilly & North-East":
  the 8 North-Eastern States, Himachal Pradesh and Uttarakhand; "UTs": the Union Territories other
  than Delhi). Police-station counts per State/UT from the domain brief, section 5.2 (about 17,500);
  Haryana's districts follow the brief's section 5.3.
* District names come from ``data/india-districts.json`` (Apache-2.0, vendored with its licence),
  cleaned: Unicode NFC, en/em dashes turned into hyphens, leading/trailing spaces stripped, runs of
  spaces collapsed. Fixes applied to glitches found in the file:

  - "Sri SathyaYSR" (AP): two districts run together -> "Sri Sathya Sai" and "YSR Kadapa";
  - "Sri Potti Sriramulu Nellore " (AP), "Chandigarh " (CH): trailing space;
  - "Medchal–Malkajgiri" (TG): en dash -> "Medchal-Malkajgiri";
  - "Eastern West Khasi Hills district" (ML) -> "Eastern West Khasi Hills";
  - "Shahdara district" (DL) -> "Shahdara";
  - "Mumbai suburban" (MH) -> "Mumbai Suburban";
  - "Koppala" (KA) -> "Koppal".

  Old or proposed names the file uses (Allahabad, Faizabad, Gulbarga, Chachoda, Nagda, Didihat, ...)
  are kept as they are: they are names, not typos.
* District codes: ``<State code>-<3 letters>``, e.g. ``HR-KNL`` (Karnal), ``HR-FBD`` (Faridabad),
  ``PB-SAS`` (Sahibzada Ajit Singh Nagar), ``AP-NTR``. The letters are taken from the ASCII-folded name
  without words in parentheses and without "and"/"of"/"the"/"district": three or more words -> the
  initials of the first three; two words -> both initials and the last consonant of the second word;
  one word -> the first letter and the last two consonants. When that is taken within the State, the
  first letter followed by the other consonant pairs in order, then any letter pairs, then a two-digit
  counter. Districts are coded in the order of the JSON file, so codes are stable as long as it is.
* Station codes: ``<district code>-NNN`` numbered from 001 within the district (``HR-KNL-001``).
  Station names are unique within a district: "<District> City", "<District> Sadar", "Civil Lines",
  "Kotwali", "Women PS <District>", "Cyber PS <District>", compass and locality names ("Sector 14" in
  Haryana and Chandigarh).

Monthly data
------------
The methodology (default: `metrics.methodology.default_methodology()`) decides which parameters exist
in each month (rule 1) and their level and kind. Every row is valid input: non-negative integers,
numerator <= denominator, ``days`` denominators equal the days in the month, ``flag`` rows are 0/1
over 1. Texture: each State/UT follows a score trajectory (leaders between 95 and 100, Haryana usually
first and often at exactly 100.00, sometimes tied there with Uttar Pradesh, which in windows of 12 months
or more also leads alone once; a tail down to about 60, hilly/NE States and several UTs lower; some
improve, some slip) with month-to-month noise; districts and stations vary around it;
parameters new in a methodology version start weak and ramp up; a few per cent of station-months are
not reported (no rows at all, more in weaker States); a few stations open during the window and one
closes; small stations have tiny denominators and some ``count`` rows have denominator 0; State-level
parameters are missing for some States (no row).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.methodology import (
    Methodology,
    Parameter,
    Version,
    days_in_month,
    default_methodology,
    month_range,
    previous_month,
    shipped_methodology,
)

MAJOR = "Major States"
HILLY = "Hilly & North-East"
UTS = "UTs"
CATEGORIES = (MAJOR, HILLY, UTS)
SCALES = ("national", "small")


@dataclass(frozen=True)
class _StateSpec:
    code: str
    name: str
    category: str
    stations: int  # police stations (domain brief, section 5.2)
    score_start: float  # intended score at the first month of the window
    score_end: float  # ... and at the last month


# Police-station counts from the brief's table 5.2 (confirmed figures where it has them, else its
# estimates; Haryana's 2025 figure). Score trajectories are invented for the demo.
_STATES: tuple[_StateSpec, ...] = (
    _StateSpec("AP", "Andhra Pradesh", MAJOR, 1027, 93.5, 94.5),
    _StateSpec("AR", "Arunachal Pradesh", HILLY, 100, 63.0, 67.0),
    _StateSpec("AS", "Assam", HILLY, 329, 80.0, 85.0),
    _StateSpec("BR", "Bihar", MAJOR, 1100, 76.0, 84.0),
    _StateSpec("CG", "Chhattisgarh", MAJOR, 485, 91.0, 93.0),
    _StateSpec("GA", "Goa", MAJOR, 32, 97.0, 95.5),
    _StateSpec("GJ", "Gujarat", MAJOR, 735, 97.5, 95.8),
    _StateSpec("HR", "Haryana", MAJOR, 429, 99.75, 99.9),
    _StateSpec("HP", "Himachal Pradesh", HILLY, 140, 95.5, 97.0),
    _StateSpec("JH", "Jharkhand", MAJOR, 564, 84.0, 88.0),
    _StateSpec("KA", "Karnataka", MAJOR, 1055, 93.0, 89.0),
    _StateSpec("KL", "Kerala", MAJOR, 560, 95.5, 96.5),
    _StateSpec("MP", "Madhya Pradesh", MAJOR, 1150, 95.0, 97.8),
    _StateSpec("MH", "Maharashtra", MAJOR, 1168, 92.0, 94.5),
    _StateSpec("MN", "Manipur", HILLY, 87, 62.0, 59.0),
    _StateSpec("ML", "Meghalaya", HILLY, 77, 70.0, 66.0),
    _StateSpec("MZ", "Mizoram", HILLY, 42, 76.0, 79.0),
    _StateSpec("NL", "Nagaland", HILLY, 83, 68.0, 72.0),
    _StateSpec("OD", "Odisha", MAJOR, 650, 91.0, 89.5),
    _StateSpec("PB", "Punjab", MAJOR, 431, 90.5, 91.5),
    _StateSpec("RJ", "Rajasthan", MAJOR, 930, 89.5, 93.5),
    _StateSpec("SK", "Sikkim", HILLY, 30, 84.0, 88.0),
    _StateSpec("TN", "Tamil Nadu", MAJOR, 2292, 88.0, 88.5),
    _StateSpec("TG", "Telangana", MAJOR, 841, 96.5, 97.0),
    _StateSpec("TR", "Tripura", HILLY, 85, 87.0, 84.0),
    _StateSpec("UP", "Uttar Pradesh", MAJOR, 1783, 98.3, 99.3),
    _StateSpec("UK", "Uttarakhand", HILLY, 160, 92.5, 94.0),
    _StateSpec("WB", "West Bengal", MAJOR, 620, 72.0, 69.0),
    _StateSpec("AN", "Andaman and Nicobar Islands", UTS, 25, 81.0, 84.0),
    _StateSpec("CH", "Chandigarh", UTS, 17, 94.0, 96.0),
    _StateSpec("DH", "Dadra and Nagar Haveli and Daman and Diu", UTS, 9, 88.0, 83.0),
    _StateSpec("JK", "Jammu and Kashmir", UTS, 250, 85.0, 89.0),
    _StateSpec("LA", "Ladakh", UTS, 15, 72.0, 76.0),
    _StateSpec("LD", "Lakshadweep", UTS, 10, 65.0, 62.0),
    _StateSpec("DL", "Delhi", MAJOR, 225, 96.0, 97.4),
    _StateSpec("PY", "Puducherry", UTS, 60, 89.0, 90.5),
)

# Haryana's police stations per district (brief 5.3; Hansi counted with Hisar, Dabwali with Sirsa).
_HARYANA_STATIONS = {
    "Gurugram": 46, "Faridabad": 33, "Panchkula": 12, "Sonipat": 21, "Jhajjar": 14, "Ambala": 20,
    "Yamunanagar": 17, "Kurukshetra": 13, "Karnal": 19, "Panipat": 17, "Kaithal": 13, "Hisar": 25,
    "Fatehabad": 12, "Sirsa": 23, "Rohtak": 16, "Bhiwani": 14, "Charkhi Dadri": 7, "Jind": 17,
    "Rewari": 13, "Mahendragarh": 12, "Nuh": 14, "Palwal": 13,
}  # fmt: skip

# scale="small": a handful of States/UTs and districts, 5-15 stations per district.
_SMALL_SCALE = {
    "HR": ("Karnal", "Gurugram", "Panchkula", "Ambala"),
    "UP": ("Lucknow", "Agra", "Varanasi"),
    "DL": ("New Delhi", "South Delhi", "North East Delhi"),
    "HP": ("Shimla", "Kangra", "Mandi"),
    "MN": ("Imphal West", "Imphal East", "Ukhrul"),
    "CH": ("Chandigarh",),
}

_NAME_FIXES: dict[str, tuple[str, ...]] = {
    "Sri SathyaYSR": ("Sri Sathya Sai", "YSR Kadapa"),
    "Eastern West Khasi Hills district": ("Eastern West Khasi Hills",),
    "Shahdara district": ("Shahdara",),
    "Mumbai suburban": ("Mumbai Suburban",),
    "Koppala": ("Koppal",),
}

# Relative difficulty of station-level parameters (how far behind stations typically are); normalised
# per version so that the weighted mean is 1. Unknown parameters (user methodologies) get 1.
_DIFFICULTY = {
    "ps_cas_live": 0.15, "ps_connectivity": 0.9, "ndc_sync": 0.6, "fir_in_cctns": 0.45,
    "fir_within_24h": 1.1, "iif2_crime_details": 1.0, "iif3_arrests": 0.8, "iif4_seizures": 1.2,
    "iif5_final_reports": 1.2, "iif6_court_disposal": 1.7, "arrest_photos": 1.2,
    "fingerprints_nafis": 2.2, "national_search": 0.5, "registers_updated": 0.8,
    "citizen_complaints": 1.2, "verifications": 1.0, "fir_sequence": 0.35, "accused_particulars": 1.5,
    "esakshya": 1.5, "esummons": 1.7,
}  # fmt: skip
_STATE_DIFFICULTY = {
    "personnel_trained": 1.2, "technical_support": 1.5, "legacy_migrated": 0.8,
    "citizen_services_live": 1.5, "icjs_courts": 1.0, "icjs_prisons": 1.3, "icjs_forensics": 1.6,
    "icjs_prosecution": 1.2,
}  # fmt: skip
# Denominator of a station-level count parameter: (base quantity, multiple of it). "entered" = FIRs
# entered in CCTNS (the numerator of fir_in_cctns); "registers" = the 6 registers due every month.
_DENOMINATOR = {
    "fir_in_cctns": ("firs", 1.0), "fir_sequence": ("firs", 1.0), "fir_within_24h": ("entered", 1.0),
    "iif2_crime_details": ("entered", 1.0), "iif3_arrests": ("arrests", 1.0),
    "arrest_photos": ("arrests", 1.0), "fingerprints_nafis": ("arrests", 1.0),
    "iif4_seizures": ("poisson", 0.35), "iif5_final_reports": ("poisson", 0.6),
    "iif6_court_disposal": ("poisson", 0.4), "citizen_complaints": ("poisson", 0.9),
    "verifications": ("poisson", 1.6), "accused_particulars": ("poisson", 0.9),
    "registers_updated": ("registers", 1.0), "esakshya": ("poisson", 0.3), "esummons": ("poisson", 1.8),
}  # fmt: skip

_LOCALITY_PREFIXES = (
    "Gandhi", "Nehru", "Shivaji", "Subhash", "Rajiv", "Indira", "Patel", "Ambedkar", "Tilak", "Azad",
    "Shastri", "Tagore", "Ashok", "Krishna", "Ram", "Laxmi", "Saraswati", "Durga", "Kalyan", "Prem",
    "Vijay", "Anand", "Shanti", "Sundar", "Jawahar", "Rajendra", "Kamla", "Govind", "Hanuman", "Moti",
    "Kishan", "Bhagat", "Nanak", "Mahavir", "Kabir", "Jyoti", "Vivek", "Gopal", "Madhav", "Lajpat",
)  # fmt: skip
_LOCALITY_SUFFIXES = (
    "Nagar",
    "Colony",
    "Ganj",
    "Bazar",
    "Puram",
    "Vihar",
    "Marg",
    "Chowk",
    "Park",
    "Enclave",
)
_FIXED_LOCALITIES = (
    "Model Town", "Sadar Bazar", "Old City", "Railway Road", "Bus Stand", "Industrial Area", "Mandi",
    "Kotwali Dehat", "Town", "Cantonment", "Tehsil Road", "Station Road", "Bypass", "University",
)  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Small public helpers


def last_complete_month(today: date | None = None) -> str:
    """The last complete calendar month before `today` (default: date.today())."""
    today = today or date.today()
    return previous_month(f"{today.year:04d}-{today.month:02d}")


def demo_window(months: int = 24, end_month: str | None = None, today: date | None = None) -> list[str]:
    """The `months` months ending at `end_month` (default: the last complete month before today)."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    end = end_month or last_complete_month(today)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end):
        raise ValueError(f"end_month must be YYYY-MM, got {end!r}")
    first = end
    for _ in range(months - 1):
        first = previous_month(first)
    return month_range(first, end)


def clean_district_names(raw: list[str]) -> list[str]:
    """Clean the district names of one State (see the module docstring); may split a glitched entry."""
    out: list[str] = []
    for name in raw:
        text = unicodedata.normalize("NFC", name).replace("\u2013", "-").replace("\u2014", "-")
        text = re.sub(r"\s+", " ", text).strip()
        text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))
        out.extend(_NAME_FIXES.get(text, (text,)))
    return out


def _ascii_words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", re.sub(r"\(.*?\)", " ", name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = re.findall(r"[A-Za-z]+", text)
    return [w.upper() for w in words if w.lower() not in {"and", "of", "the", "district"}] or ["X"]


def _consonants(word: str) -> list[str]:
    return [ch for ch in word if ch not in "AEIOU"]


def _code_candidates(name: str) -> Iterator[str]:
    words = _ascii_words(name)
    first = words[0][0]
    if len(words) >= 3:
        yield "".join(w[0] for w in words[:3])
    elif len(words) == 2:
        tail = _consonants(words[1][1:]) or list(words[1][1:]) or ["X"]
        yield first + words[1][0] + tail[-1]
    else:
        cons = _consonants(words[0][1:])
        if len(cons) >= 2:
            yield first + cons[-2] + cons[-1]
    rest = "".join(words)[1:]
    for pool in (_consonants(rest), list(rest)):
        for a, b in combinations(pool, 2):
            yield first + a + b
    for i in range(1, 100):
        yield f"{first}{i:02d}"


def district_codes(state_code: str, names: list[str]) -> list[str]:
    """Readable, unique district codes for one State, in the order given (scheme: module docstring)."""
    taken: set[str] = set()
    codes = []
    for name in names:
        code = next(c for c in _code_candidates(name) if c not in taken)
        taken.add(code)
        codes.append(f"{state_code}-{code}")
    return codes


def _short(district: str) -> str:
    return re.sub(r"\s*\(.*?\)", "", district).strip()


def _station_names(district: str, state_code: str, n: int, rng: np.random.Generator) -> list[str]:
    """n names, unique within the district: the usual head stations first, then localities."""
    d = _short(district)
    if n == 1:
        return [d]
    head = [f"{d} City", f"{d} Sadar", "Civil Lines", "Kotwali"]
    if n >= 5:
        head.append(f"Women PS {d}")
    if n >= 6:
        head.append(f"Cyber PS {d}")
    pool = [f"{d} {side}" for side in ("North", "South", "East", "West", "Rural")]
    pool += list(_FIXED_LOCALITIES)
    if state_code in ("HR", "CH"):
        pool += [f"Sector {k}" for k in range(3, 66)]
    pool += [f"{p} {s}" for p in _LOCALITY_PREFIXES for s in _LOCALITY_SUFFIXES]
    order = rng.permutation(len(pool))
    names = head[:n] + [pool[i] for i in order[: max(0, n - len(head))]]
    names += [f"{d} Police Post {k}" for k in range(1, n - len(names) + 1)]
    return names


# --------------------------------------------------------------------------------------------------
# Master data


@dataclass(frozen=True)
class DemoMaster:
    """Master data of the demo (the three master CSVs) and the window it was made for."""

    states: pd.DataFrame  # state_code, name, category
    districts: pd.DataFrame  # district_code, state_code, name
    stations: pd.DataFrame  # station_code, district_code, name, opened, closed ('YYYY-MM' or None)
    months: tuple[str, ...]


@dataclass(frozen=True)
class DemoFiles:
    """What `generate_demo` wrote; `paths()` lists the files in import order."""

    out_dir: Path
    states: Path
    districts: Path
    police_stations: Path
    station_rows: tuple[Path, ...]
    state_rows: tuple[Path, ...]
    months: tuple[str, ...]
    station_row_count: int
    state_row_count: int
    station_count: int
    published: Path | None = None  # NCRB's published scores (the public record), for the States generated

    @property
    def master(self) -> list[Path]:
        """The three master-data files, in import order (States, districts, police stations)."""
        return [self.states, self.districts, self.police_stations]

    @property
    def by_month(self) -> list[list[Path]]:
        """Per month, oldest first: [station_rows_YYYY-MM.csv, state_rows_YYYY-MM.csv]."""
        return [[a, b] for a, b in zip(self.station_rows, self.state_rows, strict=True)]

    def paths(self) -> list[Path]:
        """Every file in import order: master data, then each month's station and State rows."""
        return [*self.master, *(p for pair in self.by_month for p in pair)]


def published_record() -> pd.DataFrame:
    """The public record shipped with the project: NCRB's published CCTNS and ICJS scores and ranks found in
    public reports (domain brief, section 4), one source per row. Import format `published_results`."""
    text = resources.files("dashboard.ingest").joinpath("data/published_results.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _load_districts() -> dict[str, list[str]]:
    text = resources.files("dashboard.ingest").joinpath("data/india-districts.json").read_text(encoding="utf-8")
    return json.loads(text)


def _specs(scale: str) -> list[_StateSpec]:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    if scale == "small":
        return [s for s in _STATES if s.code in _SMALL_SCALE]
    return list(_STATES)


def _rngs(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    return np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])


def generate_master(
    scale: str = "national",
    seed: int = 2026,
    months: int = 24,
    end_month: str | None = None,
    today: date | None = None,
) -> DemoMaster:
    """Master data only (no files): States/UTs, districts, police stations with opened/closed months."""
    window = demo_window(months, end_month, today)
    rng, _ = _rngs(seed)
    raw = _load_districts()
    state_rows, district_rows, station_rows = [], [], []
    for spec in _specs(scale):
        names = clean_district_names(raw[spec.code])
        codes = district_codes(spec.code, names)
        state_rows.append((spec.code, spec.name, spec.category))
        if scale == "small":
            keep = [i for i, n in enumerate(names) if n in _SMALL_SCALE[spec.code]]
            names, codes = [names[i] for i in keep], [codes[i] for i in keep]
            counts = rng.integers(5, 16, size=len(names))
        elif spec.code == "HR":
            base = np.array([_HARYANA_STATIONS.get(n, 10) for n in names])
            extra = max(0, spec.stations - int(base.sum()))
            counts = base + rng.multinomial(extra, base / base.sum())
        else:
            weights = rng.lognormal(0.0, 0.45, size=len(names))
            counts = 1 + rng.multinomial(spec.stations - len(names), weights / weights.sum())
        for code, name, count in zip(codes, names, counts, strict=True):
            district_rows.append((code, spec.code, name))
            for k, ps_name in enumerate(_station_names(name, spec.code, int(count), rng), start=1):
                station_rows.append((f"{code}-{k:03d}", code, ps_name))
    states = pd.DataFrame(state_rows, columns=["state_code", "name", "category"])
    districts = pd.DataFrame(district_rows, columns=["district_code", "state_code", "name"])
    stations = pd.DataFrame(station_rows, columns=["station_code", "district_code", "name"])
    # A few stations open during the window (no rows before), one closes (no rows after).
    opened: list[str | None] = [None] * len(stations)
    closed: list[str | None] = [None] * len(stations)
    if len(window) >= 2:
        n_open = max(2, round(0.006 * len(stations)))
        special = stations["name"].str.startswith(("Women PS", "Cyber PS")).to_numpy()
        p = np.where(special, 4.0, 1.0)
        chosen = rng.choice(len(stations), size=n_open + 1, replace=False, p=p / p.sum())
        for i in chosen[:-1]:
            opened[int(i)] = window[int(rng.integers(1, len(window)))]
        if len(window) >= 3:
            closed[int(chosen[-1])] = window[int(rng.integers(len(window) // 3, len(window) - 1))]
    stations["opened"] = pd.Series(opened, dtype=object)
    stations["closed"] = pd.Series(closed, dtype=object)
    return DemoMaster(states=states, districts=districts, stations=stations, months=tuple(window))


# --------------------------------------------------------------------------------------------------
# Monthly data


def _month_index(window: list[str], month: str | None, default: int) -> int:
    if month is None or (isinstance(month, float) and np.isnan(month)):
        return default
    if month < window[0]:
        return -1
    return window.index(month) if month in window else len(window)


def _state_gaps(
    specs: list[_StateSpec], window: list[str], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Mean share of work not done per State x month (gap = 1 - score/100), and perfect months."""
    n_s, n_t = len(specs), len(window)
    frac = np.linspace(0.0, 1.0, n_t) if n_t > 1 else np.ones(1)
    start = np.array([s.score_start for s in specs])
    end = np.array([s.score_end for s in specs])
    target = start[:, None] + (end - start)[:, None] * frac[None, :]
    gap = (100.0 - target) / 100.0
    noise = np.zeros((n_s, n_t))
    shocks = rng.normal(0.0, 0.14, size=(n_s, n_t))
    for t in range(n_t):
        noise[:, t] = shocks[:, t] if t == 0 else 0.6 * noise[:, t - 1] + shocks[:, t]
    gap = np.clip(gap * np.exp(noise), 0.0, 0.7)
    perfect = np.zeros((n_s, n_t), dtype=bool)
    codes = [s.code for s in specs]
    if "HR" in codes:
        hr = codes.index("HR")
        perfect[hr] = rng.random(n_t) < 0.22
        if n_t >= 3 and not perfect[hr].any():
            perfect[hr, int(rng.integers(0, n_t))] = True
        if "UP" in codes:
            up = codes.index("UP")
            # A shared first rank now and then, and (in longer windows) one month where UP leads alone.
            months_hr = np.flatnonzero(perfect[hr])
            perfect[up, rng.choice(months_hr, size=min(2, len(months_hr)), replace=False)] = True
            others = np.flatnonzero(~perfect[hr])
            others = others[others >= n_t // 2]
            if n_t >= 12 and len(others):
                perfect[up, int(rng.choice(others))] = True
    gap[perfect] = 0.0
    return gap, perfect


def _normalised_difficulty(version: Version) -> dict[str, float]:
    params = version.station_parameters
    raw = {p.id: _DIFFICULTY.get(p.id, 1.0) for p in params}
    total_w = sum(p.weight_float for p in params) or 1.0
    mean = sum(raw[p.id] * p.weight_float for p in params) / total_w or 1.0
    return {k: v / mean for k, v in raw.items()}


def _ramp(param: Parameter, month: str, methodology: Methodology) -> float:
    """Parameters new in the version in force start weak and catch up over a few months."""
    version = methodology.version_for(month)
    assert version is not None
    earlier = [v for v in methodology.versions if v.effective_from < version.effective_from]
    if not earlier or earlier[-1].parameter(param.id) is not None:
        return 1.0
    y0, m0 = int(version.effective_from[:4]), int(version.effective_from[5:7])
    k = (int(month[:4]) - y0) * 12 + int(month[5:7]) - m0
    return 1.0 + 2.5 * float(np.exp(-k / 4.0))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def generate_demo(
    out_dir: Path,
    months: int = 24,
    scale: str = "national",
    seed: int = 2026,
    end_month: str | None = None,
    today: date | None = None,
    methodology: Methodology | None = None,
    companions: tuple[Methodology, ...] | None = None,
) -> DemoFiles:
    """Write the demo dataset as import CSVs into `out_dir` (created if needed); see the module doc.
    `companions`: the other ranking schemes whose rows go into the same monthly files (default: the
    shipped ICJS and ITSSO; `()` for CCTNS only)."""
    methodology = methodology or default_methodology()
    if companions is None:
        companions = (shipped_methodology("icjs"), shipped_methodology("itsso"))
    master = generate_master(scale, seed, months, end_month, today)
    window = list(master.months)
    if window[0] < methodology.first_month:
        raise ValueError(
            f"the demo window starts at {window[0]}, before the first methodology version "
            f"({methodology.first_month}); use fewer months or a later end month"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _, rng = _rngs(seed)
    specs = _specs(scale)
    spec_by_code = {s.code: s for s in specs}
    n_t = len(window)

    states, districts, stations = master.states, master.districts, master.stations
    paths = {name: out_dir / f"{name}.csv" for name in ("states", "districts", "police_stations")}
    _write_csv(states, paths["states"])
    _write_csv(districts, paths["districts"])
    _write_csv(stations, paths["police_stations"])

    # Unit indices and hidden characteristics.
    state_index = {c: i for i, c in enumerate(states["state_code"])}
    district_index = {c: i for i, c in enumerate(districts["district_code"])}
    d_state = districts["state_code"].map(state_index).to_numpy()
    s_district = stations["district_code"].map(district_index).to_numpy()
    s_state = d_state[s_district]
    n_st, n_d = len(stations), len(districts)
    codes = stations["station_code"].to_numpy(dtype=object)
    opened_t = np.array([_month_index(window, m, -1) for m in stations["opened"]])
    closed_t = np.array([_month_index(window, m, n_t) for m in stations["closed"]])

    gap, perfect = _state_gaps(specs, window, rng)
    d_mult = rng.lognormal(-(0.45**2) / 2, 0.45, size=n_d)
    d_month = rng.lognormal(-(0.12**2) / 2, 0.12, size=(n_d, n_t))
    s_mult = rng.lognormal(-(0.8**2) / 2, 0.8, size=n_st)
    category = np.array([spec_by_code[c].category for c in states["state_code"]])
    median_size = np.where(category == MAJOR, 24.0, np.where(category == HILLY, 8.0, 10.0))
    median_size[states["state_code"].to_numpy() == "DL"] = 40.0
    size = median_size[s_state] * rng.lognormal(0.0, 0.75, size=n_st)
    special = stations["name"].str.startswith(("Women PS", "Cyber PS")).to_numpy()
    size = np.where(special, 0.3, 1.0) * np.where(rng.random(n_st) < 0.05, 0.12, 1.0) * size
    size = np.clip(size, 0.2, 400.0)
    # A few "problem" stations in every State carry a backlog on one critical parameter (charge-sheets
    # not uploaded, NDC sync down...): even a State at 99.9 has a short lagging list for its SPs.
    # Drawn from a separate stream so the rest of the dataset is unchanged by it.
    trouble_rng = np.random.default_rng([seed, 3])
    troubled = trouble_rng.random(n_st) < 0.02
    trouble_pick = trouble_rng.integers(0, 1_000, size=n_st)
    season = 1.0 + 0.06 * np.sin(2 * np.pi * (np.arange(n_t) + int(window[0][5:7]) - 4) / 12)

    # State-level: some (State, parameter) pairs never reported; scale of each State's denominators.
    n_s = len(states)
    state_stations = np.bincount(s_state, minlength=n_s)
    state_districts = np.bincount(d_state, minlength=n_s)
    never = rng.random((n_s, 64)) < np.where(category == MAJOR, 0.05, 0.18)[:, None]
    never[states["state_code"].to_numpy() == "HR"] = False
    personnel = state_stations * rng.integers(30, 60, size=n_s)
    legacy = state_stations * rng.integers(3000, 8000, size=n_s)
    all_state_params = sorted({p.id for v in methodology.versions for p in v.state_parameters})
    state_param_col = {pid: i for i, pid in enumerate(all_state_params)}

    companion = _Companions(companions, window, states["state_code"].tolist(), category, gap, seed)

    station_paths: list[Path] = []
    state_paths: list[Path] = []
    station_total = state_total = 0
    for t, month in enumerate(window):
        version = methodology.version_for(month)
        assert version is not None
        days = days_in_month(month)
        params = version.station_parameters
        g_state = gap[:, t]
        active = (opened_t <= t) & (t <= closed_t)
        g_station = g_state[s_state] * d_mult[s_district] * d_month[s_district, t] * s_mult
        not_reported_p = np.clip(0.3 * g_state[s_state] * np.sqrt(s_mult) * d_mult[s_district], 0.0, 0.5)
        reported = active & (rng.random(n_st) >= not_reported_p)
        idx = np.flatnonzero(reported)
        n = len(idx)
        g = g_station[idx]
        lam = size[idx] * season[t]
        good = perfect[s_state[idx], t]
        difficulty = _normalised_difficulty(version)
        base: dict[str, np.ndarray] = {"firs": rng.poisson(lam), "arrests": rng.poisson(0.7 * lam)}
        nums = np.zeros((n, len(params)), dtype=np.int64)
        dens = np.zeros((n, len(params)), dtype=np.int64)
        critical_ids = [p.id for p in params if p.critical]
        backlog_param = np.array(critical_ids, dtype=object)[trouble_pick[idx] % len(critical_ids)]
        backlog = troubled[idx] & ~good & (trouble_rng.random(n) < 0.8)
        backlog_miss = trouble_rng.uniform(0.3, 0.7, size=n)
        for j, p in enumerate(params):
            eps = rng.lognormal(-(0.35**2) / 2, 0.35, size=n)
            miss = np.clip(g * difficulty[p.id] * _ramp(p, month, methodology) * eps, 0.0, 1.0)
            miss = np.where(backlog & (backlog_param == p.id), np.maximum(miss, backlog_miss), miss)
            if p.kind == "days":
                den = np.full(n, days, dtype=np.int64)
                num = den - rng.binomial(den, miss)
            elif p.kind == "flag":
                den = np.ones(n, dtype=np.int64)
                num = (rng.random(n) >= miss).astype(np.int64)
            else:
                source, factor = _DENOMINATOR.get(p.id, ("poisson", 0.5))
                if source == "registers":
                    den = np.full(n, 6, dtype=np.int64)
                elif source == "entered" and "entered" not in base:
                    den = base["firs"] - rng.binomial(base["firs"], np.clip(0.45 * g, 0.0, 1.0))
                elif source in base:
                    den = base[source]
                else:
                    den = rng.poisson(factor * lam)
                num = den - rng.binomial(den, miss)
                if p.id == "fir_in_cctns":
                    base["entered"] = num
            nums[:, j], dens[:, j] = num, den
        # A reporting station occasionally leaves out a row (never in a perfect month).
        keep = rng.random((n, len(params))) >= np.where(good, 0.0, 0.002 + 0.02 * g)[:, None]
        flat = keep.ravel()
        rows = pd.DataFrame(
            {
                "month": month,
                "station_code": np.repeat(codes[idx], len(params))[flat],
                "parameter": np.tile(np.array([p.id for p in params], dtype=object), n)[flat],
                "numerator": nums.ravel()[flat],
                "denominator": dens.ravel()[flat],
            }
        )
        extra_station, extra_state = companion.month_rows(
            t, month, idx, codes, s_state, s_district, size * season[t], d_mult, s_mult,
            state_stations)
        rows = pd.concat([rows, extra_station], ignore_index=True)
        path = out_dir / f"station_rows_{month}.csv"
        _write_csv(rows, path)
        station_paths.append(path)
        station_total += len(rows)

        # State-level rows.
        s_params = version.state_parameters
        month_absent = rng.random((n_s, len(s_params))) < 0.04
        out: list[tuple[str, str, str, int, int]] = []
        for i, state_code in enumerate(states["state_code"]):
            cache: dict[str, int] = {}
            for j, p in enumerate(s_params):
                den = _state_denominator(
                    p.id, i, state_stations, state_districts, personnel, legacy, rng, cache
                )
                miss = min(1.0, g_state[i] * _STATE_DIFFICULTY.get(p.id, 1.0) * rng.lognormal(0.0, 0.3))
                num = den - int(rng.binomial(den, miss))
                if perfect[i, t]:
                    out.append((month, state_code, p.id, den, den))
                elif not (never[i, state_param_col[p.id] % 64] or month_absent[i, j]):
                    out.append((month, state_code, p.id, num, den))
        out += extra_state
        frame = pd.DataFrame(out, columns=["month", "state_code", "parameter", "numerator", "denominator"])
        path = out_dir / f"state_rows_{month}.csv"
        _write_csv(frame, path)
        state_paths.append(path)
        state_total += len(frame)

    record = published_record()
    record = record[record["state_code"].isin(set(states["state_code"]))]
    published = out_dir / "published_results.csv"
    _write_csv(record, published)

    return DemoFiles(
        out_dir=out_dir,
        published=published,
        states=paths["states"],
        districts=paths["districts"],
        police_stations=paths["police_stations"],
        station_rows=tuple(station_paths),
        state_rows=tuple(state_paths),
        months=tuple(window),
        station_row_count=station_total,
        state_row_count=state_total,
        station_count=n_st,
    )


def _state_denominator(
    pid: str,
    i: int,
    stations: np.ndarray,
    districts: np.ndarray,
    personnel: np.ndarray,
    legacy: np.ndarray,
    rng: np.random.Generator,
    cache: dict[str, int],
) -> int:
    """Denominator of a state-level parameter for State i; quantities shared by parameters are cached."""
    if pid == "personnel_trained":
        return int(personnel[i])
    if pid == "technical_support":
        return int(districts[i])
    if pid == "legacy_migrated":
        return int(legacy[i])
    if pid == "citizen_services_live":
        return 9
    quantity, rate = {
        "icjs_courts": ("charge_sheets", 12.0),
        "icjs_prosecution": ("charge_sheets", 12.0),
        "icjs_prisons": ("judicial_custody", 8.0),
        "icjs_forensics": ("forensic_requests", 0.4),
    }.get(pid, (pid, 5.0))
    if quantity not in cache:
        cache[quantity] = int(rng.poisson(rate * stations[i]))
    return cache[quantity]


# ICJS: weaker and more spread than CCTNS (the pillars outside the police lag); ITSSO: each State's 60-day
# compliance between about 30 % and 98 % (UP near the top, as published in 2023).
_ICJS_SHIFT = {"UK": 0.35, "HR": 0.4, "AS": 0.45, "UP": 0.6, "HP": 0.6, "OD": 0.6, "DL": 0.7}
_ITSSO_LEVEL = {"UP": 0.975, "HP": 0.905, "HR": 0.93, "DL": 0.86, "UK": 0.9, "GJ": 0.88, "KL": 0.82,
                "BR": 0.42, "JH": 0.45, "MN": 0.31, "NL": 0.35, "AR": 0.38, "WB": 0.52}
_ICJS_STATION_DENOMINATOR = {"icjs_police_exchange": 1.3, "icjs_fingerprint_exchange": 0.7}
_ICJS_STATE_DENOMINATOR = {"icjs_ecourts_exchange": 12.0, "icjs_eprisons_exchange": 8.0,
                           "icjs_eforensics_exchange": 0.5, "icjs_eprosecution_exchange": 10.0,
                           "icjs_pillar_searches": 4.0}


class _Companions:
    """Rows of the companion schemes (ICJS, ITSSO) from their own random stream, so the CCTNS rows of a
    seed stay exactly as they were before the schemes existed."""

    def __init__(self, schemes: tuple[Methodology, ...], window: list[str], state_codes: list[str],
                 category: np.ndarray, cctns_gap: np.ndarray, seed: int) -> None:
        self.schemes = schemes
        self.window = window
        self.state_codes = state_codes
        self.rng = np.random.default_rng([seed, 4])
        n_s, n_t = cctns_gap.shape
        spread = self.rng.lognormal(0.0, 0.5, size=n_s)
        shift = np.array([_ICJS_SHIFT.get(c, 1.0) for c in state_codes])
        weak = np.where(category == MAJOR, 1.0, 1.5)
        self.icjs_gap = np.clip(0.06 + 2.2 * cctns_gap * spread[:, None], 0.0, 0.8) * (shift * weak)[:, None]
        level = np.array([_ITSSO_LEVEL.get(c, float(self.rng.uniform(0.45, 0.92))) for c in state_codes])
        drift = self.rng.normal(0.0, 0.02, size=(n_s, n_t)).cumsum(axis=1) * 0.5
        self.itsso_level = np.clip(level[:, None] + drift, 0.28, 0.985)

    def month_rows(self, t: int, month: str, reported: np.ndarray, codes: np.ndarray, s_state: np.ndarray,
                   s_district: np.ndarray, lam: np.ndarray, d_mult: np.ndarray, s_mult: np.ndarray,
                   state_stations: np.ndarray) -> tuple[pd.DataFrame, list[tuple[str, str, str, int, int]]]:
        rng = self.rng
        frames: list[pd.DataFrame] = []
        state_out: list[tuple[str, str, str, int, int]] = []
        idx = reported[rng.random(len(reported)) >= 0.01]  # of the stations that reported, a few send no more
        for methodology in self.schemes:
            version = methodology.version_for(month)
            if version is None:
                continue
            for p in version.station_parameters:
                n = len(idx)
                if methodology.scheme == "itsso":
                    den = rng.poisson(0.1 * lam[idx])  # rape and POCSO cases due: many stations have none
                    rate = self.itsso_level[s_state[idx], t] * rng.lognormal(0.0, 0.05, size=n)
                    num = rng.binomial(den, np.clip(rate, 0.0, 1.0))
                else:
                    g = self.icjs_gap[s_state[idx], t] * d_mult[s_district[idx]] * np.sqrt(s_mult[idx])
                    miss = np.clip(g * rng.lognormal(-0.06, 0.35, size=n), 0.0, 1.0)
                    if p.kind == "flag":
                        den = np.ones(n, dtype=np.int64)
                        num = (rng.random(n) >= miss).astype(np.int64)
                    else:
                        den = rng.poisson(_ICJS_STATION_DENOMINATOR.get(p.id, 1.0) * lam[idx])
                        num = den - rng.binomial(den, miss)
                frames.append(pd.DataFrame({"month": month, "station_code": codes[idx], "parameter": p.id,
                                            "numerator": num.astype(np.int64), "denominator": den.astype(np.int64)}))
            for i, state_code in enumerate(self.state_codes):
                for p in version.state_parameters:
                    if p.id == "icjs_pillar_readiness":
                        den = 6 if version.parameter("icjs_fingerprint_exchange") else 5
                    else:
                        den = int(rng.poisson(_ICJS_STATE_DENOMINATOR.get(p.id, 5.0) * state_stations[i]))
                    miss = min(1.0, self.icjs_gap[i, t] * rng.lognormal(0.0, 0.3))
                    state_out.append((month, state_code, p.id, den - int(rng.binomial(den, miss)), den))
        station = (pd.concat(frames, ignore_index=True) if frames else
                   pd.DataFrame(columns=["month", "station_code", "parameter", "numerator", "denominator"]))
        return station, state_out
