"""A borough's 903 return for one collection year, table by table (reference §2.2 layout).

A year's return holds every child looked after at any time in the year and every episode
open during it; an episode still open at 31 March has DEC, REC and REASON_PLACE_CHANGE
blank. Codes follow the year: SEX 1/2 up to 2023-24 and M/F from 2024-25; SWEpisodes
from 2023-24. Care leavers (OC3) are in the Header too, as in the DfE return.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mps.synthetic.geography import PostcodeBook
from mps.synthetic.history import BoroughHistory
from mps.synthetic.periods import DAYS_PER_YEAR, birthday, choose_codes, day
from mps.synthetic.shortbreaks import SHORT_BREAK

#: Columns of each 903 file, in the DfE CSV order (reference §2.2).
COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2": ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
            "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
            "LS_ADOPTR"),
    "placed_adoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED",
                        "REASON_PLACED_CEASED"),
    "prev_perm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}  # fmt: skip
FIRST_SW_YEAR = 2024  # SWEpisodes began with the 2023-24 return
LAST_NUMERIC_SEX_YEAR = 2024  # SEX 1/2 until 2023-24, then M/F/U (rule 101)

_DATE_ORIGIN = day(1950, 1, 1)
_DATE_TEXT = (
    pd.Series(pd.date_range("1950-01-01", "2060-12-31", freq="D")).dt.strftime("%d/%m/%Y")
).to_numpy(dtype=object)


def dates(days: np.ndarray) -> np.ndarray:
    """DD/MM/YYYY text for day numbers; "" for negative or out-of-range (blank)."""
    days = np.asarray(days, dtype=np.int64)
    position = days - _DATE_ORIGIN
    valid = (days >= 0) & (position >= 0) & (position < len(_DATE_TEXT))
    return np.where(valid, _DATE_TEXT[np.where(valid, position, 0)], "").astype(object)


def _frame(name: str, values: dict[str, np.ndarray], key: np.ndarray | None = None) -> pd.DataFrame:
    """The table's columns in DfE order, rows sorted by CHILD then ``key`` (a day number)."""
    columns = {c: np.asarray(values[c], dtype=object) for c in COLUMNS[name]}
    child = columns["CHILD"].astype(str)
    order = np.lexsort((np.zeros(len(child)) if key is None else key, child))
    return pd.DataFrame({c: v[order] for c, v in columns.items()}, dtype=object)


