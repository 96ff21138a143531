"""A full cache disk: the shell commands and the app say "the cache disk is full" once, with
the folder, remove the index file they began (and its -wal and -shm), keep no deleted file
open, and answer from an index in memory. The disk is a real filled tmpfs (tests/faults.py),
the commands run through the real entry point."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library.index import Index, IndexError_
from qtreader.tui.app import QTReaderApp
from qtreader.tui.widgets.subject_tree import SubjectTree

from .conftest import LIBRARY
from .faults import filled, small_disk
from .test_app import rendered
from .test_study_app import settle

#: Articles added to the fixture library: their index needs a few MB, so that a disk with
#: some room left fills up while they are indexed, not only when the index is created.
EXTRA = 300


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big") / "library"
    shutil.copytree(LIBRARY, root)
    folder = root / "learn" / "geology"
    folder.mkdir()
    for n in range(EXTRA):
        words = " ".join(f"stratum{n}x{k} layer{k}" for k in range(200))
        (folder / f"rock-{n}.md").write_text(
            f"---\nid: {9000 + n}\nquestion: What is rock {n}?\nanswer: >-\n    {words}\n"
            f"subject: Geology\nurl: /learn/geology/questions/rock-{n}\n---\n"
        )
    return root


@pytest.fixture(params=[0, 512], ids=["full", "fills-while-indexing"])
def full_cache(request: pytest.FixtureRequest, isolated_dirs: Path) -> Iterator[Path]:
    """The cache folder on a disk that is full, or has half a MB left (room for a new
    index's schema, not for its articles)."""
    with small_disk(isolated_dirs / "cache", size_kb=2048) as cache:
        filled(cache, leave_kb=request.param)
        yield cache


def index_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.rglob("*.sqlite3*"))


def deleted_files_open(folder: Path) -> list[str]:
    """The files under ``folder`` that this process keeps open though they were removed."""
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)) and target.endswith(" (deleted)"):
            found.append(target)
    return found


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def told(err: str, cache: Path) -> None:
    folder = cache / "qtreader" / "indexes"
    line = (
        f"qtreader: Cannot write the index: the cache disk is full ({folder}); "
        "using an in-memory index for this run\n"
    )
    assert err.count("the cache disk is full") == 1 and line in err, err


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_shell_commands_answer_and_leave_no_index_behind(
    big_library: Path, full_cache: Path
) -> None:
    library = ["--library", str(big_library)]
    code, out, err = run("search", "stratum7x3", *library)
    assert code == 0 and out.startswith("9007\tWhat is rock 7?\tGeology")
    told(err, full_cache)
    assert index_files(full_cache) == [] and deleted_files_open(full_cache) == []

    code, out, err = run("show", "501", *library, "--format", "json")
    assert code == 0 and json.loads(out)["title"] == "What is the Doppler effect?"
    told(err, full_cache)

    code, out, err = run("subjects", *library)
    assert code == 0 and "Geology" in out and f"{EXTRA}" in out
    told(err, full_cache)

    code, out, err = run("index", str(big_library))
    assert code == 0 and f"{EXTRA + 8} articles" in out
    assert out.endswith("index: in memory, for this run\n")
    told(err, full_cache)

    code, out, err = run("check", str(big_library))
    assert code == 0 and f"articles:       {EXTRA + 8}" in out
    told(err, full_cache)
    assert index_files(full_cache) == [] and deleted_files_open(full_cache) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
async def test_the_app_says_so_once_and_keeps_no_removed_file_open(
    big_library: Path, full_cache: Path
) -> None:
    app = QTReaderApp(big_library)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if n.title == "Index"]
        assert len(said) == 1 and "the cache disk is full" in said[0], said
        assert str(full_cache) in said[0]
        assert any(
            "Geology" in line for line in rendered(app.screen.query_one(SubjectTree)).splitlines()
        )
        assert index_files(full_cache) == []
        assert deleted_files_open(full_cache) == []


@pytest.mark.parametrize("leave_kb", [0, 64], ids=["full", "almost-full"])
def test_an_index_made_before_is_kept_for_the_next_run(
    big_library: Path, isolated_dirs: Path, leave_kb: int, tmp_path: Path
) -> None:
    """The disk fills up after the index was made: the run goes on in memory, and the
    whole index stays for when there is room again."""
    library = tmp_path / "library"
    shutil.copytree(big_library, library)
    with small_disk(isolated_dirs / "cache", size_kb=8192) as cache:
        assert run("index", str(library))[0] == 0
        (made,) = (p for p in cache.rglob("*.sqlite3"))
        assert shutil.disk_usage(cache).free > 4096 * 1024  # room to index what is added
        whole = made.read_bytes()
        filler = filled(cache, leave_kb=leave_kb)
        # Forty more articles to index: the refresh needs room the disk no longer has.
        for n in range(40):
            words = " ".join(f"basalt{n}x{k}" for k in range(300))
            (library / "learn" / "geology" / f"basalt-{n}.md").write_text(
                f"---\nid: {8000 + n}\nquestion: What is basalt {n}?\nanswer: {words}\n---\n"
            )
        code, out, err = run("search", "basalt3x7", "--library", str(library))
        assert code == 0 and out.startswith("8003\tWhat is basalt 3?")
        told(err, cache)
        assert made.read_bytes() == whole and deleted_files_open(cache) == []
        filler.unlink()
        code, out, err = run("search", "basalt3x7", "--library", str(library))
        assert code == 0 and out.startswith("8003\t") and err == ""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_a_connection_that_cannot_be_set_up_on_a_full_disk_keeps_no_file_open(
    isolated_dirs: Path,
) -> None:
    """The connection fails while it is being set up (WAL needs room), before it is
    handed out. The error, kept here as a caller's traceback would keep it, must not
    keep the file open: otherwise it stays open, removed or not, until a collection."""
    with small_disk(isolated_dirs / "cache", size_kb=2048) as cache:
        filled(cache, leave_kb=0)
        path = cache / "index.sqlite3"
        index = Index(LIBRARY, str(path), uri=False, notice=None)
        with pytest.raises((sqlite3.Error, IndexError_)) as failed:
            index.validate()
        assert failed.value is not None
        assert [
            target
            for fd in Path("/proc/self/fd").iterdir()
            if (target := _link(fd)).startswith(str(path))
        ] == []


def _link(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:
        return ""
