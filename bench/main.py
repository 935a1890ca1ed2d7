"""The benchmark in one run: generate the demo data once, then for each database a `bench.phase`
process; a Redis for the production server's cache when redis-server is installed; the report as
markdown and JSON under bench/results/.

    python -m bench.main --scale national --months 60 --db both --pg-url URL [--quick] [--strict]
"""

from __future__ import annotations

import argparse
import json
import pickle
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Timer, free_port
from bench.report import render_markdown, verdicts

ROOT = Path(__file__).resolve().parent.parent


def start_redis(work: Path) -> tuple[subprocess.Popen | None, str]:
    exe = shutil.which("redis-server")
    if not exe:
        return None, ""
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            return proc, f"redis://127.0.0.1:{port}/0"
        except redis.RedisError:
            time.sleep(0.05)
    proc.kill()
    return None, ""


def _redact(argv: list[str]) -> list[str]:
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--pg-url":
            skip = True
            continue
        out.append(a)
    return out


def machine() -> dict[str, Any]:
    import os

    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", choices=("national", "small"), default="national")
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--pg-url", default="")
    ap.add_argument("--quick", action="store_true", help="fewer inputs, 10 users, short load (CI)")
    ap.add_argument("--strict", action="store_true", help="fail on any HTTP error (CI)")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--callbacks-only", action="store_true",
                    help="import and callbacks at the server only (no production server, browser or users)")
    ap.add_argument("--keep", action="store_true", help="keep the databases and CSV files")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()

    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in dbs and not args.pg_url:
        print("bench: no PostgreSQL URL (--pg-url); run through bench/run.sh", file=sys.stderr)
        return 2
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = (f"{stamp}-{args.scale}-{args.months}m{'-quick' if args.quick else ''}"
            f"{'-callbacks' if args.callbacks_only else ''}")
    run_dir = args.out / name
    work = run_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "run": name, "started": stamp, "scale": args.scale, "months": args.months, "quick": args.quick,
        "callbacks_only": args.callbacks_only, "machine": machine(), "command": " ".join(["bench/run.sh"] + _redact(sys.argv[1:])), "databases": {},
    }
    total = Timer()
    redis_proc, redis_url = start_redis(work)
    report["cache"] = "RedisCache (throwaway redis-server)" if redis_url else "FileSystemCache"
    rc = 0
    try:
        from bench.build import generate

        print(f"bench: generating the {args.scale} demo data, {args.months} months", flush=True)
        files, seconds = generate(work / "csv", args.months, args.scale)
        report["generate_s"] = round(seconds, 1)
        files_pickle = work / "files.pickle"
        files_pickle.write_bytes(pickle.dumps(files))
        for db in dbs:
            url = f"sqlite:///{work / 'bench.sqlite3'}" if db == "sqlite" else args.pg_url
            out = run_dir / f"{db}.json"
            cmd = [sys.executable, "-m", "bench.phase", "--db", db, "--url", url, "--work", str(work),
                   "--files", str(files_pickle), "--out", str(out), "--users", str(args.users)]
            if redis_url:
                cmd += ["--redis-url", redis_url]
            if args.quick:
                cmd.append("--quick")
            if args.callbacks_only:
                cmd.append("--callbacks-only")
            t = Timer()
            proc = subprocess.run(cmd, cwd=ROOT)
            result = json.loads(out.read_text()) if out.exists() else {"errors": ["phase produced no result"]}
            result["seconds"] = round(t.s, 1)
            if proc.returncode != 0:
                result.setdefault("errors", []).append(f"phase exited with {proc.returncode}")
                rc = 1
            report["databases"][db] = result
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(10)
    report["seconds"] = round(total.s, 1)
    report["verdicts"] = verdicts(report)
    if args.strict:
        for db, r in report["databases"].items():
            http = sum(c.get("errors", 0) for c in r.get("callbacks", {}).get("callbacks", []))
            load_errors = r.get("load", {}).get("errors", 0)
            if http or load_errors or r.get("errors"):
                print(f"bench: {db}: {http} callback error(s), {load_errors} load error(s), "
                      f"{len(r.get('errors', []))} failure(s)", file=sys.stderr)
                rc = 1
    (run_dir / "report.json").write_text(json.dumps(report, indent=2, default=str))
    md = render_markdown(report)
    (run_dir / "report.md").write_text(md)
    for ext, text in (("json", json.dumps(report, indent=2, default=str)), ("md", md)):
        (args.out / f"latest{'-quick' if args.quick else ''}.{ext}").write_text(text)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(md)
    print(f"bench: report in {run_dir}/report.md and report.json ({report['seconds']} s)")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
