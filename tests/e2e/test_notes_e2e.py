"""The note's ``$EDITOR`` in a real terminal: qtreader suspends itself, the editor gets
the terminal, and what it writes becomes the note."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import LIBRARY
from .terminal import TMUX, Terminal

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed (.ci/run installs it: apt-get install tmux)"
)


def test_ctrl_e_hands_the_terminal_to_the_editor_and_saves_what_it_wrote(
    terminal: Callable[..., Terminal], tmp_path: Path
) -> None:
    editor = tmp_path / "editor"
    # It says whether it was given the terminal, as an editor needs (qtreader suspended).
    editor.write_text(
        "#!/bin/sh\nif [ -t 0 ] && [ -t 1 ]; then w=terminal; else w=none; fi\n"
        'printf "\\nthe editor had the %s\\n" "$w" >> "$1"\n'
    )
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    term = terminal(width=100, height=30)
    term.start("--library", str(LIBRARY), "502", EDITOR=str(editor))
    term.wait_for("How does a lens focus light?", "A convex lens bends light")
    term.keys("a")
    term.wait_for("Note on “How does a lens focus light?”")
    term.type("from the app")
    term.keys("C-e")
    term.wait_for("Note saved.")
    term.keys("Escape")
    term.wait_for("My note", "from the app the editor had the terminal")
