"""The scoring methodology as data: versions, parameters, weights and targets, loaded from TOML."""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path

LEVELS = ("station", "state")
KINDS = ("count", "days", "flag")
# `<field>_<lang>` beside a parameter's field gives its words in that language (English is the field itself)
TRANSLATED_FIELDS = ("name", "head", "numerator", "denominator", "shortfall")
TRANSLATION_LANGUAGES = ("hi",)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_REQUIRED_PARAMETER_FIELDS = ("id", "name", "head", "level", "kind", "weight", "target")
_REQUIRED_VERSION_FIELDS = ("id", "title", "effective_from", "lagging_score_below", "critical_achievement_below")
SCHEME_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,19}$")
DEFAULT_SCHEME = "cctns"
SHIPPED_SCHEMES = ("cctns", "icjs", "itsso")  # the files in metrics/data, in the order they are shown
SHIPPED_FILES = {"cctns": "pragati.toml", "icjs": "icjs.toml", "itsso": "itsso.toml"}
PROVENANCES = ("reconstructed", "notified")
DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class MethodologyError(ValueError):
    """A methodology file that breaks the rules; the message lists every problem found."""

    def __init__(self, problems: list[str], source: str = "methodology"):
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def is_month(text: object) -> bool:
    return isinstance(text, str) and MONTH_RE.match(text) is not None


def days_in_month(month: str) -> int:
    year, mon = int(month[:4]), int(month[5:7])
    return calendar.monthrange(year, mon)[1]


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    months, m = [], first
    while m <= last:
        months.append(m)
        m = next_month(m)
    return months


@dataclass(frozen=True)
class Parameter:
    id: str
    name: str
    head: str
    level: str  # "station" | "state"
    kind: str  # "count" | "days" | "flag"
    weight: Fraction
    target: Fraction  # percentage at which full marks are earned
    numerator: str = ""
    denominator: str = ""
    critical: bool = False
    shortfall: str = ""  # words for what is missing, e.g. "cases past 60 days": reasons read "14 of 31 cases past 60 days"
    # words in other languages, "<field>_<lang>" -> text (e.g. "name_hi"); English is the field itself
    translations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def weight_float(self) -> float:
        return float(self.weight)

    @property
    def target_float(self) -> float:
        return float(self.target)


@dataclass(frozen=True)
class Version:
    id: str
    title: str
    effective_from: str
    lagging_score_below: Fraction
    critical_achievement_below: Fraction
    parameters: tuple[Parameter, ...]
    # "title_hi" beside the title (see Parameter.translations)
    translations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # where the version comes from: "reconstructed" from public reports, or "notified" by NCRB on a date
    provenance: str = "reconstructed"
    notified_on: str = ""  # YYYY-MM-DD, for a notified version
    reference: str = ""  # the circular's reference, for a notified version
    sources: tuple[str, ...] = ()

    @property
    def provenance_text(self) -> str:
        """The provenance in words, as the methodology page, the deck and the packs print it."""
        if self.provenance == "notified":
            return f"as notified by NCRB on {self.notified_on}, {self.reference}"
        return "reconstructed from public reports"

    def parameter(self, parameter_id: str) -> Parameter | None:
        return next((p for p in self.parameters if p.id == parameter_id), None)

    def by_level(self, level: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.level == level)

    @property
    def station_parameters(self) -> tuple[Parameter, ...]:
        return self.by_level("station")

    @property
    def state_parameters(self) -> tuple[Parameter, ...]:
        return self.by_level("state")


