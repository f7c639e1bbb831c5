"""Automated accessibility check of published HTML: axe-core in headless Chromium.

axe-core (the npm package) is injected into each document, opened from disk in Debian's
Chromium through Playwright, and run against WCAG 2.0, 2.1 and 2.2 A and AA rules and
axe's best practices. Violations of ``serious`` or ``critical`` impact fail the check.
Nothing is fetched: the documents are self-contained and the browser is offline.

``python -m mps.export.accessibility build/demo/publish`` checks every HTML file under a
folder (or the files named); ``nox -s accessibility`` installs axe-core into
``.cache/npm-tools`` and runs it on the demo build. ``MPS_AXE_JS`` names another copy of
``axe.min.js``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mps.export.chromium_print import CHROMIUM_ARGS
from mps.export.pdf import chromium_executable

REPO = Path(__file__).resolve().parent.parent.parent
NPM_TOOLS = REPO / ".cache" / "npm-tools"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
FAILING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class Violation:
    """One axe rule a document breaks, with the elements that break it."""

    document: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def describe(self) -> str:
        where = ", ".join(self.targets[:3]) + (" ..." if len(self.targets) > 3 else "")
        return f"{self.document}: [{self.impact}] {self.rule}: {self.help} ({where})"


def find_axe(explicit: str | Path | None = None) -> Path | None:
    """``axe.min.js``: given, from ``MPS_AXE_JS``, or installed in ``.cache/npm-tools``."""
    for candidate in (explicit, os.environ.get("MPS_AXE_JS")):
        if candidate:
            return Path(candidate) if Path(candidate).is_file() else None
    installed = NPM_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
    return installed if installed.is_file() else None


def check_documents(paths: Sequence[Path], axe_js: Path) -> list[Violation]:
    """Run axe on each HTML file; return every violation (of any impact)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise RuntimeError("the accessibility check needs Chromium: apt-get install chromium")
    script = axe_js.read_text(encoding="utf-8")
    violations: list[Violation] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            for path in paths:
                page = browser.new_page()
                # Documents are self-contained: anything that is not a data: URI is refused.
                page.route("**/*", lambda route: route.abort())
                page.set_content(Path(path).read_text(encoding="utf-8"), wait_until="load")
                page.add_script_tag(content=script)
                result = page.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                    list(AXE_TAGS),
                )
                for item in result["violations"]:
                    violations.append(
                        Violation(
                            document=str(path),
                            rule=item["id"],
                            impact=item.get("impact") or "unknown",
                            help=item["help"],
                            targets=tuple(
                                " ".join(map(str, node["target"])) for node in item["nodes"]
                            ),
                        )
                    )
                page.close()
        finally:
            browser.close()
    return violations


def html_files(arguments: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        files += sorted(path.rglob("*.html")) if path.is_dir() else [path]
    # Staged publications in progress are not published documents.
    return [f for f in files if ".staging" not in f.parts]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="HTML files or folders of them")
    parser.add_argument("--axe", help="path to axe.min.js (default: .cache/npm-tools)")
    parser.add_argument("--json", help="write every violation to this JSON file")
    options = parser.parse_args(argv)
    axe_js = find_axe(options.axe)
    if axe_js is None:
        print(
            "axe-core not found: npm install --prefix .cache/npm-tools axe-core "
            "(or set MPS_AXE_JS)",
            file=sys.stderr,
        )
        return 2
    files = html_files(options.paths)
    if not files:
        print(f"no HTML files in {' '.join(options.paths)}", file=sys.stderr)
        return 2
    violations = check_documents(files, axe_js)
    failing = [v for v in violations if v.impact in FAILING_IMPACTS]
    for violation in violations:
        print(violation.describe())
    if options.json:
        Path(options.json).write_text(
            json.dumps([v.__dict__ for v in violations], indent=1), encoding="utf-8"
        )
    print(
        f"{len(files)} document(s) checked with axe-core: {len(failing)} serious or critical "
        f"violation(s), {len(violations) - len(failing)} minor or moderate"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
