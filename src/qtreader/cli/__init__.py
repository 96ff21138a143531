"""The ``qtreader`` command line: :data:`main` is the click group.

``main`` is imported when first asked for (PEP 562): Python loads this package before
:mod:`qtreader.cli.launch`, the installed entry point, which turns the cyclic collector off
while click and the rest load, so the package itself must load none of them.
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
