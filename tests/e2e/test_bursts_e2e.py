"""Keys that arrive together, as a terminal delivers a held key: each one counts (the
installed ``qtreader`` in tmux). The palette's burst is in tests/test_tui_robust.py: its
race shows in a pilot every time, in tmux only now and then."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ..articles import Spec, write_article
from .terminal import TMUX, Terminal

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed (.ci/run installs it: apt-get install tmux)"
)

Make = Callable[..., Terminal]


def _library(root: Path, articles: int) -> Path:
    answer = "\n\n".join(f"Paragraph {n} of the long answer." for n in range(120))
    write_article(root, Spec(1, "A long answer to scroll", "Physics", answer=answer))
    for n in range(2, articles):
        subject = f"Subject {n % 20}"
        write_article(root, Spec(n, f"How does the wave number {n} behave?", subject), f"s{n % 20}")
    return root


def test_twenty_downs_in_one_write_scroll_twenty_lines(terminal: Make, tmp_path: Path) -> None:
    term = terminal(width=100, height=30)
    term.start("--library", str(_library(tmp_path / "library", 120)), "1")
    term.wait_for("A long answer to scroll", "Paragraph 0 of the long answer.")
    # `qtreader ID` gives the article the focus: the downs scroll it.
    term.keys(*["Down"] * 20)  # one send-keys: one write to the terminal
    # Question, facts and blank lines: 20 lines down, paragraph 8 heads the pane.
    term.wait_until(
        "paragraph 8 at the top", lambda screen: "Paragraph 8 of" in screen.splitlines()[2]
    )
    assert "Paragraph 7 of" not in term.screen()
    term.keys("q")
    assert term.wait_exit() == 0
