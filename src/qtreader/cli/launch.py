"""The ``qtreader`` command's entry point: the command line, loaded without the cyclic
garbage collector's rounds."""

from __future__ import annotations

import gc


def main() -> None:
    """Load the command line, then run it.

    Loading click and qtreader makes tens of thousands of objects that live as long as the
    process, and the collector walked them again and again while they loaded: about a
    twentieth of a whole ``qtreader show``. It is off while they load; then they are frozen
    (never walked again, as CPython's documentation suggests for objects made at start-up)
    and it runs as usual, so the app and long commands collect what they make.
    ``qtreader.cli`` itself imports nothing until ``main`` is asked of it, so that all of it
    loads here (bench/bench_launch.py: 4-10 % of ``qtreader show 2009`` above the floor).
    Rich and the answer's renderer, which commands import when they need them, load the
    same way (:func:`qtreader.cli.common.loading`) once the process is known to be one
    command line's.
    """
    gc.disable()
    try:
        from qtreader.cli import main as command_line
        from qtreader.cli.common import launched
    finally:
        gc.freeze()
        gc.enable()
    launched()  # and what commands load later, the same way (common.loading)
    command_line()
