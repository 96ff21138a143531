"""The ``qtreader`` command line: :data:`main` is the click group.

Imported lazily (PEP 562): :mod:`qtreader.cli.launch`, the installed entry point, must
import this package before it turns the cyclic collector off to load click and the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qtreader.cli.group import main

__all__ = ["main"]


def __getattr__(name: str) -> Any:
    if name == "main":
        from qtreader.cli.group import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
