"""The process pool's scheduling: chunks in order, and only a few ahead of the writer."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from qtreader.library.pool import parse_in_pool


class CountingPool(ThreadPoolExecutor):
    """A pool (threads stand in for processes) that counts the chunks given to it."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.submitted = 0

    def submit(self, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(*args, **kwargs)


def doubled(chunk: list[int], root: Path) -> list[int]:
    return [item * 2 for item in chunk]


def test_the_pool_works_a_few_chunks_ahead_of_the_consumer_not_the_whole_library() -> None:
    """The workers parse faster than the index is written: what they parse ahead waits in
    memory, so it must stay a few chunks, not every answer of the library."""
    items = list(range(100_000))
    pool = CountingPool()
    starting: Future[Any] = Future()
    starting.set_result(pool)
    chunks = parse_in_pool(items, Path("/"), doubled, pool_starting=starting)
    first = next(chunks)
    ahead = pool.submitted
    rest = list(chunks)
    assert [item for chunk in [first, *rest] for item in chunk] == [i * 2 for i in items]
    assert pool.submitted == len(rest) + 1 > 100
    assert ahead < pool.submitted // 4
