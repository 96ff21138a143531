"""Benchmark: indexing a library from nothing, against the floor of parsing its front matter.

    python bench/generate.py /tmp/lib50k --articles 50000
    python bench/bench_load.py /tmp/lib50k --runs 5

Each figure is the median of ``--runs`` runs with its ratio to the floor measured in the
same run: reading every file and parsing its front matter with ``yaml.load(...,
Loader=yaml.CSafeLoader)`` on one core. The index goes to a temporary cache folder, so
every run is a true cold start (scan, parse, decode, write the catalog and FTS5 table).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from qtreader.library.store import Library, scan_library


def yaml_floor(paths: list[Path]) -> None:
    """Read each file and parse its front matter with the C loader: nothing else."""
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        front = text.split("\n---", 1)[0].removeprefix("---\n")
        yaml.load(front, Loader=yaml.CSafeLoader)


def read_floor(paths: list[Path]) -> None:
    """Read each file's bytes."""
    for path in paths:
        path.read_bytes()


def cold_index(root: Path, *, one_core: bool = False) -> None:
    """Index ``root`` into a fresh cache folder (``one_core``: this process on one core,
    where qtreader starts no pool)."""
    cores = os.sched_getaffinity(0)
    if one_core:
        os.sched_setaffinity(0, {min(cores)})
    try:
        with tempfile.TemporaryDirectory() as cache:
            os.environ["XDG_CACHE_HOME"] = cache
            library = Library.open(root)
            library.refresh()
            library.index.close()
    finally:
        os.sched_setaffinity(0, cores)


def timed(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float], floor: float) -> None:
    median = statistics.median(times)
    print(f"  {name:<36} {median:8.3f} s   {median / floor:5.2f}x floor   (runs: {len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    root: Path = options.library.absolute()
    entries, _ = scan_library(root)
    paths = [root / entry.relative for entry in entries]
    size = sum(entry.size for entry in entries) / 1e6
    print(f"library: {root}: {len(paths)} files, {size:.0f} MB, {os.cpu_count()} cores")
    print("medians; floor = read + yaml.load(CSafeLoader) of the front matter, one core")
    floor_times = timed(lambda: yaml_floor(paths), options.runs)
    floor = statistics.median(floor_times)
    report("floor: read + CSafeLoader", floor_times, floor)
    report("read bytes only", timed(lambda: read_floor(paths), options.runs), floor)
    report("cold index, all cores", timed(lambda: cold_index(root), options.runs), floor)
    report(
        "cold index, one core",
        timed(lambda: cold_index(root, one_core=True), options.runs),
        floor,
    )


if __name__ == "__main__":
    main()