@dataclass(frozen=True)
class Methodology:
    """One ranking scheme's methodology (CCTNS Pragati, ICJS, ITSSO, ...): its versions over time."""

    versions: tuple[Version, ...]  # sorted by effective_from
    source: str = field(default="", compare=False)  # the TOML text it was loaded from
    scheme: str = DEFAULT_SCHEME
    scheme_name: str = "CCTNS Pragati"
    scheme_name_hi: str = ""
    scheme_short: str = "CCTNS"

    @property
    def parameter_ids(self) -> frozenset[str]:
        """Every parameter id of every version: the rows that belong to this scheme."""
        return frozenset(p.id for v in self.versions for p in v.parameters)

    def version_for(self, month: str) -> Version | None:
        """Rule 1: the version whose effective_from is the latest one not after `month`."""
        chosen = None
        for version in self.versions:
            if version.effective_from <= month:
                chosen = version
        return chosen

    def version(self, version_id: str) -> Version | None:
        return next((v for v in self.versions if v.id == version_id), None)

    @property
    def first_month(self) -> str:
        return self.versions[0].effective_from


def _fraction(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"not a number: {value!r}")
    return Fraction(str(value))


def _parse_parameter(raw: dict, where: str, problems: list[str]) -> Parameter | None:
    missing = [f for f in _REQUIRED_PARAMETER_FIELDS if f not in raw]
    if missing:
        problems.append(f"{where}: missing field(s) {', '.join(missing)}")
        return None
    ok = True
    if raw["level"] not in LEVELS:
        problems.append(f"{where}: unknown level {raw['level']!r} (expected one of {', '.join(LEVELS)})")
        ok = False
    if raw["kind"] not in KINDS:
        problems.append(f"{where}: unknown kind {raw['kind']!r} (expected one of {', '.join(KINDS)})")
        ok = False
    if raw["level"] == "state" and raw["kind"] != "count":
        problems.append(f"{where}: a state-level parameter must be of kind 'count'")
        ok = False
    try:
        weight = _fraction(raw["weight"])
        if weight <= 0:
            problems.append(f"{where}: weight must be > 0, got {raw['weight']!r}")
            ok = False
    except ValueError:
        problems.append(f"{where}: weight is not a number: {raw['weight']!r}")
        ok = False
    try:
        target = _fraction(raw["target"])
        if not (0 < target <= 100):
            problems.append(f"{where}: target must be in (0, 100], got {raw['target']!r}")
            ok = False
    except ValueError:
        problems.append(f"{where}: target is not a number: {raw['target']!r}")
        ok = False
    critical = raw.get("critical", False)
    if not isinstance(critical, bool):
        problems.append(f"{where}: critical must be true or false")
        ok = False
    translations = _translations(raw, where, problems)
    if translations is None:
        ok = False
    if not ok:
        return None
    return Parameter(
        id=str(raw["id"]),
        name=str(raw["name"]),
        head=str(raw["head"]),
        level=raw["level"],
        kind=raw["kind"],
        weight=weight,
        target=target,
        numerator=str(raw.get("numerator", "")),
        denominator=str(raw.get("denominator", "")),
        critical=critical,
        shortfall=str(raw.get("shortfall", "")),
        translations=translations or {},
    )


def _parse_scheme(data: dict, problems: list[str]) -> dict:
    """The [scheme] table; a file without one is the CCTNS Pragati scheme (files written before schemes)."""
    raw = data.get("scheme")
    if raw is None:
        return {"scheme": DEFAULT_SCHEME, "scheme_name": "CCTNS Pragati", "scheme_name_hi": "", "scheme_short": "CCTNS"}
    if not isinstance(raw, dict):
        problems.append("[scheme] must be a table")
        return {}
    sid = raw.get("id")
    if not isinstance(sid, str) or not SCHEME_ID_RE.match(sid):
        problems.append(f"[scheme]: id must be 2-20 lower-case letters, digits or _ starting with a letter, got {sid!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("[scheme]: missing name")
    return {"scheme": sid, "scheme_name": str(name), "scheme_name_hi": str(raw.get("name_hi", "")),
            "scheme_short": str(raw.get("short", name))}


def _parse_provenance(raw: dict, where: str, problems: list[str]) -> dict:
    provenance = raw.get("provenance", "reconstructed")
    if provenance not in PROVENANCES:
        problems.append(f"{where}: provenance must be one of {', '.join(PROVENANCES)}, got {provenance!r}")
        return {}
    notified_on = str(raw.get("notified_on", ""))
    reference = str(raw.get("reference", "")).strip()
    if provenance == "notified":
        if not DATE_RE.match(notified_on):
            problems.append(f"{where}: a notified version needs notified_on = YYYY-MM-DD, got {notified_on!r}")
        if not reference:
            problems.append(f"{where}: a notified version needs the reference of NCRB's circular")
    sources = raw.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(x, str) for x in sources):
        problems.append(f"{where}: sources must be a list of texts")
        sources = []
    return {"provenance": provenance, "notified_on": notified_on, "reference": reference,
            "sources": tuple(sources)}


