"""Take screenshots of pages as a signed-in user, with Debian's Chromium (for looking at the UI).

    python scripts/screenshot.py --base http://127.0.0.1:8000 --user coordinator --out test-artifacts/screenshots \
        /programmes/ /programmes/1/

Pass --mobile for a 390×844 phone viewport. The password is the demo password unless --password.
"""

import argparse
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user")
    parser.add_argument("--password", default="police-demo-2026")
    parser.add_argument("--out", default="test-artifacts/screenshots")
    parser.add_argument("--mobile", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 390, "height": 844} if args.mobile else {"width": 1280, "height": 900}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport)
        if args.user:
            page.goto(f"{args.base}/login/")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", args.password)
            page.click("main button[type=submit]")  # not the language switch in the header
            page.wait_for_load_state()
        for path in args.paths:
            page.goto(f"{args.base}{path}")
            name = path.strip("/").replace("/", "_") or "home"
            target = out / f"{name}{'-mobile' if args.mobile else ''}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
