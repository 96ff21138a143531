"""Benchmark: warm start to first paint, and memory, against a minimal Textual app.

    python bench/bench_start.py /tmp/lib50k [/tmp/lib250k] --runs 5

For each library: index it once (in a temporary cache), then start a fresh ``qtreader``
process ``--runs`` times and time it from launch until the subject tree is painted from the
index; the floor, measured in the same run, is a fresh minimal app (a ``Tree`` and a
``Markdown`` widget) from launch to its first paint. Memory is each process's resident set
(VmRSS) at that moment. With two libraries, the second one's warm start is also given as a
ratio to the first's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import qtreader
from qtreader.library.store import Library


def compile_package() -> None:
    """Write qtreader's bytecode, as a wheel install does: with PYTHONDONTWRITEBYTECODE
    set, an editable install would otherwise compile every edited module in every run."""
    import compileall

    compileall.compile_dir(Path(qtreader.__file__).parent, quiet=1)


RSS = """
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
"""

MINIMAL_APP = (
    RSS
    + """
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
        print(json.dumps({"paint": time.time(), "rss": rss_mb(), "cpu": time.process_time()}))
        self.exit()

Minimal().run(headless=True, size=(80, 24))
"""
)

QTREADER_APP = (
    RSS
    + """
import time, json, sys
from pathlib import Path
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen

marks = {}
show = ReaderScreen._show_library

def timed_show(self, library, note=None):
    show(self, library, note)
    if not marks:
        def painted():
            marks.update(paint=time.time(), rss=rss_mb(), cpu=time.process_time())
            self.app.exit()
        self.call_after_refresh(painted)

ReaderScreen._show_library = timed_show
QTReaderApp(Path(sys.argv[1])).run(headless=True, size=(80, 24))
print(json.dumps(marks))
"""
)


def child(code: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    start = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env
    )
    marks: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return {"paint": marks["paint"] - start, "rss": marks["rss"], "cpu": marks["cpu"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("libraries", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cache", type=Path, help="keep the indexes in this folder (default: a new temporary one)"
    )
    options = parser.parse_args()
    compile_package()
    warm_medians: list[float] = []
    with tempfile.TemporaryDirectory() as temporary:
        cache = str(options.cache or temporary)
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        os.environ["XDG_CACHE_HOME"] = cache
        for root in options.libraries:
            root = root.absolute()
            started = time.perf_counter()
            library = Library.open(root)
            library.refresh()
            print(
                f"library: {root}: {len(library)} articles (indexed in "
                f"{time.perf_counter() - started:.1f} s)"
            )
            library.index.close()
            floor, ours = [], []
            for _ in range(options.runs):  # alternating, so that drift hits both alike
                floor.append(child(MINIMAL_APP, env=env))
                ours.append(child(QTREADER_APP, str(root), env=env))
            floor_paint = statistics.median(m["paint"] for m in floor)
            floor_rss = statistics.median(m["rss"] for m in floor)
            paint = statistics.median(m["paint"] for m in ours)
            rss = statistics.median(m["rss"] for m in ours)
            floor_cpu = statistics.median(m["cpu"] for m in floor)
            cpu = statistics.median(m["cpu"] for m in ours)
            warm_medians.append(paint)
            line = f"  minimal app first paint   {floor_paint:7.3f} s   1.00x   "
            print(f"{line}RSS {floor_rss:5.1f} MB")
            print(
                f"  qtreader warm start       {paint:7.3f} s   {paint / floor_paint:4.2f}x   "
                f"RSS {rss:5.1f} MB   {rss / floor_rss:4.2f}x   (medians of {options.runs})"
            )
            print(
                f"  CPU time to that paint: {cpu:.3f} s vs {floor_cpu:.3f} s, "
                f"{cpu / floor_cpu:4.2f}x (all threads; steadier than wall time here)"
            )
            # Each start against the minimal app's start just before it: a drift in the
            # machine's speed over the run (seen here: 0.25 to 0.43 s for the same app)
            # hits both of a pair, where the medians above may take them from either side.
            pairs = [m["paint"] / f["paint"] for f, m in zip(floor, ours, strict=True)]
            print(f"  median of the {len(pairs)} paired ratios: {statistics.median(pairs):4.2f}x")
    if len(warm_medians) > 1:
        for root, paint in zip(options.libraries[1:], warm_medians[1:], strict=True):
            print(
                f"warm start of {root.name}: {paint / warm_medians[0]:.2f}x that of "
                f"{options.libraries[0].name}"
            )


if __name__ == "__main__":
    main()
