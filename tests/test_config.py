"""Parameter files: layered merging and errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mps.config import ParameterError, deep_merge, load_consortium

REPO = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def parameters(tmp_path: Path) -> Path:
    root = tmp_path / "parameters"
    write(
        root / "defaults.yaml",
        "years: [2023, 2024]\ndisclosure:\n  threshold: 5\ntargets:\n  off_contract_max_pct: 20\n",
    )
    write(
        root / "boroughs" / "north.yaml",
        "slug: north\nname: North\nla_code: E06000901\ntargets:\n  off_contract_max_pct: 15\n",
    )
    write(root / "boroughs" / "south.yaml", "name: South\nla_code: E06000902\n")
    return write(
        root / "consortia" / "pair.yaml",
        "slug: pair\nname: The Pair\ndata_dir: ../../data\n"
        "disclosure:\n  round_consortium_to: 10\nboroughs: [north, south]\n",
    )


def test_layers_merge_defaults_consortium_borough(parameters: Path, tmp_path: Path) -> None:
    consortium = load_consortium(parameters)
    assert consortium.years == [2023, 2024]  # from defaults
    assert consortium.disclosure.threshold == 5  # default kept beside the consortium's key
    assert consortium.disclosure.round_consortium_to == 10  # consortium
    assert consortium.data_dir == (tmp_path / "data").resolve()  # relative to the file
    assert [b.slug for b in consortium.boroughs] == ["north", "south"]  # slug from file name
    areas = consortium.areas()
    assert [(a.slug, a.kind) for a in areas] == [
        ("north", "borough"),
        ("south", "borough"),
        ("pair", "consortium"),
    ]
    assert areas[0].targets.off_contract_max_pct == 15  # borough wins
    assert areas[1].targets.off_contract_max_pct == 20  # consortium/default
    assert areas[2].la_codes == ["E06000901", "E06000902"]
    assert consortium.latest_year == 2024


def test_data_dir_override(parameters: Path, tmp_path: Path) -> None:
    consortium = load_consortium(parameters, data_dir=tmp_path / "elsewhere")
    assert consortium.data_dir == (tmp_path / "elsewhere").resolve()


def test_unknown_key_names_file_and_key(parameters: Path) -> None:
    text = parameters.read_text() + "disclosre: {threshold: 3}\n"
    parameters.write_text(text)
    with pytest.raises(ParameterError) as error:
        load_consortium(parameters)
    assert str(parameters) in str(error.value)
    assert "disclosre" in str(error.value)


def test_bad_value_names_the_nested_key(parameters: Path) -> None:
    parameters.write_text(
        parameters.read_text().replace("round_consortium_to: 10", "round_consortium_to: ten")
    )
    with pytest.raises(ParameterError, match=r"key disclosure\.round_consortium_to"):
        load_consortium(parameters)


def test_missing_borough_file(parameters: Path) -> None:
    parameters.write_text(parameters.read_text().replace("[north, south]", "[north, west]"))
    with pytest.raises(ParameterError, match=r"west\.yaml: parameter file not found"):
        load_consortium(parameters)


def test_bad_la_code_names_borough(parameters: Path) -> None:
    borough = parameters.parent.parent / "boroughs" / "south.yaml"
    borough.write_text("name: South\nla_code: south-1\n")
    with pytest.raises(ParameterError, match=r"boroughs\.1\.la_code"):
        load_consortium(parameters)


def test_deep_merge_replaces_lists_and_merges_mappings() -> None:
    base = {"a": {"x": 1, "y": 2}, "l": [1, 2]}
    assert deep_merge(base, {"a": {"y": 3}, "l": [9]}) == {"a": {"x": 1, "y": 3}, "l": [9]}
    assert base == {"a": {"x": 1, "y": 2}, "l": [1, 2]}  # not mutated


def test_demo_parameters_load() -> None:
    consortium = load_consortium(REPO / "parameters" / "consortia" / "demo.yaml")
    assert len(consortium.boroughs) == 8
    assert len(consortium.areas()) == 9


def _regional(tmp_path: Path, regions: str) -> Path:
    path = tmp_path / "national.yaml"
    path.write_text(
        "slug: nation\nname: Nation\ndata_dir: .\n"
        "boroughs:\n"
        "  - {slug: north, name: North, la_code: E06900001}\n"
        "  - {slug: south, name: South, la_code: E06900002}\n"
        "  - {slug: east, name: East, la_code: E06900003}\n" + regions,
        encoding="utf-8",
    )
    return path


def test_regions_are_areas_between_the_boroughs_and_the_whole(tmp_path: Path) -> None:
    consortium = load_consortium(
        _regional(tmp_path, "regions:\n  - {slug: coast, name: Coast, boroughs: [south, east]}\n")
    )
    areas = [(a.slug, a.kind, a.boroughs) for a in consortium.areas()]
    assert areas == [
        ("north", "borough", ["north"]),
        ("south", "borough", ["south"]),
        ("east", "borough", ["east"]),
        ("coast", "consortium", ["south", "east"]),
        ("nation", "consortium", ["north", "south", "east"]),
    ]


def test_a_region_naming_an_unknown_borough_is_refused(tmp_path: Path) -> None:
    path = _regional(tmp_path, "regions:\n  - {slug: coast, name: Coast, boroughs: [west]}\n")
    with pytest.raises(ParameterError, match=r"regions\.0\.boroughs: not member boroughs: west"):
        load_consortium(path)


def test_a_region_may_not_share_a_boroughs_name(tmp_path: Path) -> None:
    path = _regional(tmp_path, "regions:\n  - {slug: east, name: East, boroughs: [east]}\n")
    with pytest.raises(ParameterError, match=r"area name\(s\) used twice: east"):
        load_consortium(path)
