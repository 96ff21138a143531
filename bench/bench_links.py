"""Benchmark: Cited by and Similar lookups on a large library, against a floor.

    python bench/bench_links.py LIBRARY [LIBRARY ...] [--articles 300] [--rounds 3]

Each library must be indexed already (``qtreader index --library LIBRARY``, with the same
cache folder): nothing is parsed here and nothing is written into the library.

For ``--articles`` articles chosen at random (seeded), timed one after the other for each
article so that the machine's load falls on all three alike: the floor (``Library.article``,
the lookup of the article itself by id, which every open does), ``Library.cited_by`` and
``Library.similar``. Printed per library: median and p95 of each in milliseconds, and each
median's ratio to the floor's. Then what the edges cost: the index's size and the
related_edges table's (SQLite's dbstat), the edges and the most citations of one article,
and the time to write every edge again (as a bulk refresh does; rolled back).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from qtreader.library.index import write_edges
from qtreader.library.store import Library


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def bench(root: Path, articles: int, rounds: int) -> None:
    library = Library.open(root)
    db = library.index.db
    count = len(library)
    if not count:
        raise SystemExit(f"{root}: not indexed yet (run qtreader index --library {root})")
    ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id")]
    chosen = random.Random(1).sample(ids, min(articles, len(ids)))
    times: dict[str, list[float]] = {"floor (article by id)": [], "cited_by": [], "similar": []}
    for _ in range(rounds):
        for article_id in chosen:
            found = library.article(article_id)
            assert found is not None
            times["floor (article by id)"].append(_timed(partial(library.article, article_id)))
            times["cited_by"].append(_timed(partial(library.cited_by, article_id)))
            times["similar"].append(_timed(partial(library.similar, found)))
    print(f"{root}: {count:,} articles, {len(chosen)} articles x {rounds} rounds")
    floor = _ms(times["floor (article by id)"])[0]
    for name, seconds in times.items():
        median, p95 = _ms(seconds)
        print(f"  {name:<22} median {median:7.2f} ms  p95 {p95:7.2f} ms  x{median / floor:.2f}")

    size = Path(library.index.database).stat().st_size
    try:
        (edges_bytes,) = db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN "
            "('related_edges', 'sqlite_autoindex_related_edges_1')"
        ).fetchone()
    except Exception:  # SQLite built without dbstat
        edges_bytes = None
    edges, most = db.execute(
        "SELECT sum(n), max(n) FROM (SELECT count(*) AS n FROM related_edges GROUP BY target)"
    ).fetchone()
    shown = f"{edges_bytes / 1e6:.1f} MB" if edges_bytes else "unknown (no dbstat)"
    print(f"  index {size / 1e6:.0f} MB, related_edges {shown} ({edges:,} edges)")
    print(f"  most citations of one article: {most}")
    db.execute("BEGIN IMMEDIATE")
    try:
        start = time.perf_counter()
        write_edges(db, None)
        rewrite = time.perf_counter() - start
        # The floor of that: reading the catalog's rows once, as the refresh does anyway.
        start = time.perf_counter()
        db.execute("SELECT path, id, subject, title, question, slug, url FROM files").fetchall()
        catalog = time.perf_counter() - start
        print(f"  writing every edge again: {rewrite:.2f} s (reading the catalog {catalog:.2f} s)")
    finally:
        db.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("libraries", type=Path, nargs="+")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for root in args.libraries:
        bench(root, args.articles, args.rounds)


if __name__ == "__main__":
    main()
