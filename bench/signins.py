"""N simultaneous sign-ins against `cctns serve --prod`, and where their time goes.

    .venv/bin/python -m bench.signins --url sqlite:////tmp/x.sqlite3 [--users 100] [--workers W] [--threads T]
    bash bench/run.sh ... runs the same sign-ins inside its 100-user part (bench/load.py)

A fresh schema at URL with one national user (argon2id with the production parameters), the production
server with the given workers/threads, then every user at once: GET /login, POST /login (argon2), GET /
(the app's page). Reports p50/p95/max of each step and of the whole sign-in, the wall time until the last
one is in, the CPU seconds the server spent (master and workers, from /proc) and those of the simulated
users (this process: on one machine they take the same cores), so that the argon2 share is visible: users x
one verification's CPU time is the floor of the work, and on C idle cores the last sign-in cannot end before
(server + client CPU) / C. Measure at a quiet moment: the load average is in the output."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import TOKEN_RE, Timer, free_port, proc_stats, summary_ms

USERNAME = "hall"


def prepare(url: str) -> str:
    """Fresh schema with one national user; returns the password."""
    from dashboard.store.db import get_engine
    from dashboard.store.schema import store_schemes, upgrade
    from dashboard.web.users import create_user
    from metrics.methodology import shipped_schemes

    engine = get_engine(url)
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    password = secrets.token_urlsafe(16)
    create_user(engine, USERNAME, password, "national")
    return password


def one_verification_ms(rounds: int = 10) -> float:
    """The CPU time of one argon2 verification with the production parameters, in this process, the way the
    server verifies (`verify_password`: libsodium for hashes with the production parameters)."""
    from dashboard.web.passwords import production_hasher, verify_password

    stored = production_hasher().hash("a-password-for-timing")
    start = time.process_time()
    for _ in range(rounds):
        assert verify_password(stored, "a-password-for-timing")
    return (time.process_time() - start) / rounds * 1000


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds spent by `root` and every process under it, living or ended: a gunicorn worker recycled
    mid-run (`max_requests`) counts through the master that reaped it, a PostgreSQL backend of a closed
    connection through the postmaster (summing the live workers alone lost the recycled ones' CPU)."""
    stats = proc_stats()
    parents: dict[int, list[int]] = {}
    for pid, (_, ppid) in stats.items():
        parents.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][0]
            todo.extend(parents.get(pid, []))
    return total


