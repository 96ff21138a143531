"""The user's notes on articles: how the state keeps them, and that they survive what the
rest of the state survives."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library import sync as sync_module
from qtreader.library.query import QueryError, parse_query
from qtreader.library.state import (
    Note,
    NotSaved,
    StateError,
    StateStore,
    default_state_path,
    open_state,
    read_notes,
)
from qtreader.library.store import load_library
from qtreader.library.sync import device_id, sync

from .clock import NOON
from .conftest import LIBRARY


def fresh(path: Path | None = None) -> StateStore:
    opened = open_state(path)
    assert opened.notice is None
    return opened.store


# The state ------------------------------------------------------------------------------


def test_a_note_is_saved_read_back_and_replaced() -> None:
    store = fresh()
    assert store.note(501) is None
    store.save_note(501, "# Mine\n\nwork = *force* × distance\n", NOON)
    assert store.note(501) == Note(501, "# Mine\n\nwork = *force* × distance\n", NOON)
    later = NOON + timedelta(minutes=5)
    store.save_note(501, "second thoughts", later)
    assert store.note(501) == Note(501, "second thoughts", later)
    assert store.noted_ids() == {501}


def test_notes_are_listed_newest_first() -> None:
    store = fresh()
    store.save_note(503, "oldest", NOON)
    store.save_note(501, "middle", NOON + timedelta(minutes=1))
    store.save_note(900, "newest", NOON + timedelta(minutes=2))
    assert [(n.article_id, n.text) for n in store.notes()] == [
        (900, "newest"),
        (501, "middle"),
        (503, "oldest"),
    ]
    store.save_note(503, "oldest, edited", NOON + timedelta(minutes=3))
    assert [n.article_id for n in store.notes()] == [503, 900, 501]


@pytest.mark.parametrize("emptied", ["", "   ", "\n\t \n"])
def test_empty_or_blank_text_removes_the_note(emptied: str) -> None:
    store = fresh()
    store.save_note(501, "to be removed", NOON)
    store.save_note(503, "stays", NOON)
    store.save_note(501, emptied, NOON + timedelta(minutes=1))
    assert store.note(501) is None
    assert store.noted_ids() == {503}
    assert [n.article_id for n in store.notes()] == [503]


def test_saving_the_same_text_keeps_the_time_of_the_last_change() -> None:
    store = fresh()
    store.save_note(501, "unchanged", NOON)
    store.save_note(501, "unchanged", NOON + timedelta(hours=1))
    assert store.note(501) == Note(501, "unchanged", NOON)


def test_the_text_is_kept_exactly_markup_and_control_characters_included() -> None:
    text = "[bold red]not markup[/] \x1b[31mnot colour\x1b[0m\r\n  indented\n\n"
    store = fresh()
    store.save_note(501, text, NOON)
    store.close()
    reopened = fresh()
    note = reopened.note(501)
    assert note is not None and note.text == text


def test_a_note_outlives_its_article_and_a_reopened_state() -> None:
    """Nothing in the state knows the library: a note on an id no library holds is kept."""
    store = fresh()
    store.save_note(2**62, "on an article since removed", NOON)
    store.close()
    assert fresh().noted_ids() == {2**62}


def test_a_version_1_state_is_upgraded_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    from qtreader.library import state

    db.executescript(state._MIGRATIONS[0])
    db.execute("INSERT INTO bookmarks VALUES (501, '2025-03-12T12:00:00.000000Z')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = fresh(path)
    assert [b.article_id for b in store.bookmarks()] == [501]
    store.save_note(501, "after the upgrade", NOON)
    assert store.note(501) == Note(501, "after the upgrade", NOON)
    store.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 2
    check.close()


def test_read_only_state_shows_notes_and_refuses_to_save() -> None:
    store = fresh()
    store.save_note(501, "written before", NOON)
    store.close()
    path = default_state_path()
    saved = path.read_bytes()
    # A shared-memory file SQLite cannot open (a folder in its place) makes it read-only.
    path.with_name("state.db-shm").mkdir()
    opened = open_state()
    store = opened.store
    assert store.read_only is not None
    assert store.note(501) == Note(501, "written before", NOON)
    with pytest.raises(NotSaved, match=r"^not saved: Is a directory: "):
        store.save_note(501, "not saved", NOON + timedelta(minutes=1))
    with pytest.raises(NotSaved):
        store.save_note(501, "", NOON + timedelta(minutes=1))
    assert store.note(501) == Note(501, "written before", NOON)
    assert path.read_bytes() == saved


def test_incognito_shows_notes_and_writes_none_to_the_file() -> None:
    store = fresh()
    store.save_note(501, "saved", NOON)
    store.close()
    ghost = open_state(incognito=True).store
    assert ghost.noted_ids() == {501}
    ghost.save_note(501, "", NOON + timedelta(minutes=1))
    ghost.save_note(503, "incognito", NOON + timedelta(minutes=1))
    assert ghost.noted_ids() == {503}
    ghost.close()
    assert fresh().noted_ids() == {501}


WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from qtreader.library.state import open_state

store = open_state().store
start = datetime(2026, 1, 1, tzinfo=UTC)
for number in range(1_000_000):
    text = f"note {number}\\n" + "x" * (number % 300)
    store.save_note(number % 50, text, start + timedelta(seconds=number))
    print(number, flush=True)  # only now is the note saved
"""


