"""What a digest is, independent of how it is written: headline figures, sections with small tables, links.
`render` writes it as HTML and as plain text; every text in it is plain (never markup)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Styled:
    """A cell with a tone: good (green), bad (red), muted; `strong` for the user's own row."""

    text: str
    tone: str = ""
    strong: bool = False


Cell = str | Link | Styled


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[int, ...] = ()  # right-aligned columns
    more: str = ""  # "and 12 more"
    widths: tuple[str, ...] = ()  # column widths ("12%"), so tables of one kind line up


@dataclass(frozen=True)
class Item:
    """One entry of a list (a lagging police station): its name, a figure on the right, and lines under it."""

    title: Cell
    value: str = ""
    value_note: str = ""
    lines: tuple[str, ...] = ()
    tone: str = ""


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    sub: str = ""
    tone: str = ""  # good | bad | ""


@dataclass(frozen=True)
class Section:
    title: str
    lead: str = ""
    table: Table | None = None
    note: str = ""
    items: tuple[Item, ...] = ()
    more: str = ""  # under the items


@dataclass(frozen=True)
class Digest:
    kind: str  # monthly | reminder
    month: str
    language: str
    username: str
    subject: str
    preheader: str
    title: str
    subtitle: str
    kpis: tuple[Kpi, ...]
    sections: tuple[Section, ...]
    actions: tuple[Link, ...]  # the buttons: the first is the main one
    footer: tuple[str, ...]
    manage: Link | None = None
    attachment_note: str = ""
    pack: tuple[str, str | None] | None = None  # (state, district) of the PDF review pack to attach
    figures: dict = field(default_factory=dict, compare=False)  # the key numbers, for tests and logs


@dataclass(frozen=True)
class Links:
    """Links into the app: CCTNS_BASE_URL + the app's routes, with ?month= (and filters)."""

    base_url: str

    def page(self, path: str, month: str | None = None, **params: object) -> str:
        query: dict[str, object] = {"month": month} if month else {}
        query.update({k: v for k, v in params.items() if v not in (None, "")})
        return f"{self.base_url}{path}" + (f"?{urlencode(query)}" if query else "")

    def state(self, code: str, month: str) -> str:
        return self.page(f"/state/{code}", month)

    def district(self, code: str, month: str) -> str:
        return self.page(f"/district/{code}", month)

    def station(self, code: str, month: str) -> str:
        return self.page(f"/station/{code}", month)

    def lagging(self, month: str, state: str | None = None, district: str | None = None) -> str:
        return self.page("/lagging", month, state=state, district=district)

    def profile(self) -> str:
        return self.page("/profile")
