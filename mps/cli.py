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


@app.command()
def validate(
    path: Annotated[
        Path,
        typer.Argument(
            help="A borough's 903 data: a folder of collection-year folders, one year's "
            "files, pooled files (LA and YEAR columns), an XML return or an Excel workbook."
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
) -> None:
    """Check 903 data in any shape: rows read, kept and rejected per file, the issues by
    severity and rule with the rows each affects, the first issues in full, and the whole
    report as CSV. Pooled data holding several councils is checked council by council."""
    from mps.data.ssda903 import pooled_councils
    from mps.data.ssda903_report import (
        counts_with_council,
        issues_with_council,
        print_validation,
        validate_councils,
    )
    from mps.data.validation import FatalValidationError

    try:
        councils: list[str | None] = [la] if la else list(pooled_councils(path))
    except FatalValidationError:
        councils = []  # reported below, with everything else load_borough finds
    results = validate_councils(
        path, councils or [None], years=[year] if year else None, strict=strict
    )
    print_validation(out, path, results, show)
    report.parent.mkdir(parents=True, exist_ok=True)
    issues = issues_with_council(results)
    if len(results) == 1:
        issues = issues.drop(columns=["la"])
    issues.to_csv(report, index=False)
    counts_file = report.with_name(f"{report.stem}-counts.csv")
    counts_with_council(results).to_csv(counts_file, index=False)
    out.print(
        f"Full report: {report} (every issue) and {counts_file} (rows per file). They name "
        "children's rows: keep them with the data.",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )
    if any(r.fatal is not None or r.report.has_fatal for r in results):
        raise typer.Exit(1)


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
        plan = plan_build(consortium, build_root=build_dir, areas=area)
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


if __name__ == "__main__":
    app()
