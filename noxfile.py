"""Sessions: ``nox -s demo`` builds the demo documents, ``nox -s tests`` runs every test.

Virtual environments are reused between runs; uv is used when it is installed (with
bytecode compiled at install time: imports are otherwise compiled on every run, see
TOOLING notes), else virtualenv and pip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests"]

DEMO_DATA = "build/demo-data"
DEMO_PARAMETERS = "parameters/consortia/demo.yaml"
#: Where the accessibility session builds (and npm installs axe-core).
ACCESSIBILITY_BUILD = "build/accessibility"
AXE_FOLDER = ".cache/npm-tools"
ENV = {"UV_COMPILE_BYTECODE": "1", "PYTHONDONTWRITEBYTECODE": "", "MPLBACKEND": "Agg"}


def _install(session: nox.Session, extras: str = "") -> None:
    os.environ.update(ENV)
    target = f".[{extras}]" if extras else "."
    # Editable: the build runs the notebooks in ./notebooks next to the package.
    session.install("-e", target)


@nox.session
def demo(session: nox.Session) -> None:
    """Generate the demo consortium's data and build its MPS and sufficiency plans."""
    # WeasyPrint (pure pip) prints the PDFs on a machine without Debian's Chromium.
    _install(session, "weasyprint")
    session.run("mps", "demo-data", DEMO_DATA, env=ENV)
    session.run("mps", "build", DEMO_PARAMETERS, *session.posargs, env=ENV)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite: unit and integration tests (pytest) and the notebooks (nbval)."""
    _install(session, "test")
    session.run(
        "pytest",
        *(session.posargs or ["tests", "notebooks", "--nbval-lax", "--nbval-current-env"]),
        env=ENV,
    )


@nox.session
def accessibility(session: nox.Session) -> None:
    """axe-core in headless Chromium on the demo's published HTML (a borough and the
    consortium): fails on any serious or critical violation. Give HTML files or folders
    to check those instead: ``nox -s accessibility -- build/demo/publish``."""
    _install(session, "test")
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        session.error("the accessibility check needs Debian's Chromium: apt-get install chromium")
    # axe-core from npm into a project folder (gitignored); nothing global, nothing at run time.
    session.run(
        "npm", "install", "--prefix", AXE_FOLDER, "--no-audit", "--no-fund", "--loglevel=error",
        "axe-core@4", external=True,
    )  # fmt: skip
    targets = list(session.posargs)
    if not targets:
        if not Path(DEMO_DATA, "demo_manifest.json").is_file():
            session.run("mps", "demo-data", DEMO_DATA, env=ENV)
        session.run(
            "mps", "build", DEMO_PARAMETERS, "--build-dir", ACCESSIBILITY_BUILD,
            "--area", "ashmoor", "--area", "demo", env=ENV,
        )  # fmt: skip
        targets = [f"{ACCESSIBILITY_BUILD}/demo/publish"]
    session.run("python", "-m", "mps.export.accessibility", *targets, env=ENV)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: print figures against a baseline measured in the same run."""
    _install(session, "test")
    session.run("python", "benchmarks/build_demo.py", *session.posargs, env=ENV)
