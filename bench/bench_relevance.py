"""Benchmark: how well search finds what a student means, on judged queries.

    python bench/bench_relevance.py [--shipped content] [--generated /tmp/lib5k]

Each ``bench/relevance/*.tsv`` holds judged queries, one a line: the query as a student
would type it, a tab, the ids of the articles that answer it (comma-separated). ``shipped``
files are judged over the shipped library (``content/``), ``generated`` ones over
``python bench/generate.py DIR --articles 5000 --seed 1`` (pass its folder) as the
generator was when they were judged: later generators (every fact of real libraries at its
rate, 707701a) give other articles those ids, and every generated query scores 0. Make
that library with ``git show 17866a0:bench/generate.py > /tmp/generate-judged.py``, then
``python /tmp/generate-judged.py DIR --articles 5000 --seed 1``.

Printed per file and over all: MRR (the mean of 1/rank of the first answering article in
the top 20, 0 if none) and recall@5 (the share of answering articles in the top five, out
of at most five), for qtreader's search and, in the same run on the same index, for plain
bm25: the FTS5 query of the raw words (each quoted, all required) ranked by default bm25().
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

from qtreader.library.store import Library

HERE = Path(__file__).parent
DEPTH = 20


def judged(path: Path) -> list[tuple[str, set[int]]]:
    """The (query, answering ids) of a judgement file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, ids = line.split("\t")
        rows.append((query, {int(i) for i in ids.split(",")}))
    return rows


def plain_bm25(library: Library, query: str) -> list[int]:
    """Plain bm25: every word of the query quoted, all required, default weights."""
    words = re.findall(r"\w+", query)
    if not words:
        return []
    match = "(" + " ".join(f'"{w}"' for w in words) + ") NOT (flags : hidden)"
    rows = library.index.db.execute(
        "SELECT d.id FROM search CROSS JOIN docs d ON d.doc = search.rowid "
        "WHERE search MATCH ? ORDER BY bm25(search) LIMIT ?",
        (match, DEPTH),
    ).fetchall()
    return [row[0] for row in rows]


def ours(library: Library, query: str) -> list[int]:
    try:
        return [hit.id for hit in library.search(query, limit=DEPTH)]
    except ValueError:  # a query qtreader refuses (a too-short prefix) finds nothing
        return []


def scores(ranked: list[int], relevant: set[int]) -> tuple[float, float]:
    """(reciprocal rank, recall@5) of one result list."""
    rank = next((n for n, found in enumerate(ranked, 1) if found in relevant), None)
    recall = len(set(ranked[:5]) & relevant) / min(len(relevant), 5)
    return (1 / rank if rank else 0.0), recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shipped", type=Path, default=HERE.parent / "content")
    parser.add_argument("--generated", type=Path, help="a library of generate.py, 5000 seed 1")
    parser.add_argument("--misses", action="store_true", help="list queries ours misses")
    options = parser.parse_args()
    totals: dict[str, list[tuple[float, float]]] = {"qtreader": [], "plain bm25": []}
    for path in sorted((HERE / "relevance").glob("*.tsv")):
        root = options.generated if path.name.startswith("generated") else options.shipped
        if root is None:
            print(f"{path.name}: skipped (no --generated library given)")
            continue
        library = Library.open(root)
        if library.is_stale():
            library.refresh()
        queries = judged(path)
        print(f"{path.name}: {len(queries)} queries over {root} ({len(library)} articles)")
        for name, search in (("qtreader", ours), ("plain bm25", plain_bm25)):
            results = []
            for query, relevant in queries:
                ranked = search(library, query)
                result = scores(ranked, relevant)
                results.append(result)
                if options.misses and name == "qtreader" and result[0] < 1:
                    print(f"    {result[0]:.2f}  {query!r}: {ranked[:5]} want {sorted(relevant)}")
            totals[name].extend(results)
            mrr = statistics.mean(r[0] for r in results)
            recall = statistics.mean(r[1] for r in results)
            print(f"  {name:<12} MRR {mrr:.3f}   recall@5 {recall:.3f}")
    print(f"all: {len(totals['qtreader'])} queries")
    for name, results in totals.items():
        if results:
            mrr = statistics.mean(r[0] for r in results)
            recall = statistics.mean(r[1] for r in results)
            print(f"  {name:<12} MRR {mrr:.3f}   recall@5 {recall:.3f}")


if __name__ == "__main__":
    main()
