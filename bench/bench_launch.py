"""Benchmark: does the entry point's garbage-collector trick pay? ``qtreader show ID``.

    python bench/bench_launch.py --runs 20 [--id 2009] [--library PATH]

Times fresh processes of ``qtreader show ID --no-pager`` (output to a pipe) started two
ways: through the entry point as installed (``qtreader.cli.launch:main``) and by calling
the click group directly with the collector left alone, against the floor ``python -c
pass`` measured in the same run. Runs alternate between the three; medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

ENTRY_POINT = "from qtreader.cli.launch import main; main()"
GROUP = "from qtreader.cli import main; main()"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--id", default="2009")
    parser.add_argument("--library")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--entry", default=ENTRY_POINT, help="Code of the entry point to time.")
    options = parser.parse_args()
    args = ["show", options.id, "--no-pager"]
    if options.library:
        args += ["--library", options.library]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "entry point": [sys.executable, "-c", options.entry, *args],
        "group, collector as is": [sys.executable, "-c", GROUP, *args],
    }
    for command in commands.values():  # warm the caches and the index once
        timed(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(options.runs):
        for name, command in commands.items():
            times[name].append(timed(command))
    floor = statistics.median(times["python -c pass"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:<24} median {median * 1000:7.1f} ms   above floor "
            f"{(median - floor) * 1000:7.1f} ms"
        )
    entry = statistics.median(times["entry point"]) - floor
    group = statistics.median(times["group, collector as is"]) - floor
    print(f"entry point / group above the floor: {entry / group:.3f}")


if __name__ == "__main__":
    main()
