"""The production server (`cctns serve --prod`, gunicorn) on 127.0.0.1, 100 simulated users clicking
through the pages (Python threads, one `Browser` each), and the memory of each gunicorn worker.

Each user signs in through the real form and loads the app once (HTML, layout, dependencies); when all
are signed in, they visit pages in turn: for each visit it posts what the browser posts (the routing callback, then the
page's callbacks) and thinks 0.5-2 s before the next click. Bounded in visits and in time; loopback only.

`bench/phase.py` runs it inside the benchmark; on its own, against a database that holds imported months
(demo users are (re)created in it with fresh passwords, so use one you may write to):

    .venv/bin/python -m bench.load --url postgresql+psycopg://... --redis-url redis://127.0.0.1:6390/0 \
        [--users 100] [--visits 12] [--seconds 120] [--workers W] [--threads T] [--out result.json]
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.common import CSRF_COOKIE, CSRF_HEADER, TOKEN_RE, Timer, percentile, proc_stats, summary_ms

ROOT = Path(__file__).resolve().parent.parent


# --- server --------------------------------------------------------------------------------------------


class Server:
    """`cctns serve --prod` in its own process group; stopped by its pid."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path, workers: int | None = None):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        cmd = [str(ROOT / ".venv/bin/cctns"), "serve", "--prod", "--host", "127.0.0.1", "--port", str(port)]
        if workers:
            cmd += ["--workers", str(workers)]
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        from dashboard.web import worker_count

        self.expected_workers = workers or worker_count(env)
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> float:
        import requests

        t = Timer()
        while t.s < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                if requests.get(self.base + "/health", timeout=2).status_code == 200:
                    return t.s
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"server not ready in {timeout} s; see {self.log_path}")

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def wait_workers(self, timeout: float = 60) -> int:
        """Wait until gunicorn has forked all its workers (it answers /health with the first one up, and a
        load started then would measure one worker), and return how many there are."""
        expected = self.expected_workers
        t = Timer()
        while len(self.workers()) < expected and t.s < timeout:
            time.sleep(0.1)
        return len(self.workers())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


def children(pid: int) -> list[int]:
    return sorted(child for child, (_cpu, parent) in proc_stats().items() if parent == pid)


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    def __init__(self, server: Server, every: float = 0.5):
        super().__init__(daemon=True)
        self.server = server
        self.every = every
        self.peak: dict[int, float] = {}
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.every)

    def sample(self) -> None:
        for pid in self.server.workers():
            mb = rss_mb(pid)
            if mb is not None:
                self.peak[pid] = max(self.peak.get(pid, 0.0), mb)

    def result(self) -> dict[str, Any]:
        self.stop_event.set()
        now = {pid: rss_mb(pid) for pid in self.server.workers()}
        return {"master_mb": round(rss_mb(self.server.proc.pid) or 0, 1),
                "workers": [{"pid": pid, "peak_mb": round(mb, 1), "now_mb": round(now.get(pid) or 0, 1)}
                            for pid, mb in sorted(self.peak.items())],
                "max_worker_peak_mb": round(max(self.peak.values()), 1) if self.peak else None}


# --- one simulated user's HTTP ------------------------------------------------------------------------


