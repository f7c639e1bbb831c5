"""The parameter file written beside generated data that is not the eight-borough demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mps.config import load_consortium
from mps.synthetic.boroughs import demo_boroughs
from mps.synthetic.parameters import parameters_yaml, regions_for


def test_nine_regions_of_neighbours_hold_every_borough_once() -> None:
    boroughs = demo_boroughs(150, np.random.default_rng(7))
    regions = regions_for(boroughs)
    assert len(regions) == 9
    members = [slug for region in regions for slug in region["boroughs"]]
    assert sorted(members) == sorted(b.slug for b in boroughs)
    # 150 = 3 bands of 50, each split 17 + 17 + 16
    assert sorted(len(r["boroughs"]) for r in regions) == [16, 16, 16, 17, 17, 17, 17, 17, 17]
    # neighbours: a region's boroughs sit closer to each other than to the map as a whole
    by_slug = {b.slug: b for b in boroughs}
    north = np.array([b.northing for b in boroughs])
    for region in regions:
        spread = np.ptp([by_slug[s].northing for s in region["boroughs"]])
        assert spread < 0.5 * np.ptp(north)


def test_the_parameter_file_builds_the_generated_folder(tmp_path: Path) -> None:
    boroughs = demo_boroughs(20, np.random.default_rng(3))
    path = tmp_path / "consortium.yaml"
    path.write_text(parameters_yaml(boroughs, [2024, 2025]), encoding="utf-8")
    consortium = load_consortium(path)
    assert consortium.data_dir == tmp_path
    assert consortium.years == [2024, 2025]
    assert [b.la_code for b in consortium.boroughs] == [b.code for b in boroughs]
    areas = consortium.areas()
    assert len(areas) == 20 + 9 + 1 and areas[-1].slug == "generated"