def test_kill_9_while_saving_loses_no_saved_note() -> None:
    """A process saving notes as fast as it can is killed once it has confirmed some: each
    confirmed note is in the state, or a later one of the same article is."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    confirmed: list[int] = []
    for line in writer.stdout:  # no timing: kill after the 200th confirmed save
        confirmed.append(int(line))
        if len(confirmed) == 200:
            writer.send_signal(signal.SIGKILL)
            break
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == -signal.SIGKILL, err
    db = sqlite3.connect(default_state_path())
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    notes = {note.article_id: note.text for note in fresh().notes()}
    for number in confirmed:
        saved = notes[number % 50]
        assert int(saved.split("\n")[0].split()[1]) >= number


# Sync -----------------------------------------------------------------------------------


def test_notes_go_through_sync_and_a_removal_stays_removed(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    here = fresh()
    there = fresh(tmp_path / "there" / "state.db")
    here.save_note(501, "written here", NOON)
    here.save_note(503, "kept", NOON)
    report = sync(here, shared)
    assert report.sent == {"note": 2}
    assert sync(there, shared).received == {"note": 2}
    assert there.note(501) == Note(501, "written here", NOON)

    there.save_note(501, "", NOON + timedelta(minutes=2))  # removed there, later
    here.save_note(501, "edited here, earlier", NOON + timedelta(minutes=1))
    for store in (here, there, here):
        sync(store, shared)
    for store in (here, there):
        assert store.note(501) is None
        assert store.noted_ids() == {503}

    # A machine that wrote the note even earlier and syncs only now does not bring it back.
    late = fresh(tmp_path / "late" / "state.db")
    late.save_note(501, "from long ago", NOON - timedelta(days=1))
    sync(late, shared)
    sync(here, shared)
    for store in (here, late):
        assert store.note(501) is None
    for store in (here, there, late):
        store.close()


def test_the_same_time_on_two_machines_is_settled_the_same_way_on_both(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    one = fresh(tmp_path / "one" / "state.db")
    two = fresh(tmp_path / "two" / "state.db")
    one.save_note(501, "from one", NOON)
    two.save_note(501, "from two", NOON)
    for store in (one, two, one):
        sync(store, shared)
    assert one.note(501) == two.note(501)
    assert one.note(501) is not None
    one.close()
    two.close()


def test_a_file_stays_format_1_until_it_holds_a_note_then_says_2_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine not yet upgraded keeps syncing until notes are written; then it names the
    file instead of misreading it, and once upgraded reads on from where it was."""
    shared = tmp_path / "shared"
    shared.mkdir()
    here = fresh()
    here.toggle_bookmark(502, NOON)
    sync(here, shared)
    own = shared / f"{device_id()}.jsonl"
    first = own.read_bytes()
    assert json.loads(first.splitlines()[0])["qtreader_sync"] == 1

    old = fresh(tmp_path / "old" / "state.db")
    with monkeypatch.context() as patched:  # a qtreader that knows format 1 only
        patched.setattr(sync_module, "FORMAT", 1)
        assert sync(old, shared).received == {"bookmark": 1}

    here.save_note(502, "why this one matters", NOON + timedelta(minutes=1))
    sync(here, shared)
    now = own.read_bytes()
    header, rest = first.split(b"\n", 1)
    assert now.startswith(header.replace(b": 1,", b": 2,") + b"\n" + rest)  # raised in place
    assert json.loads(now.splitlines()[-1])["kind"] == "note"

    with monkeypatch.context() as patched:
        patched.setattr(sync_module, "FORMAT", 1)
        report = sync(old, shared)
    assert report.received == {}
    assert report.warnings == [f"{own}: written by a newer qtreader (format 2); skipped"]
    report = sync(old, shared)  # upgraded
    assert report.received == {"note": 1} and report.warnings == []
    assert old.note(502) == Note(502, "why this one matters", NOON + timedelta(minutes=1))
    assert [b.article_id for b in old.bookmarks()] == [502]
    here.close()
    old.close()


