"""Benchmark: search latency over a whole library, in-process.

    python bench/bench_search.py /tmp/lib50k [--queries 200] [--rounds 5]

Builds (or reuses) the library's index, then times ``Library.search`` (ranked by bm25, with
highlighted snippets, 20 results) over a fixed mix of queries drawn from the library's own
titles: single words, two words, "phrases" and prefix*. The index keeps no answers (since
schema 12): each query's snippets read the answers of its hits from their files (only the
answer of a file unchanged since the refresh), so this includes that work: the
200 texts a library keeps are far fewer than the hits of all the queries.
Reported: p50, p95 and max over all rounds, and the same for the floor measured in the
same run, a bare FTS5 ``MATCH`` of the same expression with no ranking and no snippets;
then the same per kind of query (the p95 is the worst kind's). ``--dump FILE`` writes each
query's hit ids (JSON) and ``--compare FILE`` counts the queries whose hits differ from
such a file: a change to how search runs, not what it finds, must give the same hits.
"""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--dump", type=Path, help="write each query's hit ids here (JSON)")
    parser.add_argument("--compare", type=Path, help="compare the hit ids with a --dump")
    options = parser.parse_args()
    library = Library.open(options.library)
    if library.is_stale():
        library.refresh()
    queries = make_queries(library, options.queries)
    db = library.index.db
    kinds = ["word", "two", "phrase", "prefix"]  # the order make_queries cycles through
    ours: dict[str, list[float]] = {kind: [] for kind in kinds}
    floor: dict[str, list[float]] = {kind: [] for kind in kinds}
    found: dict[str, list[int]] = {}
    for _ in range(options.rounds):
        for number, query in enumerate(queries):
            kind = kinds[number % 4]
            match = parse_query(query).match
            start = time.perf_counter()
            db.execute(
                "SELECT rowid FROM search WHERE search MATCH ? LIMIT 20", (match,)
            ).fetchall()
            floor[kind].append(time.perf_counter() - start)
            start = time.perf_counter()
            results = library.search(query, limit=20)
            ours[kind].append(time.perf_counter() - start)
            found[query] = [hit.id for hit in results]
    if options.dump:
        options.dump.write_text(json.dumps(found), encoding="utf-8")
    all_ours = [t for times in ours.values() for t in times]
    all_floor = [t for times in floor.values() for t in times]
    hits = sum(len(ids) for ids in found.values()) * options.rounds
    print(
        f"library: {options.library}: {len(library)} articles; {len(queries)} queries x "
        f"{options.rounds} rounds, {hits / len(all_ours):.1f} results per query on average"
    )
    for kind in ("all", *kinds):
        subject = all_ours if kind == "all" else ours[kind]
        bare = all_floor if kind == "all" else floor[kind]
        print(f"{kind}:")
        for name, times in (("floor: bare MATCH", bare), ("search with rank + snippets", subject)):
            p50, p95 = percentile(times, 0.5) * 1e3, percentile(times, 0.95) * 1e3
            print(
                f"  {name:<30} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   "
                f"max {max(times) * 1e3:7.2f} ms"
            )
        ratio = percentile(subject, 0.95) / percentile(bare, 0.95)
        print(
            f"  p95 ratio to the floor: {ratio:.1f}x; mean {statistics.mean(subject) * 1e3:.2f} ms"
        )
    if options.compare:
        before = json.loads(options.compare.read_text(encoding="utf-8"))
        same_set = sum(set(before.get(q, [])) == set(ids) for q, ids in found.items())
        same = sum(before.get(q) == ids for q, ids in found.items())
        print(
            f"compared with {options.compare}: {same} of {len(found)} queries the same hits in "
            f"the same order, {same_set} the same hits in any order"
        )


if __name__ == "__main__":
    main()
