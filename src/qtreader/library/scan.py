"""Finding a library's article files: every ``.md`` file under its folder, with folder
symlinks followed but never in a loop, and each folder or file that cannot be read named."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from qtreader.library.decode import escape_controls
from qtreader.library.models import Problem

__all__ = ["FileEntry", "scan_folders", "scan_library"]


class FileEntry(NamedTuple):
    """An article file found in a library folder."""

    #: Its path under the library's folder, with ``/`` between the parts.
    relative: str
    #: -1 for both when the scan took names only (see :func:`scan_folders`).
    size: int
    mtime_ns: int


def scan_library(root: Path) -> tuple[list[FileEntry], list[Problem]]:
    """Find every ``.md`` file under ``root``, following folder symlinks but never in a loop.

    Hidden files and folders (``.git``) are skipped. The result is sorted by relative path.
    """
    files, problems, _ = scan_folders(root)
    return files, problems


def scan_folders(
    root: Path, *, sizes: bool = True
) -> tuple[list[FileEntry], list[Problem], dict[str, int]]:
    """:func:`scan_library`, and the mtime of every folder scanned (by path relative to
    ``root``): adding or removing a file changes its folder's mtime.

    Files are named by text, not Path: a Path per file, and sorting them, were two thirds
    of the scan that every start runs (0.4 of 0.6 s at 54,000 files). Without ``sizes``,
    regular files are not stat'ed (size and mtime are -1): a refresh that parses every
    file has each one's from parsing it, and the stat calls were nine tenths of the scan
    (0.28 of 0.32 s at 54,000 files), while the pool waited for the names.
    """

    folders: dict[str, int] = {}
    files: list[FileEntry] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, int], Path] = {}
    stack: list[tuple[Path, str]] = [(root, "")]  # a folder, and its relative path + "/"
    while stack:
        folder, prefix = stack.pop()
        try:
            identity = folder.stat()
        except OSError as error:
            problems.append(Problem(folder, f"cannot open folder: {error.strerror or error}"))
            continue
        key = (identity.st_dev, identity.st_ino)
        if key in seen:
            problems.append(
                Problem(
                    folder,
                    f"folder symlink loop: leads back to {escape_controls(seen[key])}, "
                    "not followed",
                )
            )
            continue
        seen[key] = folder
        folders[prefix.rstrip("/") or "."] = identity.st_mtime_ns
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            problems.append(Problem(folder, f"cannot read folder: {error.strerror or error}"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    stack.append((folder / name, f"{prefix}{name}/"))
                    continue
                if not name.lower().endswith(".md"):
                    continue
                if not sizes and entry.is_file(follow_symlinks=False):  # no system call
                    files.append(FileEntry(prefix + name, -1, -1))
                    continue
                stat = entry.stat()
            except OSError as error:
                reason = "broken symlink" if entry.is_symlink() else error.strerror or str(error)
                problems.append(Problem(folder / name, f"cannot read: {reason}"))
                continue
            files.append(FileEntry(prefix + name, stat.st_size, stat.st_mtime_ns))
    files.sort()
    problems.sort(key=lambda problem: problem.path)
    return files, problems, folders
