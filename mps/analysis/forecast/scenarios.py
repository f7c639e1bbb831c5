"""Scenarios: named sets of changes to the stock-flow model's rates.

Each scenario changes the baseline's rates from a forecast year on (``from_year``, 1 = the
first year forecast) and is projected like the baseline, so its placements and costs can be
set against it. The changes a scenario may make (all optional, combined as listed):

``entry_change_pct``
    children starting to be looked after (not UASC), e.g. -10 for 10% fewer: the effect of
    edge-of-care or family help services;
``uasc_change_pct``
    unaccompanied asylum-seeking children arriving, e.g. +50 for half as many again (the
    National Transfer Scheme quota rising);
``exit_change_pct``
    how fast children leave care (e.g. more reunification or special guardianship);
``step_down_pct`` (with ``step_down_to``)
    the share of the children in children's homes who move to foster care each year, on
    top of the moves the council already sees: a step-down programme. A share ``s`` a year
    is a rate of ``-ln(1 - s)`` a year, so that ``s`` of the children there at the start of
    a year would have moved by its end if nothing else happened. Children move within their
    age band, to ``step_down_to`` (in-house fostering unless the parameters say IFA);
``inhouse_fostering_share_pct``
    the share of new foster placements with in-house rather than agency (IFA) carers: of
    children starting care in non-kinship fostering, and of children moving into it from
    any placement other than fostering, this share go to in-house carers (in-house
    recruitment). Moves between in-house and agency carers, and kinship care, are left as
    they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mps.analysis.forecast.states import STATES
from mps.analysis.forecast.stockflow import Adjustment, Rates

BASELINE = "baseline"
FOSTER_TARGETS = ("inhouse_fostering", "ifa_fostering", "kinship_fostering")
_CATEGORY = np.array([c for c, _ in STATES])
_BAND = np.array([b for _, b in STATES])
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to the baseline's rates (module docstring)."""

    name: str
    label: str
    description: str = ""
    entry_change_pct: float = 0.0
    uasc_change_pct: float = 0.0
    exit_change_pct: float = 0.0
    step_down_pct: float = 0.0
    step_down_to: str = "inhouse_fostering"
    inhouse_fostering_share_pct: float | None = None
    from_year: int = 1

    def __post_init__(self) -> None:
        if self.name == BASELINE:
            raise ValueError("a scenario cannot be called 'baseline': that is the forecast")
        if self.step_down_to not in FOSTER_TARGETS:
            raise ValueError(
                f"scenario {self.name}: step_down_to {self.step_down_to!r}; expected one of "
                + ", ".join(FOSTER_TARGETS)
            )
        if not 0 <= self.step_down_pct < 100:
            raise ValueError(f"scenario {self.name}: step_down_pct must be from 0 to under 100")
        share = self.inhouse_fostering_share_pct
        if share is not None and not 0 <= share <= 100:
            raise ValueError(f"scenario {self.name}: inhouse_fostering_share_pct must be 0-100")
        for field in ("entry_change_pct", "uasc_change_pct", "exit_change_pct"):
            if getattr(self, field) <= -100:
                raise ValueError(f"scenario {self.name}: {field} must be above -100")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Scenario:
        """A scenario from its parameter-file mapping (the ``forecast.scenarios`` items)."""
        return cls(**dict(settings))

    def adjust(self, rates: Rates, year: int) -> Rates:
        """The rates in forecast ``year`` (1 = the first) under this scenario."""
        if year < self.from_year:
            return rates
        entry = rates.entry * (1 + self.entry_change_pct / 100)
        entry_uasc = rates.entry_uasc * (1 + self.uasc_change_pct / 100)
        exit_rate = rates.exit * (1 + self.exit_change_pct / 100)
        transition = rates.transition
        if self.step_down_pct:
            transition = _step_down(transition, self.step_down_pct, self.step_down_to)
        if self.inhouse_fostering_share_pct is not None:
            share = self.inhouse_fostering_share_pct / 100
            entry = _reallocate_fostering(entry, share)
            entry_uasc = _reallocate_fostering(entry_uasc, share)
            transition = _reallocate_fostering_moves(transition, share)
        return Rates(transition, exit_rate, entry, entry_uasc)

    def changes(self) -> list[str]:
        """The scenario's changes in plain words, for the documents."""
        words = []
        start = "" if self.from_year == 1 else f" from forecast year {self.from_year}"
        if self.entry_change_pct:
            words.append(_percent_change(self.entry_change_pct, "children starting care"))
        if self.uasc_change_pct:
            words.append(
                _percent_change(self.uasc_change_pct, "unaccompanied asylum-seeking children")
            )
        if self.exit_change_pct:
            pace = "faster" if self.exit_change_pct > 0 else "slower"
            words.append(f"children leave care {abs(self.exit_change_pct):g}% {pace}")
        if self.step_down_pct:
            target = self.step_down_to.replace("_", " ").replace("ifa", "agency (IFA)")
            words.append(
                f"{self.step_down_pct:g}% of children in children's homes step down to "
                f"{target.replace('inhouse', 'in-house')} each year"
            )
        if self.inhouse_fostering_share_pct is not None:
            words.append(
                f"{self.inhouse_fostering_share_pct:g}% of new foster placements with "
                "in-house carers"
            )
        return [w + start for w in words] or ["no change from the baseline"]


def _percent_change(pct: float, what: str) -> str:
    return f"{abs(pct):g}% {'more' if pct > 0 else 'fewer'} {what}"


def _step_down(transition: np.ndarray, pct: float, target: str) -> np.ndarray:
    """Add a move from each children's home state to the same age band of ``target``."""
    rate = -np.log(1 - pct / 100) / _DAYS_PER_YEAR
    out = transition.copy()
    for source in np.flatnonzero(_CATEGORY == "childrens_home"):
        out[..., source, STATES.index((target, str(_BAND[source])))] += rate
    return out


def _fostering(band: str) -> tuple[int, int]:
    return STATES.index(("inhouse_fostering", band)), STATES.index(("ifa_fostering", band))


def _reallocate_fostering(entry: np.ndarray, share: float) -> np.ndarray:
    """Arrivals into in-house and agency fostering, split ``share`` in-house, per age band."""
    out = entry.copy()
    for band in dict.fromkeys(str(b) for b in _BAND):
        inhouse, agency = _fostering(band)
        total = out[..., inhouse] + out[..., agency]
        out[..., inhouse] = share * total
        out[..., agency] = (1 - share) * total
    return out


def _reallocate_fostering_moves(transition: np.ndarray, share: float) -> np.ndarray:
    """Moves into in-house or agency fostering from outside fostering, split ``share``
    in-house (moves between fostering placements are left alone)."""
    out = transition.copy()
    outside = ~np.isin(_CATEGORY, ["inhouse_fostering", "ifa_fostering", "kinship_fostering"])
    for band in dict.fromkeys(str(b) for b in _BAND):
        inhouse, agency = _fostering(band)
        sources = np.flatnonzero(outside)
        total = out[..., sources, inhouse] + out[..., sources, agency]
        out[..., sources, inhouse] = share * total
        out[..., sources, agency] = (1 - share) * total
    return out


def scenario_adjustments(scenarios: Sequence[Scenario]) -> dict[str, Adjustment | None]:
    """The baseline (no adjustment) and each scenario's adjustment, by name."""
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"scenario names used twice: {', '.join(twice)}")
    return {BASELINE: None, **{s.name: s.adjust for s in scenarios}}
