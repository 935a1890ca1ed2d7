"""The import rules of docs/ARCHITECTURE.md, checked over the real import graph of the code.

Every `import` and `from ... import` of our own packages is read with `ast` (module level and inside
functions alike), so a late import cannot hide an arrow. The rules:

* `metrics` imports nothing of ours, and never Dash, plotly's web parts, Flask or SQLAlchemy;
* the pure leaves of `dashboard` (config, scope, display, safe_text) import only `metrics` and each other;
* `layouts` imports only `layouts`, `metrics` and the pure leaves, and no I/O library;
* the rooms of `dashboard` import only downward: store < read < actions < foresight < ingest < reports < digests < web < cli;
* a room is entered only through its door: outside `dashboard/<room>/`, `dashboard.<room>` and never
  `dashboard.<room>.<module>` (tests may reach inside: they test the rooms' internals);
* no cycles anywhere.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("app", "dashboard", "metrics", "layouts", "callbacks")
LEAVES = ("config", "scope", "display", "safe_text", "i18n")
ROOMS = ("store", "read", "actions", "foresight", "ingest", "reports", "digests", "web", "cli")  # bottom to top
IO_LIBRARIES = ("sqlalchemy", "flask", "psycopg", "redis", "requests", "urllib.request", "socket", "subprocess",
                "openpyxl", "pptx", "fpdf", "kaleido", "alembic")


@dataclass(frozen=True)
class Arrow:
    source: str  # importing module, e.g. "dashboard.read.lagging_stations"
    target: str  # imported module, e.g. "dashboard.store" (a door) or "pandas"
    line: int
    via: str = ""  # the module named in the statement (`from dashboard.store import audit`: dashboard.store)

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = ROOT) -> list[Path]:
    files = [root / "app.py"] if (root / "app.py").exists() else []
    for package in OURS[1:]:
        files += sorted(p for p in (root / package).rglob("*.py") if "migrations/versions" not in p.as_posix())
    return files


def _is_module(name: str, root: Path) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def arrows_of(path: Path, root: Path = ROOT) -> list[Arrow]:
    """Every import in the file, resolved to the module it loads (a package's door or a module)."""
    source = module_name(path, root)
    is_package = path.name == "__init__.py"
    out: list[Arrow] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [Arrow(source, a.name, node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = source.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                target = child if base.split(".")[0] in OURS and _is_module(child, root) else base
                out.append(Arrow(source, target, node.lineno, base))
    return out


def all_arrows(root: Path = ROOT) -> list[Arrow]:
    return [a for f in source_files(root) for a in arrows_of(f, root)]


def unit_of(module: str) -> str:
    """Where a module lives in the house: metrics, leaf, layouts, callbacks, app, a room, or outside."""
    parts = module.split(".")
    if parts[0] != "dashboard":
        return parts[0] if parts[0] in OURS else "outside"
    if len(parts) == 1 or parts[1] in LEAVES:
        return "leaf"
    return parts[1] if parts[1] in ROOMS else "leaf"


def allowed_units(unit: str) -> set[str]:
    if unit == "metrics":
        return {"metrics"}
    if unit == "leaf":
        return {"metrics", "leaf"}
    if unit == "layouts":
        return {"metrics", "leaf", "layouts"}
    if unit in ROOMS:
        below = set(ROOMS[: ROOMS.index(unit) + 1])
        extra = {"layouts"} if unit in ("reports", "web", "cli") else set()  # figures and the slide model
        return {"metrics", "leaf"} | below | extra | ({"app"} if unit == "cli" else set())
    if unit == "callbacks":
        return {"metrics", "leaf", "layouts", "callbacks", *ROOMS} - {"cli"}
    return {"metrics", "leaf", "layouts", "callbacks", *ROOMS} - {"cli"}  # app


def violations(arrows: list[Arrow]) -> list[str]:
    found: list[str] = []
    for a in arrows:
        src, dst = unit_of(a.source), unit_of(a.target)
        if dst == "outside":
            top = a.target.split(".")[0]
            if src == "metrics" and top in ("dash", "flask", "sqlalchemy", "dash_bootstrap_components"):
                found.append(f"metrics imports {a.target}: {a}")
            if src in ("layouts", "leaf") and (a.target in IO_LIBRARIES or top in IO_LIBRARIES):
                found.append(f"{src} does I/O through {a.target}: {a}")
            continue
        if dst not in allowed_units(src):
            found.append(f"{src} may not import {dst}: {a}")
        if dst in ROOMS and src != dst and (a.via or a.target).count(".") > 1:
            found.append(f"past the door of dashboard.{dst}: {a}")
    return found


def cycles(arrows: list[Arrow]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for a in arrows:
        if unit_of(a.target) != "outside" and a.source != a.target:
            graph.setdefault(a.source, set()).add(a.target)
            graph.setdefault(a.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# --- the rules on the code --------------------------------------------------------------------------


def test_every_import_follows_the_rules():
    found = violations(all_arrows())
    assert not found, "import rules of docs/ARCHITECTURE.md broken:\n" + "\n".join(found)


def test_no_import_cycles():
    found = cycles(all_arrows())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_every_room_has_a_door_and_the_architecture_page_names_it():
    page = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for room in ROOMS:
        assert (ROOT / "dashboard" / room / "__init__.py").exists(), room
        assert f"dashboard/{room}/" in page, f"docs/ARCHITECTURE.md does not describe dashboard/{room}/"
    for leaf in LEAVES:
        if (ROOT / "dashboard" / f"{leaf}.py").exists():
            assert f"{leaf}.py" in page, f"docs/ARCHITECTURE.md does not describe dashboard/{leaf}.py"


# --- the checker itself, on a small tree with deliberate violations ------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(("files", "expected"), [
    ({"metrics/__init__.py": "", "metrics/scoring.py": "from dashboard.store import models\n"},
     "metrics may not import store"),
    ({"metrics/__init__.py": "", "metrics/scoring.py": "import sqlalchemy\n"}, "metrics imports sqlalchemy"),
    ({"layouts/__init__.py": "", "layouts/page.py": "from dashboard import read\n", "dashboard/read/__init__.py": ""},
     "layouts may not import read"),
    ({"layouts/__init__.py": "", "layouts/page.py": "def f():\n    from sqlalchemy import select\n"},
     "layouts does I/O through sqlalchemy"),
    ({"dashboard/store/__init__.py": "", "dashboard/store/db.py": "from dashboard.read import months\n"},
     "store may not import read"),
    ({"dashboard/ingest/__init__.py": "", "dashboard/ingest/importer.py": "from dashboard.web import auth\n"},
     "ingest may not import web"),
    ({"dashboard/store/__init__.py": "", "dashboard/store/models.py": "",
      "dashboard/read/__init__.py": "", "dashboard/read/units.py": "from dashboard.store.models import State\n"},
     "past the door of dashboard.store"),
])
def test_the_checker_catches_each_kind_of_violation(tmp_path, files, expected):
    root = _tree(tmp_path, {"dashboard/__init__.py": "", **files})
    found = violations(all_arrows(root))
    assert any(expected in f for f in found), found


def test_the_checker_finds_cycles_and_accepts_a_clean_tree(tmp_path):
    root = _tree(tmp_path, {
        "dashboard/__init__.py": "", "dashboard/read/__init__.py": "from dashboard.read.a import x\n",
        "dashboard/read/a.py": "from dashboard.read.b import y\nx = 1\n",
        "dashboard/read/b.py": "def y():\n    from dashboard.read.a import x\n",
    })
    assert cycles(all_arrows(root)) == [["dashboard.read.a", "dashboard.read.b"]]
    (root / "dashboard/read/b.py").write_text("def y():\n    return 2\n")
    assert cycles(all_arrows(root)) == []
    assert violations(all_arrows(root)) == []
