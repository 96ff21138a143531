"""Benchmark: expanding a subject of thousands of articles in the tree.

    python bench/generate.py /tmp/one-subject --articles 5000 --subjects 1
    python bench/bench_tree.py /tmp/one-subject --runs 5

Times ``enter`` on the subject until the expanded tree is painted (first expansion, which
builds the nodes from the index, and a later one), medians of ``--runs`` fresh apps, against
the floor measured in the same run: a plain Textual ``Tree`` whose node gets the same titles
as leaves and is expanded and painted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Tree

from qtreader.library.store import Library
from qtreader.tui.app import QTReaderApp


class PlainTree(App[None]):
    """The floor: Textual's Tree given the titles as leaves, nothing else."""

    def __init__(self, titles: list[str]) -> None:
        super().__init__()
        self.titles = titles

    def compose(self) -> ComposeResult:
        tree: Tree[None] = Tree("Subjects")
        tree.show_root = False
        yield tree


async def floor_once(titles: list[str]) -> float:
    app = PlainTree(titles)
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(Tree)
        node = tree.root.add("Subject")
        tree.root.expand()
        await pilot.pause()
        start = time.perf_counter()
        for title in titles:
            node.add_leaf(Text(title))
        node.expand()
        await pilot.pause()
        return time.perf_counter() - start


async def qtreader_once(root: Path) -> tuple[float, float]:
    app = QTReaderApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause()
        first = time.perf_counter() - start
        await pilot.press("enter")
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause()
        return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    library = Library.open(options.library)
    library.refresh()
    subject = library.subjects[0]
    titles = [title for _, title in library.titles_in(subject.name)]
    floor = [asyncio.run(floor_once(titles)) for _ in range(options.runs)]
    ours = [asyncio.run(qtreader_once(options.library)) for _ in range(options.runs)]
    base = statistics.median(floor)
    print(f"subject {subject.name!r}: {len(titles)} articles; medians of {options.runs}")
    print(f"  floor: plain Tree, add + expand   {base * 1e3:7.1f} ms   1.00x")
    for name, index in (("qtreader first expansion", 0), ("qtreader expanding again", 1)):
        median = statistics.median(run[index] for run in ours)
        print(f"  {name:<32} {median * 1e3:7.1f} ms   {median / base:4.2f}x")


if __name__ == "__main__":
    main()
