"""Benchmark: the index's size against the library it indexes.

    python bench/bench_index_size.py /tmp/lib50k [--build]

The floor is the library itself: the bytes of its ``.md`` files. Reported: the index file's
bytes (with its WAL, if any) and their ratio to the floor, and each table and index of it
with ``dbstat`` (pages in use, so free pages show as the difference). ``--build`` builds the
index from nothing in a temporary cache folder first (else the index in the user's cache
is measured, brought up to date).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
from pathlib import Path

from qtreader.library.store import Library


def library_bytes(root: Path) -> tuple[int, int]:
    """How many ``.md`` files the library has, and their bytes."""
    count = total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".md"):
                count += 1
                total += os.path.getsize(os.path.join(folder, name))
    return count, total


def index_bytes(database: str) -> int:
    return sum(
        os.path.getsize(database + suffix)
        for suffix in ("", "-wal")
        if os.path.exists(database + suffix)
    )


def per_table(database: str) -> list[tuple[str, int]]:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        rows = []
    finally:
        db.close()
    return [(str(name), int(size)) for name, size in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--build", action="store_true", help="build from nothing first")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qtreader-size-") as cache:
        if options.build:
            os.environ["XDG_CACHE_HOME"] = cache
        library = Library.open(options.library)
        library.refresh()
        database = library.index.database
        library.index.close_all()
        files, floor = library_bytes(options.library)
        size = index_bytes(database)
        print(f"library: {options.library}: {files} files, {len(library)} articles")
        print(f"  floor: the library's .md files   {floor / 1e6:9.1f} MB")
        print(f"  index: {database}")
        print(f"         file and WAL              {size / 1e6:9.1f} MB")
        for name, table_size in per_table(database):
            if table_size >= 1e5:
                print(f"    {name:<30} {table_size / 1e6:9.1f} MB")
        print(f"  ratio to the floor: {size / floor:.2f}x")


if __name__ == "__main__":
    main()
