"""``qtreader sync``: two real qtreader processes sharing a folder, the command line, files a
sync tool left half-written or a newer qtreader wrote, and a sync killed half-way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library import sync as sync_module
from qtreader.library.state import open_state
from qtreader.library.sync import device_id, sync

from .clock import NOON
from .conftest import LIBRARY

QTREADER = str(Path(sys.executable).with_name("qtreader"))

REVIEW = textwrap.dedent(
    """
    from datetime import UTC, datetime
    from fsrs import Scheduler
    from qtreader.library.state import open_state
    from qtreader.library.study import Grade, schedule
    store = open_state().store
    now = datetime.now(UTC)
    store.review(501, 3, now, "h", lambda c: schedule(Scheduler(), c, 501, Grade.GOOD, now, "h"))
    store.record_open(503, "Mathematics", now)
    store.close()
    """
)


def machine(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    return env


def physics_seen(env: dict[str, str]) -> tuple[int, int]:
    """Cards seen in Physics and articles read in the whole library, as ``stats`` says."""
    result = subprocess.run(
        [QTREADER, "stats", "--library", str(LIBRARY), "--json"],
        env=env, capture_output=True, check=True,
    )  # fmt: skip
    report = json.loads(result.stdout)
    physics = next(s for s in report["subjects"] if s["subject"] == "Physics")
    return physics["seen"], report["library"]["read"]


def test_a_review_on_one_machine_shows_in_the_stats_of_the_other(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    one, other = machine(tmp_path / "one"), machine(tmp_path / "other")
    # Reviewed before sync was ever used: the first sync takes the existing state in.
    subprocess.run([sys.executable, "-c", REVIEW], env=one, check=True)
    assert physics_seen(other) == (0, 0)

    for env in (one, other):
        done = subprocess.run(
            [QTREADER, "sync", str(shared)], env=env, capture_output=True, text=True, check=True
        )
    assert done.stdout.strip() == "Received: 1 open(s), 1 read(s), 1 review(s); sent: nothing."
    assert physics_seen(other) == (1, 1)
    assert len(list(shared.glob("*.jsonl"))) == 2  # one file per machine

    # Nothing left to do on either side.
    status = subprocess.run(
        [QTREADER, "sync", "--status", str(shared)],
        env=one, capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = status.stdout.splitlines()
    assert len(lines) == 3 and sum("(this machine)" in line for line in lines) == 1
    assert lines[-1] == "Would receive: nothing; would send: nothing."


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_status_tells_what_a_sync_would_change_and_changes_nothing(tmp_path: Path) -> None:
    store = open_state().store
    store.toggle_bookmark(502, NOON)
    store.close()
    code, out, _ = run("sync", "--status", str(tmp_path))
    assert code == 0
    assert out.splitlines()[-1] == "Would receive: nothing; would send: 1 bookmark(s)."
    assert list(tmp_path.iterdir()) == []
    code, out, _ = run("sync", str(tmp_path))
    assert out.strip() == "Received: nothing; sent: 1 bookmark(s)."
    code, out, _ = run("sync", "--status", str(tmp_path))
    assert out.splitlines()[-1] == "Would receive: nothing; would send: nothing."


def test_the_folder_comes_from_config_toml(tmp_path: Path, isolated_dirs: Path) -> None:
    code, _, err = run("sync")
    assert code == 2 and "give a FOLDER, or set sync_dir in config.toml" in err
    config = isolated_dirs / "config" / "qtreader" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"sync_dir = {json.dumps(str(tmp_path))}\n")
    code, out, _ = run("sync")
    assert code == 0 and out.startswith("Received: nothing")
    assert (tmp_path / f"{device_id()}.jsonl").exists()
    config.write_text("sync_dir = 3\n")
    code, _, err = run("sync")
    assert code == 2 and "sync_dir must be a folder path in quotes, not 3" in err
    code, out, err = run("sync", str(tmp_path / "missing"))
    assert code == 1 and f"{tmp_path / 'missing'}: not a folder" in err


def header(device: str, version: int = 1) -> str:
    return json.dumps({"qtreader_sync": version, "device": device}) + "\n"


def review(ident: str, article: int, minute: int) -> str:
    return json.dumps(
        {"id": ident, "kind": "review", "article": article, "grade": 3,
         "at": f"2025-03-12T12:{minute:02d}:00Z", "answer_hash": "h", "device": "beef0001"}
    ) + "\n"  # fmt: skip


def test_a_half_written_file_is_read_up_to_its_last_line_and_again_later(
    tmp_path: Path,
) -> None:
    whole = header("beef0001") + review("a", 501, 1) + review("b", 502, 2)
    partial = whole[: len(whole) - 10]  # the second review is cut short
    (tmp_path / "beef0001.jsonl").write_text(partial)
    (tmp_path / ".syncthing.beef0002.jsonl.tmp").write_text(header("beef0002")[:9])
    newer = sync_module.FORMAT + 1
    (tmp_path / "newer.jsonl").write_text(header("beef0003", newer) + "{}\n")
    (tmp_path / "notes.txt").write_text("not a sync file\n")
    (tmp_path / "odd.jsonl").write_text(header("\x1b[2J"))
    code, out, err = run("sync", str(tmp_path))
    assert code == 0 and out.startswith("Received: 1 review(s)")
    assert err.splitlines() == [
        f"qtreader: {tmp_path / 'newer.jsonl'}: written by a newer qtreader (format {newer}); "
        "skipped",
        f"qtreader: {tmp_path / 'odd.jsonl'}: not a valid sync header; skipped",
    ]
    store = open_state().store
    assert [r["article_id"] for r in store.review_log()] == [501]
    store.close()

    (tmp_path / "beef0001.jsonl").write_text(whole)  # the sync tool finished the file
    # And a conflict copy of it repeats the same events: merged once.
    (tmp_path / "beef0001.sync-conflict-20240101-123456-ABC.jsonl").write_text(whole)
    code, out, _ = run("sync", str(tmp_path))
    assert out.startswith("Received: 1 review(s)")
    store = open_state().store
    assert sorted(r["article_id"] for r in store.review_log()) == [501, 502]
    assert store.card(501) is not None and store.card(502) is not None
    store.close()


def test_a_sync_killed_before_or_after_writing_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "beef0001.jsonl").write_text(header("beef0001") + review("a", 501, 1))
    store = open_state().store
    store.record_open(503, "Physics", NOON)

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # stands for the kill: the transaction is never committed

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(sync_module, "_apply", killed)
        sync(store, tmp_path)
    assert store.review_log() == []

    # Killed after the lines were written and fsynced, before they were marked sent.
    real_append = sync_module._append

    def append_then_die(*args: object) -> int:
        real_append(*args)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(sync_module, "_append", append_then_die)
        sync(store, tmp_path)
    own = tmp_path / f"{device_id()}.jsonl"
    with own.open("a") as handle:
        handle.write('{"id": "cut sh')  # and a line left half-written
    report = sync(store, tmp_path)
    assert report.sent == {"open": 1, "read": 1}  # sent again: duplicates are harmless
    assert [r["article_id"] for r in store.review_log()] == [501]
    assert len(store.history()) == 1
    lines = own.read_text().splitlines()
    assert len(lines) == 5 and all(json.loads(line) for line in lines)
    store.close()

    other = open_state(tmp_path / "other" / "state.db").store
    sync(other, tmp_path)
    assert len(other.history()) == 1 and other.read_ids() == {503}
    other.close()


def test_the_history_is_latest_first_across_machines(tmp_path: Path) -> None:
    """After a sync, ``qtreader`` alone reopens the article opened last on any machine,
    not the one whose entry merely arrived last."""
    from datetime import timedelta

    here = open_state().store
    there = open_state(tmp_path / "there" / "state.db").store
    there.record_open(501, "Physics", NOON)
    here.record_open(502, "Physics", NOON + timedelta(hours=1))
    there.record_open(503, "Mathematics", NOON + timedelta(hours=2))
    shared = tmp_path / "shared"
    shared.mkdir()
    for store in (there, here, there):
        sync(store, shared)
    for store in (here, there):
        assert [entry.article_id for entry in store.history()] == [503, 502, 501]
        store.close()


def test_a_state_started_afresh_gets_back_what_this_machine_had_sent(tmp_path: Path) -> None:
    store = open_state().store
    store.toggle_bookmark(502, NOON)
    sync(store, tmp_path)
    path = store.path
    store.close()
    assert path is not None
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        path.with_name(name).unlink(missing_ok=True)
    store = open_state().store
    assert store.bookmarks() == []
    report = sync(store, tmp_path)
    assert report.received == {"bookmark": 1} and report.sent == {}
    assert [b.article_id for b in store.bookmarks()] == [502]
    store.close()