def test_a_format_1_file_of_an_older_qtreader_is_read(tmp_path: Path) -> None:
    lines = [
        {"qtreader_sync": 1, "device": "beef0001"},
        {"id": "r1", "kind": "review", "article": 501, "grade": 3, "answer_hash": "h",
         "at": "2025-03-12T12:01:00Z", "device": "beef0001"},
        {"id": "b1", "kind": "bookmark", "article": 503, "on": True,
         "at": "2025-03-12T12:02:00Z", "device": "beef0001"},
    ]  # fmt: skip
    (tmp_path / "beef0001.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    store = fresh()
    report = sync(store, tmp_path)
    assert report.received == {"review": 1, "bookmark": 1} and report.warnings == []
    assert store.card(501) is not None
    assert [b.article_id for b in store.bookmarks()] == [503]
    store.close()


def test_a_note_event_that_is_not_text_is_skipped_and_told(tmp_path: Path) -> None:
    bad = {"id": "n1", "kind": "note", "article": 501, "text": 7, "at": "2025-03-12T12:01:00Z"}
    good = {**bad, "id": "n2", "article": 503, "text": "fine"}
    header = {"qtreader_sync": 2, "device": "beef0001"}
    (tmp_path / "beef0001.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in (header, bad, good))
    )
    store = fresh()
    report = sync(store, tmp_path)
    assert report.received == {"note": 1}
    assert report.warnings == [
        f"{tmp_path / 'beef0001.jsonl'}: 1 line(s) are not valid events; skipped"
    ]
    assert store.noted_ids() == {503}
    store.close()


# qtreader notes -------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_notes_lists_the_latest_first_with_titles_and_first_lines() -> None:
    store = fresh()
    store.save_note(505, "\n\n  Buckets, then a list per bucket.  \nMore below.", NOON)
    store.save_note(99999, "On an article since removed", NOON + timedelta(minutes=1))
    store.save_note(501, "# Sirens\nthe pitch drops as it passes", NOON + timedelta(minutes=2))
    store.close()
    code, out, err = run("notes", "--library", str(LIBRARY))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith("    501  What is the Doppler effect?  | # Sirens")
    assert lines[1].endswith("  99999  (not in this library)  | On an article since removed")
    assert lines[2].endswith("    505  What is a hash table?  | Buckets, then a list per bucket.")
    local = NOON.astimezone().strftime("%Y-%m-%d %H:%M")
    assert lines[2].startswith(local)


def test_notes_json_gives_every_field_and_the_whole_text() -> None:
    store = fresh()
    store.save_note(505, "line one\nline two\n", NOON)
    store.save_note(424242, "gone", NOON + timedelta(minutes=1))
    store.close()
    code, out, _ = run("notes", "--json", "--library", str(LIBRARY))
    assert code == 0
    assert json.loads(out) == [
        {
            "id": 424242,
            "title": None,
            "subjects": [],
            "in_library": False,
            "updated": "2025-03-12T12:01:00+00:00",
            "text": "gone",
        },
        {
            "id": 505,
            "title": "What is a hash table?",
            "subjects": ["Computer Science"],
            "in_library": True,
            "updated": "2025-03-12T12:00:00+00:00",
            "text": "line one\nline two\n",
        },
    ]


def test_no_notes_is_said_and_needs_no_library(tmp_path: Path) -> None:
    code, out, _ = run("notes", "--library", str(tmp_path / "nowhere"))
    assert (code, out) == (0, "No notes yet.\n")
    code, out, _ = run("notes", "--json", "--library", str(tmp_path / "nowhere"))
    assert (code, json.loads(out)) == (0, [])


def test_markup_and_control_characters_in_a_note_are_shown_as_data() -> None:
    hostile = "[bold red]loud[/] \x1b]0;pwned\x07\x1b[2J \u202egnp.exe\r"
    store = fresh()
    store.save_note(501, hostile + "\nsecond line", NOON)
    store.close()
    code, out, _ = run("notes", "--library", str(LIBRARY))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "| [bold red]loud[/] \\x1b]0;pwned\\x07\\x1b[2J \\u202egnp.exe" in out
    code, out, _ = run("notes", "--json", "--library", str(LIBRARY))
    assert "\x1b" not in out and "\u202e" not in out
    assert json.loads(out)[0]["text"] == hostile + "\nsecond line"  # the same text, escaped


def test_notes_imports_no_textual() -> None:
    store = fresh()
    store.save_note(501, "a note", NOON)
    store.close()
    probe = (
        "import sys, runpy; sys.argv = ['qtreader', 'notes', '--library', sys.argv[1]];\n"
        "try:\n    runpy.run_module('qtreader', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('textual' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(LIBRARY)], capture_output=True, text=True, check=False
    )
    assert "What is the Doppler effect?  | a note" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "False"


# Search ---------------------------------------------------------------------------------


def test_note_filters_are_parsed_apart_from_the_words() -> None:
    query = parse_query('entropy note:exam note:"second law" subject:physics')
    assert query.match == '"entropy"'
    assert query.note == '"exam" AND "second law"'
    assert query.subjects == ("physics",)
    assert parse_query("Note:Newton's").note == '"Newton"'
    assert parse_query("note:the").note == '"the"'  # asked for by name: no stop word
    assert parse_query("note:coll*").note == '"coll"*'
    assert parse_query("note:exam").match == ""
    with pytest.raises(QueryError, match="'co\\*': a prefix\\* needs 3 letters"):
        parse_query("note:co*")


NOTES = {
    505: "Ask about *collisions* before the exam",
    501: "Sirens and ambulances: the exam topic",
    507: "exam: a no_index article",
    99999: "exam, on an article gone from the library",
}


def test_plain_search_finds_articles_by_their_notes_first() -> None:
    library = load_library(LIBRARY)
    hits = library.search("ambulance", notes=NOTES)  # in no article, in one note
    assert [(h.id, h.in_note) for h in hits] == [(501, True)]
    assert hits[0].snippet == "Sirens and ambulances: the exam topic"
    assert [hits[0].snippet[a:b] for a, b in hits[0].highlights] == ["ambulances"]
    assert library.count_matches("ambulance", notes=NOTES) == 1
    assert library.search("ambulance") == []  # without the notes

    # "table" is in article 505 and in the note on 506: the article noted comes first.
    notes = {506: "unlike a hash table, the call stack grows"}
    hits = library.search("table", notes=notes)
    assert [(h.id, h.in_note) for h in hits] == [(506, True), (505, False)]
    assert library.count_matches("table", notes=notes) == 2
    # Found both ways, an article is one hit.
    hits = library.search("hash", notes={505: "hash it twice"})
    assert [(h.id, h.in_note) for h in hits] == [(505, True)]
    assert library.count_matches("hash", notes={505: "hash it twice"}) == 1


def test_note_filter_keeps_the_articles_whose_note_matches() -> None:
    library = load_library(LIBRARY)
    # The note on a missing article, and on a no_index one, find nothing.
    assert {h.id for h in library.search("note:exam", notes=NOTES)} == {505, 501}
    assert library.count_matches("note:exam", notes=NOTES) == 2
    hits = library.search("note:exam", notes=NOTES, include_no_index=True)
    assert {h.id for h in hits} == {505, 501, 507}
    assert [h.id for h in library.search("note:exam subject:physics", notes=NOTES)] == [501]
    assert [h.id for h in library.search("note:collision", notes=NOTES)] == [505]  # stemmed
    # With words: articles that hold them (in the index or the note) and whose note matches.
    hits = library.search("hash note:collisions", notes=NOTES)
    assert [(h.id, h.in_note) for h in hits] == [(505, False)]
    assert library.search("doppler note:collisions", notes=NOTES) == []
    assert library.count_matches("doppler note:collisions", notes=NOTES) == 0
    assert library.search("note:nowhere", notes=NOTES) == []
    assert library.search("note:exam") == []  # no notes given: no note matches


def test_a_note_changed_between_two_searches_is_searched_as_it_is_now() -> None:
    """The notes made searchable are kept from one search to the next while they are the
    same: a note edited, added or removed in between (even in the same dict) counts."""
    library = load_library(LIBRARY)
    notes = {505: "trombones"}
    assert [h.id for h in library.search("trombones", notes=notes)] == [505]
    notes[505] = "zeppelins"
    assert library.search("trombones", notes=notes) == []
    assert [h.id for h in library.search("zeppelins", notes=notes)] == [505]
    notes[501] = "zeppelins again"
    assert {h.id for h in library.search("note:zeppelin", notes=notes)} == {501, 505}
    del notes[505]
    assert [h.id for h in library.search("note:zeppelin", notes=notes)] == [501]
    assert library.search("note:zeppelin", notes={}) == []


def test_a_note_is_searched_as_clean_words() -> None:
    library = load_library(LIBRARY)
    notes = {503: "\x1b[31mslope\x1b[0m and $\\nabla f$ \u202eexam"}
    hits = library.search("slope", notes=notes)
    assert [h.id for h in hits] == [503]
    assert "\x1b" not in hits[0].snippet and "\u202e" not in hits[0].snippet
    assert [h.id for h in library.search("note:exam", notes=notes)] == [503]


def test_read_notes_reads_without_opening_for_writing(tmp_path: Path) -> None:
    assert read_notes() == {}  # no state yet: and none is made
    assert not default_state_path().exists()
    store = fresh()
    store.save_note(501, "older", NOON)
    store.save_note(505, "newer", NOON + timedelta(minutes=1))
    store.save_note(503, "removed", NOON)
    store.save_note(503, " ", NOON + timedelta(minutes=2))
    assert list(read_notes().items()) == [(505, "newer"), (501, "older")]  # from the WAL
    assert read_notes() == store.note_texts()
    # A WAL whose shared-memory file cannot be opened (copies, left by a killed process):
    # the database file is read as it is, without what the WAL holds.
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("state.db", "state.db-wal"):
        (copy / name).write_bytes(default_state_path().with_name(name).read_bytes())
    (copy / "state.db-shm").mkdir()
    assert read_notes(copy / "state.db").items() <= {505: "newer", 501: "older"}.items()
    store.close()
    # With nothing in a WAL, the file alone is read: no WAL or shared-memory file is made.
    assert read_notes() == {505: "newer", 501: "older"}
    assert sorted(p.name for p in default_state_path().parent.iterdir()) == [
        "state.db",
        "state.db.lock",
    ]

    old = tmp_path / "old.db"
    db = sqlite3.connect(old)
    db.execute("PRAGMA user_version = 1")
    db.close()
    assert read_notes(old) == {}
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StateError, match=r"the notes in .*junk\.db cannot be read"):
        read_notes(tmp_path / "junk.db")


