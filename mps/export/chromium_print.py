"""A helper process that prints HTML files to PDF with one headless Chromium.

:class:`mps.export.pdf.ChromiumPrinter` starts ``python -m mps.export.chromium_print
<chromium>`` and sends it one JSON request a line, ``{"html": path, "pdf": path}``; it
answers each with ``{"ok": true}`` or ``{"ok": false, "error": "..."}`` and stops at the
end of its input. Playwright runs here, in a process of its own, so the build's workers
(which run notebook kernels and their event loops) never host it, and a browser that hangs
can be stopped by ending this process.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: As root with no network: no sandbox (root), no GPU, and no background connections
#: (they are refused here, many at a time, and slow the start).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)


def serve(executable: str) -> None:
    from playwright.sync_api import sync_playwright

    # Playwright gives the browser a new, empty profile of its own and removes it after.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
        )
        answer({"ok": True, "ready": True})
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            try:
                print_one(browser, Path(request["html"]), Path(request["pdf"]))
            except Exception as error:  # reported to the caller, who fails the build
                answer({"ok": False, "error": f"{type(error).__name__}: {error}"})
            else:
                answer({"ok": True})
        browser.close()


def print_one(browser, source: Path, target: Path) -> None:
    """A4 from the document's ``@page`` CSS, backgrounds, a tagged PDF with an outline."""
    context = browser.new_context(offline=True, java_script_enabled=False)
    try:
        page = context.new_page()
        # Documents are self-contained: anything that is not a data: URI is refused.
        page.route("**/*", lambda route: route.abort())
        page.set_content(source.read_text(encoding="utf-8"), wait_until="load")
        page.emulate_media(media="print")
        page.pdf(
            path=str(target),
            prefer_css_page_size=True,
            print_background=True,
            tagged=True,
            outline=True,
        )
    finally:
        context.close()


def answer(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        serve(sys.argv[1])
    except Exception as error:
        answer({"ok": False, "error": f"Chromium did not start: {type(error).__name__}: {error}"})
        sys.exit(1)
