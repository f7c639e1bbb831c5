"""Federated consortium mode: the aggregate contract, the export, the received file's checks,
the consortium's tables from summed aggregates (against pooled data), the CLI and a build."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mps import presentation
from mps.analysis import children, flows, placements, profile
from mps.area import load_area
from mps.cli import app
from mps.config import load_consortium
from mps.federated import aggregates as contract
from mps.federated.consortium import ConsortiumAggregates, sum_members
from mps.federated.export import export_aggregates, write_zip
from mps.federated.plan import federated_notebooks
from mps.federated.receive import AggregateFileError, read_aggregates
from mps.tables import protect_for_publication

REPO = Path(__file__).resolve().parent.parent
BOROUGHS = ["ashmoor", "brightwater", "calderbrook"]
YEARS = [2022, 2023, 2024, 2025]
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mps.synthetic import write_demo_data

    root = tmp_path_factory.mktemp("federated")
    write_demo_data(root / "data", boroughs=3, years=YEARS)
    return root


def parameters_file(root: Path, data_dir: Path, boroughs: str, notebooks: str = "[needs_analysis]"):
    """A consortium of demo boroughs using their own parameter files (``boroughs`` is YAML)."""
    parameters = root / "parameters"
    if not (parameters / "boroughs").is_dir():
        shutil.copytree(REPO / "parameters" / "boroughs", parameters / "boroughs")
        shutil.copy(REPO / "parameters" / "defaults.yaml", parameters / "defaults.yaml")
    path = parameters / "consortia" / "trio.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"slug: trio\nname: The Trio\ndata_dir: {data_dir}\nedition: '2026'\n"
        f"publication_date: 2026-11-23\nyears: {YEARS}\nnotebooks: {notebooks}\n"
        f"boroughs: {boroughs}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def exported(demo: Path) -> dict[str, Path]:
    """Every demo borough's aggregates, exported as a borough would."""
    consortium = load_consortium(parameters_file(demo, demo / "data", str(BOROUGHS)))
    out = demo / "received"
    return {
        b: export_aggregates(consortium, b, out / f"{b}.zip", created=STAMP).path for b in BOROUGHS
    }


def protect(table: presentation.PublishableTable) -> pd.DataFrame:
    return protect_for_publication(
        table.frame,
        count_columns=table.count_columns,
        threshold=5,
        label_columns=table.label_columns,
        derived=table.derived,
        total_row=table.total_row,
        rows_additive=table.rows_additive,
        total_column=table.total_column,
    ).table.astype(str)


def pooled_tables(episodes: pd.DataFrame, population, members, name: str):
    """The needs analysis's tables from pooled episodes, as its notebook builds them."""
    ry = YEARS[-1]
    tables = {
        "children-looked-after": presentation.children_looked_after_table(
            children.yearly_summary(episodes, YEARS, population=population)
        ),
        "starts": presentation.flows_table(
            flows.flow_trend(episodes, YEARS, history_from=YEARS[0])
        ),
        "reasons-ceased": presentation.reasons_ceased_table(
            flows.reasons_ceased(episodes, YEARS), YEARS, ry
        ),
        "care-durations": presentation.durations_table(
            flows.care_durations(episodes, YEARS), YEARS, ry
        ),
        "placement-mix": presentation.placement_mix_table(
            children.placement_mix(episodes, YEARS), YEARS, ry
        ),
        "placement-provider": presentation.sector_table(
            placements.sector_mix(episodes, YEARS), YEARS, ry
        ),
        "placement-distance": presentation.locality_table(
            placements.locality_mix(episodes, YEARS), YEARS, ry
        ),
        "placement-area": presentation.placed_area_table(
            placements.area_mix(episodes, YEARS, members), YEARS, ry, name
        ),
        "stability": presentation.stability_table(placements.stability_trend(episodes, YEARS)),
        "placement-changes": presentation.placement_changes_table(
            placements.placement_changes(episodes, YEARS), YEARS, ry
        ),
    }
    characteristics = profile.profile_at_31_march(episodes, YEARS)
    for ch in ("age_band", "sex", "ethnic_group", "uasc", "category_of_need", "legal_status"):
        tables[f"profile-{ch.replace('_', '-')}"] = presentation.characteristic_table(
            characteristics, ch, YEARS, ry
        )
    return tables


