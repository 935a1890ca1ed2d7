"""The slides of a review as plain data (no I/O): built by `dashboard.reports.deck.slides` and rendered
three ways from the one description: the `/present` deck in the browser (`layouts.present`), the PDF and
the PPTX (`dashboard.reports.packs`), so the handout is exactly what was shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Kpi:
    label: str
    value: str
    sub: str = ""
    tone: str = ""  # "up" | "down" | ""
    highlight: bool = False  # our unit


@dataclass
class Kpis:
    items: list[Kpi]
    horizontal: bool = False


@dataclass
class Col:
    label: str
    align: str = "left"  # left | right | center
    width: float = 1.0  # relative


@dataclass(frozen=True)
class RowRef:
    """What one table row is about, for an affordance a renderer may put beside it (the web deck's "Assign an
    action"): the unit's level and code, and the parameter (None: the unit as a whole, e.g. not reported)."""

    level: str  # station | district | state
    unit_code: str
    parameter: str | None = None


@dataclass
class Table:
    columns: list[Col]
    rows: list[list[str]]
    highlight: set[int] = field(default_factory=set)  # row indexes of our unit
    tones: list[list[str]] = field(default_factory=list)  # per cell: "up" | "down" | ""
    caption: str = ""
    empty: str = "Nothing to show for this month"
    small: bool = False  # rows with text in words (reasons)
    dense: bool = False  # more rows (top 10) or a narrow side column: smaller type
    refs: list[RowRef | None] = field(default_factory=list)  # per row, when the rows are units to act on


@dataclass
class Chart:
    key: str  # stable id: trend | rank | why | lost
    # the figure as a plain dict, {"data": [...], "layout": {...}} (layouts.figures' specs: no validation on
    # the deck's path); the packs make a go.Figure of it for kaleido
    figure: dict[str, Any]
    caption: str = ""


@dataclass
class Text:
    lines: list[str]
    size: str = "m"  # l | m | s


Block = Kpis | Table | Chart | Text


@dataclass
class Slide:
    key: str
    title: str
    subtitle: str = ""
    columns: list[list[Block]] = field(default_factory=list)
    widths: list[float] = field(default_factory=lambda: [1.0])
    notes: str = ""
    kind: str = "content"  # title | content

    def charts(self) -> list[Chart]:
        return [b for col in self.columns for b in col if isinstance(b, Chart)]

    def tables(self) -> list[Table]:
        return [b for col in self.columns for b in col if isinstance(b, Table)]
