"""Aggregate time-series forecasts, for series where only counts are known.

DfE's published tables give each local authority's children looked after at 31 March, a
number a year and nothing about the children; a borough's 903 returns give the same count
at the end of every month. The methods here forecast such series:

``persistence``
    next year is this year (the naive baseline);
``drift``
    this year plus the average yearly growth of the last few years (the second naive
    baseline);
``damped_trend``
    exponential smoothing with a damped additive trend, ETS(A,Ad,N): the trend is
    followed but fades, the usual safeguard against trends that do not last;
``arima``
    an ARIMA(0,1,1) model, which is simple exponential smoothing: a random walk whose
    steps partly undo the last surprise;
``rate_population``
    the latest rate per 10,000 children aged 0-17 times the projected population (needs
    a population for the forecast years);
``combined``
    the average (on the log scale) of persistence, damped trend and ARIMA.

The smoothing models are those of statsmodels' ``ETSModel`` and ``ExponentialSmoothing``
(tests/test_forecast_timeseries.py checks the filter against statsmodels), run on a whole
panel at once with numpy: fitting statsmodels series by series took up to seconds per
series and origin on the build machines: too slow for 150 local authorities, or for a
notebook's back-test.

All of them model ``log(1 + count)``, so growth is proportional, forecasts are never below
0, and intervals are wider upwards. Each returns the point forecast and the standard
deviation of its log-scale error as the model sees it; :mod:`mps.analysis.forecast.backtest`
replaces that with the errors the method actually made when there are enough of them.

A series may have missing values (a year DfE suppressed, or did not publish): gaps inside
it are filled by log-linear interpolation for the model-based methods, and a forecast made
from a value older than the origin steps on from that value. A series shorter than a
method needs (:data:`MIN_POINTS`) is forecast by persistence, and that is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The methods, in the order tables list them. The naive baselines come first.
METHODS: tuple[str, ...] = (
    "persistence",
    "drift",
    "damped_trend",
    "arima",
    "rate_population",
    "combined",
)
BASELINES: tuple[str, ...] = ("persistence", "drift")
METHOD_LABELS = {
    "persistence": "Same as last year (persistence)",
    "drift": "Recent trend continued (drift)",
    "damped_trend": "Damped trend (exponential smoothing)",
    "arima": "ARIMA(0,1,1)",
    "rate_population": "Rate per 10,000 x projected population",
    "combined": "Average of persistence, damped trend and ARIMA",
    "stock_flow": "Stock-flow model (entries, moves and exits)",
}
#: Fewest observed values a method needs; shorter series fall back to persistence.
MIN_POINTS = {
    "persistence": 1,
    "drift": 2,
    "damped_trend": 5,
    "arima": 4,
    "rate_population": 1,
    "combined": 5,
}
#: Years of history the drift averages its growth over.
DRIFT_YEARS = 3


@dataclass(frozen=True)
class SeriesForecast:
    """Forecasts of many series by one method, ``steps`` periods ahead.

    ``point`` and ``log_sd`` are (series x steps) frames with the series' index and columns
    1..steps; ``method_used`` says, per series, which method made it (the method itself,
    ``persistence`` when the series was too short, or "" when it has no value at all).
    """

    method: str
    point: pd.DataFrame
    log_sd: pd.DataFrame
    method_used: pd.Series


def _log(values: np.ndarray) -> np.ndarray:
    return np.log1p(np.clip(values, 0, None))


def _unlog(values: np.ndarray) -> np.ndarray:
    return np.clip(np.expm1(values), 0, None)


def _random_walk_sd(z: np.ndarray) -> float:
    """The standard deviation of one period's change (0 for a series of one value)."""
    changes = np.diff(z)
    return float(np.sqrt(np.mean(changes**2))) if len(changes) else 0.0


