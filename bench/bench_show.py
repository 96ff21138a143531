"""Benchmark: ``qtreader show ID`` as a whole process, against ``python -m rich.markdown``.

    python bench/bench_show.py /tmp/lib50k --runs 15

With a warm index, times a fresh ``qtreader show ID`` (output to a pipe, so plain text at
80 columns; ``--format rich`` is timed too) against the floor measured in the same run: a
fresh ``python -m rich.markdown FILE`` where FILE holds the same decoded answer, that is,
importing Rich and rendering the Markdown. Runs alternate between the commands; medians.
The article is the one whose answer length is the library's median, unless ``--id``.
"""

from __future__ import annotations

import argparse
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


def median_article(library: Library) -> int:
    rows = library.index.db.execute(
        "SELECT a.id FROM articles a JOIN files f ON f.path = a.path "
        "ORDER BY f.size LIMIT 1 OFFSET (SELECT count(*) / 2 FROM articles)"
    ).fetchone()
    return int(rows[0])


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--id", type=int)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    compile_package()
    library = Library.open(options.library)
    if library.is_stale():
        library.refresh()
    article_id = options.id or median_article(library)
    answer = library.answer(article_id)
    qtreader = str(Path(sys.executable).with_name("qtreader"))
    env = {**os.environ, "COLUMNS": "80"}
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as handle:
        handle.write(answer)
    commands = {
        "floor: python -m rich.markdown": [sys.executable, "-m", "rich.markdown", handle.name],
        "qtreader show (plain, to a pipe)": [
            qtreader, "show", str(article_id), "--library", str(options.library),
        ],
        "qtreader show --format rich": [
            qtreader, "show", str(article_id), "--format", "rich", "--library",
            str(options.library),
        ],
    }  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the page cache and the index once
        timed(command, env)
    for _ in range(options.runs):
        for name, command in commands.items():
            times[name].append(timed(command, env))
    os.unlink(handle.name)
    floor = statistics.median(times["floor: python -m rich.markdown"])
    print(f"article {article_id}: {len(answer)} characters of answer; medians of {options.runs}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<34} {median * 1e3:7.1f} ms   {median / floor:4.2f}x")


if __name__ == "__main__":
    main()
