"""Benchmark: loading a library, and the app's first paint, against floors in the same run.

    python bench/generate.py /tmp/lib50k --articles 50000
    python bench/bench_load.py /tmp/lib50k --runs 5

Figures are medians of ``--runs`` runs, each reported with its ratio to a floor measured in
this run on this machine:

- load: ``load_library`` (all cores, and one core) against reading every file and parsing
  its front matter with ``yaml.CSafeLoader`` alone on one core;
- paint: a fresh ``qtreader`` process to its first paint and to the loaded library on
  screen, against a fresh minimal Textual app (a Tree and a Markdown widget) to its first
  paint.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from qtreader import store
from qtreader.store import load_library, scan_library


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


def timed(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def load_single_core(root: Path) -> None:
    threshold = store._POOL_THRESHOLD
    store._POOL_THRESHOLD = 1 << 60
    try:
        load_library(root)
    finally:
        store._POOL_THRESHOLD = threshold


# Child processes for the paint figures: each prints wall-clock marks as JSON.

MINIMAL_APP = """
import time, json
from textual.app import App
from textual.widgets import Markdown, Tree

class Minimal(App[None]):
    def compose(self):
        yield Tree("Subjects")
        yield Markdown("# Question\\n\\nAn answer.")
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        print(json.dumps({"first_paint": time.time()}))
        self.exit()

Minimal().run(headless=True, size=(80, 24))
"""

QTREADER_APP = """
import time, json, sys
from pathlib import Path
from qtreader.app import QTReaderApp
from qtreader.screens.reader import ReaderScreen

marks = {}
loaded = ReaderScreen.library_loaded

def library_loaded(self, library):
    loaded(self, library)
    self.call_after_refresh(lambda: (marks.update(loaded=time.time()), self.app.exit()))

ReaderScreen.library_loaded = library_loaded

class Timed(QTReaderApp):
    def on_mount(self):
        self.call_after_refresh(lambda: marks.update(first_paint=time.time()))

Timed(Path(sys.argv[1])).run(headless=True, size=(80, 24))
print(json.dumps(marks))
"""


def paint_marks(code: str, *args: str) -> dict[str, float]:
    start = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    marks: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return {name: stamp - start for name, stamp in marks.items()}


def report(name: str, times: list[float], floor: float) -> None:
    median = statistics.median(times)
    print(f"  {name:<34} {median:8.3f} s   {median / floor:5.2f}x floor   (runs: {len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    root: Path = options.library.absolute()
    entries, _ = scan_library(root)
    paths = [entry.path for entry in entries]
    size = sum(entry.size for entry in entries) / 1e6
    library = load_library(root)
    print(f"library: {root}: {len(paths)} files, {size:.0f} MB, {len(library)} articles")

    print("load (medians; floor = read + yaml.CSafeLoader front matter, one core)")
    floor_times = timed(lambda: yaml_floor(paths), options.runs)
    floor = statistics.median(floor_times)
    report("floor: read + CSafeLoader", floor_times, floor)
    report("read bytes only", timed(lambda: read_floor(paths), options.runs), floor)
    report("load_library (all cores)", timed(lambda: load_library(root), options.runs), floor)
    report("load_library (one core)", timed(lambda: load_single_core(root), options.runs), floor)

    print("paint, fresh process each run (floor = minimal Tree + Markdown app, first paint)")
    minimal = [paint_marks(MINIMAL_APP)["first_paint"] for _ in range(options.runs)]
    ours = [paint_marks(QTREADER_APP, str(root)) for _ in range(options.runs)]
    paint_floor = statistics.median(minimal)
    report("floor: minimal app first paint", minimal, paint_floor)
    report("qtreader first paint", [m["first_paint"] for m in ours], paint_floor)
    report("qtreader library on screen", [m["loaded"] for m in ours], paint_floor)


if __name__ == "__main__":
    main()
