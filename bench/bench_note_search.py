"""Benchmark: what searching the user's notes adds to a search, and reading them for one.

    python bench/bench_note_search.py LIBRARY [--notes 1000] [--queries 100] [--rounds 3]

``Library.search`` with ``notes`` makes an in-memory FTS5 table of the notes, and keeps
it while the notes stay the same. Timed, interleaved query by query so that the load of the
machine falls on all alike: the floor, the same search without notes; the search with
``--notes`` notes (texts of about 500 characters made from the library's own answers, so
that their words match) as the app repeats it, the notes unchanged; and the first search
after a note changed (as each ``qtreader search`` is), which makes the table again (on a
second ``Library`` of the same index, which keeps its own table). Queries are words from
the titles; ``note:word`` queries, which have no floor, are timed apart. Then the two ways
of getting the notes for ``qtreader search``: ``open_state`` (which checks the whole file
first) and ``read_notes`` (read-only, no check), on a state
of those notes and 200,000 reviews. Medians and their ratio are printed. Run it in a
scratch XDG_DATA_HOME / XDG_CACHE_HOME: it writes a state file and the library's index.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from qtreader.library.state import open_state, read_notes, to_text
from qtreader.library.store import Library


def make_queries(library: Library, count: int, chooser: random.Random) -> list[str]:
    """Words, word pairs and note: filters, from the library's titles."""
    titles = [row[0] for row in library.index.db.execute("SELECT title FROM files LIMIT 5000")]
    queries: list[str] = []
    while len(queries) < count:
        words = re.findall(r"[a-z]{5,}", chooser.choice(titles).lower())
        if len(words) < 2:
            continue
        kind = len(queries) % 3
        if kind == 0:
            queries.append(chooser.choice(words))
        elif kind == 1:
            queries.append(" ".join(chooser.sample(words, 2)))
        else:
            queries.append(f"note:{chooser.choice(words)}")
    return queries


def make_notes(library: Library, count: int, chooser: random.Random) -> dict[int, str]:
    ids = [row[0] for row in library.index.db.execute("SELECT id FROM articles")]
    notes = {}
    for article_id in chooser.sample(ids, min(count, len(ids))):
        answer = library.answer(article_id) or ""
        start = chooser.randrange(max(1, len(answer) - 500))
        notes[article_id] = answer[start : start + 500]
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    chooser = random.Random(3)
    library = Library.open(options.library)
    if library.is_stale():
        library.refresh()
    queries = make_queries(library, options.queries, chooser)
    notes = make_notes(library, options.notes, chooser)
    second = Library.open(options.library)
    kinds = ("floor", "same", "changed", "note: same", "note: changed")
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    found = 0
    one = next(iter(notes))
    for round_number in range(options.rounds):
        for number, query in enumerate(queries):
            edited = {**notes, one: f"{notes[one]} {round_number} {number}"}
            prefix = "note: " if query.startswith("note:") else ""
            runs = [
                ("floor", library, None),
                (prefix + "same", library, notes),
                (prefix + "changed", second, edited),
            ][1 if prefix else 0 :]
            # Which runs first turns round: a later one may find the index's pages cached.
            for kind, searched, given in runs[number % len(runs) :] + runs[: number % len(runs)]:
                start = time.perf_counter()
                hits = searched.search(query, notes=given)
                times[kind].append(time.perf_counter() - start)
                found += sum(hit.in_note for hit in hits) if kind.endswith("same") else 0
    print(
        f"library: {options.library}: {len(library)} articles; {len(notes)} notes; "
        f"{len(queries)} queries x {options.rounds} rounds; "
        f"{found / (len(queries) * options.rounds):.1f} hits by a note per query"
    )
    floor = statistics.median(times["floor"])
    print(f"  words, without notes (floor)             median {floor * 1e3:7.2f} ms")
    for kind, name in (
        ("same", "words, the same notes again"),
        ("changed", "words, a note changed"),
        ("note: same", "note:word, the same notes again"),
        ("note: changed", "note:word, a note changed"),
    ):
        median = statistics.median(times[kind])
        print(f"  {name:<40} median {median * 1e3:7.2f} ms   ratio {median / floor:.2f}x")

    folder = Path(tempfile.mkdtemp(prefix="qtreader-bench-notes-"))
    path = folder / "state.db"
    store = open_state(path).store
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    for number, (article_id, text) in enumerate(notes.items()):
        store.save_note(article_id, text, moment + timedelta(seconds=number))
    with store._write() as db:
        db.executemany(
            "INSERT INTO reviews (article_id, grade, reviewed_at, answer_hash, state_before, "
            "due_after) VALUES (?, 3, ?, 'hash', 2, ?)",
            (
                (n % 20000, to_text(moment + timedelta(seconds=n)), to_text(moment))
                for n in range(200_000)
            ),
        )
    store.close()
    opened: list[float] = []
    read: list[float] = []
    for _ in range(10):
        start = time.perf_counter()
        checked = open_state(path).store
        checked.note_texts()
        checked.close()
        opened.append(time.perf_counter() - start)
        start = time.perf_counter()
        read_notes(path)
        read.append(time.perf_counter() - start)
    size = path.stat().st_size / 1e6
    shutil.rmtree(folder)
    print(f"state of {size:.0f} MB, {len(notes)} notes and 200,000 reviews:")
    print(f"  open_state + note_texts      median {statistics.median(opened) * 1e3:7.2f} ms")
    print(f"  read_notes                   median {statistics.median(read) * 1e3:7.2f} ms")
    print(f"  ratio {statistics.median(opened) / statistics.median(read):.1f}x")


if __name__ == "__main__":
    main()
