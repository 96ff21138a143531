"""Real file-system faults for tests: a full disk, a read-only folder, and files that the
process may not open, all made by the kernel, not by patching qtreader.

Tests run as root here, and root ignores file modes: :func:`modes_bind_root` takes away,
for the calling thread (and the threads it starts), the two capabilities that let it, so
that a ``chmod 000`` file or a ``chmod 555`` folder refuse it as they refuse anyone else.
A full disk and a read-only mount need ``mount`` (root, or a mount namespace): where that
is not permitted, those tests skip and say why.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["filled", "modes_bind_root", "read_only_mount", "small_disk"]

# <linux/capability.h>
_CAPABILITY_VERSION_3 = 0x20080522
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


@contextmanager
def modes_bind_root() -> Iterator[None]:
    """File modes apply to this thread even as root: CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH leave its effective set (they stay permitted, and come back on
    leaving). For any other user, modes bind already and nothing changes."""
    if os.geteuid() != 0:
        yield
        return
    if not sys.platform.startswith("linux"):
        pytest.skip("dropping root's file-mode override needs Linux capabilities")
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        pytest.skip(f"capget failed: {os.strerror(ctypes.get_errno())}")
    saved = data[0].effective
    data[0].effective &= ~((1 << _CAP_DAC_OVERRIDE) | (1 << _CAP_DAC_READ_SEARCH))
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip(f"capset failed: {os.strerror(ctypes.get_errno())}")
    try:
        yield
    finally:
        data[0].effective = saved
        assert libc.capset(ctypes.byref(header), data) == 0


def _mount(*arguments: str, why: str) -> None:
    if shutil.which("mount") is None:
        pytest.skip(f"{why}: no mount command here")
    result = subprocess.run(["mount", *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"{why}: mount is not permitted here ({result.stderr.strip()})")


def _unmount(folder: Path) -> None:
    result = subprocess.run(["umount", str(folder)], capture_output=True, text=True)
    if result.returncode != 0:  # busy: files there are still open. Detach it all the same.
        subprocess.run(["umount", "--lazy", str(folder)], check=True, capture_output=True)
        raise AssertionError(f"{folder} was still in use: {result.stderr.strip()}")


@contextmanager
def small_disk(folder: Path, size_kb: int = 1024) -> Iterator[Path]:
    """A tmpfs of ``size_kb`` mounted at ``folder`` for the duration."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder), why="a full disk")
    try:
        yield folder
    finally:
        gc.collect()  # what a command run in-process left open, closed as at its exit
        _unmount(folder)


def filled(folder: Path, *, leave_kb: int = 0) -> Path:
    """Write a file into ``folder`` until its disk has ``leave_kb`` free (ENOSPC ends it
    when that is 0); returns the file, whose removal frees the space again."""
    filler = folder / "filler.bin"
    block = b"\0" * 4096
    with open(filler, "wb", buffering=0) as handle:
        try:
            while shutil.disk_usage(folder).free > leave_kb * 1024:
                handle.write(block)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    assert shutil.disk_usage(folder).free <= leave_kb * 1024
    return filler


@contextmanager
def read_only_mount(folder: Path) -> Iterator[Path]:
    """``folder`` mounted over itself read-only (EROFS to root too) for the duration."""
    _mount("--bind", str(folder), str(folder), why="a read-only folder")
    try:
        _mount("-o", "remount,ro,bind", str(folder), why="a read-only folder")
        yield folder
    finally:
        _unmount(folder)
