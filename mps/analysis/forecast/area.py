"""One area's demand forecast: everything the ``demand_forecast`` notebook publishes.

:class:`AreaForecast` fits the stock-flow model on the area's episodes over the reference
period (the last ``reference_years`` collection years up to the reporting year), projects
the baseline and each scenario ``horizon`` years ahead from 31 March of the reporting year,
costs them, and back-tests the model against the aggregate methods from a few earlier
origins. Each result is a DataFrame computed on first use, so a notebook can hand them to
:meth:`mps.notebook.AreaReport.cached` and the gap report reads the same numbers::

    area_forecast = AreaForecast.from_report(report)
    demand = report.cached("forecast", area_forecast.demand)

**Which forecast is published.** The stock-flow model is the forecast (it is the only one
by placement category and age band). The back-test compares its total with persistence
("same as last year"); when persistence did clearly better, from enough forecasts to tell
(:func:`~mps.analysis.forecast.backtest.choose_method`), the published numbers are the
model's scaled to persistence's total each year: the model then shows only how the mix of
placements may shift, and :attr:`AreaForecast.choice` says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from mps import codes
from mps.analysis.forecast import backtest, costs, scenarios, states, stockflow, timeseries
from mps.analysis.forecast.population import EntryScale, entry_scale, population_0_17_by_year
from mps.config import ForecastSettings

#: The ``forecast`` settings' defaults (:class:`mps.config.ForecastSettings`).
DEFAULTS: dict[str, Any] = ForecastSettings().model_dump(mode="json")
STOCK_FLOW = "stock_flow"
#: Aggregate methods the back-test sets the stock-flow model against.
COMPARATORS = ("persistence", "drift", "damped_trend", "arima", "rate_population")
#: Fewest reference years a back-test origin needs.
MIN_REFERENCE_YEARS = 2
TOTAL = "total"
DEMAND_COLUMNS = (
    "scenario",
    "year",
    "placement_category",
    "age_band",
    "forecast",
    "sd",
    "lower_80",
    "upper_80",
    "lower_95",
    "upper_95",
)


@dataclass
class AreaForecast:
    """The demand forecast of one area (module docstring)."""

    episodes: pd.DataFrame
    years: Sequence[int]
    reporting_year: int
    la_codes: Sequence[str]
    population: pd.DataFrame | None = None
    spend: pd.DataFrame | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    threshold: int = 5

    @classmethod
    def from_report(cls, report: Any) -> AreaForecast:
        """From a notebook's :class:`~mps.notebook.AreaReport`."""
        return cls(
            episodes=report.episodes,
            years=list(report.years),
            reporting_year=int(report.reporting_year),
            la_codes=list(report.la_codes),
            population=report.data.population,
            spend=report.data.spend,
            settings=(report.settings or {}).get("forecast") or {},
            threshold=int(report.suppression_threshold),
        )

    # -- settings --------------------------------------------------------------------
    @cached_property
    def options(self) -> dict[str, Any]:
        """The settings, checked, with the defaults where they say nothing."""
        return ForecastSettings.model_validate(dict(self.settings)).model_dump(mode="json")

    def option(self, name: str) -> Any:
        return self.options[name]

    @property
    def horizon(self) -> int:
        return int(self.option("horizon"))

    @property
    def forecast_years(self) -> list[int]:
        return [self.reporting_year + k for k in range(1, self.horizon + 1)]

    def reference(self, origin: int) -> tuple[int, int]:
        """The reference years of a forecast from 31 March ``origin``."""
        first = max(int(min(self.years)), origin - int(self.option("reference_years")) + 1)
        return first, origin

    @property
    def reference_years(self) -> tuple[int, int]:
        return self.reference(self.reporting_year)

    @cached_property
    def scenarios(self) -> list[scenarios.Scenario]:
        return [scenarios.Scenario.from_settings(s) for s in self.option("scenarios") or []]

    # -- the model -------------------------------------------------------------------
    @cached_property
    def segments(self) -> states.Segments:
        return states.care_segments(self.episodes)

    @cached_property
    def model(self) -> stockflow.StockFlowModel:
        return self._fit(self.segments, *self.reference_years)

    def _fit(self, segments: states.Segments, first: int, last: int) -> stockflow.StockFlowModel:
        return stockflow.fit(segments, first, last, draws=int(self.option("draws")))

    def _entry_scale(self, reference: tuple[int, int], years: Sequence[int]) -> EntryScale | None:
        if not self.option("population_scaling"):
            return None
        return entry_scale(
            self.population, self.la_codes, list(range(reference[0], reference[1] + 1)), years
        )

    @cached_property
    def population_scale(self) -> EntryScale | None:
        """How entries follow the population (None: held at the reference period's)."""
        return self._entry_scale(self.reference_years, self.forecast_years)

    @cached_property
    def jump_off(self) -> np.ndarray:
        """Children in each state at 31 March of the reporting year."""
        return self.segments.stock_on(codes.year_end(self.reporting_year))

    @cached_property
    def projections(self) -> dict[str, stockflow.Projection]:
        scale = self.population_scale.scale if self.population_scale is not None else None
        return {
            name: self.model.project(
                self.jump_off, self.reporting_year, self.horizon, entry_scale=scale, adjust=adjust
            )
            for name, adjust in scenarios.scenario_adjustments(self.scenarios).items()
        }

    # -- results ---------------------------------------------------------------------
    @cached_property
    def _forecast(self) -> pd.DataFrame:
        frames = [
            stockflow.projection_frame(p).assign(scenario=name)
            for name, p in self.projections.items()
        ]
        frame = pd.concat(frames, ignore_index=True)
        if self.choice.method == "persistence":
            frame = _rescale_to(frame, float(self.jump_off.sum()))
        return frame[list(DEMAND_COLUMNS)]

    def forecast(self) -> pd.DataFrame:
        """Every scenario's forecast (:data:`DEMAND_COLUMNS`): by category and age band,
        category totals (age band ``All ages``) and totals of all categories (category
        ``all``); when the back-test chose persistence, every scenario is scaled by what
        brings the baseline's total to persistence's (today's number), so the scenarios keep
        their differences from it."""
        return self._forecast.copy()

    def demand(self) -> pd.DataFrame:
        """The forecast by category (the gap analysis's demand): no ``all`` rows."""
        frame = self.forecast()
        return frame.loc[frame["placement_category"] != stockflow.ALL_CATEGORIES].reset_index(
            drop=True
        )

    def totals(self) -> pd.DataFrame:
        """The forecast of all categories together, by age band and for all ages."""
        frame = self.forecast()
        return frame.loc[frame["placement_category"] == stockflow.ALL_CATEGORIES].reset_index(
            drop=True
        )

    def current(self) -> pd.DataFrame:
        """Children at 31 March of the reporting year in the rows of :meth:`forecast`."""
        return stockflow.stock_frame(self.jump_off, self.reporting_year)

    def history(self) -> pd.DataFrame:
        """Children looked after at 31 March of each year loaded (and the year before the
        first, which the first return also covers): year, children."""
        first = int(min(self.years)) - 1
        years = list(range(first, self.reporting_year + 1))
        children = [float(self.segments.stock_on(codes.year_end(y)).sum()) for y in years]
        return pd.DataFrame({"year": years, "children": children})

    def unit_costs(self) -> pd.DataFrame:
        spend = self.spend if self.option("unit_costs_from_spend") else None
        return costs.unit_costs(
            spend,
            self.reporting_year,
            self.option("unit_costs"),
            min_placements=self.threshold,
        )

    def costs(self) -> pd.DataFrame:
        """Each scenario's cost by year and category (:data:`~.costs.COST_COLUMNS`)."""
        frame = self.forecast()
        by_category = frame.loc[
            (frame["age_band"] == stockflow.ALL_AGES)
            & (frame["placement_category"] != stockflow.ALL_CATEGORIES)
        ]
        current = self.current()
        now = current.loc[current["age_band"] == stockflow.ALL_AGES].set_index(
            "placement_category"
        )["forecast"]
        return costs.cost_projection(
            by_category,
            now,
            self.unit_costs(),
            base_year=self.reporting_year,
            inflation_pct=float(self.option("inflation_pct")),
        )

    def scenario_comparison(self) -> pd.DataFrame:
        return costs.scenario_comparison(self.costs())

    def rates(self) -> pd.DataFrame:
        """The model's rates per child-year (internal: the counts are not protected)."""
        return self.model.rates_frame()

    def flows_by_category(self) -> pd.DataFrame:
        """What the model learned from the reference years, by placement category (the
        working behind the forecast): ``entries_per_year`` (children starting care in the
        category, UASC included, a year on average), ``exits`` and ``moves`` (to another
        category; a birthday is not a move) in the reference years, and ``child_years``
        spent in the category. Counts of children: publish only through disclosure control."""
        flows = self.model.flows
        category = np.array([c for c, _ in states.STATES])
        index = {c: np.flatnonzero(category == c) for c in codes.CATEGORY_ORDER}
        years = flows.days / 365.25
        rows = []
        for name, mine in index.items():
            others = np.setdiff1d(np.arange(states.N_STATES), mine)
            rows.append(
                {
                    "placement_category": name,
                    "entries_per_year": float(
                        (flows.entries[mine] + flows.entries_uasc[mine]).sum() / years
                    ),
                    "exits": float(flows.exits[mine].sum()),
                    "moves": float(flows.transitions[np.ix_(mine, others)].sum()),
                    "child_years": float(flows.exposure[mine].sum() / 365.25),
                }
            )
        return pd.DataFrame(rows)

    # -- back-test -------------------------------------------------------------------
    def backtest_origins(self) -> list[int]:
        """The origins of the back-test: the last ``backtest_origins`` years before the
        reporting year with at least :data:`MIN_REFERENCE_YEARS` years of returns."""
        first = int(min(self.years)) + MIN_REFERENCE_YEARS - 1
        possible = [y for y in range(first, self.reporting_year)]
        count = int(self.option("backtest_origins"))
        return possible[-count:] if count else []

    @cached_property
    def _backtest(self) -> pd.DataFrame:
        origins = self.backtest_origins()
        columns = [*backtest.RESULT_COLUMNS, "method_used"]
        if not origins:
            return pd.DataFrame(columns=columns)
        history = self.history().set_index("year")["children"]
        first_day = codes.year_end(int(min(self.years)) - 1)
        monthly = self.segments.month_end_stock(first_day, codes.year_end(self.reporting_year))
        people = population_0_17_by_year(
            self.population, self.la_codes, range(int(min(self.years)) - 1, self.reporting_year + 1)
        )
        groups = np.ones((states.N_STATES, 1))
        rows = []
        for origin in origins:
            ahead = min(self.horizon, self.reporting_year - origin)
            date = codes.year_end(origin)
            past = self.segments.as_at(date)
            reference = self.reference(origin)
            years = [origin + k for k in range(1, ahead + 1)]
            scale = self._entry_scale(reference, years)
            projection = self._fit(past, *reference).project(
                past.stock_on(date),
                origin,
                ahead,
                entry_scale=scale.scale if scale is not None else None,
            )
            mean, variance = projection.grouped(groups)
            for h, year in enumerate(years):
                bounds = {}
                for level in stockflow.LEVELS:
                    low, high = stockflow.interval(mean[h], variance[h], level)
                    bounds |= {
                        f"lower_{round(100 * level)}": low[0],
                        f"upper_{round(100 * level)}": high[0],
                    }
                rows.append(
                    {
                        "method": STOCK_FLOW,
                        "origin": origin,
                        "horizon": h + 1,
                        "year": year,
                        "forecast": mean[h, 0],
                        **bounds,
                        "method_used": STOCK_FLOW,
                    }
                )
            rows += _aggregate_forecasts(
                monthly.loc[:date], history.loc[:origin], people, origin, ahead
            )
        results = pd.DataFrame(rows)
        results["series"] = TOTAL
        results["actual"] = results["year"].map(history)
        results["interval_source"] = "model"
        return results[columns]

    def backtest_results(self) -> pd.DataFrame:
        """Every back-test forecast of the total (:data:`~.backtest.RESULT_COLUMNS`)."""
        return self._backtest.copy()

    def backtest_errors(self) -> pd.DataFrame:
        """The back-test's error table by method and horizon (stock-flow model first)."""
        return backtest.error_table(self._backtest)

    @staticmethod
    def judge(errors: pd.DataFrame) -> tuple[backtest.Choice, backtest.Choice]:
        """From a back-test's error table: whether persistence did clearly better than the
        model (the *choice* of forecast), and whether the model did clearly better than
        persistence (its *skill*)."""
        if errors.empty or STOCK_FLOW not in set(errors["method"]):
            none = "There were no earlier years to test on."
            return backtest.Choice(STOCK_FLOW, False, none), backtest.Choice(
                "persistence", False, none
            )
        choice = backtest.choose_method(errors, baseline=STOCK_FLOW, candidates=["persistence"])
        skill = backtest.choose_method(errors, baseline="persistence", candidates=[STOCK_FLOW])
        return choice, skill

    @cached_property
    def choice(self) -> backtest.Choice:
        """Whether persistence did clearly better than the model in the back-test."""
        return self.judge(self.backtest_errors())[0]

    @cached_property
    def skill(self) -> backtest.Choice:
        """Whether the model did clearly better than persistence in the back-test."""
        return self.judge(self.backtest_errors())[1]