def test_cli_search_finds_by_notes_and_says_which_hits_are() -> None:
    store = fresh()
    store.save_note(505, "Ask about collisions before the exam", NOON)
    store.save_note(501, "hostile \x1b[2J exam", NOON)
    store.close()
    code, out, _ = run("search", "note:collisions", "--library", str(LIBRARY), "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "id": 505,
            "title": "What is a hash table?",
            "subject": "Computer Science",
            "snippet": "Ask about collisions before the exam",
            "in_note": True,
        }
    ]
    code, out, _ = run("search", "exam", "--library", str(LIBRARY), "--format", "plain")
    assert code == 0 and "\x1b" not in out
    assert [line.split("\t")[0] for line in out.splitlines()] == ["501", "505"]
    code, out, _ = run("search", "exam", "--library", str(LIBRARY), "--format", "rich")
    assert code == 0 and out.count("(in your note)") == 2
    code, _, err = run("search", "note:nothing", "--library", str(LIBRARY))
    assert code == 1 and "nothing matches 'note:nothing'" in err


def test_cli_search_without_readable_notes_says_so_and_searches() -> None:
    path = default_state_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 100)
    code, out, err = run("search", "hash", "--library", str(LIBRARY), "--format", "plain")
    assert code == 0 and out.startswith("505\t")
    assert f"the notes in {path} cannot be read" in err
    assert "searching the articles only" in err


# Export ---------------------------------------------------------------------------------


def test_export_markdown_writes_each_note_under_its_article(tmp_path: Path) -> None:
    store = fresh()
    store.save_note(501, "# Sirens\n\nThe pitch *drops* \x1b[31mas it passes\r\n", NOON)
    store.save_note(99999, "on an article gone", NOON)
    store.close()
    out = tmp_path / "md"
    code, _, err = run("export", "markdown", "--library", str(LIBRARY), "--all", str(out))
    assert code == 0 and err == ""
    doppler = (out / "physics/what-is-the-doppler-effect.md").read_text()
    assert doppler.endswith("## My notes\n\n# Sirens\n\nThe pitch *drops* as it passes\n")
    others = [p.read_text() for p in out.rglob("*.md") if p.name != "what-is-the-doppler-effect.md"]
    assert len(others) == 7 and not any("## My notes" in text for text in others)
