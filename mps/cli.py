"""The ``mps`` command: generate demo data, validate returns, build documents, print indicators."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help=(
        "Market Position Statements and sufficiency plans for children in care, from your "
        "SSDA903 returns. Start with `mps demo-data build/demo-data` and "
        "`mps build parameters/consortia/demo.yaml`, then point a consortium parameter file "
        "at your own data."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()


class OutputFormat(StrEnum):
    csv = "csv"
    table = "table"


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@app.command("demo-data")
def demo_data(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder to write the demo consortium's data into.")
    ],
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same files.")
    ] = 2018,
    boroughs: Annotated[
        int, typer.Option(help="Number of fictional boroughs (8 = the demo; 150 = England-sized).")
    ] = 8,
) -> None:
    """Generate the fictional demo consortium: 903 returns for 2021-2025 and every other input.

    Everything is synthetic and deterministic from the seed; no real child is in it.
    """
    from mps.synthetic import write_demo_data

    with console.status(f"Generating {boroughs} fictional boroughs…"):
        manifest = write_demo_data(out_dir, seed=seed, boroughs=boroughs)
    out.print(f"Demo data for {len(manifest.boroughs)} boroughs written to {out_dir}")
    parameters = Path(out_dir) / "consortium.yaml"
    if parameters.is_file():
        out.print(f"Build it with: mps build {parameters}", soft_wrap=True)


@app.command()
def validate(
    path: Annotated[
        Path,
        typer.Argument(
            help="A borough's folder (its ssda903 folder and its spend, referrals, needs, "
            "fostering and contracts files), or its 903 data alone: a folder of "
            "collection-year folders, one year's files, pooled files (LA and YEAR columns), "
            "an XML return or an Excel workbook."
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            help="Collection year: the year of one year's files, or the only year read from "
            "pooled data."
        ),
    ] = None,
    la: Annotated[
        str | None,
        typer.Option(help="In pooled data, check only this council (its value in the LA column)."),
    ] = None,
    report: Annotated[
        Path, typer.Option(help="Write every issue to this CSV file (and the counts beside it).")
    ] = Path("validation-issues.csv"),
    strict: Annotated[bool, typer.Option(help="Treat row-level errors as fatal.")] = False,
    show: Annotated[int, typer.Option(help="How many issues of each severity to print.")] = 5,
    parameters: Annotated[
        Path | None,
        typer.Option(
            help="The consortium's parameter file: needs assessments are checked against "
            "its needs indicators (default: the 12 Valuing Care indicators)."
        ),
    ] = None,
) -> None:
    """Check a borough's data: the 903 returns in any shape and, given the borough's
    folder, its other inputs too. Prints rows read, kept and rejected per file, the issues
    by severity and rule with the rows each affects and the first issues in full, and
    writes the whole report as CSV. Pooled data holding several councils is checked
    council by council."""
    import pandas as pd

    from mps.area import validate_borough_inputs
    from mps.data import layout
    from mps.data.ssda903 import pooled_councils
    from mps.data.ssda903_report import (
        counts_with_council,
        issues_with_council,
        print_other_inputs,
        print_validation,
        validate_councils,
    )
    from mps.data.validation import FatalValidationError

    # A borough's folder: its 903 returns are in ssda903/, its other inputs beside them.
    borough_folder = path.is_dir() and (path / layout.SSDA903_FOLDER).is_dir()
    returns = path / layout.SSDA903_FOLDER if borough_folder else path
    try:
        councils: list[str | None] = [la] if la else list(pooled_councils(returns))
    except FatalValidationError:
        councils = []  # reported below, with everything else load_borough finds
    results = validate_councils(
        returns, councils or [None], years=[year] if year else None, strict=strict
    )
    print_validation(out, returns, results, show)
    other = (
        validate_borough_inputs(path, _input_settings(parameters, path)) if borough_folder else None
    )
    if other is not None and (other.counts or other.issues):
        out.rule("Other inputs")
        print_other_inputs(out, path, other, show)
    report.parent.mkdir(parents=True, exist_ok=True)
    issues = issues_with_council(results)
    counts = counts_with_council(results)
    if len(results) == 1:
        issues, counts = issues.drop(columns=["la"]), counts.drop(columns=["la"])
    if other is not None:
        issues = pd.concat([issues, other.issues_frame()], ignore_index=True)
        counts = pd.concat([counts, other.counts_frame()], ignore_index=True)
    issues.to_csv(report, index=False)
    counts_file = report.with_name(f"{report.stem}-counts.csv")
    counts.to_csv(counts_file, index=False)
    out.print(
        f"Full report: {report} (every issue) and {counts_file} (rows per file). They name "
        "children's rows: keep them with the data.",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )
    if any(r.fatal is not None or r.report.has_fatal for r in results) or (
        other is not None and other.has_fatal
    ):
        raise typer.Exit(1)


def _input_settings(parameters: Path | None, folder: Path) -> dict | None:
    """The analysis settings a build would read ``folder``'s inputs with: the borough's of
    that folder name, else the consortium's."""
    if parameters is None:
        return None
    from mps.config import ParameterError, load_consortium

    try:
        areas = load_consortium(parameters).areas()
    except (ParameterError, ValueError, FileNotFoundError) as error:
        raise _fail(str(error)) from error
    area = next((a for a in areas if a.slug == folder.name), None)
    area = area or next(a for a in areas if a.kind != "borough")
    return area.analysis_settings()