def _rescale_to(frame: pd.DataFrame, total: float) -> pd.DataFrame:
    """Scale each year so that the baseline's total of all categories comes to ``total``
    (the persistence forecast); every scenario, bound and standard deviation is scaled by
    the same factor as the baseline that year."""
    frame = frame.copy()
    baseline = frame.loc[
        (frame["scenario"] == scenarios.BASELINE)
        & (frame["placement_category"] == stockflow.ALL_CATEGORIES)
        & (frame["age_band"] == stockflow.ALL_AGES)
    ].set_index("year")["forecast"]
    factor = (total / frame["year"].map(baseline)).to_numpy(dtype=float)
    factor = np.where(np.isfinite(factor), factor, 1.0)
    for column in ("forecast", "sd", "lower_80", "upper_80", "lower_95", "upper_95"):
        frame[column] = frame[column] * factor
    return frame


def _aggregate_forecasts(
    monthly: pd.Series,
    annual: pd.Series,
    people: pd.Series | None,
    origin: int,
    ahead: int,
) -> list[dict[str, Any]]:
    """The aggregate methods' forecasts of the total from ``origin``: persistence, drift,
    damped trend and ARIMA on the month-end numbers, and the rate per head on the 31 March
    numbers times the population."""
    rows = []
    series = pd.DataFrame([monthly.to_numpy()], index=[TOTAL])
    steps = 12 * ahead
    for method in COMPARATORS:
        if method == "rate_population":
            if people is None:
                continue
            history = pd.DataFrame([annual.to_numpy()], index=[TOTAL], columns=list(annual.index))
            population = pd.DataFrame(
                [people.to_numpy()], index=[TOTAL], columns=list(people.index)
            )
            result = timeseries.forecast_series(history, method, ahead, population=population)
            picks = list(range(1, ahead + 1))
        else:
            result = timeseries.forecast_series(series, method, steps, periods_per_year=12)
            picks = [12 * h for h in range(1, ahead + 1)]
        for h, pick in enumerate(picks, start=1):
            point = result.point.loc[TOTAL, pick]
            sd = result.log_sd.loc[TOTAL, pick]
            bounds = {}
            for level in backtest.LEVELS:
                low, high = timeseries.interval_bounds(np.array([point]), np.array([sd]), level)
                bounds |= {
                    f"lower_{round(100 * level)}": low[0],
                    f"upper_{round(100 * level)}": high[0],
                }
            rows.append(
                {
                    "method": method,
                    "origin": origin,
                    "horizon": h,
                    "year": origin + h,
                    "forecast": point,
                    **bounds,
                    "method_used": result.method_used.loc[TOTAL],
                }
            )
    return rows
