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
    assert len(rest) + 1 > 100 and pool.submitted <= len(rest) + 1
    assert ahead < (len(rest) + 1) // 4


class StalledPool(ThreadPoolExecutor):
    """A pool whose workers never get a processor: a chunk is parsed only when its result
    is asked for (as on a machine busy with other work)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1

        class Later(Future[Any]):
            def result(self, timeout: float | None = None) -> Any:
                if not self.done():
                    self.set_result(fn(*args, **kwargs))
                return super().result(timeout)

        return Later()


def test_while_the_workers_are_busy_the_writer_parses_a_few_chunks_itself() -> None:
    items = list(range(10_000))
    pool = StalledPool()
    starting: Future[Any] = Future()
    starting.set_result(pool)
    here: list[int] = []

    def recording(chunk: list[int], root: Path) -> list[int]:
        here.append(len(chunk))
        return doubled(chunk, root)

    results = list(parse_in_pool(items, Path("/"), recording, pool_starting=starting))
    assert [item for chunk in results for item in chunk] == [i * 2 for i in items]
    # Every chunk parsed once: by the pool, or here while the one it waited for was not done.
    assert sum(here) == len(items)
    parsed_here = len(here) - pool.submitted
    assert parsed_here > 0 and pool.submitted > 0
