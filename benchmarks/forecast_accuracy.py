"""How well each forecasting method would have done: rolling-origin back-tests.

1. **Demo data** (the fictional consortium, ``build/demo-data``, generated into a temporary
   folder when it is not there): the stock-flow model and the aggregate methods forecast
   each borough's and the consortium's children looked after from each earlier 31 March
   the returns allow (2022 to 2024 for five years of returns), against what then happened.
2. **Real published series**, when ``../shared/data/`` exists beside the repository (DfE's
   children looked after at 31 March by local authority, 2011-2017: read its README):
   every aggregate method on every local authority from the origins 2014-2016, and the time
   ``mps forecast --published`` takes on the whole file. Without the folder this part is
   skipped, and the script says so. The real series are never used by the tests.

Each table gives, per method and years ahead: the forecasts with a known outcome, the
median and mean absolute percentage error, and the % of outcomes inside the 80% and 95%
ranges. The stock-flow model cannot run on published counts (it needs the children's
histories), so it appears in the first part only.

Usage: ``python benchmarks/forecast_accuracy.py [--horizon N] [--origins 2014 2015 2016]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from mps.analysis.forecast import backtest
from mps.analysis.forecast.area import AreaForecast
from mps.analysis.forecast.published import backtest_published, forecast_published
from mps.area import load_area
from mps.config import load_consortium
from mps.data.dfe import read_published_table

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = ROOT / "parameters" / "consortia" / "demo.yaml"
DEMO_DATA = ROOT / "build" / "demo-data"
SHARED_DATA = ROOT.parent / "shared" / "data"
REAL_FILE = "dfe-cla-by-la-2011-2017.csv"


def _show(title: str, errors: pd.DataFrame) -> None:
    print(f"\n{title}")
    print(
        errors.rename(
            columns={
                "horizon": "ahead",
                "forecasts": "n",
                "median_ape": "MdAPE %",
                "mean_ape": "MAPE %",
                "coverage_80": "in 80% %",
                "coverage_95": "in 95% %",
            }
        ).to_string(index=False, float_format=lambda v: f"{v:.1f}")
    )


def demo_backtest(data_dir: Path, horizon: int) -> None:
    consortium = load_consortium(PARAMETERS, data_dir=data_dir)
    results = []
    started = time.perf_counter()
    for area in consortium.areas():
        loaded = load_area(
            boroughs=area.boroughs,
            la_codes=area.la_codes,
            data_dir=consortium.data_dir,
            years=consortium.years,
            settings=area.analysis_settings(),
        )
        forecast = AreaForecast(
            episodes=loaded.episodes,
            years=consortium.years,
            reporting_year=consortium.latest_year,
            la_codes=area.la_codes,
            population=loaded.population,
            spend=loaded.spend,
            settings=dict(consortium.forecast.model_dump(mode="json"), horizon=horizon),
        )
        results.append(forecast.backtest_results().assign(series=area.slug))
    pooled = pd.concat(results, ignore_index=True)
    _show(
        f"Demo consortium ({len(results)} areas: each borough and the consortium), origins "
        f"{sorted(int(o) for o in pooled['origin'].unique())}, "
        f"{time.perf_counter() - started:.1f} s",
        backtest.error_table(pooled),
    )


def real_backtest(path: Path, origins: list[int], horizon: int) -> None:
    table = read_published_table(path)
    started = time.perf_counter()
    errors = backtest_published(table, origins, horizon)
    _show(
        f"DfE published series ({path.name}, every local authority), origins {origins}, "
        f"{time.perf_counter() - started:.1f} s",
        errors,
    )
    last = int(table["year"].max())
    started = time.perf_counter()
    result = forecast_published(table, last, horizon)
    print(
        f"\nmps forecast --published on the whole file (last year {last}, {horizon} years "
        f"ahead): {result.forecast['new_la_code'].nunique()} local authorities in "
        f"{time.perf_counter() - started:.1f} s; method chosen: {result.choice.method}. "
        f"{result.choice.reason}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--horizon", type=int, default=3)
    parser.add_argument("--origins", type=int, nargs="+", default=[2014, 2015, 2016])
    args = parser.parse_args()

    if DEMO_DATA.is_dir():
        demo_backtest(DEMO_DATA, args.horizon)
    else:
        from mps.synthetic import write_demo_data

        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / "demo-data"
            print(f"{DEMO_DATA} not found: generating the demo data in {data}")
            write_demo_data(data)
            demo_backtest(data, args.horizon)

    real = SHARED_DATA / REAL_FILE
    if real.is_file():
        real_backtest(real, args.origins, args.horizon)
    else:
        print(f"\n{real} not found: the back-test on real published series is skipped.")


if __name__ == "__main__":
    main()
