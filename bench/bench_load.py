"""Benchmark: indexing a library from nothing, against the floor of parsing its front matter.

    python bench/generate.py /tmp/lib50k --articles 50000
    python bench/bench_load.py /tmp/lib50k --runs 5

Each figure is the median of ``--runs`` runs (interleaved) with its ratio to the floor
measured in the same run: reading every file and parsing its front matter with ``yaml.load(...,
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

from qtreader.library.parse import parse_file
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


def parse_only(root: Path, paths: list[Path]) -> None:
    """Parse every file as the index does, in this process: the index's work less its
    writes and its pool."""
    for path in paths:
        parse_file(path, root)


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
    subjects: dict[str, Callable[[], object]] = {
        "floor: read + CSafeLoader": lambda: yaml_floor(paths),
        "read bytes only": lambda: read_floor(paths),
        "parse only, one core": lambda: parse_only(root, paths),
        "cold index, all cores": lambda: cold_index(root),
        "cold index, one core": lambda: cold_index(root, one_core=True),
    }
    # Interleaved, so that a change in the machine's load falls on every figure alike.
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(options.runs):
        for name, subject in subjects.items():
            start = time.perf_counter()
            subject()
            times[name].append(time.perf_counter() - start)
    floor = statistics.median(times["floor: read + CSafeLoader"])
    for name, measured in times.items():
        report(name, measured, floor)


if __name__ == "__main__":
    main()
