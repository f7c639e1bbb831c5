"""Parameter files -> typed settings for each area (borough or consortium).

Parameters merge in three layers, later winning: ``defaults.yaml`` <- the consortium
file <- the borough file. Nested mappings merge key by key; lists and scalars replace.

A consortium file names its boroughs either by slug (the borough's own file is then
``<parameters>/boroughs/<slug>.yaml``) or inline as mappings. Paths in a parameter file
are relative to that file. Every mistake is reported as a :class:`ParameterError`
naming the file and the key.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mps.codes import (
    CATEGORY_ORDER,
    NEEDS_RATING_MAX,
    NEEDS_RATING_MIN,
    VALUING_CARE_INDICATORS,
)
from mps.disclosure import DEFAULT_THRESHOLD
from mps.export.branding import (
    DEFAULT_COLOUR,
    DEFAULT_FONT,
    FONT_NAME,
    HEX_COLOUR,
    LOGO_TYPES,
    MIN_TEXT_CONTRAST,
    contrast_ratio,
)

#: The notebooks a build runs for every area, in document order.
DEFAULT_NOTEBOOKS = (
    "introduction",
    "needs_analysis",
    "comparisons",
    "demand_forecast",
    "gap_report",
    "commissioning",
)


class ParameterError(ValueError):
    """A parameter file is missing, unreadable or holds a value that is not allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DisclosureSettings(_Strict):
    """Disclosure control for everything published."""

    threshold: int = Field(DEFAULT_THRESHOLD, ge=1, le=100)
    round_consortium_to: int | None = Field(None, description="round consortium counts to 5 or 10")


class Targets(_Strict):
    """Sufficiency targets the documents report against."""

    off_contract_max_pct: float = 20.0
    in_house_fostering_min_pct: float | None = None
    within_20_miles_min_pct: float | None = None
    inside_area_min_pct: float | None = None
    inside_consortium_min_pct: float | None = None
    #: Default: 100 - off_contract_max_pct.
    on_contract_min_pct: float | None = None


class SufficiencySettings(_Strict):
    """Gaps and need profiles (``sufficiency:``)."""

    #: Years ahead the gaps cover when there is no forecast (demand held at today's level).
    forecast_years: int = Field(3, ge=1, le=10)
    #: Need profile "teenagers": this age or over, with a high rating on one of these.
    teenager_min_age: int = Field(13, ge=10, le=17)
    high_need_rating: int = 2
    high_need_indicators: list[str] = Field(
        default_factory=lambda: ["emotional_health", "self_regulation"]
    )
    #: Need profile "disabled_children" also takes a high rating on this indicator.
    disability_indicator: str = "learning_disability"


class PreviousEditionSettings(_Strict):
    """Last year's edition, for the annual refresh: its published tables (the data annex
    folder, or a build's tables, one sub-folder per area) and its edition label."""

    edition: str
    folder: Path


class NeedsIndicatorSettings(_Strict):
    """One needs indicator: the ``needs.csv`` column holding its rating, and its domain."""

    slug: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    label: str
    domain: str


def _valuing_care_indicators() -> list[NeedsIndicatorSettings]:
    return [
        NeedsIndicatorSettings(slug=i.slug, label=i.label, domain=i.domain)
        for i in VALUING_CARE_INDICATORS
    ]


