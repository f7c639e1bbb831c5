"""Test-session set-up shared by the unit tests and the notebook runs (nbval)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
DEMO_DATA = REPO / "build" / "demo-data"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items) -> None:
    """Notebooks opened on their own analyse the demo data: make sure it exists."""
    if any(str(item.fspath).endswith(".ipynb") for item in items) and not DEMO_DATA.is_dir():
        from mps.synthetic import write_demo_data

        write_demo_data(DEMO_DATA)
