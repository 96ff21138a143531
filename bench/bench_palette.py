"""Benchmark: the command palette's work per keystroke, jumping by title.

    python bench/bench_palette.py /tmp/lib50k [--words 40]

Builds (or reuses) the library's index, then types title fragments a letter at a time
(as a student would: the start of a title's words) and times, per keystroke, what the
palette's provider does: the title candidates (``Library.fuzzy_titles``) and Textual's
fuzzy ``Matcher`` scoring and highlighting each, as ``qtreader.tui.commands`` does. The floor,
measured in the same run on the same keystrokes, is the search box's own per-keystroke
work (``Library.search`` of the text typed, 50 results). Medians and p95, and their ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time
from pathlib import Path

from textual.fuzzy import Matcher

from qtreader.library.query import QueryError
from qtreader.library.store import Library
from qtreader.tui.commands import CANDIDATES


def palette_keystroke(library: Library, typed: str) -> int:
    """What the palette's provider does for one keystroke; the number of hits."""
    matcher = Matcher(typed)
    hits = 0
    for subject in library.subjects:
        if matcher.match(f"Subject: {subject.name}") > 0:
            matcher.highlight(f"Subject: {subject.name}")
            hits += 1
    for _, title, _ in library.fuzzy_titles(typed, CANDIDATES):
        if matcher.match(title) > 0:
            matcher.highlight(title)
            hits += 1
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--words", type=int, default=40, help="title fragments typed")
    options = parser.parse_args()
    library = Library.open(options.library)
    if library.is_stale():
        library.refresh()
    start = time.perf_counter()
    if hasattr(library, "title_list"):  # absent before qtreader kept one (to compare)
        library.title_list()
    made = time.perf_counter() - start
    chooser = random.Random(3)
    titles = sorted(row[0] for row in library.index.db.execute("SELECT title FROM files"))
    typed: list[str] = []
    for title in chooser.sample(titles, options.words):
        words = title.rstrip("?").split()[1:4]  # "What is ..." : what follows the question word
        text = " ".join(words)[:12]
        typed.extend(text[: n + 1] for n in range(len(text)))
    palette: list[float] = []
    box: list[float] = []
    for text in typed:
        start = time.perf_counter()
        palette_keystroke(library, text)
        palette.append(time.perf_counter() - start)
        start = time.perf_counter()
        with contextlib.suppress(QueryError):
            library.search(text, limit=50)
        box.append(time.perf_counter() - start)
    print(
        f"library: {options.library}: {len(library)} articles; {len(typed)} keystrokes; "
        f"title list made once in {made * 1e3:.0f} ms (as the palette opens)"
    )
    for name, times in (("floor: search box", box), ("palette (ctrl+p)", palette)):
        ordered = sorted(times)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"  {name:<20} median {statistics.median(times) * 1e3:6.2f} ms   "
            f"p95 {p95 * 1e3:6.2f} ms   max {max(times) * 1e3:6.2f} ms"
        )
    ratio = statistics.median(palette) / statistics.median(box)
    print(f"  palette median / search box median: {ratio:.2f}")


if __name__ == "__main__":
    main()
