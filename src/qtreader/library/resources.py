"""Where qtreader's packaged files are: the stylesheet and the shipped library.

A wheel carries them inside the package (``qtreader/_data``, see ``pyproject.toml``); an
editable install or a checkout finds them at the top of the repository. Both resolve here.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir", "shipped_library", "stylesheet"]

_PACKAGE = Path(__file__).resolve().parents[1]


def data_dir(name: str) -> Path:
    """The packaged folder ``name`` (``styles`` or ``content``), wheel or checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"qtreader is installed without its {name!r} folder")


def shipped_library() -> Path:
    """The sample library that ships with qtreader."""
    return data_dir("content")


def stylesheet() -> Path:
    """The app's one stylesheet."""
    return data_dir("styles") / "qtreader.tcss"
