"""England-sized figures: ingestion and validation of 150 boroughs, and the national build.

Generates (once, not timed) a synthetic England: 150 fictional boroughs x five collection
years, about 80,000 children looked after at 31 March, grouped into nine regions
(``mps demo-data build/national-data --boroughs 150``). Then, each in this run:

1. **ingestion and validation**: every borough's 903 returns read, validated and merged
   into its episode table, as the build's prepare stage does (a pool of ``--jobs``
   workers), with the peak memory of the whole process tree. Beside it, the baseline of
   merely reading the same CSV files with ``pandas.read_csv`` (no validation, no merge) in
   the same pool: the ratio is the price of validation.
2. **the national build** (with ``--build``): ``mps build`` for 150 boroughs, nine regions
   and England. Beside it, the naive path (papermill CLI then ``jupyter nbconvert`` per
   notebook) timed on ``--naive-sample`` areas and scaled to all areas.

``--formats html`` times a draft build (HTML only, as the naive path makes); the default
publishes every format.

Usage: ``python benchmarks/national.py [--jobs 2] [--build] [--formats html] [--naive-sample 3]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "build" / "national-data"
BUILD = ROOT / "build" / "national"
sys.path.insert(0, str(ROOT / "benchmarks"))


class PeakMemory:
    """Samples the resident memory of this process and all its descendants."""

    def __init__(self, every: float = 0.2):
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @staticmethod
    def _tree_rss() -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue  # the process ended while we looked
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            tree.update(children)
            frontier += children
        return sum(rss.get(pid, 0) for pid in tree)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def generate() -> None:
    if (DATA / "consortium.yaml").is_file():
        return
    print(f"generating England-sized demo data in {DATA} (not timed)...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mps.cli", "demo-data", str(DATA), "--boroughs", "150"],
        check=True,
        capture_output=True,
    )
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)


def _prepare(args: tuple) -> tuple[int, int]:
    from mps.area import COUNTS_FILE, prepare_borough

    consortium, slug, out_dir = args
    borough = consortium.borough(slug)
    folder = prepare_borough(
        data_dir=consortium.data_dir,
        borough=slug,
        la_code=borough.la_code,
        years=consortium.years,
        out_dir=out_dir,
    )
    counts = pd.read_csv(folder / COUNTS_FILE)
    return int(counts["rows_read"].sum()), int(counts["rows_kept"].sum())


def _read_plain(folder: Path) -> int:
    return sum(len(pd.read_csv(f, dtype=str)) for f in sorted(folder.rglob("*.csv")))


def ingestion(jobs: int) -> None:
    from mps.config import load_consortium

    consortium = load_consortium(DATA / "consortium.yaml")
    slugs = [b.slug for b in consortium.boroughs]
    out_dir = BUILD / "benchmark-prepared"
    with PeakMemory() as memory:
        started = time.perf_counter()
        with ProcessPoolExecutor(jobs) as pool:
            counts = list(pool.map(_prepare, [(consortium, s, out_dir) for s in slugs]))
        ours = time.perf_counter() - started
    read = sum(r for r, _ in counts)
    kept = sum(k for _, k in counts)
    print(
        f"national ingestion and validation ({len(slugs)} boroughs x {len(consortium.years)} "
        f"years, {read:,} rows read, {kept:,} kept): {ours:.1f} s, "
        f"peak memory {memory.peak / 2**30:.2f} GB (target: 60 s, 4 GB)",
        flush=True,
    )
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        plain_rows = sum(pool.map(_read_plain, [DATA / s / "ssda903" for s in slugs]))
    plain = time.perf_counter() - started
    print(
        f"baseline: pandas.read_csv of the same files ({plain_rows:,} rows), no validation: "
        f"{plain:.1f} s (validation costs {ours / plain:.1f}x a plain read)",
        flush=True,
    )


def national_build(jobs: int, sample: int, formats: str) -> None:
    import build_demo

    from mps.config import load_consortium

    parameters = DATA / "consortium.yaml"
    consortium = load_consortium(parameters)
    areas = consortium.areas()
    command = [sys.executable, "-m", "mps.cli", "build", str(parameters)]
    command += ["--build-dir", str(BUILD), "--jobs", str(jobs), "--force", "--formats", formats]
    with PeakMemory() as memory:
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        ours = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        raise SystemExit("the national build failed")
    print(
        f"national build ({len(consortium.boroughs)} boroughs, {len(consortium.regions)} "
        f"regions and England = {len(areas)} areas x {len(consortium.notebooks)} notebooks, "
        f"publishing {formats}): "
        f"{ours:.0f} s, peak memory {memory.peak / 2**30:.2f} GB (target: 600 s)",
        flush=True,
    )
    # The naive path on a sample of boroughs, scaled to every area.
    sampled = [a.slug for a in areas if a.kind == "borough"][:sample]
    started = time.perf_counter()
    build_demo.time_naive(BUILD / "naive-sample", sampled, parameters=parameters)
    per_area = (time.perf_counter() - started) / len(sampled)
    print(
        f"naive papermill CLI + jupyter nbconvert, {per_area:.1f} s an area on {len(sampled)} "
        f"boroughs: about {per_area * len(areas) / 60:.0f} min for {len(areas)} areas "
        f"({per_area * len(areas) / ours:.0f}x ours)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--build", action="store_true", help="also time the national build")
    parser.add_argument("--naive-sample", type=int, default=3, help="areas for the naive path")
    parser.add_argument(
        "--formats", default="html,pdf,docx,annex", help="what the national build publishes"
    )
    args = parser.parse_args()
    generate()
    ingestion(args.jobs)
    if args.build:
        national_build(args.jobs, args.naive_sample, args.formats)


if __name__ == "__main__":
    main()
