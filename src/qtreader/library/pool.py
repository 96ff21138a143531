"""Parsing many files on every core: a process pool that starts early and stays out of the
way of the process that writes the index."""

from __future__ import annotations

import contextlib
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = [
    "ProgressCallback",
    "parse_in_pool",
    "shut_down_when_started",
    "start_pool",
    "start_pool_early",
]

T = TypeVar("T")
Item = TypeVar("Item")

#: Called with (files done, files in all) while a library loads; it may raise to stop the load.
ProgressCallback = Callable[[int, int], None]

# Below this many files a process pool costs more to start than it saves.
_POOL_THRESHOLD = 1500
_CHUNK = 250
#: Chunks submitted to each worker ahead of the writer: enough that none waits for work.
_AHEAD = 4


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start_pool_early() -> Future[ProcessPoolExecutor | None] | None:
    """Start the process pool on a thread now, for a refresh that will surely need it (a
    cold index): its processes start while the folders are scanned. Give the result to
    :func:`parse_in_pool`, which shuts the pool down."""
    if _workers() < 2:
        return None
    import threading
    from concurrent.futures import Future

    future: Future[ProcessPoolExecutor | None] = Future()

    def starting() -> None:
        future.set_result(_start_pool(_workers()))  # never raises: None when it cannot

    threading.Thread(target=starting, name="qtreader-pool", daemon=True).start()
    return future


def parse_in_pool(
    paths: list[Item],
    root: Path,
    work: Callable[[list[Item], Path], list[T]],
    progress: ProgressCallback | None = None,
    *,
    pool_starting: Future[ProcessPoolExecutor | None] | None = None,
) -> Iterator[list[T]]:
    """Run ``work`` over chunks of ``paths`` in order, on every core when there are many.

    Yields each chunk's results as it is done. If the consumer stops early (the progress
    callback raised), queued chunks are dropped. ``pool_starting``: a pool from
    :func:`start_pool_early`, used if there are enough files and shut down in any case.
    """
    total = len(paths)
    chunks = [paths[i : i + _CHUNK] for i in range(0, total, _CHUNK)]
    many = total >= _POOL_THRESHOLD and _workers() > 1
    if pool_starting is not None and not many:
        shut_down_when_started(pool_starting)
        pool_starting = None
    elif pool_starting is None and many:
        pool_starting = start_pool_early()
    done = 0
    if progress:
        progress(0, total)
    try:
        for result in _results(pool_starting, work, chunks, root):
            yield result
            done += len(result)
            if progress:
                progress(done, total)
    finally:
        if pool_starting is not None and (pool := pool_starting.result()) is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def shut_down_when_started(pool_starting: Future[ProcessPoolExecutor | None]) -> None:
    """Shut a pool from :func:`start_pool_early` down, once it has started: a process that
    ended while its pool started left the forkserver's child a lock it could no longer
    find, and a traceback on stderr."""
    pool = pool_starting.result()
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _results(
    pool_starting: Future[ProcessPoolExecutor | None] | None,
    work: Callable[[list[Item], Path], list[T]],
    chunks: list[list[Item]],
    root: Path,
) -> Iterator[list[T]]:
    """``work`` over ``chunks`` in order: in this process while the pool starts (half a
    second and more on a busy machine), then on the pool, if it could start."""
    position = 0
    if pool_starting is not None:
        while position < len(chunks) and not pool_starting.done():
            yield work(chunks[position], root)
            position += 1
        pool = pool_starting.result()
        if pool is not None:
            yield from _ahead(pool, work, chunks[position:], root)
            return
    for chunk in chunks[position:]:
        yield work(chunk, root)


def _ahead(
    pool: ProcessPoolExecutor,
    work: Callable[[list[Item], Path], list[T]],
    chunks: list[list[Item]],
    root: Path,
) -> Iterator[list[T]]:
    """The results of ``work`` over ``chunks`` in order, with at most :data:`_AHEAD` chunks
    per worker submitted and not yet taken. The workers parse several times faster than
    the index is written: with every chunk submitted at once (``pool.map``), the parsed
    library (every answer) waited in this process's memory for the writer.

    While the next result is not ready, this process parses a chunk itself (up to
    :data:`_AHEAD` of them waiting): on a busy machine the workers, which give way to it,
    get little of the processors, and the writer would only wait for them."""
    queued: deque[Future[list[T]] | list[T]] = deque()
    waiting = iter(chunks)
    for chunk in islice(waiting, _AHEAD * _workers()):
        queued.append(pool.submit(work, chunk, root))
    parsed_here = 0
    while queued:
        head = queued[0]
        if not isinstance(head, list) and not head.done() and parsed_here < _AHEAD:
            here = list(islice(waiting, 1))
            if here:
                queued.append(work(here[0], root))
                parsed_here += 1
                continue
        queued.popleft()
        if isinstance(head, list):
            parsed_here -= 1
            result = head
        else:
            result = head.result()
            for chunk in islice(waiting, 1):
                queued.append(pool.submit(work, chunk, root))
        yield result


def _start_pool(workers: int) -> ProcessPoolExecutor | None:
    """The index's pool: its workers give way to the process that writes the index."""
    return start_pool(workers, behind_writer=True)


def start_pool(workers: int, *, behind_writer: bool = False) -> ProcessPoolExecutor | None:
    """A started process pool, or ``None`` if this process cannot start one.
    ``behind_writer``: the workers run at a lower priority than this process, which has
    their results to write.

    forkserver is safe to start from a thread of a running app and cheap per worker. Its
    helper processes inherit ``sys.stderr``'s file descriptor, which a running Textual app
    has replaced with a capture object that has none (``fileno()`` is -1: "bad value(s) in
    fds_to_keep"), so the real stderr stands in while the pool starts.
    """
    # Imported here: a lookup in a warm index never starts a pool.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    captured = sys.stderr
    pool = None
    try:
        if sys.__stderr__ is not None:
            sys.stderr = sys.__stderr__
        # Creating the pool registers a lock with multiprocessing's resource tracker
        # (starting it), and the first task starts the forkserver: both inside this window.
        context = get_context("forkserver")
        if behind_writer:
            # The server imports what parsing needs once, before it forks the workers: each
            # worker imported it again (a fifth of a second of a processor, each).
            context.set_forkserver_preload(_PARSING_MODULES)
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_worker_starts if behind_writer else None,
        )
        pool.submit(os.getpid).result()
    except Exception:  # any failure to start means: parse in this process
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        return None
    finally:
        sys.stderr = captured
    return pool


#: What the index's workers run: imported by the forkserver before it forks them.
_PARSING_MODULES = ["qtreader.library.index", "qtreader.library.parse"]


def _worker_starts() -> None:
    """Run in each new pool process: give way to the process that started the pool.

    That process writes every parsed chunk into the index, in order, while the workers
    parse the next ones. With as many workers as cores, the three shared two cores and the
    writer, on which everything waits, got two thirds of one; the app's event loop, too.
    """
    with contextlib.suppress(OSError):
        os.nice(_WORKER_NICENESS)


#: How much lower than the writer's the workers' priority is: enough that the writer runs
#: whenever it has work, and the workers take the rest of both cores.
_WORKER_NICENESS = 5