class NeedsSettings(_Strict):
    """Valuing Care-style needs assessments: indicators, scale, weights and need bands."""

    indicators: list[NeedsIndicatorSettings] = Field(
        default_factory=_valuing_care_indicators, min_length=1
    )
    rating_min: int = NEEDS_RATING_MIN
    rating_max: int = NEEDS_RATING_MAX
    #: An indicator counts as a need when rated at least this.
    occurrence_min_rating: int = 1
    #: Weight of each indicator in the weighted need score (indicators not named weigh 1).
    weights: dict[str, float] = Field(default_factory=dict)
    #: Weighted need scores where the bands low / medium / high begin (medium, high).
    need_band_edges: list[float] = Field(default_factory=lambda: [8.0, 16.0])
    #: A placement is listed for internal review when its cost is this many standard
    #: deviations from what its need and placement type predict.
    cost_review_sd: float = Field(2.0, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> NeedsSettings:
        slugs = [i.slug for i in self.indicators]
        twice = sorted({s for s in slugs if slugs.count(s) > 1})
        if twice:
            raise ValueError(f"indicators listed twice: {', '.join(twice)}")
        unknown = sorted(set(self.weights) - set(slugs))
        if unknown:
            raise ValueError(f"weights for indicators not in the list: {', '.join(unknown)}")
        if any(w < 0 for w in self.weights.values()) or not any(
            self.weights.get(s, 1.0) > 0 for s in slugs
        ):
            raise ValueError("weights must be 0 or more, and not all 0")
        if self.rating_max <= self.rating_min:
            raise ValueError("rating_max must be above rating_min")
        if not self.rating_min < self.occurrence_min_rating <= self.rating_max:
            raise ValueError("occurrence_min_rating must be a rating above rating_min")
        if len(self.need_band_edges) != 2 or sorted(set(self.need_band_edges)) != list(
            self.need_band_edges
        ):
            raise ValueError("need_band_edges: two ascending scores (medium, high)")
        return self


class MarketSettings(_Strict):
    """Spend and market analysis."""

    #: How many collection years of spend the documents show (the latest ones).
    spend_years: int = Field(3, ge=1, le=10)
    #: How many providers the key-provider table names.
    top_providers: int = Field(10, ge=1, le=50)


class ScenarioSettings(_Strict):
    """One forecast scenario: a named set of changes to the baseline's rates
    (:mod:`mps.analysis.forecast.scenarios` says what each does)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str
    description: str = ""
    #: Children starting care (not UASC), % change (e.g. -10).
    entry_change_pct: float = Field(0.0, gt=-100, le=500)
    #: Unaccompanied asylum-seeking children arriving, % change.
    uasc_change_pct: float = Field(0.0, gt=-100, le=1000)
    #: How fast children leave care, % change.
    exit_change_pct: float = Field(0.0, gt=-100, le=500)
    #: Share of the children in children's homes stepping down to fostering each year, %.
    step_down_pct: float = Field(0.0, ge=0, lt=100)
    step_down_to: Literal["inhouse_fostering", "ifa_fostering", "kinship_fostering"] = (
        "inhouse_fostering"
    )
    #: Share of new foster placements (not kinship) with in-house carers, %.
    inhouse_fostering_share_pct: float | None = Field(None, ge=0, le=100)
    #: The forecast year (1 = the first) from which the changes apply.
    from_year: int = Field(1, ge=1, le=10)

    @field_validator("name")
    @classmethod
    def _not_baseline(cls, name: str) -> str:
        if name == "baseline":
            raise ValueError("'baseline' is the forecast itself: give the scenario another name")
        return name


def _illustrative_unit_costs() -> dict[str, float]:
    # Weekly costs per child at 2024-25 prices (reference §3.10): illustrative only.
    return {
        "inhouse_fostering": 550.0,
        "kinship_fostering": 300.0,
        "ifa_fostering": 950.0,
        "childrens_home": 5500.0,
        "supported_accommodation": 1800.0,
        "secure": 7500.0,
        "placed_with_parents": 0.0,
        "adoption": 0.0,
        "other": 1500.0,
    }


class ForecastSettings(_Strict):
    """The demand forecast (``forecast:``): :mod:`mps.analysis.forecast`."""

    #: Collection years (the latest ones) the model's rates are estimated over.
    reference_years: int = Field(3, ge=1, le=10)
    #: Years ahead forecast (from 31 March of the reporting year).
    horizon: int = Field(5, ge=1, le=10)
    #: Scale children starting care with the ONS projection of their age group.
    population_scaling: bool = True
    #: Draws of the rates behind the intervals (0: the process's own variation only).
    draws: int = Field(100, ge=0, le=2000)
    #: Earlier years the model is back-tested from.
    backtest_origins: int = Field(3, ge=0, le=10)
    #: Annual rise in weekly costs after the reporting year, %.
    inflation_pct: float = Field(3.0, ge=-10, le=30)
    #: Use the spend data's weekly costs where a category has enough placements.
    unit_costs_from_spend: bool = True
    #: Weekly cost per child by placement category where the spend data have none
    #: (illustrative unless replaced by the council's own).
    unit_costs: dict[str, float] = Field(default_factory=_illustrative_unit_costs)
    scenarios: list[ScenarioSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> ForecastSettings:
        unknown = sorted(set(self.unit_costs) - set(CATEGORY_ORDER))
        if unknown:
            raise ValueError(
                f"unit_costs for unknown placement categories {', '.join(unknown)}; "
                f"expected {', '.join(CATEGORY_ORDER)}"
            )
        missing = [c for c in CATEGORY_ORDER if c not in self.unit_costs]
        if missing:
            raise ValueError(f"unit_costs has no weekly cost for {', '.join(missing)}")
        negative = sorted(c for c, v in self.unit_costs.items() if v < 0)
        if negative:
            raise ValueError(f"unit_costs must be 0 or more: {', '.join(negative)}")
        names = [s.name for s in self.scenarios]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"scenario names used twice: {', '.join(twice)}")
        return self


class BenchmarkSettings(_Strict):
    """Comparisons with the Department for Education's published figures (``benchmarks:``)."""

    #: DfE's explore-education-statistics CSV of children looked after by local authority
    #: (``cla_number_and_rate_per_10k_children.csv``), relative to the consortium's
    #: parameter file; without it the documents say what would fill the comparison.
    dfe_tables: Path | None = None


class BrandingSettings(_Strict):
    """How the published documents look: logo, colours and fonts (``branding:``).

    The colour is used for headings, rules and links, so it must keep WCAG 2.2 AA text
    contrast (4.5:1) against the white page. A borough's ``branding`` overrides the
    consortium's key by key in that borough's own documents.
    """

    #: PNG, JPEG or SVG shown on the cover; relative to the parameter file that names it.
    logo: Path | None = None
    #: The logo's alternative text (default: "Logo of <consortium name>").
    logo_alt: str | None = None
    colour: str = Field(DEFAULT_COLOUR, description="#rrggbb for headings, rules and links")
    font: str = Field(DEFAULT_FONT, description="body font, e.g. Arial")
    heading_font: str | None = None

    @field_validator("colour")
    @classmethod
    def _accessible_colour(cls, colour: str) -> str:
        if not HEX_COLOUR.match(colour):
            raise ValueError(f"a colour is written #rrggbb, e.g. {DEFAULT_COLOUR}")
        ratio = contrast_ratio(colour)
        if ratio < MIN_TEXT_CONTRAST:
            raise ValueError(
                f"{colour} has contrast {ratio:.1f}:1 against the white page; text needs "
                f"at least {MIN_TEXT_CONTRAST}:1 (WCAG 2.2 AA): choose a darker shade"
            )
        return colour.lower()

    @field_validator("font", "heading_font")
    @classmethod
    def _font_name(cls, font: str | None) -> str | None:
        if font is not None and not FONT_NAME.match(font):
            raise ValueError("a font name has letters, digits, spaces and hyphens only")
        return font

    @field_validator("logo")
    @classmethod
    def _logo_file(cls, logo: Path | None) -> Path | None:
        if logo is None:
            return None
        if logo.suffix.lower() not in LOGO_TYPES:
            raise ValueError("a logo must be a .png, .jpg or .svg file")
        if not logo.is_file():
            raise ValueError(f"logo file {logo} not found")
        return logo


class BoroughSettings(_Strict):
    """One member borough of a consortium."""

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    la_code: str = Field(pattern=r"^[A-Z][0-9]{8}$", description="ONS code, e.g. E09000012")
    data_folder: str | None = Field(None, description="folder under data_dir, default the slug")
    #: The borough's 903 data when it is not ``<data_dir>/<data_folder>/ssda903``: a folder or
    #: a file (XML return, workbook, pooled file), relative to data_dir.
    ssda903_source: str | None = None
    #: The borough's value in the LA column of pooled 903 data (default: the council whose
    #: value matches the borough's ONS code, slug or name).
    la_value: str | None = None
    narrative: dict[str, Any] = Field(default_factory=dict)
    targets: Targets | None = None
    #: ONS codes of the borough's statistical neighbours (e.g. from DfE's Children's
    #: Services Statistical Neighbour Benchmarking Tool), compared with it when the
    #: consortium names DfE's published tables (``benchmarks.dfe_tables``).
    statistical_neighbours: list[str] = Field(default_factory=list)

    @field_validator("statistical_neighbours")
    @classmethod
    def _neighbour_codes(cls, codes: list[str]) -> list[str]:
        cleaned = [str(code).strip().upper() for code in codes]
        bad = [c for c in cleaned if not (len(c) == 9 and c[0] in "EWSN" and c[1:].isdigit())]
        if bad:
            raise ValueError(f"not ONS codes (e.g. E09000012): {', '.join(bad)}")
        return cleaned

    #: The consortium's branding with this borough's own keys on top (None: the consortium's).
    branding: BrandingSettings | None = None
    #: Nearby authorities outside the consortium, as the Ofsted register names them.
    neighbours: list[str] = Field(default_factory=list)
    #: Federated mode: a borough that shares no child-level data names the file of
    #: aggregates it sent (``mps export-aggregates``), relative to data_dir. It then gets no
    #: preparation and no documents of its own in this build; the consortium's documents
    #: (and any region's it is in) are built from its aggregates (:mod:`mps.federated`).
    aggregates: str | None = None


class RegionSettings(_Strict):
    """A named group of member boroughs reported on as an area of its own (e.g. a region of
    a national build, or a sub-group of a consortium), from their pooled data."""

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    boroughs: list[str] = Field(min_length=1)


class ConsortiumSettings(_Strict):
    """A consortium, its boroughs and the settings every area shares."""

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    data_dir: Path
    boroughs: list[BoroughSettings]
    regions: list[RegionSettings] = Field(default_factory=list)
    years: list[int] = Field(default_factory=lambda: [2021, 2022, 2023, 2024, 2025])
    reporting_year: int | None = None
    edition: str = Field(default_factory=lambda: str(date.today().year))
    publication_date: date = Field(default_factory=date.today)
    version: str = "1.0"
    notebooks: list[str] = Field(default_factory=lambda: list(DEFAULT_NOTEBOOKS))
    disclosure: DisclosureSettings = Field(default_factory=DisclosureSettings)
    targets: Targets = Field(default_factory=Targets)
    needs: NeedsSettings = Field(default_factory=NeedsSettings)
    market: MarketSettings = Field(default_factory=MarketSettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    benchmarks: BenchmarkSettings = Field(default_factory=BenchmarkSettings)
    branding: BrandingSettings = Field(default_factory=BrandingSettings)
    sufficiency: SufficiencySettings = Field(default_factory=SufficiencySettings)
    previous_edition: PreviousEditionSettings | None = None
    strict_validation: bool = False
    #: Pooled 903 data (a file or folder of files with LA and YEAR columns) holding several
    #: boroughs, relative to data_dir; a borough's own ssda903_source wins.
    ssda903_source: str | None = None
    narrative: dict[str, Any] = Field(default_factory=dict)
    source_file: Path | None = None

    @field_validator("years")
    @classmethod
    def _years_ascending(cls, years: list[int]) -> list[int]:
        if not years:
            raise ValueError("at least one collection year is needed")
        if sorted(set(years)) != years:
            raise ValueError(f"years must be ascending and distinct, got {years}")
        return years

    @property
    def latest_year(self) -> int:
        """The reporting year: the one named, else the latest collection year loaded."""
        return self.reporting_year or self.years[-1]

    def borough(self, slug: str) -> BoroughSettings:
        for borough in self.boroughs:
            if borough.slug == slug:
                return borough
        known = ", ".join(b.slug for b in self.boroughs)
        raise ParameterError(f"no borough {slug!r} in consortium {self.slug!r} (known: {known})")

    def aggregates_for(self, slug: str) -> Path | None:
        """The file of aggregates a federated borough sent, resolved against data_dir (None
        for a borough whose child-level data the consortium holds)."""
        aggregates = self.borough(slug).aggregates
        return None if aggregates is None else self.data_dir / aggregates

    @property
    def federated_boroughs(self) -> list[str]:
        """The boroughs that send aggregates instead of child-level data."""
        return [b.slug for b in self.boroughs if b.aggregates]

    def ssda903_source_for(self, slug: str) -> Path | None:
        """Where the borough's 903 data is when the parameter files say (the borough's own
        ``ssda903_source``, else the consortium's pooled one), resolved against data_dir;
        ``None`` for the default layout (see :func:`mps.data.ssda903.borough_source`)."""
        source = self.borough(slug).ssda903_source or self.ssda903_source
        return None if source is None else self.data_dir / source

    def areas(self) -> list[AreaSettings]:
        """Every area a build covers: each borough, each region, then the consortium."""
        areas = [
            AreaSettings(
                consortium=self,
                slug=b.slug,
                name=b.name,
                kind="borough",
                boroughs=[b.slug],
            )
            for b in self.boroughs
            if not b.aggregates  # a federated borough publishes its own documents locally
        ]
        # A region is reported like a consortium: pooled data of several boroughs.
        areas += [
            AreaSettings(
                consortium=self,
                slug=r.slug,
                name=r.name,
                kind="consortium",
                boroughs=list(r.boroughs),
            )
            for r in self.regions
        ]
        areas.append(
            AreaSettings(
                consortium=self,
                slug=self.slug,
                name=self.name,
                kind="consortium",
                boroughs=[b.slug for b in self.boroughs],
            )
        )
        return areas


class AreaSettings(BaseModel):
    """One area a build runs for: a borough or the whole consortium."""

    model_config = ConfigDict(frozen=True)

    consortium: ConsortiumSettings
    slug: str
    name: str
    kind: Literal["borough", "consortium"]
    boroughs: list[str]

    @property
    def la_codes(self) -> list[str]:
        return [self.consortium.borough(b).la_code for b in self.boroughs]

    @property
    def targets(self) -> Targets:
        if self.kind == "borough":
            own = self.consortium.borough(self.slug).targets
            if own is not None:
                return own
        return self.consortium.targets

    @property
    def branding(self) -> BrandingSettings:
        """The look of this area's documents: a borough's own branding, else the consortium's."""
        if self.kind == "borough":
            own = self.consortium.borough(self.slug).branding
            if own is not None:
                return own
        return self.consortium.branding

    @property
    def narrative(self) -> dict[str, Any]:
        """The consortium's narrative, with the borough's own keys winning."""
        own = self.consortium.narrative
        if self.kind == "borough":
            own = deep_merge(own, self.consortium.borough(self.slug).narrative)
        return own

    def analysis_settings(self) -> dict[str, Any]:
        """Settings the notebooks' analysis reads (``settings`` parameter): plain values only,
        so papermill can inject them and they travel with the executed notebook."""
        settings = {
            "targets": self.targets.model_dump(mode="json"),
            "narrative": self.narrative,
            "needs": self.consortium.needs.model_dump(mode="json"),
            "market": self.consortium.market.model_dump(mode="json"),
            "forecast": self.consortium.forecast.model_dump(mode="json"),
            "consortium": self.consortium_members(),
            "benchmarks": self.benchmarks(),
            "sufficiency": {
                **self.consortium.sufficiency.model_dump(mode="json"),
                "near_authorities": self.near_authorities(),
            },
            "previous_edition": self.consortium.previous_edition.model_dump(mode="json")
            if self.consortium.previous_edition
            else None,
            "edition": self.consortium.edition,
        }
        federated = {
            b: str(self.consortium.aggregates_for(b))
            for b in self.boroughs
            if self.consortium.borough(b).aggregates
        }
        if federated:  # only then: other areas' settings (and so their keys) are unchanged
            settings["federated"] = {"aggregates": federated}
        return settings

    def near_authorities(self) -> list[str]:
        """Authorities near the area: for a borough the other members and its neighbours,
        for a consortium its members' neighbours outside it (names as the Ofsted register
        writes them)."""
        consortium = self.consortium
        members = [consortium.borough(b) for b in self.boroughs]
        neighbours = [n for m in members for n in m.neighbours]
        if self.kind == "borough":
            others = [b.name for b in consortium.boroughs if b.slug not in self.boroughs]
            return list(dict.fromkeys([*others, *neighbours]))
        inside = {m.name for m in members}
        return [n for n in dict.fromkeys(neighbours) if n not in inside]

    def benchmarks(self) -> dict[str, Any]:
        """DfE's published tables to compare with (absolute path, or None) and, for a
        borough, the ONS codes of its statistical neighbours."""
        tables = self.consortium.benchmarks.dfe_tables
        neighbours = (
            self.consortium.borough(self.slug).statistical_neighbours
            if self.kind == "borough"
            else []
        )
        return {
            "dfe_tables": str(tables) if tables else None,
            "statistical_neighbours": list(neighbours),
        }

    def consortium_members(self) -> dict[str, Any]:
        """The consortium this area belongs to and all its member boroughs (slug, name, ONS
        code, data folder): a borough's notebooks compare it with the whole consortium and
        name placements in other member boroughs."""
        consortium = self.consortium
        return {
            "slug": consortium.slug,
            "name": consortium.name,
            "members": [
                {
                    "slug": b.slug,
                    "name": b.name,
                    "la_code": b.la_code,
                    "data_folder": b.data_folder or b.slug,
                }
                for b in consortium.boroughs
            ],
        }

    def notebook_parameters(
        self, prepared_dir: Path | None, tables_dir: Path, results_dir: Path | None = None
    ) -> dict[str, Any]:
        """The values papermill injects into each notebook's ``parameters`` cell."""
        consortium = self.consortium
        return {
            "area": self.slug,
            "area_name": self.name,
            "area_kind": self.kind,
            "consortium": consortium.slug,
            "consortium_name": consortium.name,
            "boroughs": list(self.boroughs),
            "borough_names": [consortium.borough(b).name for b in self.boroughs],
            "la_codes": self.la_codes,
            "data_dir": str(consortium.data_dir),
            "prepared_dir": str(prepared_dir) if prepared_dir else "",
            "tables_dir": str(tables_dir),
            "results_dir": str(results_dir) if results_dir else "",
            "years": list(consortium.years),
            "reporting_year": consortium.latest_year,
            "suppression_threshold": consortium.disclosure.threshold,
            "round_to": (consortium.disclosure.round_consortium_to or 0)
            if self.kind == "consortium"
            else 0,
            "settings": self.analysis_settings(),
        }


# --- loading ------------------------------------------------------------------------------
def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ParameterError(f"{path}: parameter file not found")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParameterError(f"{path}: not valid YAML: {error}") from error
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParameterError(f"{path}: expected a mapping of keys to values at the top level")
    return loaded


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: mappings key by key, anything else replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _describe(error: ValidationError, path: Path, prefix: str = "") -> ParameterError:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        lines.append(f"{path}: key {prefix}{key}: {item['msg']} (got {item.get('input')!r})")
    return ParameterError("\n".join(lines))


def _resolve_logo(mapping: dict[str, Any], base: Path) -> dict[str, Any]:
    """``branding.logo`` made absolute, relative to the folder of the file that names it."""
    branding = mapping.get("branding")
    if isinstance(branding, dict) and branding.get("logo"):
        mapping = {**mapping, "branding": {**branding, "logo": str(base / str(branding["logo"]))}}
    return mapping


def _borough_mapping(entry: Any, parameters_root: Path, consortium_file: Path) -> dict[str, Any]:
    if isinstance(entry, str):
        borough_file = parameters_root / "boroughs" / f"{entry}.yaml"
        mapping = _resolve_logo(_read_yaml(borough_file), borough_file.parent)
        mapping.setdefault("slug", entry)
        if mapping["slug"] != entry:
            raise ParameterError(
                f"{borough_file}: key slug is {mapping['slug']!r} but {consortium_file} "
                f"names it {entry!r}"
            )
        return mapping
    if isinstance(entry, dict):
        return entry
    raise ParameterError(
        f"{consortium_file}: key boroughs: expected slugs or mappings, got {entry!r}"
    )


NARRATIVE_FOLDER = "narrative"


def _with_narrative_file(
    mapping: dict[str, Any], root: Path, folder: str, owner: Path
) -> dict[str, Any]:
    """``mapping`` with the narrative of ``<root>/narrative/<folder>/<slug>.yaml`` under its
    own ``narrative`` keys, checked against :class:`mps.documents.Narrative` (a mistake
    names the narrative file, else ``owner``: the parameter file or folder it came from)."""
    from mps.documents import Narrative

    slug = mapping.get("slug")
    path = root / NARRATIVE_FOLDER / folder / f"{slug}.yaml"
    narrative = mapping.get("narrative") or {}
    if slug and path.is_file():
        narrative = deep_merge(_read_yaml(path), narrative)
    if not narrative:
        return mapping
    # Plain values only (YAML dates as ISO text): the narrative reaches the notebooks as JSON.
    narrative = json.loads(json.dumps(narrative, default=str))
    try:
        Narrative.model_validate(narrative)
    except ValidationError as error:
        source = path if path.is_file() else owner
        raise _describe(error, source, prefix="narrative.") from error
    return {**mapping, "narrative": narrative}


def load_consortium(path: str | Path, *, data_dir: str | Path | None = None) -> ConsortiumSettings:
    """Load a consortium parameter file with its defaults and boroughs.

    ``data_dir`` (e.g. from the command line) overrides the file's ``data_dir``.
    """
    path = Path(path).resolve()
    parameters_root = path.parent.parent if path.parent.name == "consortia" else path.parent
    defaults_file = parameters_root / "defaults.yaml"
    defaults = _read_yaml(defaults_file) if defaults_file.is_file() else {}
    defaults = _resolve_logo(defaults, defaults_file.parent)
    own = _resolve_logo(_read_yaml(path), path.parent)
    merged = deep_merge(defaults, own)

    boroughs = []
    for entry in merged.get("boroughs") or []:
        mapping = _borough_mapping(entry, parameters_root, path)
        if isinstance(entry, dict):
            mapping = _resolve_logo(mapping, path.parent)
        if isinstance(mapping.get("branding"), dict):
            # A borough's branding changes only the keys it names.
            mapping = {
                **mapping,
                "branding": deep_merge(merged.get("branding") or {}, mapping["branding"]),
            }
        boroughs.append(mapping)
    if not boroughs:
        raise ParameterError(f"{path}: key boroughs: list at least one borough")
    # Narrative files: parameters/narrative/<consortium>.yaml and .../boroughs/<borough>.yaml
    # (keys under narrative: in the parameter files win over them).
    merged["boroughs"] = [
        _with_narrative_file(b, parameters_root, "boroughs", parameters_root / "boroughs")
        for b in boroughs
    ]
    merged = _with_narrative_file(merged, parameters_root, "", path)

    if data_dir is not None:
        merged["data_dir"] = str(Path(data_dir).resolve())
    elif "data_dir" in merged:
        merged["data_dir"] = str((path.parent / str(merged["data_dir"])).resolve())
    else:
        raise ParameterError(f"{path}: key data_dir: say where the consortium's data folder is")
    previous = merged.get("previous_edition")
    if isinstance(previous, dict) and previous.get("folder"):
        # Relative to the consortium file, like data_dir.
        folder = str((path.parent / str(previous["folder"])).resolve())
        merged["previous_edition"] = {**previous, "folder": folder}
    tables = (merged.get("benchmarks") or {}).get("dfe_tables")
    if tables:
        # Relative to the consortium's parameter file, like data_dir.
        merged["benchmarks"] = {
            **merged["benchmarks"],
            "dfe_tables": str((path.parent / str(tables)).resolve()),
        }
    merged["source_file"] = path
    try:
        settings = ConsortiumSettings.model_validate(merged)
    except ValidationError as error:
        raise _describe(error, path) from error
    slugs = [b.slug for b in settings.boroughs]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ParameterError(f"{path}: key boroughs: listed twice: {', '.join(duplicates)}")
    # Every area has its own output folder: a region may not share a borough's name.
    area_slugs = [*slugs, *(r.slug for r in settings.regions), settings.slug]
    clashes = sorted({s for s in area_slugs if area_slugs.count(s) > 1})
    if clashes:
        raise ParameterError(f"{path}: key regions: area name(s) used twice: {', '.join(clashes)}")
    for index, region in enumerate(settings.regions):
        unknown = [b for b in region.boroughs if b not in slugs]
        if unknown:
            raise ParameterError(
                f"{path}: key regions.{index}.boroughs: not member boroughs: {', '.join(unknown)}"
            )
    return settings