# --- hand-worked -----------------------------------------------------------------------
def _mix(values: dict[str, object]) -> pd.DataFrame:
    """A placement-mix aggregate for 2025 only: every category 0 unless given."""
    from mps.codes import CATEGORY_ORDER

    return pd.DataFrame(
        {
            "year": 2025,
            "placement_category": list(CATEGORY_ORDER),
            "children": [values.get(c, 0) for c in CATEGORY_ORDER],
        }
    )


def test_sums_keep_suppressed_and_missing_cells_unknown() -> None:
    table = contract.table_spec("placement-mix")
    north = {"placement-mix": _mix({"inhouse_fostering": 10, "childrens_home": "c"})}
    south = {"placement-mix": _mix({"inhouse_fostering": 7, "childrens_home": 8, "secure": "x"})}
    low = sum_members([north, south], table, fill=1).set_index("placement_category")["children"]
    high = sum_members([north, south], table, fill=1000).set_index("placement_category")["children"]
    # fostering 10 + 7 = 17 either way; homes c + 8 = 9 at least (c is 1 or more), 1008 if
    # the suppressed cell were 1000; secure: not available in one member, so not in the sum.
    assert low["inhouse_fostering"] == high["inhouse_fostering"] == 17
    assert (low["childrens_home"], high["childrens_home"]) == (9, 1008)
    assert pd.isna(low["secure"]) and pd.isna(high["secure"])


def test_a_figure_depending_on_a_suppressed_cell_is_published_as_c() -> None:
    context = contract.AggregateContext((2025,), 2025, ("E06900001",), "Pair")
    members = {
        "north": {
            "placement-mix": _mix(
                {"inhouse_fostering": 40, "ifa_fostering": 30, "childrens_home": "c"}
            )
        },
        "south": {
            "placement-mix": _mix(
                {"inhouse_fostering": 20, "ifa_fostering": 10, "childrens_home": 12}
            )
        },
    }
    aggregates = ConsortiumAggregates(context, members, ["north"], threshold=5)
    shown = protect(aggregates.table("placement-mix")).set_index("Placement")
    # In-house 40 + 20 = 60 and IFA 30 + 10 = 40 are known; children's homes (c + 12) and so
    # the total (60 + 40 + homes) are not: both c, and so is every share of that total.
    assert shown.loc["In-house fostering", "2025"] == "60"
    assert shown.loc["Independent fostering agency", "2025"] == "40"
    assert shown.loc["Children's home", "2025"] == "c"
    assert shown.loc[presentation.ALL_PLACEMENTS, "2025"] == "c"
    assert set(shown["2025 %"]) == {"c"}
    assert aggregates.suppressed_by("placement-mix") == ["north"]


def test_federated_notebooks_keep_the_written_front_and_end_matter() -> None:
    names = ["introduction", "needs_analysis", "comparisons", "demand_forecast", "commissioning"]
    assert federated_notebooks(names) == ["introduction", "federated_consortium", "commissioning"]
    assert federated_notebooks(["introduction"]) == ["introduction"]


# --- the demo data ----------------------------------------------------------------------
def test_consortium_tables_equal_pooled_data_wherever_suppression_allows(
    demo: Path, exported: dict[str, Path]
) -> None:
    consortium = load_consortium(parameters_file(demo, demo / "data", str(BOROUGHS)))
    codes = [consortium.borough(b).la_code for b in BOROUGHS]
    area = load_area(boroughs=BOROUGHS, la_codes=codes, data_dir=demo / "data", years=YEARS)
    pooled = pooled_tables(area.episodes, area.population, codes, consortium.name)
    context = contract.AggregateContext(
        tuple(YEARS), YEARS[-1], tuple(codes), consortium.name, area.population
    )
    episodes = area.episodes
    exact = ConsortiumAggregates(
        context,
        {b: contract.borough_aggregates(episodes[episodes["la"] == b], context) for b in BOROUGHS},
        [],
        threshold=5,
    )
    received = {
        b: read_aggregates(path, borough=b, years=YEARS, threshold=5).tables
        for b, path in exported.items()
    }
    federated = ConsortiumAggregates(context, received, list(BOROUGHS), threshold=5)

    identical, differing = [], []
    for name, table in pooled.items():
        from_pooled = protect(table)
        # Summed exact counts give the pooled table to the digit: the contract is additive.
        pd.testing.assert_frame_equal(protect(exact.table(name)), from_pooled, check_dtype=False)
        from_files = protect(federated.table(name))
        assert list(from_files.columns) == list(from_pooled.columns), name
        assert from_files.iloc[:, 0].tolist() == from_pooled.iloc[:, 0].tolist(), name
        differs = from_files != from_pooled
        # Every difference is suppression: a cell shown in both routes is the same figure.
        both_shown = (from_files != "c") & (from_pooled != "c")
        assert not (differs & both_shown).any().any(), name
        if differs.any().any():
            differing.append(name)
            # ... and only where a member's own table suppressed a cell of this aggregate.
            spec = next(
                t for t in contract.TABLES if name in t.published(exact.summed(t.name), context)
            )
            assert federated.suppressed_by(spec.name), name
        else:
            identical.append(name)
    assert "children-looked-after" in identical and "profile-age-band" in identical
    assert "reasons-ceased" in differing  # small counts of rare reasons in each borough


