"""The gap report's demand: the area's saved forecast when there is one, else today's
children held constant, and the sentence saying which."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mps.analysis.gaps import BASELINE
from mps.sufficiency_report import area_demand, saved_forecast

CLA = pd.DataFrame(
    {"placement_category": ["childrens_home"] * 3, "age_band": ["10-15", "10-15", "16+"]}
)


def forecast() -> pd.DataFrame:
    # As the demand_forecast notebook caches it: the jump-off year too, scenarios, sd.
    return pd.DataFrame(
        {
            "scenario": [BASELINE, BASELINE, "step-down"],
            "year": [2025, 2026, 2026],
            "placement_category": ["childrens_home"] * 3,
            "age_band": ["All ages"] * 3,
            "forecast": [3.0, 4.0, 3.5],
            "sd": [0.0, 1.0, 1.0],
            "lower_80": [3.0, 2.7, 2.2],
            "upper_80": [3.0, 5.3, 4.8],
        }
    )


def test_the_saved_forecast_is_the_demand(tmp_path: Path) -> None:
    forecast().to_parquet(tmp_path / "forecast.parquet", index=False)
    demand, from_forecast, note = area_demand(saved_forecast(str(tmp_path)), CLA, 2025, 3)
    assert from_forecast and "baseline forecast" in note
    # Only years after the reporting year: 2026, for both scenarios.
    assert demand["year"].unique().tolist() == [2026]
    assert demand["scenario"].tolist() == [BASELINE, "step-down"]
    assert demand["upper_80"].tolist() == [5.3, 4.8]


def test_without_a_forecast_todays_children_are_held(tmp_path: Path) -> None:
    assert saved_forecast(str(tmp_path)) is None and saved_forecast("") is None
    demand, from_forecast, note = area_demand(None, CLA, 2025, 2)
    assert not from_forecast and "No demand forecast is available" in note
    assert sorted(demand["year"].unique()) == [2026, 2027]
    held = demand[demand["year"] == 2027].set_index("age_band")["forecast"]
    assert held.to_dict() == {"10-15": 2.0, "16+": 1.0}
    assert np.isnan(demand["lower_80"]).all()


def test_a_forecast_of_the_wrong_shape_is_not_used_and_the_documents_say_why() -> None:
    wrong = forecast().drop(columns="forecast")
    demand, from_forecast, note = area_demand(wrong, CLA, 2025, 1)
    assert not from_forecast
    assert "could not be used here (the forecast has no column forecast" in note
    assert demand["forecast"].sum() == 3
