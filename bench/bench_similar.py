"""Benchmark: how well "Similar" finds an article's related articles, with them hidden.

    python bench/bench_similar.py [--library content]

The judged set is the shipped library (``content/``, the library of the search issue's
relevance set, ``bench/relevance/shipped.tsv``): its related lists were written by hand,
so each is a judgement of what an article is close to. (Generated libraries link to
title-order neighbours at random: no judgement there.) For every article with related
articles in the library, "Similar" is computed as if it had none (the list hidden), and
recall@5 is the share of its related articles among the five found (out of at most five).

Printed, in the same run on the same index: qtreader's Similar (``Library.similar``:
question, title and keywords, any significant word, every column, weighted bm25), and
baselines: the title's words alone, and the same words matched in the question, title and
keywords only.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from collections.abc import Callable
from functools import partial
from pathlib import Path

from qtreader.library import store
from qtreader.library.models import Article
from qtreader.library.store import SIMILAR, Library, similar_words

ALL_COLUMNS = "question title keywords description answer"


def found_by(library: Library, article: Article, words: list[str], columns: str) -> list[int]:
    """The ids the Similar query of ``words`` over ``columns`` ranks first."""
    if not words:
        return []
    anywhere = " OR ".join(f'"{word}"' for word in words)
    rows = library.index.db.execute(
        "SELECT d.id FROM search s CROSS JOIN docs d ON d.doc = s.rowid "
        "WHERE search MATCH ? AND d.id != ? ORDER BY s.rank LIMIT ?",
        (f"({{{columns}}} : ({anywhere})) NOT flags : hidden", article.id, SIMILAR),
    ).fetchall()
    return [row[0] for row in rows]


def title_words(article: Article) -> list[str]:
    return similar_words(dataclasses.replace(article, question="", keywords=()))


def _with_terms(library: Library, article: Article, *, terms: int) -> list[int]:
    """Similar with another number of rarest words (store.SIMILAR_TERMS)."""
    kept = store.SIMILAR_TERMS
    store.SIMILAR_TERMS = terms
    try:
        return [link.id for link in library.similar(dataclasses.replace(article, related=()))]
    finally:
        store.SIMILAR_TERMS = kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--library", type=Path, default=Path(__file__).parent.parent / "content")
    args = parser.parse_args()
    library = Library.open(args.library, memory=True)
    library.refresh()

    methods: dict[str, Callable[[Article], list[int]]] = {
        "qtreader Similar": lambda a: [
            link.id for link in library.similar(dataclasses.replace(a, related=()))
        ],
        "baseline: title words": lambda a: found_by(library, a, title_words(a), ALL_COLUMNS),
        "q/t/k words, q/t/k columns": lambda a: found_by(
            library, a, similar_words(a), "question title keywords"
        ),
    }
    judged = []
    for article in library.articles():
        related = {link.id for link in article.related if link.available and link.id != article.id}
        if related:
            judged.append((article, related))
    print(f"{len(judged)} articles with related articles in {args.library}")
    for terms in (4, 8, 16):
        methods[f"rarest {terms} words"] = partial(_with_terms, library, terms=terms)
    for name, method in methods.items():
        recalls, any_hit = [], 0
        for article, related in judged:
            found = set(method(article))
            recalls.append(len(found & related) / min(len(related), SIMILAR))
            any_hit += bool(found & related)
        print(
            f"{name:<28} recall@5 {statistics.mean(recalls):.3f}   "
            f"at least one related found: {any_hit}/{len(judged)}"
        )


if __name__ == "__main__":
    main()