def year_return(
    history: BoroughHistory, year: int, book: PostcodeBook, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Every table of the borough's return for collection ``year`` (file name -> frame)."""
    start, end = day(year - 1, 4, 1), day(year, 3, 31)
    periods, episodes = history.periods, history.episodes
    child_of = periods.child[episodes.period]
    in_year = (episodes.decom <= end) & (episodes.dec >= start)
    ep = episodes.take(np.flatnonzero(in_year))
    ep_child = child_of[in_year]
    open_ = ep.dec > end
    ids = history.child_id
    child_dob = np.zeros(len(ids), dtype=np.int64)
    child_dob[periods.child] = periods.dob
    child_male = np.zeros(len(ids), dtype=bool)
    child_male[periods.child] = periods.male
    dob_text = dates(child_dob)
    home = history.home[ep.period]
    home_text = book.text(home)
    if history.canary_post:
        planted = np.array([history.canary_post.get(int(c), "") for c in ep_child], dtype=object)
        home_text = np.where(planted != "", planted, home_text)
    tables: dict[str, pd.DataFrame] = {}
    tables["episodes"] = _frame("episodes", {
        "CHILD": ids[ep_child], "DECOM": dates(ep.decom), "RNE": ep.rne, "LS": ep.ls,
        "CIN": periods.cin[ep.period], "PLACE": ep.place, "PLACE_PROVIDER": ep.provider,
        "DEC": np.where(open_, "", dates(ep.dec)), "REC": np.where(open_, "", ep.rec),
        "REASON_PLACE_CHANGE": np.where(open_, "", ep.reason), "HOME_POST": home_text,
        "PL_POST": book.text(ep.pl_post), "URN": ep.urn,
    }, key=ep.decom)  # fmt: skip

    looked_after = np.unique(ep_child)
    short_break_only = np.ones(len(ids), dtype=bool)
    short_break_only[ep_child[periods.pathway[ep.period] != SHORT_BREAK]] = False
    leavers, leaver_tables = _care_leavers(history, start, end, looked_after, rng, dob_text)
    tables["oc3"] = leaver_tables
    everyone = np.union1d(looked_after, leavers)
    female = ~child_male[everyone]
    mother_day = history.mother_day[everyone]
    is_mother = (mother_day >= 0) & (mother_day <= end)
    mother_known = female & np.isin(everyone, looked_after) & ~short_break_only[everyone]
    age_end = (end - child_dob[everyone]) / DAYS_PER_YEAR
    upn = np.where(age_end >= 5, history.upn[everyone], "UN1")
    uasc_ever = np.zeros(len(ids), dtype=bool)
    uasc_ever[periods.child[periods.uasc]] = True
    upn = np.where(uasc_ever[everyone], "UN2", upn)
    male_code, female_code = ("1", "2") if year <= LAST_NUMERIC_SEX_YEAR else ("M", "F")
    sex = np.where(child_male[everyone], male_code, female_code)
    tables["header"] = _frame("header", {
        "CHILD": ids[everyone], "SEX": sex, "DOB": dob_text[everyone],
        "ETHNIC": _ethnic_by_child(history)[everyone], "UPN": upn,
        "MOTHER": np.where(mother_known, np.where(is_mother, "1", "0"), ""),
        "MC_DOB": np.where(mother_known & is_mother, dates(mother_day), ""),
    })  # fmt: skip
    uasc_children = looked_after[uasc_ever[looked_after]]
    eighteen = birthday(child_dob[uasc_children], 18)
    tables["uasc"] = _frame("uasc", {
        "CHILD": ids[uasc_children], "SEX": sex[np.searchsorted(everyone, uasc_children)],
        "DOB": dob_text[uasc_children], "DUC": np.where(eighteen <= end, dates(eighteen), ""),
    })  # fmt: skip
    tables["missing"] = _missing(history, start, end, dob_text)
    tables["oc2"] = _oc2(history, start, end, rng, dob_text)
    tables.update(_adoption_tables(history, start, end, dob_text))
    tables["prev_perm"] = _prev_perm(history, start, end, dob_text)
    reviews = history.reviews
    pick = (reviews.start >= start) & (reviews.start <= end)
    tables["reviews"] = _frame("reviews", {
        "CHILD": ids[reviews.child[pick]], "DOB": dob_text[reviews.child[pick]],
        "REVIEW": dates(reviews.start[pick]), "REVIEW_CODE": reviews.code[pick],
    }, key=reviews.start[pick])  # fmt: skip
    if year >= FIRST_SW_YEAR:
        workers = history.social_workers
        pick = (workers.start <= end) & (workers.end >= start)
        pick &= np.isin(workers.child, looked_after)
        tables["sw_episodes"] = _frame("sw_episodes", {
            "CHILD": ids[workers.child[pick]], "DOB": dob_text[workers.child[pick]],
            "SW_ID": workers.code[pick, 0], "SW_DECOM": dates(workers.start[pick]),
            "SW_DEC": np.where(workers.end[pick] > end, "", dates(workers.end[pick])),
            "SW_REASON": workers.code[pick, 1],
        }, key=workers.start[pick])  # fmt: skip
    return tables


def _ethnic_by_child(history: BoroughHistory) -> np.ndarray:
    ethnic = np.full(len(history.child_id), "", dtype=object)
    ethnic[history.periods.child] = history.periods.ethnic
    return ethnic


def _care_leavers(
    history: BoroughHistory, start: int, end: int, looked_after: np.ndarray,
    rng: np.random.Generator, dob_text: np.ndarray,
) -> tuple[np.ndarray, pd.DataFrame]:  # fmt: skip
    """OC3: young people who left care at 16+ around their 17th-21st birthdays (simple)."""
    periods = history.periods
    last = np.r_[periods.child[1:] != periods.child[:-1], True]
    child, dob = periods.child[last], periods.dob[last]
    left, began = periods.end[last], periods.start[last]
    relevant = (
        (left <= end) & (left >= birthday(dob, 16))
        & (left - np.maximum(began, birthday(dob, 14)) >= 91)
        & ~np.isin(periods.rec[last], ["E2", "E3", "E11", "E12", "E15", "E41", "E45", "E46",
                                       "E47", "E48"])
        & (periods.pathway[last] != SHORT_BREAK)
    )  # fmt: skip
    which = np.full(len(child), -1)
    for age in range(17, 22):
        on = birthday(dob, age)
        after_leaving = (left < on) if age <= 18 else (left <= on)
        which = np.where(relevant & (on >= start) & (on <= end) & after_leaving, age, which)
    pick = which >= 0
    child, age, rec = child[pick], which[pick], periods.rec[last][pick]
    n = len(child)
    touch = choose_codes(rng, {"YES": 88, "NO": 4, "REFU": 3, "NREQ": 3, "RHOM": 2}, n)
    touch = np.where((touch == "RHOM") & ~np.isin(rec, ["E4A", "E4B", "E13"]), "YES", touch)
    touch = np.where((touch == "NREQ") & (age < 19), "YES", touch)
    young = {"F2": 35, "F4": 6, "F5": 8, "P2": 5, "P5": 5, "G5": 30, "G4": 6, "G6": 5}
    older = {"F1": 7, "F2": 15, "F4": 6, "F5": 20, "P1": 1, "P2": 3, "P5": 5, "G5": 30,
             "G4": 8, "G6": 5}  # fmt: skip
    activity = np.where(age <= 18, choose_codes(rng, young, n), choose_codes(rng, older, n))
    at_17 = {"B1": 20, "C1": 5, "D1": 25, "E1": 10, "U1": 12, "K1": 3, "S2": 2, "V2": 3,
             "X1": 2, "Y1": 5}  # fmt: skip
    adult = {"D1": 15, "E1": 8, "U1": 30, "Z1": 12, "B1": 12, "T1": 5, "K1": 5, "S2": 2,
             "W2": 2, "X1": 3, "Y1": 4, "C1": 2}  # fmt: skip
    accommodation = np.where(age == 17, choose_codes(rng, at_17, n), choose_codes(rng, adult, n))
    detail = touch == "YES"
    silent = np.isin(touch, ["NO", "REFU", "NREQ"])
    frame = _frame("oc3", {
        "CHILD": history.child_id[child], "DOB": dob_text[child], "IN_TOUCH": touch,
        "ACTIV": np.where(detail, activity, np.where(silent, "0", "")),
        "ACCOM": np.where(detail, accommodation, np.where(silent, "0", "")),
    })  # fmt: skip
    return np.setdiff1d(child, looked_after), frame


def _missing(history: BoroughHistory, start: int, end: int, dob_text: np.ndarray) -> pd.DataFrame:
    missing = history.missing
    pick = (missing.start <= end) & (missing.end >= start)
    child = missing.child[pick]
    return _frame("missing", {
        "CHILD": history.child_id[child], "DOB": dob_text[child], "MISSING": missing.code[pick],
        "MIS_START": dates(missing.start[pick]),
        "MIS_END": np.where(missing.end[pick] > end, "", dates(missing.end[pick])),
    }, key=missing.start[pick])  # fmt: skip


def _oc2(
    history: BoroughHistory, start: int, end: int, rng: np.random.Generator, dob_text: np.ndarray
) -> pd.DataFrame:
    """Children looked after continuously for 12 months at 31 March (rules 181-198, 542-547)."""
    periods = history.periods
    pick = (periods.start <= start) & (periods.end > end) & (periods.pathway != SHORT_BREAK)
    child, dob, z = periods.child[pick], periods.dob[pick], periods.complexity[pick]
    n = len(child)
    age_end = (end - dob) / DAYS_PER_YEAR
    sdq_due = (start >= birthday(dob, 4)) & (end < birthday(dob, 17))
    edge = ~sdq_due & (end >= birthday(dob, 4)) & (start < birthday(dob, 17))
    scored = sdq_due & (rng.random(n) < 0.8)
    score = np.clip(np.round(rng.normal(14 + 2.5 * z, 6)), 0, 40).astype(int).astype(str)
    reason = choose_codes(rng, {"SDQ2": 20, "SDQ3": 20, "SDQ4": 45, "SDQ5": 15}, n)

    def yes(p: float | np.ndarray) -> np.ndarray:
        return np.where(rng.random(n) < p, "1", "0")

    misuse = np.where(age_end >= 11, yes(0.04 + 0.04 * (z > 1)), "0")
    received = np.where(misuse == "1", yes(0.6), "")
    return _frame("oc2", {
        "CHILD": history.child_id[child], "DOB": dob_text[child],
        "SDQ_SCORE": np.where(scored, score, ""),
        "SDQ_REASON": np.where(sdq_due & ~scored, reason, np.where(edge, "SDQ1", "")),
        "CONVICTED": np.where(end >= birthday(dob, 10), yes(0.03), ""),
        "HEALTH_CHECK": np.where(end < birthday(dob, 5), yes(0.9), ""),
        "IMMUNISATIONS": yes(0.85), "TEETH_CHECK": yes(0.8), "HEALTH_ASSESSMENT": yes(0.9),
        "SUBSTANCE_MISUSE": misuse, "INTERVENTION_RECEIVED": received,
        "INTERVENTION_OFFERED": np.where(received == "0", yes(0.5), ""),
    })  # fmt: skip


def _adoption_tables(
    history: BoroughHistory, start: int, end: int, dob_text: np.ndarray
) -> dict[str, pd.DataFrame]:
    periods, episodes = history.periods, history.episodes
    adopted = np.flatnonzero(
        np.isin(periods.rec, ["E11", "E12"]) & (periods.end >= start) & (periods.end <= end)
    )
    last = np.r_[episodes.period[1:] != episodes.period[:-1], True]
    final_place = np.full(len(periods), "", dtype=object)
    final_place[episodes.period[last]] = episodes.place[last]
    child = periods.child[adopted]
    adopters = history.adopters[adopted]
    ad1 = _frame("ad1", {
        "CHILD": history.child_id[child], "DOB": dob_text[child],
        "DATE_INT": dates(periods.adm[adopted]), "DATE_MATCH": dates(periods.match[adopted]),
        "FOSTER_CARE": np.where(np.isin(final_place[adopted], ["A3", "A5"]), "1", "0"),
        "NB_ADOPTR": adopters[:, 0], "SEX_ADOPTR": adopters[:, 1], "LS_ADOPTR": adopters[:, 2],
    })  # fmt: skip
    decided = np.flatnonzero((periods.adm >= 0) & (periods.adm <= end) & (periods.end >= start))
    child = periods.child[decided]
    placed = _frame("placed_adoption", {
        "CHILD": history.child_id[child], "DOB": dob_text[child],
        "DATE_PLACED": dates(periods.adm[decided]), "DATE_PLACED_CEASED": np.full(len(child), ""),
        "REASON_PLACED_CEASED": np.full(len(child), ""),
    }, key=periods.adm[decided])  # fmt: skip
    return {"ad1": ad1, "placed_adoption": placed}


def _prev_perm(history: BoroughHistory, start: int, end: int, dob_text: np.ndarray) -> pd.DataFrame:
    periods = history.periods
    began = np.flatnonzero(
        (periods.start >= start) & (periods.start <= end) & (periods.pathway != SHORT_BREAK)
    )
    # One row per child: the latest start in the year.
    latest = began[np.r_[periods.child[began][1:] != periods.child[began][:-1], True]]
    child = periods.child[latest]
    details = history.prev_perm[latest]
    return _frame("prev_perm", {
        "CHILD": history.child_id[child], "DOB": dob_text[child], "PREV_PERM": details[:, 0],
        "LA_PERM": details[:, 1], "DATE_PERM": dates(details[:, 2].astype(np.int64)),
    })  # fmt: skip
