"""The stock-flow (Markov) model of children looked after: the sector's standard (reference §4.1).

**States** are placement category x age band (:mod:`mps.analysis.forecast.states`), plus
*not in care*. Over a **reference period** (whole collection years, chosen in the
parameters) the model estimates, from the segments of :func:`~.states.care_segments`:

* a **transition rate** from each state to each other state (a change of placement
  category, or a birthday into the next age band): transitions / child-days in the state;
* an **exit rate** from each state (leaving care): exits / child-days in the state;
* an **entry rate** into each state (starting a period of care in it): entries / days in
  the reference period, kept apart for unaccompanied asylum-seeking children (UASC), whose
  arrivals do not follow the local child population.

These are the maximum-likelihood estimates of a continuous-time Markov chain, so the model
recovers the rates a process was generated with (tests/test_forecast_stockflow.py).

**Projection.** From the children in each state at the jump-off date (31 March of the
origin year), each child moves independently with those rates and new children arrive as
Poisson processes. The numbers at each later 31 March then have a known distribution: the
children there now are multinomial (each ends the year in one state, or out of care), the
arrivals still in care are Poisson (a thinned Poisson process), and the two are independent.
So the mean and the variance of any group of states (a category, an age band, the total)
are exact given the rates, with the covariances that summing states needs. The model steps
a day at a time (the daily transition matrix, to third order in the rates), raised to a
year by repeated squaring.

**Uncertainty about the rates** is added by drawing the rates from their posterior given
the counts (Gamma, with a flat prior: a rate never observed stays 0) and projecting each
draw: the variance of the draws' means is added to the variance above (the law of total
variance). Entry rates for non-UASC children can be scaled each year by the ONS projection
of the population of their age band (reference §4.2), which the sector tool does not do.

**Intervals** are the quantiles of a gamma distribution with the forecast's mean and
variance: never below 0, and skewed for small numbers as counts are; for large numbers it
is the normal interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mps import codes
from mps.analysis.forecast.states import (
    BANDS,
    CATEGORIES,
    EXIT,
    N_STATES,
    STATES,
    TRANSITION,
    Segments,
)

#: Interval levels every forecast carries.
LEVELS: tuple[float, ...] = (0.8, 0.95)
#: Draws of the rates for their uncertainty (deterministic from the seed).
DEFAULT_DRAWS = 100
DEFAULT_SEED = 20260401
ALL_AGES = "All ages"
ALL_CATEGORIES = "all"


@dataclass(frozen=True)
class Flows:
    """What happened in the reference period, by state (arrays follow :data:`STATES`)."""

    start: pd.Timestamp  # first day of the reference period
    end: pd.Timestamp  # the day after its last day
    transitions: np.ndarray  # (S, S): moves from state i to state j
    exits: np.ndarray  # (S,): children leaving care from each state
    exposure: np.ndarray  # (S,): child-days spent in each state
    entries: np.ndarray  # (S,): children starting a period of care in each state, not UASC
    entries_uasc: np.ndarray  # (S,): the same, UASC

    @property
    def days(self) -> float:
        return float((self.end - self.start).days)


def reference_period(first_year: int, last_year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """1 April starting ``first_year`` and the day after 31 March ending ``last_year``."""
    if last_year < first_year:
        raise ValueError(f"reference period {first_year}-{last_year}: the years are reversed")
    return codes.year_start(first_year), codes.year_end(last_year) + pd.Timedelta(days=1)


def count_flows(segments: Segments, start: pd.Timestamp, end: pd.Timestamp) -> Flows:
    """Count transitions, exits, entries and child-days in each state from ``start`` up to
    (not including) ``end``. Raises ValueError when the data do not cover the period."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end > segments.data_end:
        raise ValueError(
            f"the reference period runs to {end:%d %B %Y} but the returns end on "
            f"{segments.data_end - pd.Timedelta(days=1):%d %B %Y}"
        )
    frame = segments.frame
    state = frame["state"].to_numpy()
    seg_start = frame["start"].to_numpy(dtype="datetime64[ns]")
    seg_end = frame["end"].to_numpy(dtype="datetime64[ns]")
    lo, hi = start.to_datetime64(), end.to_datetime64()
    overlap = (np.minimum(seg_end, hi) - np.maximum(seg_start, lo)) / np.timedelta64(1, "D")
    exposure = np.bincount(state, weights=np.clip(overlap, 0, None), minlength=N_STATES)

    ends = frame["ends"].to_numpy(dtype=object)
    # A segment ending on day d was last in its state on d - 1: the move or exit belongs to
    # the period when d - 1 is in it (the days the exposure counts).
    ended_inside = (seg_end > lo) & (seg_end <= hi)
    moved = ended_inside & (ends == TRANSITION)
    transitions = np.zeros((N_STATES, N_STATES))
    np.add.at(transitions, (state[moved], frame["next_state"].to_numpy()[moved]), 1.0)
    exits = np.bincount(state[ended_inside & (ends == EXIT)], minlength=N_STATES).astype(float)

    entered = frame["entry"].to_numpy(dtype=bool) & (seg_start >= lo) & (seg_start < hi)
    uasc = frame["uasc"].to_numpy(dtype=bool)
    entries = np.bincount(state[entered & ~uasc], minlength=N_STATES).astype(float)
    entries_uasc = np.bincount(state[entered & uasc], minlength=N_STATES).astype(float)
    return Flows(start, end, transitions, exits, exposure, entries, entries_uasc)


