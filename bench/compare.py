"""Two benchmark runs side by side, per database and per callback: the before/after table of a closing note.

    python -m bench.compare bench/results/BEFORE/report.json bench/results/AFTER/report.json [--out FILE.md]

Callbacks are matched by their label (first output, number of outputs, first input); a callback that only
one run measured is listed with "–" on the other side. The machine load of each run is printed with it:
wall times of runs made at different loads are not comparable, CPU times mostly are.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _v(stats: dict[str, Any] | None, key: str = "p95_ms") -> float | None:
    return None if not stats else stats.get(key)


def _pair(before: float | None, after: float | None, nd: int = 1) -> str:
    def f(x: float | None) -> str:
        return "–" if x is None else f"{x:,.{nd}f}"

    return f"{f(before)} → {f(after)}"


def _load(r: dict[str, Any]) -> str:
    la = r.get("loadavg") or {}
    return ", ".join(f"{k} {v}" for k, v in la.items()) or "not recorded"


def _callbacks(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["callback"]: c for c in (r.get("callbacks") or {}).get("callbacks", []) if c.get("status") == "ok"}


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = [f"# Benchmark: `{before['run']}` → `{after['run']}`", "",
             f"Before: `{before['command']}`. After: `{after['command']}`.", ""]
    for db in sorted(set(before.get("databases", {})) | set(after.get("databases", {}))):
        b, a = before["databases"].get(db, {}), after["databases"].get(db, {})
        lines += [f"## {db}", "", f"Machine load before: {_load(b)}. After: {_load(a)}.", ""]
        bb, ab = b.get("build") or {}, a.get("build") or {}
        if bb or ab:
            bm, am = bb.get("month_import") or {}, ab.get("month_import") or {}
            br, ar = bb.get("reimport_latest") or {}, ab.get("reimport_latest") or {}
            lines += ["| import (seconds) | before | after |", "|---|---|---|",
                      f"| a month imported and rescored, max: wall (CPU) | {bm.get('max_s', '–')} ({bm.get('max_cpu_s', '–')}) "
                      f"| {am.get('max_s', '–')} ({am.get('max_cpu_s', '–')}) |",
                      f"| of which recompute, max | {bm.get('max_recompute_s', '–')} | {am.get('max_recompute_s', '–')} |",
                      f"| the latest month imported again: wall (CPU) | {br.get('seconds', '–')} ({br.get('cpu_s', '–')}) "
                      f"| {ar.get('seconds', '–')} ({ar.get('cpu_s', '–')}) |", ""]
        bc, ac = _callbacks(b), _callbacks(a)
        if bc or ac:
            fb, fa = (b.get("callbacks") or {}).get("floor"), (a.get("callbacks") or {}).get("floor")
            lines += [f"No-op floor p50: {_pair(_v(fb, 'p50_ms'), _v(fa, 'p50_ms'), 2)} ms.", "",
                      "| callback | cold p95 ms | cold p95 CPU ms | warm p95 ms | warm p95 CPU ms | largest answer KB |",
                      "|---|---|---|---|---|---|"]
            for name in [*bc, *(k for k in ac if k not in bc)]:
                x, y = bc.get(name), ac.get(name)
                kb_b = None if not x or not x.get("max_bytes") else x["max_bytes"] / 1024
                kb_a = None if not y or not y.get("max_bytes") else y["max_bytes"] / 1024
                lines.append(
                    f"| `{name}` | {_pair(_v(x and x['cold']), _v(y and y['cold']))} "
                    f"| {_pair(_v(x and x.get('cold_cpu')), _v(y and y.get('cold_cpu')))} "
                    f"| {_pair(_v(x and x['warm']), _v(y and y['warm']))} "
                    f"| {_pair(_v(x and x.get('warm_cpu')), _v(y and y.get('warm_cpu')))} | {_pair(kb_b, kb_a)} |")
            lines.append("")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    md = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()))
    if args.out:
        args.out.write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