def _drift(
    z: np.ndarray, steps: int, lag: int, periods_per_year: int
) -> tuple[np.ndarray, np.ndarray]:
    window = min(len(z) - 1, DRIFT_YEARS * periods_per_year)
    growth = (z[-1] - z[-1 - window]) / window
    ahead = np.arange(1, steps + 1) + lag
    residual = np.diff(z)[-window:] - growth
    sd = float(np.sqrt(np.mean(residual**2))) if window > 1 else _random_walk_sd(z)
    # The drift's own error adds to the random walk's: Hyndman & Athanasopoulos 5.5.
    return z[-1] + growth * ahead, sd * np.sqrt(ahead * (1 + ahead / window))


def _clean(values: np.ndarray) -> tuple[np.ndarray, int]:
    """The observed part of a series on the log scale, gaps inside it interpolated, and how
    many periods old its last value is (the trailing missing values)."""
    observed = np.flatnonzero(~np.isnan(values))
    if not len(observed):
        return np.zeros(0), 0
    first, last = observed[0], observed[-1]
    part = values[first : last + 1]
    z = _log(part)
    gaps = np.isnan(z)
    if gaps.any():
        at = np.arange(len(z))
        z[gaps] = np.interp(at[gaps], at[~gaps], z[~gaps])
    return z, int(len(values) - 1 - last)


# --- exponential smoothing on a whole panel at once -------------------------------------
#: The parameter grid searched for the smoothing methods fitted on a panel: smoothing of
#: the level (alpha), of the trend (beta, at most alpha) and damping (phi).
ALPHAS = tuple(np.round(np.arange(0.1, 1.01, 0.1), 2))
BETAS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
PHIS = (0.8, 0.9, 0.98)