@dataclass(frozen=True)
class Rates:
    """Daily rates by state; arrays may have a leading axis of draws.

    ``transition[..., i, j]`` is the rate of moving from state i to j (diagonal 0),
    ``exit[..., i]`` of leaving care from i, ``entry[..., j]`` and ``entry_uasc[..., j]``
    the expected arrivals a day into j (not UASC, UASC).
    """

    transition: np.ndarray
    exit: np.ndarray
    entry: np.ndarray
    entry_uasc: np.ndarray

    def generator(self) -> np.ndarray:
        """The sub-generator of the chain restricted to the states in care."""
        q = self.transition.copy()
        diagonal = -(q.sum(axis=-1) + self.exit)
        idx = np.arange(q.shape[-1])
        q[..., idx, idx] = diagonal
        return q


def _per_day(count: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(exposure > 0, count / np.where(exposure > 0, exposure, 1.0), 0.0)
    return rate


def estimate_rates(flows: Flows) -> Rates:
    """Maximum-likelihood daily rates from the reference period's flows."""
    return Rates(
        transition=_per_day(flows.transitions, flows.exposure[:, None]),
        exit=_per_day(flows.exits, flows.exposure),
        entry=flows.entries / flows.days,
        entry_uasc=flows.entries_uasc / flows.days,
    )


def draw_rates(flows: Flows, draws: int, rng: np.random.Generator) -> Rates:
    """``draws`` sets of rates from their posterior given the counts (Gamma(count, 1 /
    exposure): a flat prior, so a rate never observed is never drawn above 0)."""

    def gamma(count: np.ndarray, exposure: np.ndarray) -> np.ndarray:
        shape = np.broadcast_to(count, (draws, *count.shape))
        scale = np.broadcast_to(
            np.where(exposure > 0, 1.0 / np.where(exposure > 0, exposure, 1.0), 0.0),
            (draws, *count.shape),
        )
        drawn = np.zeros(shape.shape)
        positive = shape > 0
        drawn[positive] = rng.gamma(shape[positive], scale[positive])
        return drawn

    return Rates(
        transition=gamma(
            flows.transitions, np.broadcast_to(flows.exposure[:, None], flows.transitions.shape)
        ),
        exit=gamma(flows.exits, flows.exposure),
        entry=gamma(flows.entries, np.full(N_STATES, flows.days)),
        entry_uasc=gamma(flows.entries_uasc, np.full(N_STATES, flows.days)),
    )


def stack(first: Rates, rest: Rates) -> Rates:
    """``first`` (no draw axis) followed by the draws of ``rest`` on one draw axis."""
    return Rates(
        *(np.concatenate([a[None], b]) for a, b in zip(_fields(first), _fields(rest), strict=True))
    )


def _fields(rates: Rates) -> tuple[np.ndarray, ...]:
    return rates.transition, rates.exit, rates.entry, rates.entry_uasc


# --- projection ------------------------------------------------------------------------
#: Largest total daily rate the third-order step is used for directly; above it (a state
#: seen for a few days, or a scenario's large change) the day is split into halves.
_MAX_STEP_RATE = 0.05


def _day_step(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """exp(Q) and its integral over one day: to third order in the rates over a step short
    enough that the largest total rate is at most :data:`_MAX_STEP_RATE`, then doubled up
    to the day (scaling and squaring)."""
    largest = float(np.abs(q).sum(axis=-1).max()) if q.size else 0.0
    halvings = max(0, int(np.ceil(np.log2(largest / _MAX_STEP_RATE)))) if largest else 0
    h = 1.0 / 2**halvings
    eye = np.broadcast_to(np.eye(q.shape[-1]), q.shape)
    qh = q * h
    q2 = qh @ qh
    q3 = q2 @ qh
    step = eye + qh + q2 / 2 + q3 / 6
    integral = h * (eye + qh / 2 + q2 / 6 + q3 / 24)
    for _ in range(halvings):
        integral = integral + step @ integral
        step = step @ step
    return step, integral


def _power_and_sum(m: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``m**n`` and ``sum(m**d for d < n)`` by repeated squaring (batched matrices)."""
    eye = np.broadcast_to(np.eye(m.shape[-1]), m.shape).copy()
    power, total = eye, np.zeros_like(m)  # for k = 0 days
    base_power, base_sum = m, eye  # m**b and sum(m**d, d < b) for b = 1
    while n:
        if n & 1:
            # Days so far (k), then b more: sum_{d<k+b} = sum_{d<k} + m**k sum_{d<b}.
            total = total + power @ base_sum
            power = power @ base_power
        n >>= 1
        if n:
            base_sum = base_sum + base_power @ base_sum
            base_power = base_power @ base_power
    return power, total


#: Adjusts the rates for forecast year k (1 = the first year): a scenario.
Adjustment = Callable[[Rates, int], Rates]


@dataclass(frozen=True)
class Projection:
    """The projected distribution of children in care at each forecast 31 March.

    ``cohort[h, i, j]``: probability that a child in state i at the jump-off is in state j
    at 31 March of ``years[h]`` (rates at their estimates); ``arrivals[h, j]``: expected
    children who arrived after the jump-off and are in j then; ``draw_means[d, h, j]``: the
    expected children in j under draw d of the rates (for the rates' uncertainty).
    """

    origin: int
    years: tuple[int, ...]
    initial: np.ndarray  # (S,)
    cohort: np.ndarray  # (H, S, S)
    arrivals: np.ndarray  # (H, S)
    draw_means: np.ndarray  # (D, H, S)

    @property
    def mean(self) -> np.ndarray:
        """(H, S): expected children in each state at each forecast year."""
        return np.einsum("i,hij->hj", self.initial, self.cohort) + self.arrivals

    def grouped(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance (H, K) of the children in each group of states.

        ``groups`` is an (S, K) 0/1 matrix: column k marks the states of group k.
        """
        groups = np.asarray(groups, dtype=float)
        p = self.cohort @ groups  # (H, S, K): a child now in i is in group k
        process = np.einsum("i,hik->hk", self.initial, p * (1 - p)) + self.arrivals @ groups
        mean = self.mean @ groups
        if len(self.draw_means) > 1:
            parameter = (self.draw_means @ groups).var(axis=0, ddof=1)
        else:
            parameter = np.zeros_like(mean)
        return mean, process + parameter


def project(
    rates: Rates,
    initial: np.ndarray,
    origin: int,
    horizon: int,
    *,
    draws: Rates | None = None,
    entry_scale: np.ndarray | None = None,
    adjust: Adjustment | None = None,
) -> Projection:
    """Project from ``initial`` (children in each state at 31 March ``origin``) to 31 March
    of each of the next ``horizon`` years.

    ``draws`` (rates with a draw axis, from :func:`draw_rates`) carry the uncertainty about
    the rates; ``entry_scale`` (horizon, S) multiplies the non-UASC entry rates in each
    forecast year (the population projection); ``adjust`` changes the rates of each
    forecast year (a scenario, :mod:`mps.analysis.forecast.scenarios`).
    """
    if horizon < 1:
        raise ValueError(f"horizon {horizon}: forecast at least 1 year ahead")
    initial = np.asarray(initial, dtype=float)
    scale = np.ones((horizon, N_STATES)) if entry_scale is None else np.asarray(entry_scale)
    if scale.shape != (horizon, N_STATES):
        raise ValueError(f"entry_scale has shape {scale.shape}; expected ({horizon}, {N_STATES})")
    years = tuple(origin + k for k in range(1, horizon + 1))
    stacked = stack(rates, draws if draws is not None else _empty_draws(rates))
    by_year = [adjust(stacked, k) if adjust is not None else stacked for k in range(1, horizon + 1)]
    # Only states a child can be in matter: the rest have no rates (and cost time).
    active = initial > 0
    for year_rates in by_year:
        active |= (year_rates.entry > 0).any(axis=0) | (year_rates.entry_uasc > 0).any(axis=0)
        active |= (year_rates.transition > 0).any(axis=(0, 1))
    keep = np.flatnonzero(active)
    n = len(keep)

    cohort = np.eye(n)
    arrivals = np.zeros(n)
    means = np.broadcast_to(initial[keep], (stacked.exit.shape[0] - 1, n)).copy()
    cohorts = np.zeros((horizon, N_STATES, N_STATES))
    arrived = np.zeros((horizon, N_STATES))
    draw_means = np.zeros((len(means), horizon, N_STATES))
    for k, (year, year_rates) in enumerate(zip(years, by_year, strict=True)):
        days = (codes.year_end(year) - codes.year_end(year - 1)).days
        q = year_rates.generator()[:, keep][:, :, keep]
        entry = (year_rates.entry * scale[k] + year_rates.entry_uasc)[:, keep]
        step, step_integral = _day_step(q)
        # At the estimates: the whole transition matrix, for the multinomial variance.
        power, total = _power_and_sum(step[0], days)
        arrivals = arrivals @ power + entry[0] @ (total @ step_integral[0])
        cohort = cohort @ power
        cohorts[k][np.ix_(keep, keep)] = cohort
        arrived[k, keep] = arrivals
        # For each draw only the expected numbers: stepped a week at a time as vectors.
        if len(means):
            week, week_total = _power_and_sum(step[1:], 7)
            week_arrivals = _times(entry[1:], week_total @ step_integral[1:])
            day_arrivals = _times(entry[1:], step_integral[1:])
            for _ in range(days // 7):
                means = _times(means, week) + week_arrivals
            for _ in range(days % 7):
                means = _times(means, step[1:]) + day_arrivals
            draw_means[:, k, keep] = means
    return Projection(
        origin=origin,
        years=years,
        initial=initial,
        cohort=cohorts,
        arrivals=arrived,
        draw_means=draw_means,
    )


def _times(vectors: np.ndarray, matrices: np.ndarray) -> np.ndarray:
    """Row vectors times matrices, one per draw: (D, n) x (D, n, n) -> (D, n)."""
    return (vectors[:, None, :] @ matrices)[:, 0, :]


def _empty_draws(rates: Rates) -> Rates:
    return Rates(*(np.zeros((0, *a.shape)) for a in _fields(rates)))


# --- groups of states and intervals ----------------------------------------------------
def _groups() -> tuple[np.ndarray, pd.DataFrame]:
    """Every state, every category (all ages), every age band (all categories) and the total,
    as an (S, K) 0/1 matrix and the (placement_category, age_band) label of each column."""
    categories = np.array([c for c, _ in STATES])
    bands = np.array([b for _, b in STATES])
    columns, labels = [], []
    for category in CATEGORIES:
        for band in BANDS:
            columns.append((categories == category) & (bands == band))
            labels.append((category, band))
        columns.append(categories == category)
        labels.append((category, ALL_AGES))
    for band in BANDS:
        columns.append(bands == band)
        labels.append((ALL_CATEGORIES, band))
    columns.append(np.ones(N_STATES, dtype=bool))
    labels.append((ALL_CATEGORIES, ALL_AGES))
    frame = pd.DataFrame(labels, columns=["placement_category", "age_band"])
    return np.column_stack(columns).astype(float), frame


def interval(mean: np.ndarray, variance: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The central ``level`` interval of a gamma distribution with this mean and variance
    (a point mass at the mean when the variance is 0)."""
    mean = np.asarray(mean, dtype=float)
    variance = np.asarray(variance, dtype=float)
    tail = (1 - level) / 2
    positive = (mean > 0) & (variance > 0)
    safe_mean = np.where(positive, mean, 1.0)
    safe_var = np.where(positive, variance, 1.0)
    shape, scale = safe_mean**2 / safe_var, safe_var / safe_mean
    lower = np.where(positive, stats.gamma.ppf(tail, shape, scale=scale), mean)
    upper = np.where(positive, stats.gamma.ppf(1 - tail, shape, scale=scale), mean)
    return lower, upper


def with_intervals(frame: pd.DataFrame, levels: Sequence[float] = LEVELS) -> pd.DataFrame:
    """Add ``lower_80``, ``upper_80``, ... to a frame with ``forecast`` and ``sd`` columns."""
    out = frame.copy()
    for level in levels:
        lower, upper = interval(out["forecast"].to_numpy(), out["sd"].to_numpy() ** 2, level)
        out[f"lower_{round(level * 100)}"] = lower
        out[f"upper_{round(level * 100)}"] = upper
    return out


def projection_frame(projection: Projection, levels: Sequence[float] = LEVELS) -> pd.DataFrame:
    """The projection as a long frame: ``year``, ``placement_category``, ``age_band``
    (``all`` / ``All ages`` rows total the categories and bands), ``forecast``, ``sd`` and
    the interval bounds ``lower_80``, ``upper_80``, ``lower_95``, ``upper_95``."""
    groups, labels = _groups()
    mean, variance = projection.grouped(groups)
    frames = []
    for h, year in enumerate(projection.years):
        frames.append(
            labels.assign(
                year=year,
                forecast=mean[h],
                sd=np.sqrt(np.clip(variance[h], 0, None)),
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[["year", "placement_category", "age_band", "forecast", "sd"]]
    return with_intervals(frame, levels)


def stock_frame(stock: np.ndarray, year: int) -> pd.DataFrame:
    """Children in each state (an array over :data:`STATES`) as the rows of
    :func:`projection_frame` for ``year``, with no uncertainty (sd 0)."""
    groups, labels = _groups()
    counts = np.asarray(stock, dtype=float) @ groups
    return with_intervals(
        labels.assign(year=year, forecast=counts, sd=0.0)[
            ["year", "placement_category", "age_band", "forecast", "sd"]
        ]
    )


# --- fitting ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StockFlowModel:
    """The model fitted on a reference period: its flows, rates and draws of the rates."""

    first_year: int
    last_year: int
    flows: Flows
    rates: Rates
    draws: Rates

    def project(
        self,
        initial: np.ndarray,
        origin: int,
        horizon: int,
        *,
        entry_scale: np.ndarray | None = None,
        adjust: Adjustment | None = None,
    ) -> Projection:
        """:func:`project` with this model's rates and draws."""
        return project(
            self.rates,
            initial,
            origin,
            horizon,
            draws=self.draws,
            entry_scale=entry_scale,
            adjust=adjust,
        )

    def rates_frame(self) -> pd.DataFrame:
        """The estimated rates per child per year, one row per state with any time in it:
        category, age band, child-years, exits, exit rate, moves out (transitions), move
        rate, entries (not UASC and UASC) and entries a year. Internal (not for publication:
        counts of events are not disclosure-controlled)."""
        flows = self.flows
        years = flows.exposure / 365.25
        moves = flows.transitions.sum(axis=1)
        frame = pd.DataFrame(
            {
                "placement_category": [c for c, _ in STATES],
                "age_band": [b for _, b in STATES],
                "child_years": years,
                "exits": flows.exits,
                "exit_rate": _per_day(flows.exits, years),
                "moves": moves,
                "move_rate": _per_day(moves, years),
                "entries": flows.entries,
                "entries_uasc": flows.entries_uasc,
                "entries_per_year": (flows.entries + flows.entries_uasc) / (flows.days / 365.25),
            }
        )
        used = (flows.exposure > 0) | (flows.entries + flows.entries_uasc > 0)
        return frame.loc[used].reset_index(drop=True)


def fit(
    segments: Segments,
    first_year: int,
    last_year: int,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> StockFlowModel:
    """Estimate the model over collection years ``first_year`` to ``last_year``."""
    start, end = reference_period(first_year, last_year)
    flows = count_flows(segments, start, end)
    if flows.exposure.sum() == 0:
        raise ValueError(
            f"no children were looked after in the reference period {first_year}-{last_year}"
        )
    rng = np.random.default_rng(seed)
    return StockFlowModel(
        first_year=first_year,
        last_year=last_year,
        flows=flows,
        rates=estimate_rates(flows),
        draws=draw_rates(flows, draws, rng),
    )
