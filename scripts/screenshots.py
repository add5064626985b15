"""Screenshots of console pages in Korean and English, for looking at what we build.

Usage: .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--user agent]
       [--width 1366] PATH [PATH ...]
Saves screenshots/<name>-<lang>.png. Needs Debian's chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="agent")
    parser.add_argument("--password", default="suido-demo")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--langs", default="ko,en")
    parser.add_argument("--out", default="screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang in args.langs.split(","):
            context = browser.new_context(viewport={"width": args.width, "height": args.height}, locale=lang)
            context.add_cookies([{"name": "django_language", "value": lang, "url": args.base}])
            page = context.new_page()
            page.goto(args.base + "/login/")
            if args.user != "-":
                page.fill("#id_username", args.user)
                page.fill("#id_password", args.password)
                page.click("form button.primary")
            for path in args.paths:
                page.goto(args.base + path)
                page.wait_for_load_state("networkidle")
                name = re.sub(r"[^a-zA-Z0-9]+", "_", path.strip("/")) or "root"
                target = out / f"{name}-{args.user}-{lang}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
