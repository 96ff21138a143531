"""Shared fixtures. Every test runs with its own empty config, data, state and cache dirs, so
the developer's own qtreader settings never leak in."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO, Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
LIBRARY = FIXTURES / "library"


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point every XDG dir at a fresh temporary folder and forget ``QTREADER_LIBRARY``."""
    home = tmp_path_factory.mktemp("home")
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(home / name.lower()))
    monkeypatch.delenv("QTREADER_LIBRARY", raising=False)
    return home


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture library."""
    target = tmp_path / "library"
    shutil.copytree(LIBRARY, target)
    return target


def refuse_to_open(monkeypatch: pytest.MonkeyPatch, refused: Path) -> None:
    """Make ``Path.open`` of ``refused`` fail with EACCES: tests run as root, which reads
    any file whatever its mode."""
    real_open = Path.open

    def guarded_open(self: Path, *args: Any, **kwargs: Any) -> IO[Any]:
        if self == refused:
            raise PermissionError(13, "Permission denied", str(self))
        opened: IO[Any] = real_open(self, *args, **kwargs)
        return opened

    monkeypatch.setattr(Path, "open", guarded_open)


@pytest.fixture
def unsafe(tmp_path: Path) -> Path:
    """A library whose names and fields hold what a terminal must never receive raw (see
    ``tests/hostile_library.py``)."""
    from .hostile_library import make_unsafe_library

    return make_unsafe_library(tmp_path)
