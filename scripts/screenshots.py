"""Take screenshots of the running app with headless Debian Chromium (a developer tool).

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8050 --user ncrb --password ... \
        --out /tmp/shots / /state/HR /district/HR-KNL
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8050")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--out", default="/tmp/shots")
    ap.add_argument("--sizes", default="1366x768,1024x768")
    ap.add_argument("--full", action="store_true", help="full-page screenshots")
    ap.add_argument("--wait", type=float, default=2.5, help="seconds to let callbacks settle")
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size in a.sizes.split(","):
            w, h = (int(x) for x in size.split("x"))
            page = browser.new_page(viewport={"width": w, "height": h})
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{a.base}/login")
            page.fill("input[name=username]", a.user)
            page.fill("input[name=password]", a.password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            if a.dark:
                page.evaluate("localStorage.setItem('cctns-theme','dark')")
            for path in a.paths:
                page.goto(f"{a.base}{path}")
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(int(a.wait * 1000))
                name = (path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_").replace("=", "-")
                        or "national")
                file = out / f"{name}-{w}x{h}.png"
                page.screenshot(path=str(file), full_page=a.full)
                scroll_w = page.evaluate("document.documentElement.scrollWidth")
                print(file, f"scrollWidth={scroll_w}", f"console_errors={len(errors)}")
            for e in errors:
                print("  console error:", e[:300])
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
