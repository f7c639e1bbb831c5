"""Needs and market settings: defaults, overrides from a parameter file, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mps.config import NeedsSettings, ParameterError, load_consortium


def write_consortium(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(
        "slug: c\nname: C\ndata_dir: .\nboroughs:\n  - {slug: north, name: North, "
        "la_code: E06000001}\n" + extra,
        encoding="utf-8",
    )
    return path


def test_defaults_are_the_valuing_care_indicators_with_equal_weights() -> None:
    needs = NeedsSettings()
    assert len(needs.indicators) == 12
    assert len({i.domain for i in needs.indicators}) == 6
    assert needs.weights == {} and needs.rating_max == 3


def test_needs_settings_reach_the_notebooks(tmp_path: Path) -> None:
    path = write_consortium(
        tmp_path,
        "needs:\n  weights: {identity: 2}\n  need_band_edges: [5, 10]\nmarket:\n"
        "  top_providers: 5\n",
    )
    settings = load_consortium(path).areas()[0].analysis_settings()
    assert settings["needs"]["weights"] == {"identity": 2.0}
    assert settings["needs"]["need_band_edges"] == [5.0, 10.0]
    assert settings["market"] == {"spend_years": 3, "top_providers": 5}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("needs:\n  weights: {happiness: 2}\n", "weights for indicators not in the list"),
        ("needs:\n  need_band_edges: [10, 5]\n", "two ascending scores"),
        ("needs:\n  rating_max: 0\n", "rating_max must be above rating_min"),
        ("market:\n  spend_years: 0\n", "market.spend_years"),
    ],
)
def test_bad_needs_settings_name_the_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        load_consortium(write_consortium(tmp_path, extra))