@app.command()
def build(
    parameters: Annotated[Path, typer.Argument(help="The consortium parameter file (YAML).")],
    jobs: Annotated[
        int | None, typer.Option(help="Jobs to run at once (default: number of cores).")
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="The consortium's data folder (overrides data_dir).")
    ] = None,
    build_dir: Annotated[Path, typer.Option(help="Where outputs go.")] = Path("build"),
    area: Annotated[
        list[str] | None, typer.Option(help="Build only this area (repeat for several).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Run every job, even those whose inputs have not changed."),
    ] = False,
    formats: Annotated[
        str,
        typer.Option(
            help="What to publish, comma-separated: html, pdf, docx, annex (the data "
            "annex). HTML alone is a quick draft."
        ),
    ] = "html,pdf,docx,annex",
) -> None:
    """Build the MPS and sufficiency plan for every borough and the consortium.

    Only the jobs whose data, parameters, notebook or mps version changed since the last
    build run again (the record is BUILD_DIR/<consortium>/manifest.json); --force runs all.

    Validates each borough's data, runs the analysis notebooks with papermill, and
    publishes the documents under BUILD_DIR/<consortium>/publish/<area>/.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mps.config import ParameterError, load_consortium
    from mps.pipeline import plan_build, run_build

    try:
        consortium = load_consortium(parameters, data_dir=data)
        chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
        plan = plan_build(consortium, build_root=build_dir, areas=area, formats=chosen)
        if consortium.federated_boroughs:  # a damaged or mismatched file stops the build here
            from mps.federated.receive import verify_received

            verify_received(consortium)
    except (ParameterError, ValueError, FileNotFoundError) as error:
        raise _fail(str(error)) from error
    if not consortium.data_dir.is_dir():
        raise _fail(f"data folder {consortium.data_dir} does not exist (set data_dir or --data)")

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"Building {consortium.name}", total=plan.job_count())

        def on_result(result) -> None:
            progress.advance(task)
            if not result.ok:
                progress.console.print(
                    f"[red]✗[/] {result.kind} {result.area}/{result.name}: {result.error}",
                    highlight=False,
                )

        outcome = run_build(plan, jobs=jobs, force=force, on_result=on_result)

    ran, fresh = len(outcome.ran), len(outcome.up_to_date)
    if fresh:
        out.print(f"{ran} job(s) run, {fresh} up to date (unchanged since the last build).")

    published = outcome.published()
    if published:
        # soft_wrap: paths are printed whole, never broken across lines
        out.print(
            f"Published documents ({len(published)}) under {plan.publish_dir}:", soft_wrap=True
        )
        for path in published:
            out.print(f"  {path}", highlight=False, soft_wrap=True)
    if not outcome.ok:
        failures = outcome.failures
        console.print(f"[bold red]{len(failures)} job(s) failed[/]; the others finished.")
        raise typer.Exit(1)


@app.command("export-aggregates")
def export_aggregates(
    parameters: Annotated[
        Path, typer.Argument(help="The consortium parameter file (YAML) your borough is in.")
    ],
    borough: Annotated[str, typer.Option(help="Your borough's slug in that file, e.g. ashmoor.")],
    out: Annotated[
        Path, typer.Option(help="The file to write and send, e.g. ashmoor-aggregates.zip.")
    ],
    data: Annotated[
        Path | None,
        typer.Option(help="The data folder holding your 903 returns (overrides data_dir)."),
    ] = None,
) -> None:
    """Write your borough's counts for a federated consortium, without child-level data.

    For a borough that cannot share its 903 returns with the consortium: reads and
    validates them as `mps build` does, counts children looked after (by year, placement,
    age, sex, ethnicity, legal status...), starts, ceases and placement moves, suppresses
    each count exactly where your own published tables suppress it (the parameters'
    threshold: a suppressed count is written c), checks the result for child identifiers,
    dates of birth, postcodes and small counts, and writes one zip file: the tables as CSV
    and a manifest.json (format version, your borough and ONS code, the years, the
    threshold, each table's rows and SHA-256 checksum). Nothing is written if any step
    fails. Send the file to the consortium lead, who names it in the consortium's
    parameters (aggregates: received/<file>.zip, relative to its data folder).
    """
    from mps.config import ParameterError, load_consortium
    from mps.data.validation import FatalValidationError
    from mps.federated.export import ExportError
    from mps.federated.export import export_aggregates as export

    try:
        consortium = load_consortium(parameters, data_dir=data)
        result = export(consortium, borough, out)
    except (ParameterError, FatalValidationError, ExportError, ValueError) as error:
        raise _fail(str(error)) from error
    manifest = result.manifest
    console.print(
        f"Wrote {result.path}: {len(manifest['tables'])} tables for "
        f"{manifest['borough']['name']} ({manifest['borough']['la_code']}), "
        f"{manifest['collection_years'][0]} to {manifest['collection_years'][-1]}, "
        f"counts from 1 to {manifest['disclosure']['threshold']} suppressed.",
        highlight=False,
    )
    for entry in manifest["tables"]:
        hidden = result.suppressed[entry["name"]]
        console.print(f"  {entry['name']}: {entry['rows']} rows, {hidden} cells c", highlight=False)
    console.print("The leak scan found no child identifiers, dates of birth or postcodes.")


@app.command()
def indicators(
    directory: Annotated[
        Path,
        typer.Argument(
            help="A borough's 903 data: a folder of collection-year folders, one year's "
            "files, pooled files, an XML return or an Excel workbook."
        ),
    ],
    year: Annotated[int, typer.Option(help="Collection year, e.g. 2025 for 2024-25.")],
    la: Annotated[
        str | None,
        typer.Option(help="In pooled data holding several councils, this council's LA value."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="csv (indicator,value) or a table.")
    ] = OutputFormat.csv,
) -> None:
    """Print one borough's headline indicators for a collection year (DfE counting rules)."""
    from mps.analysis.children import headline_indicators
    from mps.data.ssda903 import load_borough
    from mps.data.validation import FatalValidationError

    try:
        returns = load_borough(directory, la_value=la)
    except FatalValidationError as error:
        raise _fail(str(error), code=1) from error
    except FileNotFoundError as error:
        raise _fail(str(error)) from error
    if year not in returns.years:
        loaded = ", ".join(str(y) for y in returns.years)
        raise _fail(f"no return for {year} in {directory} (years found: {loaded})")
    result = headline_indicators(returns.episodes, year)
    values = [_format_indicator(v) for v in result["value"]]
    if output_format is OutputFormat.csv:
        sys.stdout.write("indicator,value\n")
        for name, value in zip(result["indicator"], values, strict=True):
            sys.stdout.write(f"{name},{value}\n")
    else:
        table = Table(title=f"Headline indicators, {year}")
        table.add_column("indicator")
        table.add_column("value", justify="right")
        for name, value in zip(result["indicator"], values, strict=True):
            table.add_row(str(name), value)
        out.print(table)


def _format_indicator(value: object) -> str:
    """Counts as whole numbers, percentages as given, missing as blank."""
    if value is None or value != value:  # NaN or missing
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


class ForecastMethod(StrEnum):
    auto = "auto"
    persistence = "persistence"
    drift = "drift"
    damped_trend = "damped_trend"
    arima = "arima"
    rate_population = "rate_population"
    combined = "combined"


def _read_published(path: Path):
    """A DfE table of children looked after by local authority, or a clear error."""
    from mps.data.dfe import read_published_table
    from mps.data.validation import FatalValidationError

    try:
        return read_published_table(path)
    except FatalValidationError as error:
        raise _fail(str(error), code=1) from error


def _read_population_option(path: Path | None):
    from mps.data.population import read_population
    from mps.data.validation import FatalValidationError

    if path is None:
        return None
    try:
        return read_population(path)
    except FatalValidationError as error:
        raise _fail(str(error), code=1) from error


@app.command()
def forecast(
    published: Annotated[
        Path,
        typer.Option(
            "--published",
            help="DfE explore-education-statistics CSV of children looked after by local "
            "authority (time_period, geographic_level, new_la_code, la_name, "
            "population_count, number). Figures c, x, z or blank are read as missing.",
        ),
    ],
    last_year: Annotated[
        int,
        typer.Option(help="Forecast from 31 March of this year, using no later figures."),
    ],
    horizon: Annotated[int, typer.Option(help="Years ahead to forecast (1 to 10).")] = 3,
    la: Annotated[
        list[str] | None,
        typer.Option(help="Only this local authority's ONS code (repeat for several)."),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the CSV here (default: the screen).")
    ] = None,
    method: Annotated[
        ForecastMethod,
        typer.Option(
            help="auto: choose by back-test on the file's own years (persistence unless "
            "another method is clearly better); or name one."
        ),
    ] = ForecastMethod.auto,
    population: Annotated[
        Path | None,
        typer.Option(help="ONS 0-17 population (population.csv) for rate_population."),
    ] = None,
) -> None:
    """Forecast children looked after at 31 March for every local authority in a DfE table.

    Writes new_la_code,year,forecast,lower_80,upper_80,lower_95,upper_95. The ranges come
    from the chosen method's own errors on the file's earlier years; the method chosen and
    why is printed on the screen (stderr).
    """
    from mps.analysis.forecast.published import OUTPUT_COLUMNS, forecast_published

    if not 1 <= horizon <= 10:
        raise _fail(f"--horizon {horizon}: forecast 1 to 10 years ahead")
    table = _read_published(published)
    people = _read_population_option(population)
    try:
        result = forecast_published(
            table, last_year, horizon, las=la, method=method.value, population=people
        )
    except ValueError as error:
        raise _fail(f"{published}: {error}") from error
    console.print(f"Method: {result.choice.method}. {result.choice.reason}", highlight=False)
    if result.fell_back:
        console.print(
            f"Too few years for {result.choice.method}, forecast by persistence: "
            + ", ".join(result.fell_back),
            highlight=False,
        )
    if result.no_data:
        console.print(
            "No figure up to " + str(last_year) + ", so no forecast: " + ", ".join(result.no_data),
            highlight=False,
        )
    frame = result.forecast.round({c: 1 for c in OUTPUT_COLUMNS[2:]})
    if out_file is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out_file, index=False)
        console.print(
            f"Forecasts for {frame['new_la_code'].nunique()} local authorities "
            f"written to {out_file}",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def backtest(
    source: Annotated[
        Path,
        typer.Argument(
            help="A DfE explore-education-statistics CSV of children looked after by local "
            "authority, or a consortium parameter file (YAML) to test on its 903 returns."
        ),
    ],
    origin: Annotated[
        list[int] | None,
        typer.Option(
            help="Forecast from 31 March of this year (repeat; default: the last 3 "
            "years that leave an outcome to compare)."
        ),
    ] = None,
    horizon: Annotated[int, typer.Option(help="Years ahead to test (1 to 10).")] = 3,
    la: Annotated[
        list[str] | None, typer.Option(help="DfE table: only this ONS code (repeat).")
    ] = None,
    population: Annotated[
        Path | None,
        typer.Option(help="DfE table: ONS 0-17 population (population.csv) for rate_population."),
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="Parameter file: the consortium's data folder.")
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", help="A table, or csv (one row per method and years ahead)."),
    ] = OutputFormat.table,
) -> None:
    """Rolling-origin back-test: forecast from earlier years with each method and print
    the median and mean absolute percentage error per years ahead, and how often the 80%
    and 95% ranges held the outcome.

    On a DfE table every method (persistence, drift, damped trend, ARIMA, combined, and
    rate x population with --population) forecasts every local authority. On a consortium
    parameter file the stock-flow model and the same methods forecast each borough and
    the consortium from their 903 returns.
    """
    if not 1 <= horizon <= 10:
        raise _fail(f"--horizon {horizon}: test 1 to 10 years ahead")
    if source.suffix.lower() in (".yaml", ".yml"):
        errors, title = _backtest_consortium(source, data, origin, horizon)
    else:
        errors, title = _backtest_published(source, origin, horizon, la, population)
    _print_errors(errors, title, output_format)


