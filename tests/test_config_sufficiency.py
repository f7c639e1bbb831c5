"""Sufficiency settings: targets, need-profile thresholds, nearby authorities, last edition."""

from __future__ import annotations

from pathlib import Path

import pytest

from mps.config import ParameterError, load_consortium


def write_consortium(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "consortia" / "c.yaml"
    path.parent.mkdir()
    path.write_text(
        "slug: c\nname: C\ndata_dir: .\nboroughs:\n"
        "  - {slug: north, name: North, la_code: E06000001, neighbours: [Wold, Fen]}\n"
        "  - {slug: south, name: South, la_code: E06000002, neighbours: [Fen, Moor]}\n" + extra,
        encoding="utf-8",
    )
    return path


def test_defaults_and_nearby_authorities(tmp_path: Path) -> None:
    areas = load_consortium(write_consortium(tmp_path, "")).areas()
    north, consortium = areas[0].analysis_settings(), areas[-1].analysis_settings()
    assert north["sufficiency"]["forecast_years"] == 3
    assert north["sufficiency"]["high_need_indicators"] == ["emotional_health", "self_regulation"]
    # A borough is near the other members and its own neighbours; the consortium near its
    # members' neighbours, each once.
    assert north["sufficiency"]["near_authorities"] == ["South", "Wold", "Fen"]
    assert consortium["sufficiency"]["near_authorities"] == ["Wold", "Fen", "Moor"]
    assert north["previous_edition"] is None
    assert north["targets"]["inside_area_min_pct"] is None


def test_previous_edition_folder_is_relative_to_the_consortium_file(tmp_path: Path) -> None:
    path = write_consortium(
        tmp_path,
        "previous_edition: {edition: '2025', folder: ../previous/2025}\n"
        "targets: {inside_area_min_pct: 70}\nsufficiency: {teenager_min_age: 12}\n",
    )
    settings = load_consortium(path).areas()[0].analysis_settings()
    assert settings["previous_edition"] == {
        "edition": "2025",
        "folder": str((tmp_path / "previous" / "2025").resolve()),
    }
    assert settings["targets"]["inside_area_min_pct"] == 70.0
    assert settings["sufficiency"]["teenager_min_age"] == 12


def test_a_wrong_sufficiency_setting_names_the_key(tmp_path: Path) -> None:
    path = write_consortium(tmp_path, "sufficiency: {forecast_years: 0}\n")
    with pytest.raises(ParameterError, match=r"sufficiency\.forecast_years"):
        load_consortium(path)
    path.write_text(path.read_text().replace("forecast_years: 0", "horizon: 3"))
    with pytest.raises(ParameterError, match=r"sufficiency\.horizon"):
        load_consortium(path)