def service_pid(name: str, port: int) -> int | None:
    """The pid of the PostgreSQL postmaster ("postgres") or the redis-server serving `port` here, found by
    its command line as scripts/pg.sh and bench/main.py start them; None when there is none."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        program = args[0].rsplit("/", 1)[-1]
        if name == "postgres" and program == "postgres" and any(
                a == "-p" and b == str(port) for a, b in zip(args, args[1:], strict=False)):
            return int(entry)
        if name == "redis-server" and program.startswith("redis-server") and args[0].endswith(f":{port}"):
            return int(entry)
    return None


def cpu_snapshot(server_pid: int, url: str = "", redis_url: str = "") -> dict[str, float]:
    """CPU seconds so far of the server (gunicorn's master and workers, recycled ones included), the
    PostgreSQL and Redis serving it when they run here, and the simulated users (this process)."""
    from urllib.parse import urlsplit

    out = {"server": tree_cpu_seconds(server_pid), "client": time.process_time()}
    for kind, name, address in (("database", "postgres", url), ("cache", "redis-server", redis_url)):
        port = urlsplit(address).port if address and "://" in address else None
        pid = service_pid(name, port) if port else None
        if pid is not None:
            out[kind] = tree_cpu_seconds(pid)
    return out


def cpu_used(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, float]:
    """`<part>_cpu_s` for each part measured at both ends, and `<part>_cpu_ms_per_request`."""
    out: dict[str, float] = {}
    for part in before:
        if part in after:
            spent = after[part] - before[part]
            out[f"{part}_cpu_s"] = round(spent, 2)
            if requests:
                out[f"{part}_cpu_ms_per_request"] = round(spent * 1000 / requests, 2)
    return out


def run(base: str, password: str, users: int) -> dict[str, Any]:
    from bench.load import Browser

    barrier = threading.Barrier(users)
    lock = threading.Lock()
    steps: dict[str, list[float]] = {"get_login": [], "post_login": [], "get_app": [], "sign_in": []}
    ends: list[float] = []
    errors: list[str] = []
    start = [0.0]

    def user() -> None:
        browser = Browser(base)
        try:
            barrier.wait(60)
            t0 = time.perf_counter()
            with lock:
                start[0] = start[0] or t0
            t = Timer()
            status, data, headers = browser.get("/login")
            got = t.ms
            token = TOKEN_RE.search(Browser.text(data, headers)).group(1)
            t = Timer()
            status, _, _ = browser.post_form("/login", {"username": USERNAME, "password": password,
                                                        "csrf_token": token, "next": "/"})
            posted = t.ms
            if status not in (302, 303):
                raise RuntimeError(f"HTTP {status}")
            t = Timer()
            status, _, _ = browser.get("/")
            if status != 200:
                raise RuntimeError(f"HTTP {status} for the app's page")
            app = t.ms
            t1 = time.perf_counter()
            with lock:
                steps["get_login"].append(got)
                steps["post_login"].append(posted)
                steps["get_app"].append(app)
                steps["sign_in"].append((t1 - t0) * 1000)
                ends.append(t1)
        except Exception as exc:  # noqa: BLE001
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            browser.close()

    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(180)
    return {"users": users, **{k: summary_ms(v) for k, v in steps.items()},
            "last_in_s": round(max(ends) - start[0], 2) if ends else None,
            "errors": len(errors), "error_examples": sorted(set(errors))[:3]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="database URL (a fresh schema is made there)")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--hash-slots", type=int, default=None, help="argon2 computations at once (CCTNS_HASH_SLOTS)")
    ap.add_argument("--rounds", type=int, default=1, help="repeat the whole hall this many times")
    ap.add_argument("--redis-url", default="")
    ap.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = ap.parse_args()

    from bench.load import Server, server_env

    instance = Path(os.environ.get("TMPDIR", "/tmp")) / f"cctns-signins-{os.getpid()}"
    instance.mkdir(parents=True, exist_ok=True)
    password = prepare(args.url)
    env = server_env(args.url, instance, args.redis_url or None, secrets.token_urlsafe(32))
    if args.threads:
        env["CCTNS_THREADS"] = str(args.threads)
    if args.hash_slots:
        env["CCTNS_HASH_SLOTS"] = str(args.hash_slots)
    server = Server(env, free_port(), instance / "gunicorn.log", workers=args.workers)
    out: dict[str, Any] = {"url": args.url.split("@")[-1], "one_verification_cpu_ms": None, "rounds": []}
    try:
        server.wait_ready()
        out["workers"] = server.wait_workers()
        out["threads"] = int(env.get("CCTNS_THREADS") or 0) or None
        out["hash_slots"] = int(env.get("CCTNS_HASH_SLOTS") or 0) or None
        out["loadavg_before"] = round(os.getloadavg()[0], 2)
        for _ in range(args.rounds):
            before = cpu_snapshot(server.proc.pid, args.url, args.redis_url)
            wall = Timer()
            result = run(server.base, password, args.users)
            # the simulated users run on the same cores: their CPU is not the server's, but it is not free
            result.update(cpu_used(before, cpu_snapshot(server.proc.pid, args.url, args.redis_url), 0))
            result["server_cpu_ms_per_sign_in"] = round(result["server_cpu_s"] * 1000 / args.users, 1)
            result["wall_s"] = round(wall.s, 2)
            out["rounds"].append(result)
            time.sleep(1)
        out["loadavg_after"] = round(os.getloadavg()[0], 2)
    finally:
        server.stop()
    out["one_verification_cpu_ms"] = round(one_verification_ms(), 1)
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0 if all(r["errors"] == 0 for r in out["rounds"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
