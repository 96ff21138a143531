"""Benchmark: search latency over a whole library, in-process.

    python bench/bench_search.py /tmp/lib50k [--queries 200] [--rounds 5]

Builds (or reuses) the library's index, then times ``Library.search`` (ranked by bm25, with
highlighted snippets, 20 results) over a fixed mix of queries drawn from the library's own
titles: single words, two words, "phrases" and prefix*. The index keeps no answers (since
schema 12): each query's snippets read the answers of its hits from their files (only the
answer of a file unchanged since the refresh), so this includes that work: the
200 texts a library keeps are far fewer than the hits of all the queries.
Reported: p50, p95 and max over all rounds, and the same for the floor measured in the
same run, a bare FTS5 ``MATCH`` of the same expression with no ranking and no snippets.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from pathlib import Path

from qtreader.library.query import parse_query
from qtreader.library.store import Library

STOP = {"what", "how", "does", "the", "and", "are", "why", "which", "with", "for", "its", "can"}


def make_queries(library: Library, count: int, seed: int = 7) -> list[str]:
    """A reproducible mix of the four kinds of query, from the library's titles."""
    chooser = random.Random(seed)
    # The index keeps a title only where it is not the question (schema 15).
    found = library.index.db.execute("SELECT coalesce(title, question) FROM files LIMIT 5000")
    titles = [row[0] for row in found]
    queries: list[str] = []
    kinds = ["word", "two", "phrase", "prefix"]
    while len(queries) < count:
        words = [
            w for w in re.findall(r"[a-z]{4,}", chooser.choice(titles).lower()) if w not in STOP
        ]
        if len(words) < 2:
            continue
        kind = kinds[len(queries) % 4]
        if kind == "word":
            queries.append(chooser.choice(words))
        elif kind == "two":
            queries.append(" ".join(chooser.sample(words, 2)))
        elif kind == "phrase":
            start = chooser.randrange(len(words) - 1)
            queries.append(f'"{words[start]} {words[start + 1]}"')
        else:
            queries.append(chooser.choice(words)[:4] + "*")
    return queries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    library = Library.open(options.library)
    if library.is_stale():
        library.refresh()
    queries = make_queries(library, options.queries)
    db = library.index.db
    ours: list[float] = []
    floor: list[float] = []
    hits = 0
    for _ in range(options.rounds):
        for query in queries:
            match = parse_query(query).match
            start = time.perf_counter()
            db.execute(
                "SELECT rowid FROM search WHERE search MATCH ? LIMIT 20", (match,)
            ).fetchall()
            floor.append(time.perf_counter() - start)
            start = time.perf_counter()
            hits += len(library.search(query, limit=20))
            ours.append(time.perf_counter() - start)
    print(
        f"library: {options.library}: {len(library)} articles; {len(queries)} queries x "
        f"{options.rounds} rounds, {hits / len(ours):.1f} results per query on average"
    )
    for name, times in (("floor: bare MATCH", floor), ("search with rank + snippets", ours)):
        p50, p95 = percentile(times, 0.5) * 1e3, percentile(times, 0.95) * 1e3
        print(
            f"  {name:<30} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   max {max(times) * 1e3:7.2f} ms"
        )
    ratio = percentile(ours, 0.95) / percentile(floor, 0.95)
    print(f"  p95 ratio to the floor: {ratio:.1f}x; mean {statistics.mean(ours) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