class Browser:
    """One simulated user: an HTTP/1.1 keep-alive connection and its cookies (`http.client`).

    The users run on the server's own cores, so what they spend is taken from the server: `requests` spent
    about 3 ms of CPU per request here (20 s in a 100-user run), this about a tenth of it. Bodies are read
    whole (the connection is reused) and decompressed only when a page's text is needed (`text`)."""

    def __init__(self, base: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname or "127.0.0.1", parts.port or 80, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
        sent = {"Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # a kept-alive connection the server had closed: once more on a new one
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in (morsel["expires"] or ""):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return response.status, data, response.headers

    @staticmethod
    def text(data: bytes, headers: Any) -> str:
        return (gzip.decompress(data) if headers.get("Content-Encoding") == "gzip" else data).decode()

    def get(self, path: str) -> tuple[int, bytes, Any]:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes, Any]:
        return self.request("POST", path, urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --- users ----------------------------------------------------------------------------------------------


def sign_in(session: Any, base: str, username: str, password: str) -> str:
    """Sign in with a `requests` session (tests); returns the Dash CSRF header value."""
    html = session.get(base + "/login", timeout=30).text
    token = TOKEN_RE.search(html).group(1)
    r = session.post(base + "/login", data={"username": username, "password": password, "csrf_token": token,
                                            "next": "/"}, allow_redirects=False, timeout=60)
    if r.status_code not in (302, 303):
        raise RuntimeError(f"sign-in failed: HTTP {r.status_code}")
    session.get(base + "/", timeout=30)
    return session.cookies.get(CSRF_COOKIE)


def browser_sign_in(browser: Browser, username: str, password: str) -> str:
    """Sign in through the real form and load the app's page; returns the Dash CSRF header value."""
    status, data, headers = browser.get("/login")
    token = TOKEN_RE.search(Browser.text(data, headers)).group(1)
    status, _, _ = browser.post_form("/login", {"username": username, "password": password, "csrf_token": token,
                                                "next": "/"})
    if status not in (302, 303):
        raise RuntimeError(f"sign-in failed: HTTP {status}")
    browser.get("/")
    return browser.cookies.get(CSRF_COOKIE, "")


def run_users(base: str, username: str, password: str, visits: dict[str, list[dict[str, Any]]],
              users: int = 100, visits_per_user: int = 12, max_seconds: float = 120.0,
              think: tuple[float, float] = (0.5, 2.0), seed: int = 5,
              at_clicks: Any = None) -> dict[str, Any]:
    """`at_clicks()`, when given, is called once when everyone is signed in and the clicking starts (the
    CPU meters read there tell the clicks from the sign-ins)."""
    pages = [p for p in ("national", "state", "district", "station", "lagging", "national", "methodology", "data",
                         "state", "present")
             if visits.get(p)]
    payloads = {p: [[json.dumps(b) for b in v["bodies"]] for v in visits[p]] for p in set(pages)}
    lock = threading.Lock()
    samples: list[tuple[str, float, int]] = []  # (kind, ms, status)
    visit_ms: list[float] = []
    sign_ms: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(users)
    def start_clicking() -> None:
        deadline[0] = time.monotonic() + max_seconds
        if at_clicks is not None:
            at_clicks()

    signed_in = threading.Barrier(users, action=start_clicking)
    started = threading.Event()
    deadline = [0.0]

    def user(i: int) -> None:
        rng = random.Random(seed + i)
        browser = Browser(base)
        try:
            barrier.wait(60)
            t = Timer()
            csrf = browser_sign_in(browser, username, password)
            with lock:
                sign_ms.append(t.ms)
            for path in ("/_dash-layout", "/_dash-dependencies"):
                t = Timer()
                status, _, _ = browser.get(path)
                with lock:
                    samples.append(("load", t.ms, status))
        except Exception as exc:  # noqa: BLE001
            with lock:
                errors.append(f"sign-in: {type(exc).__name__}: {exc}")
            signed_in.abort()
            started.set()
            return
        # everyone signs in first (50 argon2 hashes saturate 2 cores for seconds), then the hall clicks
        with contextlib.suppress(threading.BrokenBarrierError):
            signed_in.wait(300)
        started.set()
        headers = {CSRF_HEADER: csrf, "Content-Type": "application/json"}
        for n in range(visits_per_user):
            if time.monotonic() > deadline[0]:
                break
            page = pages[(i + n) % len(pages)]
            options = payloads[page]
            bodies = options[(i + n) % len(options)]
            tv = Timer()
            for body in bodies:
                t = Timer()
                try:
                    status, _, _ = browser.request("POST", "/_dash-update-component", body, headers)
                except (OSError, http.client.HTTPException) as exc:
                    status = 0
                    browser.close()
                    with lock:
                        errors.append(f"{page}: {type(exc).__name__}")
                ms = t.ms
                with lock:
                    samples.append((page, ms, status))
                    if status not in (200, 204) and status != 0:
                        errors.append(f"{page}: HTTP {status}")
            with lock:
                visit_ms.append(tv.ms)
            time.sleep(rng.uniform(*think))
        browser.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    deadline[0] = time.monotonic() + max_seconds + 300
    for th in threads:
        th.start()
    started.wait(360)
    wall = Timer()  # the clicking part only (sign-ins are reported on their own)
    for th in threads:
        th.join(max_seconds + 360)
    elapsed = wall.s
    clicks = [ms for kind, ms, _ in samples if kind != "load"]
    by_page = {}
    for page in sorted(set(pages)):
        xs = [ms for kind, ms, _ in samples if kind == page]
        by_page[page] = summary_ms(xs)
    return {
        "users": users, "visits_per_user": visits_per_user, "think_s": list(think), "seconds": round(elapsed, 1),
        "requests": len(samples), "requests_per_s": round(len(samples) / elapsed, 1) if elapsed else None,
        "callbacks": summary_ms(clicks), "p99_ms": round(percentile(clicks, 99) or 0, 1),
        "visits": summary_ms(visit_ms), "sign_in": summary_ms(sign_ms),
        "app_load": summary_ms([ms for kind, ms, _ in samples if kind == "load"]),
        "by_page": by_page, "errors": len(errors), "error_examples": sorted(set(errors))[:5],
    }


def server_env(url: str, instance: Path, redis_url: str | None, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCTNS_")}
    env.update({"CCTNS_DATABASE_URL": url, "CCTNS_INSTANCE_DIR": str(instance), "CCTNS_SECRET_KEY": secret,
                "CCTNS_ACCESS_LOG": "", "CCTNS_WARM": "0", "PATH": str(ROOT / ".venv/bin") + os.pathsep + env.get("PATH", "")})
    if redis_url:
        env["CCTNS_REDIS_URL"] = redis_url
    env.setdefault("PYTHONPATH", str(ROOT))
    return env


# --- on its own ---------------------------------------------------------------------------------------


def page_visits(url: str) -> dict[str, list[dict[str, Any]]]:
    """What each page's visit posts (the benchmark's own generators), built in this process; the shared
    cache is emptied afterwards, so the server starts cold as in the benchmark."""
    from app import create_app
    from bench.callbacks import Ctx, pick_units, sign_in
    from dashboard.config import load_settings
    from dashboard.read.cache import clear
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_demo_users

    engine = get_engine(url)
    passwords = create_demo_users(engine)
    app = create_app(load_settings())
    client = app.server.test_client()
    csrf = sign_in(client, "ncrb", passwords["ncrb"])
    ctx = Ctx(client, csrf, client.get("/_dash-dependencies").get_json(), pick_units(engine, quick=False))
    visits = {page: [{"url": u, "bodies": ctx.visit_bodies(u)} for u in urls[:6]]
              for page, urls in ctx.page_urls().items()}
    clear(app.server)
    return {"visits": visits, "password": passwords["ncrb"]}  # type: ignore[dict-item]


def main() -> int:
    import argparse
    import secrets
    import tempfile

    from bench.common import free_port

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="database URL (imported months; demo users are made there)")
    ap.add_argument("--redis-url", default="", help="the production cache (default: files in the instance folder)")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--visits", type=int, default=12, help="visits per user")
    ap.add_argument("--seconds", type=float, default=120.0, help="at most this long clicking")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = ap.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="cctns-load-"))
    secret = secrets.token_urlsafe(32)
    env = server_env(args.url, instance, args.redis_url or None, secret)
    if args.threads:
        env["CCTNS_THREADS"] = str(args.threads)
    os.environ.update({k: v for k, v in env.items() if k.startswith("CCTNS_")})
    prepared = page_visits(args.url)
    server = Server(env, free_port(), instance / "gunicorn.log", workers=args.workers)
    out: dict[str, Any] = {"url": args.url.split("@")[-1], "cache": "RedisCache" if args.redis_url else "FileSystemCache"}
    try:
        out["ready_s"] = round(server.wait_ready(), 1)
        out["workers"] = server.wait_workers()
        out["threads"] = int(env.get("CCTNS_THREADS") or 0) or None
        out["loadavg_before"] = round(os.getloadavg()[0], 2)
        sampler = RssSampler(server)
        sampler.start()
        from bench.signins import cpu_snapshot, cpu_used

        def snapshot() -> dict[str, float]:
            return cpu_snapshot(server.proc.pid, args.url, args.redis_url)

        marks: list[dict[str, float]] = []
        out["load"] = run_users(server.base, "ncrb", prepared["password"], prepared["visits"],  # type: ignore[arg-type]
                                users=args.users, visits_per_user=args.visits, max_seconds=args.seconds,
                                at_clicks=lambda: marks.append(snapshot()))
        # the clicks alone (from when everyone is signed in): the server's CPU per callback, and the simulated
        # users' own (this process), which a real hall does not spend on the server's cores
        if marks:
            clicks = out["load"]["callbacks"]["n"]
            out["cpu_clicks"] = cpu_used(marks[0], snapshot(), clicks)
        out["rss"] = sampler.result()
        out["loadavg_after"] = round(os.getloadavg()[0], 2)
    finally:
        server.stop()
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0 if out.get("load", {}).get("errors") == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