def smoothing_filter(
    z: np.ndarray, alpha: float, beta: float, phi: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run additive damped-trend exponential smoothing (ETS(A,Ad,N) in innovations form:
    level += phi * trend + alpha * error, trend = phi * trend + beta * error) over every row
    of ``z`` (series x periods, NaN where missing) at once.

    A series starts at its first value (level = that value, trend 0); a missing value
    leaves the state to run on without an error. Returns the final level and trend of each
    series and the one-step errors (NaN where nothing was forecast). ``beta = 0`` with no
    trend is simple exponential smoothing, the ARIMA(0,1,1) model.
    """
    n, t = z.shape
    level = np.full(n, np.nan)
    trend = np.zeros(n)
    errors = np.full((n, t), np.nan)
    for k in range(t):  # over periods (a handful), every series at once
        y = z[:, k]
        started = ~np.isnan(level)
        expected = level + phi * trend
        seen = ~np.isnan(y)
        error = np.where(started & seen, y - expected, 0.0)
        errors[started & seen, k] = error[started & seen]
        level = np.where(started, expected + alpha * error, np.where(seen, y, np.nan))
        trend = np.where(started, phi * trend + beta * error, 0.0)
    return level, trend, errors


def _grid(damped: bool) -> np.ndarray:
    """The (alpha, beta, phi) searched, in the order ties are settled (beta at most alpha)."""
    return np.array(
        [
            (float(alpha), beta, phi)
            for alpha in ALPHAS
            for beta in (BETAS if damped else (0.0,))
            if beta <= alpha
            for phi in (PHIS if damped else (1.0,))
        ]
    )


def _grid_mse(z: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The pooled mean squared one-step error of :func:`smoothing_filter` over ``z`` for
    every row of ``grid``, all parameters at once (the same recursion, with a leading
    parameter axis); inf where nothing was forecast."""
    alpha, beta, phi = (grid[:, i : i + 1] for i in range(3))
    n, t = z.shape
    level = np.full((len(grid), n), np.nan)
    trend = np.zeros((len(grid), n))
    total = np.zeros(len(grid))
    count = 0
    for k in range(t):
        y = z[:, k]
        started = ~np.isnan(level)
        expected = level + phi * trend
        seen = ~np.isnan(y)
        error = np.where(started & seen, y - expected, 0.0)
        total += (error**2).sum(axis=1)
        count += int((started[0] & seen).sum())  # who is started does not depend on them
        level = np.where(started, expected + alpha * error, np.where(seen, y, np.nan))
        trend = np.where(started, phi * trend + beta * error, 0.0)
    return total / count if count else np.full(len(grid), np.inf)


def _fit_panel(z: np.ndarray, damped: bool) -> tuple[float, float, float, float]:
    """The grid parameters with the least pooled squared one-step error, and its variance."""
    grid = _grid(damped)
    best = (np.inf, 1.0, 0.0, 1.0)
    for (alpha, beta, phi), mse in zip(grid, _grid_mse(z, grid), strict=True):
        if mse < best[0] - 1e-12:  # the first of near-equals, as the grid is ordered
            best = (float(mse), float(alpha), float(beta), float(phi))
    mse, alpha, beta, phi = best
    return alpha, beta, phi, (mse if np.isfinite(mse) else 0.0)


def _smoothing_panel(z: np.ndarray, steps: int, damped: bool) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts and log-scale standard deviations of every row of ``z`` with parameters
    shared by the panel."""
    alpha, beta, phi, mse = _fit_panel(z, damped)
    level, trend, _ = smoothing_filter(z, alpha, beta, phi)
    observed = ~np.isnan(z)
    last = z.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    lag = z.shape[1] - 1 - last  # periods since the last value
    ahead = lag[:, None] + np.arange(1, steps + 1)[None, :]
    max_ahead = int(ahead.max()) if ahead.size else steps
    powers = phi ** np.arange(1, max_ahead + 1)
    phi_h = np.r_[0.0, np.cumsum(powers)]  # phi_h[h] = phi + ... + phi^h
    # The state ran on through any missing last periods: forecast on from the last column.
    mean = level[:, None] + phi_h[1 : steps + 1][None, :] * trend[:, None]
    terms = np.r_[0.0, np.cumsum((alpha + beta * phi_h[1:]) ** 2)]  # sum over j < h
    sd = np.sqrt(mse * (1 + terms[ahead - 1]))
    return mean, sd


def _last_values(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's last observed value, how old it is, and how many values it has."""
    observed = ~np.isnan(z)
    count = observed.sum(axis=1)
    last = z.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    value = z[np.arange(len(z)), last]
    return np.where(count > 0, value, np.nan), z.shape[1] - 1 - last, count


def _pooled_sd(z: np.ndarray) -> float:
    """The root mean square of one-period changes pooled over the rows."""
    changes = np.diff(z, axis=1)
    return float(np.sqrt(np.nanmean(changes**2))) if np.isfinite(changes).any() else 0.0


def forecast_series(
    history: pd.DataFrame,
    method: str,
    steps: int,
    *,
    periods_per_year: int = 1,
    population: pd.DataFrame | None = None,
) -> SeriesForecast:
    """Forecast every row of ``history`` (series x consecutive periods, NaN where missing)
    ``steps`` periods past its last column with ``method`` (module docstring).

    The smoothing methods (``damped_trend``, ``arima``) share one set of parameters over
    the panel, chosen on a grid (:data:`ALPHAS`, :data:`BETAS`, :data:`PHIS`) to give the
    least pooled one-step squared error, and filter every series at once
    (:func:`smoothing_filter`). DfE's series are 5 to 15 years long, too short to fit three
    parameters each, and 150 of them are forecast from several origins in a back-test; a
    borough's month-end series is a panel of one, so its parameters are its own.
    Persistence and drift take their standard deviation from the panel's pooled
    one-period changes.

    ``population`` is needed by ``rate_population`` (annual series whose columns are years):
    the same rows, a column per year (the 0-17 population behind each year's rate) covering
    the series' last observed year and the forecast years; a row without them falls back
    to persistence.
    """
    if method not in METHODS:
        raise ValueError(f"unknown forecasting method {method!r}; choose from {', '.join(METHODS)}")
    if steps < 1:
        raise ValueError(f"steps {steps}: forecast at least one period ahead")
    columns = list(range(1, steps + 1))
    z = _log(history.to_numpy(dtype=float))
    last, lag, count = _last_values(z)
    ahead = lag[:, None] + np.arange(1, steps + 1)[None, :]
    rw_sd = _pooled_sd(z)
    mean = np.repeat(last[:, None], steps, axis=1)
    sd = rw_sd * np.sqrt(ahead)
    used = np.where(count > 0, "persistence", "")
    enough = count >= MIN_POINTS[method]
    if method == "drift":
        m, s = _drift_panel(history, steps, periods_per_year)
        mean, sd = np.where(enough[:, None], m, mean), np.where(enough[:, None], s, sd)
    elif method in ("damped_trend", "arima", "combined"):
        smooth = _smoothing(z, steps, enough, method)
        for name, (m, s) in smooth.items():
            smooth[name] = (np.where(enough[:, None], m, mean), np.where(enough[:, None], s, sd))
        if method == "combined":
            mean = np.mean([mean, *(m for m, _ in smooth.values())], axis=0)
            sd = np.mean([sd, *(s for _, s in smooth.values())], axis=0)
        else:
            mean, sd = smooth[method]
    elif method == "rate_population":
        mean, enough = _rate_population(history, z, last, lag, steps, population, mean)
    used = np.where(enough & (count > 0), method, used)
    return SeriesForecast(
        method=method,
        point=pd.DataFrame(_unlog(mean), index=history.index, columns=columns),
        log_sd=pd.DataFrame(sd, index=history.index, columns=columns),
        method_used=pd.Series(used, index=history.index, dtype="string"),
    )


def _drift_panel(
    history: pd.DataFrame, steps: int, periods_per_year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Drift for every row: growth averaged over the last DRIFT_YEARS of observed values."""
    values = history.to_numpy(dtype=float)
    mean = np.full((len(values), steps), np.nan)
    sd = np.full((len(values), steps), np.nan)
    for row, series in enumerate(values):  # a few array operations per series
        z, lag = _clean(series)
        if len(z) >= 2:
            mean[row], sd[row] = _drift(z, steps, lag, periods_per_year)
    return mean, sd


def _smoothing(
    z: np.ndarray, steps: int, enough: np.ndarray, method: str
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The damped-trend and ARIMA forecasts a method needs (both for ``combined``)."""
    names = ["damped_trend", "arima"] if method == "combined" else [method]
    usable = np.where(enough[:, None], z, np.nan)
    return {name: _smoothing_panel(usable, steps, damped=name == "damped_trend") for name in names}


def _rate_population(
    history: pd.DataFrame,
    z: np.ndarray,
    last: np.ndarray,
    lag: np.ndarray,
    steps: int,
    population: pd.DataFrame | None,
    fallback: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The latest count's rate per head times each forecast year's population: the years
    are the integer column labels of ``history`` and ``population``."""
    if population is None:
        return fallback, np.zeros(len(z), dtype=bool)
    final = int(history.columns[-1])
    people = population.reindex(history.index)
    at_last = np.array(
        [people.loc[k].get(final - int(g), np.nan) if k in people.index else np.nan
         for k, g in zip(history.index, lag, strict=True)],
        dtype=float,
    )  # fmt: skip
    future = people.reindex(columns=[final + k for k in range(1, steps + 1)]).to_numpy(float)
    ok = (at_last > 0) & ~np.isnan(future).any(axis=1) & ~np.isnan(last)
    ratio = np.where(ok[:, None], future / np.where(at_last > 0, at_last, 1.0)[:, None], 1.0)
    mean = np.where(ok[:, None], _log(np.expm1(last)[:, None] * ratio), fallback)
    return mean, ok


def interval_bounds(
    point: np.ndarray, log_sd: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the central ``level`` interval of a forecast whose log(1 + count) error is
    normal with standard deviation ``log_sd``."""
    from scipy import stats

    z = stats.norm.ppf(0.5 + level / 2)
    centre = _log(np.asarray(point, dtype=float))
    return _unlog(centre - z * log_sd), _unlog(centre + z * log_sd)


def log_error(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """The forecast's error on the log scale the methods model: log(1 + actual) - log(1 +
    forecast)."""
    return _log(np.asarray(actual, dtype=float)) - _log(np.asarray(forecast, dtype=float))


def shifted(point: np.ndarray, log_errors: np.ndarray) -> np.ndarray:
    """The counts a forecast would be with these log-scale errors added."""
    return _unlog(_log(np.asarray(point, dtype=float)) + log_errors)