def _backtest_published(source, origin, horizon, la, population):
    from mps.analysis.forecast.published import backtest_published

    table = _read_published(source)
    people = _read_population_option(population)
    last = int(table["year"].max())
    origins = list(origin) if origin else list(range(last - 3, last))
    try:
        errors = backtest_published(table, origins, horizon, las=la, population=people)
    except ValueError as error:
        raise _fail(f"{source}: {error}") from error
    named = f"{len(la)} local authorities" if la else "every local authority"
    return errors, f"Back-test on {source.name}, {named}, origins {', '.join(map(str, origins))}"


def _backtest_consortium(source, data, origin, horizon):
    import pandas as pd

    from mps.analysis.forecast import backtest as backtests
    from mps.analysis.forecast.area import AreaForecast
    from mps.area import load_area
    from mps.config import ParameterError, load_consortium
    from mps.data.validation import FatalValidationError

    try:
        consortium = load_consortium(source, data_dir=data)
    except ParameterError as error:
        raise _fail(str(error)) from error
    results = []
    for area in consortium.areas():
        try:
            loaded = load_area(
                boroughs=area.boroughs,
                la_codes=area.la_codes,
                data_dir=consortium.data_dir,
                years=consortium.years,
                settings=area.analysis_settings(),
            )
        except (FatalValidationError, FileNotFoundError) as error:
            raise _fail(f"{area.name}: {error}", code=1) from error
        settings = dict(consortium.forecast.model_dump(mode="json"), horizon=horizon)
        if origin:
            settings["backtest_origins"] = 10
        forecast = AreaForecast(
            episodes=loaded.episodes,
            years=consortium.years,
            reporting_year=consortium.latest_year,
            la_codes=area.la_codes,
            population=loaded.population,
            settings=settings,
        )
        found = forecast.backtest_results()
        if origin:
            found = found.loc[found["origin"].isin(list(origin))]
        results.append(found.assign(series=area.slug))
        console.print(f"tested {area.name}", highlight=False)
    errors = backtests.error_table(pd.concat(results, ignore_index=True))
    title = f"Back-test on the 903 returns of {consortium.name} (each borough and the consortium)"
    return errors, title


def _print_errors(errors, title: str, output_format: OutputFormat) -> None:
    if output_format is OutputFormat.csv:
        errors.round(2).to_csv(sys.stdout, index=False)
        return
    table = Table(title=title)
    columns = [
        ("method", "left"),
        ("ahead", "right"),
        ("n", "right"),
        ("MdAPE %", "right"),
        ("MAPE %", "right"),
        ("80% cover", "right"),
        ("95% cover", "right"),
    ]
    for column, justify in columns:
        table.add_column(column, justify=justify, no_wrap=True)
    for row in errors.itertuples(index=False):
        table.add_row(
            row.method,
            str(row.horizon),
            str(row.forecasts),
            f"{row.median_ape:.1f}",
            f"{row.mean_ape:.1f}",
            f"{row.coverage_80:.0f}",
            f"{row.coverage_95:.0f}",
        )
    out.print(table)
    out.print(
        "ahead: years ahead; n: forecasts with a known outcome; MdAPE/MAPE: median/mean "
        "absolute percentage error; cover: % of outcomes inside the 80%/95% ranges.",
        highlight=False,
    )


if __name__ == "__main__":
    app()
