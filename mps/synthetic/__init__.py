"""The demo consortium: fictional boroughs' data, deterministic from a seed.

:func:`write_demo_data` writes everything an MPS build reads (``mps.data.layout``): per
borough the 903 returns for each collection year in the DfE CSV layout, ``spend.csv``,
``referrals.csv``, ``needs.csv``, ``fostering.csv`` and ``contracts.csv``; for the
consortium ``population.csv``, ``postcodes.csv`` and ``providers.csv``. No real child,
place or provider is in it: names, ONS-shaped codes (E069...), URNs and postcodes (areas
no real postcode uses, see :mod:`mps.synthetic.boroughs`) are invented.

Children's care histories are simulated from 1997, so the children in care at 31 March
2021 have been in care for years, and calibrated to England's figures (reference §3: rate
per 10,000, age, sex, UASC, ethnicity, starts and ceases, reasons, legal status, placement
mix, stability, distance); the data respect the 903 validation rules of reference §2.6.
The same seed gives byte-identical files.

Modules: ``boroughs`` (who), ``geography`` (postcodes), ``providers`` (Ofsted register),
``calibration`` (the numbers), ``periods``/``placements``/``episodes``/``shortbreaks``/
``history`` (the simulation), ``returns`` (903 tables), ``inputs`` (other inputs),
``supply`` (in-house fostering and contracts), ``writer`` (files, manifest).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mps.data import layout
from mps.synthetic.boroughs import DEMO_BOROUGHS, DemoBorough, demo_boroughs, other_authorities
from mps.synthetic.geography import PostcodeBook, build_authorities, centre_distances_km
from mps.synthetic.history import plant_canaries, simulate_borough
from mps.synthetic.inputs import needs_frame, population_frame, referrals_frame, spend_frame
from mps.synthetic.parameters import PARAMETERS_FILE, parameters_yaml
from mps.synthetic.placements import places_for
from mps.synthetic.providers import build_register
from mps.synthetic.returns import dates, year_return
from mps.synthetic.supply import write_supply
from mps.synthetic.writer import (
    MANIFEST_FILE,
    AtomicFolder,
    Canary,
    DemoBoroughInfo,
    DemoManifest,
    data_paths,
    file_name,
    rng_for,
    write_csv,
)

__all__ = [
    "DEMO_BOROUGHS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "Canary",
    "DemoBorough",
    "DemoBoroughInfo",
    "DemoManifest",
    "write_demo_data",
]

#: Collection years the generator can write: P2/H5 and Z1 codes end with 2024-25.
FIRST_YEAR, LAST_YEAR = 2014, 2025


def write_demo_data(
    out_dir: str | Path,
    *,
    seed: int = 2018,
    boroughs: int = 8,
    years: Sequence[int] = range(2021, 2026),
    canaries: int = 0,
) -> DemoManifest:
    """Generate the fictional consortium into ``out_dir`` and return what was written.

    ``boroughs`` is 8 for the demo consortium (Ashmoor ... Hazelwick); more adds further
    fictional boroughs (150 is England-sized: about 80,000 children looked after at 31
    March). ``years`` are collection years (2021 = 2020-21), at most 2025. ``canaries``
    plants that many children per borough with obviously planted CHILD ids
    (``CANARY...``) and home postcodes (area ZQ), listed in the manifest, for leak tests.
    Any other number of boroughs than the demo's eight also gets ``consortium.yaml``, a
    parameter file to build it with (an England-sized set grouped into nine regions).

    The folder is written only when complete (built beside it, then renamed); a previous
    demo folder there is replaced, any other non-empty folder raises FileExistsError.
    """
    years = sorted({int(y) for y in years})
    if not years or years[0] < FIRST_YEAR or years[-1] > LAST_YEAR:
        raise ValueError(
            f"years must be collection years from {FIRST_YEAR} to {LAST_YEAR} (the code lists "
            f"the generator writes end with 2024-25); got {years}"
        )
    if canaries < 0:
        raise ValueError(f"canaries must be 0 or more, not {canaries}")
    consortium = demo_boroughs(boroughs, rng_for(seed, "boroughs"))
    authorities = build_authorities(
        consortium, other_authorities(consortium), rng_for(seed, "postcodes")
    )
    book = PostcodeBook(authorities)
    stock = np.array([b.under18_2020 * b.cla_rate / 10_000 for b in consortium])
    register = build_register(rng_for(seed, "providers"), authorities, stock, book)
    distances = centre_distances_km(authorities)
    folder = AtomicFolder(Path(out_dir))
    files: list[str] = []
    planted: list[Canary] = []
    try:
        for index, borough in enumerate(consortium):
            rng = rng_for(seed, "borough", borough.slug)
            places = places_for(index, distances, register)
            history = simulate_borough(rng, borough, index, places, register, book, years)
            for slug, child, dob, postcode in plant_canaries(history, canaries, book):
                planted.append(Canary(slug, child, str(dates(np.array([dob]))[0]), postcode))
            for year in years:
                for table, frame in year_return(history, year, book, rng).items():
                    name = file_name(index, table, year, borough.code)
                    relative = f"{borough.slug}/{layout.SSDA903_FOLDER}/{year}/{name}"
                    write_csv(frame, folder.work / relative)
                    files.append(relative)
            paths = data_paths(folder.work, borough.slug)
            spend = spend_frame(history, register, years, rng)
            write_csv(spend, paths["spend"])
            write_csv(referrals_frame(history, years, rng), paths["referrals"])
            write_csv(needs_frame(history, years, rng), paths["needs"])
            files += [p.relative_to(folder.work).as_posix() for p in paths.values()]
            # Supply follows the placements; its own random stream leaves the rest unchanged.
            supply_rng = rng_for(seed, "supply", borough.slug)
            files += write_supply(folder.work, borough.slug, history, spend, years, supply_rng)
        root = folder.work
        write_csv(population_frame(consortium, rng_for(seed, "population")),
                  root / layout.POPULATION_FILE)  # fmt: skip
        write_csv(book.directory(), root / layout.POSTCODES_FILE)
        write_csv(register.frame(), root / layout.PROVIDERS_FILE)
        files += [layout.POPULATION_FILE, layout.POSTCODES_FILE, layout.PROVIDERS_FILE]
        if len(consortium) != 8:  # the demo's own parameter files are in parameters/
            (root / PARAMETERS_FILE).write_text(
                parameters_yaml(consortium, years), encoding="utf-8"
            )
            files.append(PARAMETERS_FILE)
        manifest = DemoManifest(
            out_dir=Path(out_dir),
            seed=seed,
            years=tuple(years),
            boroughs=tuple(DemoBoroughInfo(b.slug, b.name, b.code) for b in consortium),
            files=tuple(sorted(files)),
            canaries=tuple(planted),
        )
        (root / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
        folder.commit()
    except BaseException:
        folder.abandon()
        raise
    return manifest
