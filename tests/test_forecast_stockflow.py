"""The stock-flow model (mps.analysis.forecast.states, .stockflow): hand-worked segments,
flows and projections; rates recovered from a simulated process with known rates; intervals
that cover the process's future at their stated rate over many seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecast_simulation import DAYS_PER_YEAR, Process, simulate

from mps import codes
from mps.analysis import children
from mps.analysis.forecast import states, stockflow

BANDS = codes.AGE_BAND_ORDER


def _episode(child, dob, decom, dec, rne, place, provider, rec, ls="C2"):
    return {
        "la": "t",
        "CHILD": child,
        "DOB": pd.Timestamp(dob),
        "DECOM": pd.Timestamp(decom),
        "DEC": pd.Timestamp(dec) if dec else pd.NaT,
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": provider,
        "REC": rec,
        "UASC": False,
        "DUC": pd.NaT,
    }


def _table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("la", "CHILD", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC"):
        frame[column] = frame[column].astype("string")
    frame["placement_category"] = codes.placement_category(frame["PLACE"], frame["PLACE_PROVIDER"])
    frame["collection_year"] = pd.array([2021] * len(frame), dtype="Int64")
    return frame


def _small_table() -> pd.DataFrame:
    return _table(
        [
            # A: in-house fostering, a temporary placement, a children's home, then home.
            _episode("A", "2010-06-15", "2020-05-01", "2020-08-01", "S", "U4", "PR1", "X1"),
            _episode("A", "2010-06-15", "2020-08-01", "2020-08-10", "P", "T2", "PR1", "X1"),
            _episode("A", "2010-06-15", "2020-08-10", "2021-01-01", "P", "K2", "PR4", "E4A"),
            # B: short breaks only: never looked after.
            _episode(
                "B", "2012-01-01", "2020-06-01", "2020-06-05", "S", "U4", "PR1", "E8", ls="V3"
            ),
            # C: kinship fostering from 1 December, still open at the end of the returns.
            _episode("C", "2015-01-01", "2020-12-01", None, "S", "U1", "PR1", None),
        ]
    )


def _state(category: str, band: str) -> int:
    return states.STATES.index((category, band))


def test_segments_hand_worked() -> None:
    segments = states.care_segments(_small_table())
    assert segments.data_end == pd.Timestamp("2021-04-01")
    frame = segments.frame
    # A is 9 until 15 June 2020, then 10: a birthday into the 10-15 band is a transition;
    # the temporary placement stays in-house fostering; the move to a children's home is a
    # transition; going home ends care. C is censored at the end of the returns.
    got = [
        (str(r.start.date()), str(r.end.date()), states.STATES[r.state], r.ends, r.entry)
        for r in frame.itertuples()
    ]
    assert got == [
        ("2020-05-01", "2020-06-15", ("inhouse_fostering", "5-9"), "transition", True),
        ("2020-06-15", "2020-08-10", ("inhouse_fostering", "10-15"), "transition", False),
        ("2020-08-10", "2021-01-01", ("childrens_home", "10-15"), "exit", False),
        ("2020-12-01", "2021-04-01", ("kinship_fostering", "5-9"), "censored", True),
    ]
    assert frame["next_state"].tolist() == [
        _state("inhouse_fostering", "10-15"),
        _state("childrens_home", "10-15"),
        -1,
        -1,
    ]


def test_flows_hand_worked() -> None:
    segments = states.care_segments(_small_table())
    flows = stockflow.count_flows(segments, *stockflow.reference_period(2021, 2021))
    home = _state("childrens_home", "10-15")
    in_house_young, in_house_old = (
        _state("inhouse_fostering", "5-9"),
        _state("inhouse_fostering", "10-15"),
    )
    kinship = _state("kinship_fostering", "5-9")
    # Child-days: 1 May-15 June = 45, 15 June-10 Aug = 56, 10 Aug-1 Jan = 144,
    # 1 Dec-1 April = 121.
    assert flows.exposure[[in_house_young, in_house_old, home, kinship]].tolist() == [
        45,
        56,
        144,
        121,
    ]
    assert flows.exposure.sum() == 45 + 56 + 144 + 121
    assert flows.transitions[in_house_young, in_house_old] == 1
    assert flows.transitions[in_house_old, home] == 1
    assert flows.transitions.sum() == 2
    assert flows.exits[home] == 1 and flows.exits.sum() == 1
    assert flows.entries[[in_house_young, kinship]].tolist() == [1, 1]
    assert flows.entries.sum() == 2
    rates = stockflow.estimate_rates(flows)
    assert rates.exit[home] == pytest.approx(1 / 144)  # per child-day
    assert rates.entry[kinship] == pytest.approx(1 / 365)  # one entry in 365 days


def test_data_after_the_origin_are_not_seen() -> None:
    past = states.episodes_as_at(_small_table(), pd.Timestamp("2020-09-30"))
    # A's children's-home episode was still open on 30 September; C had not arrived.
    assert past["CHILD"].tolist() == ["A", "A", "A", "B"]
    assert past["DEC"].isna().tolist() == [False, False, True, False]


def test_segments_as_at_a_date_are_those_of_the_returns_up_to_it() -> None:
    episodes = simulate(Process(arrivals_per_year=150), "2017-04-01", "2021-04-01", seed=8)
    full = states.care_segments(episodes)
    date = codes.year_end(2019)
    rebuilt = states.care_segments(states.episodes_as_at(episodes, date))
    cut = full.as_at(date)
    assert cut.data_end == rebuilt.data_end == pd.Timestamp("2019-04-01")
    columns = ["start", "end", "state", "ends", "next_state", "entry"]
    pd.testing.assert_frame_equal(cut.frame[columns], rebuilt.frame[columns])


def _one_state_rates(exit_per_day: float, entry_per_day: float) -> stockflow.Rates:
    s = states.N_STATES
    exit_rate = np.zeros(s)
    exit_rate[0] = exit_per_day
    entry = np.zeros(s)
    entry[0] = entry_per_day
    return stockflow.Rates(np.zeros((s, s)), exit_rate, entry, np.zeros(s))


def test_projection_hand_worked_one_state() -> None:
    # 100 children leaving at 1 a child-year (1/365 a day over the 365 days to 31 March
    # 2021): e^-1 = 36.79% stay, mean 36.79, variance 100 p (1 - p) = 23.25. Arrivals at 0.5
    # a day: mean (0.5 x 365) (1 - e^-1) = 115.37, Poisson so variance the same.
    initial = np.zeros(states.N_STATES)
    initial[0] = 100
    projection = stockflow.project(_one_state_rates(1 / 365, 0.5), initial, 2020, 1)
    p = np.exp(-1)
    total = np.ones((states.N_STATES, 1))
    mean, variance = projection.grouped(total)
    assert mean[0, 0] == pytest.approx(100 * p + 182.5 * (1 - p), rel=1e-9)
    assert variance[0, 0] == pytest.approx(100 * p * (1 - p) + 182.5 * (1 - p), rel=1e-9)


def test_intervals_are_gamma_quantiles_never_below_zero() -> None:
    lower, upper = stockflow.interval(
        np.array([100.0, 2.0, 0.0]), np.array([100.0, 4.0, 0.0]), 0.95
    )
    # Mean 100, sd 10: close to the normal 80.4 to 119.6, but skewed upwards as counts are.
    assert 80 < lower[0] < 82 and 119.6 < upper[0] < 121
    assert upper[0] - 100 > 100 - lower[0]
    assert lower[1] >= 0 and upper[1] > 2 * 2
    assert lower[2] == upper[2] == 0


def test_stock_matches_dfe_count_on_simulated_returns() -> None:
    episodes = simulate(Process(arrivals_per_year=120), "2018-04-01", "2021-04-01", seed=5)
    segments = states.care_segments(episodes)
    for year in (2019, 2020, 2021):
        stock = segments.stock_on(codes.year_end(year))
        cla = children.cla_at_31_march(episodes, year)
        by_category = (
            pd.Series(stock, index=pd.MultiIndex.from_tuples(states.STATES)).groupby(level=0).sum()
        )
        expected = cla["placement_category"].value_counts()
        assert stock.sum() == len(cla)
        assert (by_category.reindex(expected.index) == expected).all()


def test_model_recovers_the_rates_it_was_generated_with() -> None:
    # Six years of a process with 1,500 arrivals a year (about 3,500 children in care);
    # the model is fitted on the last three. Tolerance, for every category's exit rate,
    # move rates and arrivals, pooled over age bands: within 4 standard errors of the
    # truth (a Poisson count of events: sqrt(expected events)), and within 8% of it where
    # 1,500 or more events are expected (there 4 standard errors are under 10%); and
    # every single state's exit rate within 4 standard errors where 40+ exits are expected.
    process = Process(arrivals_per_year=1500)
    episodes = simulate(process, "2015-04-01", "2021-04-01", seed=2024)
    model = stockflow.fit(states.care_segments(episodes), 2019, 2021, draws=0)
    flows = model.flows
    categories = np.array([c for c, _ in states.STATES])

    def close(observed: float, expected: float) -> None:
        assert abs(observed - expected) < 4 * np.sqrt(expected)
        if expected >= 1500:
            assert observed == pytest.approx(expected, rel=0.08)

    for category in process.categories:
        mine = categories == category
        years = flows.exposure[mine].sum() / DAYS_PER_YEAR
        truth = process.exit_per_year[category]
        close(flows.exits[mine].sum(), truth * years)
        for other, rate in process.move_per_year[category].items():
            close(flows.transitions[np.ix_(mine, categories == other)].sum(), rate * years)
        for band in BANDS:
            s = _state(category, band)
            expected = truth * flows.exposure[s] / DAYS_PER_YEAR
            if expected >= 40:
                assert abs(flows.exits[s] - expected) < 4 * np.sqrt(expected)
        close(
            flows.entries[mine].sum(), process.arrivals_per_year * process.entry_share[category] * 3
        )
    # The estimated rates are those counts over the child-days.
    rates = model.rates
    s = _state("childrens_home", "10-15")
    assert rates.exit[s] == pytest.approx(flows.exits[s] / flows.exposure[s])


def test_intervals_cover_the_future_at_their_stated_rate_over_many_seeds() -> None:
    # For each seed: simulate 2015-2023, fit on 2018-19 to 2019-20 as the returns stood at
    # 31 March 2020, project to 2021-2023, and check whether the total and each category's
    # children at each 31 March fall inside the intervals. 40 seeds x 3 years x 4 groups =
    # 480 checks (correlated within a seed); tolerance 7 points for 80% and 4 for 95%.
    process = Process(arrivals_per_year=200)
    groups = np.column_stack(
        [np.ones(states.N_STATES)]
        + [
            np.array([c == category for c, _ in states.STATES], dtype=float)
            for category in process.categories
        ]
    )
    inside = {0.8: [], 0.95: []}
    for seed in range(40):
        episodes = simulate(process, "2015-04-01", "2023-04-01", seed=seed)
        full = states.care_segments(episodes)
        origin = codes.year_end(2020)
        past = states.care_segments(states.episodes_as_at(episodes, origin))
        model = stockflow.fit(past, 2019, 2020, draws=60, seed=seed)
        projection = model.project(past.stock_on(origin), 2020, 3)
        mean, variance = projection.grouped(groups)
        for h, year in enumerate((2021, 2022, 2023)):
            actual = full.stock_on(codes.year_end(year)) @ groups
            for level in inside:
                lower, upper = stockflow.interval(mean[h], variance[h], level)
                inside[level].extend((lower <= actual) & (actual <= upper))
    assert abs(100 * np.mean(inside[0.8]) - 80) < 7
    assert abs(100 * np.mean(inside[0.95]) - 95) < 4


def test_daily_step_is_the_matrix_exponential_even_for_large_rates() -> None:
    # scipy's expm is the reference; the integral of exp(Qu) over a day is the top-right
    # block of exp([[Q, I], [0, 0]]) (Van Loan). Small rates (a usual day) and large ones
    # (a state seen for a few days, or a scenario's big change).
    from scipy.linalg import expm

    for q in (
        np.array([[-0.003, 0.001], [0.0005, -0.002]]),
        np.array([[-3.0, 2.0], [0.5, -1.0]]),
    ):
        step, integral = stockflow._day_step(q)
        block = np.zeros((4, 4))
        block[:2, :2], block[:2, 2:] = q, np.eye(2)
        assert step == pytest.approx(expm(q), abs=1e-6)
        assert integral == pytest.approx(expm(block)[:2, 2:], abs=1e-6)
