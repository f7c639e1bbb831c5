"""PDF from the published HTML: Debian's Chromium through Playwright, else WeasyPrint.

Chromium prints the HTML exactly as a browser shows it: A4 and margins from the
stylesheet's ``@page`` rule, page numbers in its margin boxes, fonts embedded, and a
*tagged* PDF (headings, tables and alt text for screen readers). Playwright's Python API
drives the system Chromium (``executable_path``): nothing downloads a browser, ever. One
browser is started per process the first time it is needed and reused for every PDF.
WeasyPrint (pure pip, needs the system's pango) is the fallback; with neither, the build
publishes everything else and says what to install (:data:`NO_ENGINE_MESSAGE`).

``MPS_PDF_ENGINE`` (``chromium``, ``weasyprint`` or ``none``) picks the engine;
``MPS_CHROMIUM`` names the browser executable.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger("mps.export.pdf")

#: Browser executables looked for, in order, when ``MPS_CHROMIUM`` is not set.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds to wait for the browser to start, and for one document to print.
START_TIMEOUT = 60
PRINT_TIMEOUT = 180
ENGINES = ("chromium", "weasyprint")

NO_ENGINE_MESSAGE = (
    "PDF not produced: no PDF engine is installed. Install Debian's Chromium "
    "(`apt-get install chromium`, used through the playwright Python package) or WeasyPrint "
    "(`pip install weasyprint`, which needs the system's pango library). HTML, Word and the "
    "data annex were published."
)


class PdfEngineError(RuntimeError):
    """The PDF engine failed (or the one asked for is not installed)."""


class PdfPrinter(Protocol):
    name: str

    def print_pdf(self, html: str, target: Path, *, title: str) -> None: ...

    def close(self) -> None: ...


def chromium_executable() -> str | None:
    """The Chromium (or Chrome) executable to print with, or None."""
    named = os.environ.get("MPS_CHROMIUM")
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def available_engines() -> list[str]:
    """The PDF engines this machine has, best first."""
    found = []
    if _has_module("playwright") and chromium_executable():
        found.append("chromium")
    if _has_module("weasyprint"):
        found.append("weasyprint")
    return found


class ChromiumPrinter:
    """One headless Chromium, started on first use, printing every PDF of this process.

    The browser runs in a helper process (:mod:`mps.export.chromium_print`), so Playwright
    never shares a process with the build's notebook kernels, and a document that takes
    longer than :data:`PRINT_TIMEOUT` seconds stops the helper instead of the build.
    """

    name = "chromium"

    def __init__(self, executable: str):
        self.executable = executable
        self._lock = threading.Lock()
        self._helper: subprocess.Popen | None = None
        self._log: tempfile._TemporaryFileWrapper | None = None

    def _start(self) -> None:
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (open for the helper's life)
        self._helper = subprocess.Popen(
            [sys.executable, "-m", "mps.export.chromium_print", self.executable],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self._answer("start Chromium", START_TIMEOUT)

    def _answer(self, doing: str, timeout: float) -> dict:
        helper = self._helper
        ready, _, _ = select.select([helper.stdout], [], [], timeout)
        line = helper.stdout.readline() if ready else ""
        if not line:
            why = "timed out" if not ready else "stopped"
            self._stop(kill=True)
            raise PdfEngineError(
                f"Chromium ({self.executable}) {why} while trying to {doing}"
                + (f": {self._stderr_tail()}" if self._stderr_tail() else "")
            )
        message = json.loads(line)
        if not message.get("ok"):
            if message.get("error", "").startswith("Chromium did not start"):
                self._stop(kill=True)
            raise PdfEngineError(f"could not {doing}: {message.get('error')}")
        return message

    def _stderr_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip()
        return text[-400:]

    def print_pdf(self, html: str, target: Path, *, title: str) -> None:
        """Print one self-contained HTML document to ``target`` (A4 from its CSS)."""
        with self._lock:
            if self._helper is None or self._helper.poll() is not None:
                self._start()
            source = target.with_name(f".{target.stem}.print.html")
            source.write_text(html, encoding="utf-8")
            try:
                request = json.dumps({"html": str(source), "pdf": str(target)})
                self._helper.stdin.write(request + "\n")
                self._helper.stdin.flush()
                self._answer(f"print {title!r}", PRINT_TIMEOUT)
            finally:
                source.unlink(missing_ok=True)

    def _stop(self, kill: bool = False) -> None:
        helper, self._helper = self._helper, None
        if helper is not None:
            try:
                if kill:
                    helper.kill()
                else:
                    helper.stdin.close()  # the helper closes the browser and exits
                helper.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                helper.kill()
                helper.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def close(self) -> None:
        with self._lock:
            self._stop()


class WeasyPrinter:
    """WeasyPrint: pure Python, slower than Chromium, same CSS (``@page``, margin boxes)."""

    name = "weasyprint"

    def print_pdf(self, html: str, target: Path, *, title: str) -> None:
        import weasyprint

        # Self-contained documents: only data: URIs (the charts and the logo) are read.
        fetcher = weasyprint.URLFetcher(allowed_protocols=["data"])
        try:
            document = weasyprint.HTML(string=html, url_fetcher=fetcher)
            document.write_pdf(str(target), pdf_tags=True)
        except Exception as error:
            raise PdfEngineError(f"WeasyPrint could not print {title!r}: {error}") from error

    def close(self) -> None:
        pass


@dataclass
class _Shared:
    printer: PdfPrinter | None = None
    choice: str | None = None


_shared = _Shared()
_shared_lock = threading.Lock()


def make_printer(engine: str = "auto") -> PdfPrinter | None:
    """A new printer for ``engine`` (``auto``: the best available), or None when ``auto``
    finds none. Asking for an engine that is not installed raises :class:`PdfEngineError`."""
    if engine == "none":
        return None
    found = available_engines()
    if engine == "auto":
        if not found:
            return None
        engine = found[0]
    if engine not in ENGINES:
        raise PdfEngineError(f"unknown PDF engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine not in found:
        what = (
            "Debian's Chromium (apt-get install chromium) and the playwright package"
            if engine == "chromium"
            else "the weasyprint package (pip install weasyprint)"
        )
        raise PdfEngineError(f"PDF engine {engine!r} is not installed: it needs {what}")
    return ChromiumPrinter(chromium_executable()) if engine == "chromium" else WeasyPrinter()


def shared_printer(engine: str | None = None) -> PdfPrinter | None:
    """This process's printer, started once and reused for every document it publishes
    (a build's publishing worker prints all its areas' PDFs with one browser)."""
    choice = engine or os.environ.get("MPS_PDF_ENGINE", "auto")
    with _shared_lock:
        if _shared.choice != choice:
            if _shared.printer is not None:
                _shared.printer.close()
            _shared.printer, _shared.choice = make_printer(choice), choice
        return _shared.printer


def close_shared_printer() -> None:
    """Stop this process's browser (also done at exit)."""
    with _shared_lock:
        if _shared.printer is not None:
            _shared.printer.close()
        _shared.printer = _shared.choice = None


atexit.register(close_shared_printer)
try:  # worker processes leave through multiprocessing, which skips atexit
    from multiprocessing import util as _mp_util

    _mp_util.Finalize(None, close_shared_printer, exitpriority=10)
except ImportError:  # pragma: no cover
    pass