def _translations(raw: dict, where: str, problems: list[str]) -> dict[str, str] | None:
    """`name_hi`, `head_hi`, `numerator_hi`, `denominator_hi` (any TRANSLATED_FIELDS x TRANSLATION_LANGUAGES)
    beside the English fields: non-empty text; None (and a problem) when one is not."""
    out: dict[str, str] = {}
    ok = True
    for key, value in raw.items():
        base, _sep, lang = str(key).rpartition("_")
        if lang in TRANSLATION_LANGUAGES and base in TRANSLATED_FIELDS:
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}: {key} must be non-empty text")
                ok = False
            else:
                out[key] = value.strip()
    return out if ok else None


def missing_translations(methodology: Methodology, language: str = "hi") -> list[str]:
    """The parameters (version/id) whose name has no translation into `language`: they fall back to English."""
    return [f"{v.id}/{p.id}" for v in methodology.versions for p in v.parameters
            if not p.translations.get(f"name_{language}")]


def parse_methodology(text: str, source: str = "methodology") -> Methodology:
    """Parse and validate methodology TOML; raise MethodologyError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodologyError([f"not valid TOML: {exc}"], source) from exc
    raw_versions = data.get("version")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise MethodologyError(["no [[version]] tables"], source)
    problems: list[str] = []
    scheme = _parse_scheme(data, problems)
    versions: list[Version] = []
    seen_ids: set[str] = set()
    seen_from: dict[str, str] = {}
    for i, raw in enumerate(raw_versions, start=1):
        where = f"version #{i}" + (f" ({raw.get('id')})" if raw.get("id") else "")
        missing = [f for f in _REQUIRED_VERSION_FIELDS if f not in raw]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if raw["id"] in seen_ids:
            problems.append(f"{where}: duplicate version id {raw['id']!r}")
        seen_ids.add(raw["id"])
        eff = raw["effective_from"]
        if not is_month(eff):
            problems.append(f"{where}: effective_from must be YYYY-MM, got {eff!r}")
            continue
        if eff in seen_from:
            problems.append(f"{where}: effective_from {eff} is also used by version {seen_from[eff]!r}")
        seen_from[eff] = raw["id"]
        try:
            lag = _fraction(raw["lagging_score_below"])
            crit = _fraction(raw["critical_achievement_below"])
        except ValueError:
            problems.append(f"{where}: lagging_score_below and critical_achievement_below must be numbers")
            continue
        if not (0 <= lag <= 100):
            problems.append(f"{where}: lagging_score_below must be in [0, 100]")
        if not (0 <= crit <= 1):
            problems.append(f"{where}: critical_achievement_below must be in [0, 1]")
        provenance = _parse_provenance(raw, where, problems)
        raw_params = raw.get("parameter")
        if not isinstance(raw_params, list) or not raw_params:
            problems.append(f"{where}: has no parameters")
            continue
        params: list[Parameter] = []
        param_ids: set[str] = set()
        for j, raw_param in enumerate(raw_params, start=1):
            pwhere = f"{where} parameter #{j}" + (f" ({raw_param.get('id')})" if raw_param.get("id") else "")
            if raw_param.get("id") in param_ids:
                problems.append(f"{pwhere}: duplicate parameter id {raw_param.get('id')!r}")
                continue
            param_ids.add(raw_param.get("id"))
            param = _parse_parameter(raw_param, pwhere, problems)
            if param is not None:
                params.append(param)
        versions.append(
            Version(
                id=str(raw["id"]),
                title=str(raw["title"]),
                effective_from=eff,
                lagging_score_below=lag,
                critical_achievement_below=crit,
                parameters=tuple(params),
                translations={k: str(v).strip() for k, v in raw.items()
                              if k.rpartition("_")[0] == "title" and k.rpartition("_")[2] in TRANSLATION_LANGUAGES
                              and isinstance(v, str) and v.strip()},
                **provenance,
            )
        )
    if problems:
        raise MethodologyError(problems, source)
    versions.sort(key=lambda v: v.effective_from)
    return Methodology(versions=tuple(versions), source=text, **scheme)


def shipped_methodology(scheme: str) -> Methodology:
    """One of the scheme files shipped with the project (metrics/data)."""
    name = SHIPPED_FILES[scheme]
    text = resources.files("metrics").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return parse_methodology(text, f"{name} (shipped)")


def load_methodology(path: str | Path | None = None) -> Methodology:
    """Load a methodology file; without a path, the default CCTNS catalogue shipped with the project."""
    if path is None:
        return shipped_methodology(DEFAULT_SCHEME)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MethodologyError([f"cannot read file: {exc}"], str(path)) from exc
    return parse_methodology(text, str(path))


def default_methodology() -> Methodology:
    return load_methodology(None)


@dataclass(frozen=True)
class Schemes:
    """Every ranking scheme's methodology, in display order. Parameter ids are unique across schemes, so a
    row's parameter tells its scheme and an import file may mix schemes' rows."""

    by_id: dict[str, Methodology]

    def __post_init__(self) -> None:
        problems = check_schemes(list(self.by_id.values()))
        if problems:
            raise MethodologyError(problems, "schemes")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.by_id)

    def __getitem__(self, scheme: str) -> Methodology:
        return self.by_id[scheme]

    def get(self, scheme: str) -> Methodology | None:
        return self.by_id.get(scheme)

    def scheme_of(self, parameter_id: str) -> str | None:
        return next((s for s, m in self.by_id.items() if parameter_id in m.parameter_ids), None)

    @property
    def first_month(self) -> str:
        return min(m.first_month for m in self.by_id.values())


def check_schemes(methodologies: list[Methodology]) -> list[str]:
    """Problems of a set of schemes together: one methodology per scheme id, version and parameter ids
    unique across schemes."""
    problems: list[str] = []
    seen_scheme: set[str] = set()
    version_owner: dict[str, str] = {}
    param_owner: dict[str, str] = {}
    for m in methodologies:
        if m.scheme in seen_scheme:
            problems.append(f"scheme {m.scheme!r} is given twice")
        seen_scheme.add(m.scheme)
        for v in m.versions:
            other = version_owner.setdefault(v.id, m.scheme)
            if other != m.scheme:
                problems.append(f"version id {v.id!r} of scheme {m.scheme!r} is also a version of {other!r}")
        for pid in sorted(m.parameter_ids):
            other = param_owner.setdefault(pid, m.scheme)
            if other != m.scheme:
                problems.append(f"parameter id {pid!r} of scheme {m.scheme!r} is also a parameter of {other!r}:"
                                " parameter ids must be unique across schemes")
    return problems


def shipped_schemes() -> Schemes:
    """The three schemes shipped with the project: CCTNS Pragati, ICJS and ITSSO."""
    return Schemes({s: shipped_methodology(s) for s in SHIPPED_SCHEMES})


def first_changed_month(old: Methodology | None, new: Methodology) -> str | None:
    """The first month whose scoring differs between two methodologies of one scheme (a version added,
    changed or removed), or None when they score every month alike."""
    if old is None:
        return new.first_month
    old_by_id = {v.id: v for v in old.versions}
    new_by_id = {v.id: v for v in new.versions}
    changed = [v.effective_from for v in new.versions if old_by_id.get(v.id) != v]
    changed += [v.effective_from for v in old.versions if v.id not in new_by_id]
    return min(changed) if changed else None
