"""Each end-to-end test gets terminals of its own: a tmux server per terminal, killed after
the test, and a temporary home and XDG folders for the program."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .terminal import Terminal


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """Make a :class:`Terminal` (``width``, ``height``); all are closed after the test."""
    made: list[Terminal] = []

    def make(*, width: int = 100, height: int = 30) -> Terminal:
        folder = tmp_path / f"terminal-{len(made)}"
        folder.mkdir()
        made.append(Terminal(folder, width=width, height=height))
        return made[-1]

    yield make
    for opened in made:
        opened.close()