def test_export_suppresses_as_the_boroughs_own_tables_and_leaks_nothing(
    demo: Path, exported: dict[str, Path]
) -> None:
    borough = "ashmoor"
    consortium = load_consortium(parameters_file(demo, demo / "data", str(BOROUGHS)))
    codes = [b.la_code for b in consortium.boroughs]
    own = load_area(boroughs=[borough], la_codes=codes[:1], data_dir=demo / "data", years=YEARS)
    published = pooled_tables(own.episodes, None, codes, consortium.name)
    received = read_aggregates(exported[borough], borough=borough).tables
    # The placement mix as the file holds it against Ashmoor's own published table.
    mix = protect(published["placement-mix"]).set_index("Placement")
    sent = received["placement-mix"]
    for _, row in sent.iterrows():
        label = presentation.CATEGORY_LABELS[row["placement_category"]]
        assert str(row["children"]) == mix.loc[label, str(row["year"])]
    assert (sent["children"] == "c").any()

    with zipfile.ZipFile(exported[borough]) as archive:
        names = sorted(archive.namelist())
        text = "\n".join(archive.read(n).decode("utf-8") for n in names)
        manifest = json.loads(archive.read("manifest.json"))
    assert names == ["manifest.json", *sorted(f"tables/{t.name}.csv" for t in contract.TABLES)]
    assert manifest["format_version"] == contract.FORMAT_VERSION
    assert manifest["borough"] == {"slug": borough, "name": "Ashmoor", "la_code": codes[0]}
    assert manifest["disclosure"]["threshold"] == 5 and manifest["collection_years"] == YEARS
    episodes = own.episodes
    words = set(re.findall(r"[A-Za-z0-9/-]+", text))
    assert not set(episodes["CHILD"].astype(str)) & words
    dobs = set(episodes["DOB"].dt.strftime("%d/%m/%Y")) | set(
        episodes["DOB"].dt.strftime("%Y-%m-%d")
    )
    assert not {d for d in dobs if d in text}
    postcodes = set(episodes["HOME_POST"].dropna()) | set(episodes["PL_POST"].dropna())
    assert not {p for p in postcodes if p in text}
    for table in contract.TABLES:
        frame = received[table.name]
        for count in table.counts:
            numbers = pd.to_numeric(frame[count], errors="coerce")
            assert not numbers.between(1, 5).any(), (table.name, count)

    # Deterministic: the same data and time stamp give the same bytes.
    again = export_aggregates(consortium, borough, demo / "again.zip", created=STAMP).path
    assert again.read_bytes() == exported[borough].read_bytes()


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of an aggregates zip with ``change(entries)`` applied."""
    with zipfile.ZipFile(source) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    change(entries)
    write_zip(target, entries)
    return target


def test_a_damaged_or_mismatched_file_is_refused_naming_what_is_wrong(
    tmp_path: Path, exported: dict[str, Path]
) -> None:
    good = exported["ashmoor"]
    assert read_aggregates(good, borough="ashmoor", years=YEARS, threshold=5).borough == "ashmoor"

    def tamper(entries):  # one count changed after export
        entries["tables/placement-mix.csv"] = entries["tables/placement-mix.csv"].replace(
            b"2025,inhouse_fostering,", b"2025,inhouse_fostering,1"
        )

    damaged = _rewrite(good, tmp_path / "damaged.zip", tamper)
    with pytest.raises(AggregateFileError, match=r"damaged\.zip: table placement-mix .*checksum"):
        read_aggregates(damaged)

    def newer(entries):
        manifest = json.loads(entries["manifest.json"])
        manifest["format_version"] = contract.FORMAT_VERSION + 1
        entries["manifest.json"] = json.dumps(manifest).encode()

    with pytest.raises(AggregateFileError, match=r"format version 2 .* reads format version 1"):
        read_aggregates(_rewrite(good, tmp_path / "newer.zip", newer))
    with pytest.raises(AggregateFileError, match="aggregates of 'ashmoor', but the parameters"):
        read_aggregates(good, borough="brightwater")
    with pytest.raises(AggregateFileError, match="threshold 5 is below the consortium's 10"):
        read_aggregates(good, threshold=10)
    with pytest.raises(AggregateFileError, match=r"collection years \[2022"):
        read_aggregates(good, years=[2024, 2025])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(AggregateFileError, match=r"cut\.zip: not a readable zip file"):
        read_aggregates(cut)
    lost = _rewrite(good, tmp_path / "lost.zip", lambda e: e.pop("tables/stability.csv"))
    with pytest.raises(
        AggregateFileError, match=r"table stability: file tables/stability\.csv missing"
    ):
        read_aggregates(lost)


def test_cli_export_then_a_damaged_file_stops_the_build(demo: Path, tmp_path: Path) -> None:
    parameters = parameters_file(demo, demo / "data", str(BOROUGHS))
    out = tmp_path / "brightwater-aggregates.zip"
    runner = CliRunner()
    result = runner.invoke(
        app, ["export-aggregates", str(parameters), "--borough", "brightwater", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and "placement-mix" in result.output and "leak scan" in result.output
    unknown = runner.invoke(
        app, ["export-aggregates", str(parameters), "--borough", "nowhere", "--out", str(out)]
    )
    assert unknown.exit_code == 2 and "no borough 'nowhere'" in unknown.output

    received = demo / "data" / "received"
    received.mkdir(exist_ok=True)
    shutil.copy(out, received / "brightwater.zip")
    (received / "brightwater.zip").write_bytes(out.read_bytes()[:-40])
    federated = parameters_file(
        demo,
        demo / "data",
        "[ashmoor, {slug: brightwater, name: Brightwater, la_code: E06900002, "
        "aggregates: received/brightwater.zip}]",
    )
    build = runner.invoke(app, ["build", str(federated), "--build-dir", str(tmp_path / "b")])
    assert build.exit_code == 2
    assert "brightwater.zip" in build.output and "not a readable zip file" in build.output


def test_a_federated_build_uses_the_file_in_place_of_the_returns(
    demo: Path, exported: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mps.pipeline import plan_build, run_build, stale_jobs

    monkeypatch.setenv("MPS_PDF_ENGINE", "none")
    received = demo / "data" / "received"
    received.mkdir(exist_ok=True)
    shutil.copy(exported["brightwater"], received / "brightwater-ok.zip")
    parameters = parameters_file(
        demo,
        demo / "data",
        "[ashmoor, {slug: brightwater, name: Brightwater, la_code: E06900002, "
        "aggregates: received/brightwater-ok.zip}]",
    )
    consortium = load_consortium(parameters)
    plan = plan_build(consortium, build_root=tmp_path / "build")
    # Brightwater has no preparation and no documents of its own here.
    assert [a.slug for a in plan.areas] == ["ashmoor", "trio"]
    assert plan.boroughs_needed() == ["ashmoor"]
    assert [p.stem for p in plan.notebooks_for(plan.areas[1])] == ["federated_consortium"]
    trio = plan_build(consortium, build_root=tmp_path / "build", areas=["trio"])
    result = run_build(trio, jobs=1)
    assert result.ok, [r.error for r in result.failures]
    tables = plan.root / "trio" / "tables" / "federated_consortium"
    published = pd.read_csv(tables / "children-looked-after.csv", dtype=str)
    ashmoor = contract.borough_aggregates(
        pd.read_parquet(plan.prepared_dir / "ashmoor" / "episodes.parquet"),
        contract.AggregateContext(tuple(YEARS), 2025, ("E06900001", "E06900002"), "The Trio"),
    )["children-looked-after"]
    sent = read_aggregates(exported["brightwater"]).tables["children-looked-after"]
    # No cell of this table is suppressed in either borough: the sum of the two.
    expected = ashmoor["cla_at_31_march"].astype(int) + sent["cla_at_31_march"].astype(int)
    assert published["Children looked after at 31 March"].astype(int).tolist() == expected.tolist()
    html = (plan.publish_dir / "trio" / "market-position-statement.html").read_text()
    assert "need child-level data" in html and "rather than child-level records" in html

    # The file's content is part of the consortium's key: a new file re-runs its analysis.
    assert stale_jobs(trio) == []
    shutil.copy(exported["ashmoor"], received / "brightwater-ok.zip")  # another file's bytes
    assert "notebook/trio/federated_consortium" in stale_jobs(trio)
