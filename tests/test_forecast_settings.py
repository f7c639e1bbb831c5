"""The ``forecast`` parameters (mps.config.ForecastSettings): defaults, the demo's scenarios,
and mistakes reported with the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mps.config import ParameterError, load_consortium

ROOT = Path(__file__).resolve().parent.parent


def _consortium(tmp_path: Path, forecast: str) -> Path:
    (tmp_path / "data").mkdir()
    path = tmp_path / "c.yaml"
    path.write_text(
        "slug: c\nname: C\ndata_dir: data\n"
        "boroughs: [{slug: a, name: A, la_code: E06000001}]\n" + forecast,
        encoding="utf-8",
    )
    return path


def test_defaults_reach_the_notebooks(tmp_path: Path) -> None:
    consortium = load_consortium(_consortium(tmp_path, ""))
    settings = consortium.areas()[0].analysis_settings()["forecast"]
    assert settings["horizon"] == 5 and settings["reference_years"] == 3
    assert settings["unit_costs"]["childrens_home"] == 5500.0
    assert settings["scenarios"] == []


def test_demo_scenarios() -> None:
    consortium = load_consortium(ROOT / "parameters" / "consortia" / "demo.yaml")
    names = [s.name for s in consortium.forecast.scenarios]
    assert names == ["step-down", "in-house-recruitment", "uasc-rise", "family-help"]
    # defaults.yaml's unit costs are merged key by key under the consortium's forecast.
    assert consortium.forecast.unit_costs["ifa_fostering"] == 950.0


@pytest.mark.parametrize(
    ("forecast", "key", "message"),
    [
        ("forecast: {horizon: 0}", "forecast.horizon", "greater than or equal to 1"),
        ("forecast: {scenarios: [{name: baseline, label: B}]}", "forecast.scenarios.0.name",
         "'baseline' is the forecast itself"),
        ("forecast: {scenarios: [{name: s, label: S, step_down_pct: 120}]}",
         "forecast.scenarios.0.step_down_pct", "less than 100"),
        ("forecast: {scenarios: [{name: s, label: S, grow: 1}]}", "forecast.scenarios.0.grow",
         "Extra inputs are not permitted"),
        ("forecast: {unit_costs: {castle: 1}}", "forecast", "unknown placement categories castle"),
        ("forecast: {scenarios: [{name: s, label: A}, {name: s, label: B}]}", "forecast",
         "scenario names used twice: s"),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_and_key(
    tmp_path: Path, forecast: str, key: str, message: str
) -> None:
    path = _consortium(tmp_path, forecast)
    with pytest.raises(ParameterError) as caught:
        load_consortium(path)
    text = str(caught.value)
    assert str(path) in text
    assert f"key {key}" in text
    assert message in text
