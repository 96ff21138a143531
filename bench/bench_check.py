"""Benchmark: ``qtreader check --render`` against its floor, ``qtreader check``.

    python bench/generate.py /tmp/lib50k --articles 50000 --workers 2
    python bench/bench_check.py /tmp/lib50k [--runs 3]

Runs the installed ``qtreader`` (next to this Python) on a library whose index is already
built: ``check`` (scan the folders, read the catalog: the floor) and ``check --render``
(the same, then every article rendered on every core), alternating run by run. Prints the
median wall time of each and their ratio, the CPU time of every process of each run (the
rendering pool's workers included), and what ``--render`` found.

Target: under a minute for 36,000 articles on 2 cores. On a loaded machine the wall time
says how much of the cores the run got, not how long it takes; so the projection for
36,000 articles on 2 idle cores is made from CPU time as well: the floor's wall time
(scanning, one process) plus the rendering's CPU time over the floor's, halved (two
workers), both scaled to 36,000 articles.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

QTREADER = str(Path(sys.executable).with_name("qtreader"))
TARGET_ARTICLES = 36_000
CORES = 2
_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Have the processes a run leaves (the pool's forkserver, which outlives ``qtreader``
    by a moment) handed to this process, so that their CPU time is counted when reaped."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("cannot count the CPU time of the pool's processes (prctl failed)")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(*args: str) -> tuple[float, float, str]:
    """Wall time, CPU time of every process and stdout of one ``qtreader`` run."""
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run([QTREADER, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    while True:  # the orphans handed to us: reaped, their CPU time counted
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    if done.returncode not in (0, 1):
        sys.exit(f"qtreader {' '.join(args)} failed: {done.stderr.strip()}")
    return wall, children_cpu() - cpu, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    library = str(args.library)
    become_subreaper()
    timed("check", library)  # the index built and up to date before timing
    floor: list[tuple[float, float]] = []
    full: list[tuple[float, float]] = []
    report: dict[str, object] = {}
    for _ in range(args.runs):
        floor.append(timed("check", library)[:2])
        wall, cpu, out = timed("check", library, "--render", "--json")
        full.append((wall, cpu))
        report = json.loads(out)
    rendered = report["render"]
    assert isinstance(rendered, dict)
    articles = int(rendered["articles"])
    check_s, render_s = (statistics.median(run[0] for run in runs) for runs in (floor, full))
    check_cpu, render_cpu = (statistics.median(run[1] for run in runs) for runs in (floor, full))
    scale = TARGET_ARTICLES / articles
    per_article = (render_cpu - check_cpu) / articles
    idle = (check_s + (render_cpu - check_cpu) / CORES) * scale
    print(f"library: {library} ({articles} articles), {args.runs} runs each, alternating")
    print(f"check:          median wall {check_s:6.2f} s, CPU {check_cpu:6.2f} s  (floor)")
    print(
        f"check --render: median wall {render_s:6.2f} s, CPU {render_cpu:6.2f} s  "
        f"({render_s / check_s:.1f}x the floor's wall)"
    )
    print(
        f"as measured:    {articles / (render_s - check_s):.0f} articles/s over the floor; "
        f"{render_s * scale:.0f} s for {TARGET_ARTICLES:,} at this rate"
    )
    print(
        f"CPU:            {per_article * 1e3:.2f} ms per article over the floor; on {CORES} idle "
        f"cores {CORES / per_article:.0f} articles/s, {idle:.0f} s for {TARGET_ARTICLES:,}"
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
