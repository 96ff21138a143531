"""Benchmark: ``qtreader check --render`` against its floor, ``qtreader check``.

    python bench/generate.py /tmp/lib50k --articles 50000 --workers 2
    python bench/bench_check.py /tmp/lib50k [--runs 3]

Runs the installed ``qtreader`` (next to this Python) on a library whose index is already
built: ``check`` (scan the folders, read the catalog: the floor) and ``check --render``
(the same, then every article rendered on every core), alternating run by run. Prints the
median wall time of each, their ratio, the rate of rendering, and what ``--render`` found.
Target: under a minute for 36,000 articles on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

QTREADER = str(Path(sys.executable).with_name("qtreader"))


def timed(*args: str) -> tuple[float, str]:
    """Wall time of one ``qtreader`` run and its stdout."""
    started = time.perf_counter()
    done = subprocess.run([QTREADER, *args], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        sys.exit(f"qtreader {' '.join(args)} failed: {done.stderr.strip()}")
    return time.perf_counter() - started, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    library = str(args.library)
    timed("check", library)  # the index built and up to date before timing
    floor: list[float] = []
    full: list[float] = []
    report: dict[str, object] = {}
    for _ in range(args.runs):
        floor.append(timed("check", library)[0])
        seconds, out = timed("check", library, "--render", "--json")
        full.append(seconds)
        report = json.loads(out)
    rendered = report["render"]
    assert isinstance(rendered, dict)
    articles = int(rendered["articles"])
    check_s, render_s = statistics.median(floor), statistics.median(full)
    print(f"library: {library} ({articles} articles)")
    print(f"check:          median {check_s:6.2f} s of {args.runs}  (floor)")
    print(
        f"check --render: median {render_s:6.2f} s of {args.runs}  ({render_s / check_s:.1f}x; "
        f"{(render_s - check_s) / articles * 1e3:.2f} ms per article over the floor; "
        f"{36_000 * render_s / articles:.0f} s for 36,000 at this rate)"
    )
    print(
        f"found: {rendered['formulas']} formulas, {rendered['drawn']} drawn, "
        f"{rendered['raw']} raw; {rendered['failed']} articles failed"
    )
    commands: collections.Counter[str] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    for finding in rendered["findings"]:
        if "raw_tex" in finding:
            commands.update(set(re.findall(r"\\([A-Za-z]+)", finding["raw_tex"])) or {"(none)"})
        else:
            errors[finding["error"].partition(":")[0]] += 1
    print("raw formulas by command:", ", ".join(f"\\{c} {n}" for c, n in commands.most_common(12)))
    if errors:
        print("exceptions by type:", ", ".join(f"{e} {n}" for e, n in errors.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
