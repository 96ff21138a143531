"""Notes in the reader (``a``): the editor, the note under the answer, the mark in the tree,
and the user's own editor (``ctrl+e`` in the editor, ``A`` in the reader)."""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from qtreader.library.state import default_state_path, open_state
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.note import NoteScreen, UnsavedNoteScreen
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.subject_tree import SubjectTree

from .conftest import LIBRARY
from .pilot import loaded, screen_lines, settled, started
from .snap_compare import SnapCompare

TESTS = Path(__file__).parent
LENS = "502"  # "How does a lens focus light?": a short answer, so the note is in sight
NOON = datetime(2026, 3, 1, 12, tzinfo=UTC)


def shown(pilot: Pilot[None], selector: str) -> str:
    """What a widget of the reader shows, line by line ("" when it is hidden)."""
    reader = pilot.app.screen_stack[0]
    widget = reader.query_one(selector, Static)
    return "\n".join(screen_lines(widget, outer=True)) if widget.display else ""


def tree_lines(pilot: Pilot[None]) -> list[str]:
    return screen_lines(pilot.app.screen_stack[0].query_one(SubjectTree))


def toasts(app: QTReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def saved_note(article_id: int) -> str | None:
    """The note as the state database holds it, read by a store of its own."""
    store = open_state(incognito=False, now=NOON).store
    try:
        note = store.note(article_id)
        return note.text if note is not None else None
    finally:
        store.close()


def save_note_before(article_id: int, text: str) -> None:
    """A note written in an earlier run."""
    store = open_state(incognito=False, now=NOON).store
    try:
        store.save_note(article_id, text, NOON)
    finally:
        store.close()


async def open_editor(pilot: Pilot[None]) -> NoteScreen:
    """Press ``a`` and wait for the editor, its text area focused (the note may be read
    first, on a loaded machine after a few frames)."""
    await pilot.press("a")
    await settled(pilot)
    for _ in range(400):  # a bound, not a time: each pause lets the app process messages
        screen = pilot.app.screen
        if isinstance(screen, NoteScreen) and screen.query_one(TextArea).has_focus:
            return screen
        await pilot.pause()
    raise AssertionError(f"no note editor in front: {pilot.app.screen!r}")


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text))


async def test_a_note_written_and_saved_shows_under_the_answer_and_in_the_tree() -> None:
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        assert shown(pilot, "#note-heading") == ""
        assert not any("✎" in line for line in tree_lines(pilot))
        editor = await open_editor(pilot)
        title = "\n".join(screen_lines(editor.query_one("#note-title", Static)))
        assert "Note on “How does a lens focus light?”" in title
        await type_text(pilot, "Thin lens: 1/f")
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert "Note saved." in toasts(app)
        assert saved_note(502) == "Thin lens: 1/f"
        await pilot.press("escape")  # saved: leaves without asking
        await settled(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "My note" in shown(pilot, "#note-heading")
        assert "Thin lens: 1/f" in shown(pilot, "#note")
        lens_line = next(line for line in tree_lines(pilot) if "lens" in line)
        assert lens_line.endswith("✎")


async def test_the_note_is_there_when_the_article_opens_again() -> None:
    save_note_before(502, "Written *last* week")
    app = QTReaderApp(LIBRARY, start_article="501", clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await loaded(pilot)
        await started(pilot)
        assert shown(pilot, "#note") == ""  # 501 has none
        screen.open_article(502)
        await settled(pilot)
        assert "Written last week" in shown(pilot, "#note")
        editor = await open_editor(pilot)
        assert editor.query_one(TextArea).text == "Written *last* week"
        editor.query_one(TextArea).load_text("Rewritten")
        await pilot.press("ctrl+s")
        await settled(pilot)
        await pilot.press("escape")
        await settled(pilot)
        screen.open_article(501)
        await settled(pilot)
        screen.open_article(502)
        await settled(pilot)
        assert "Rewritten" in shown(pilot, "#note")


async def test_escape_with_unsaved_text_asks_and_discard_drops_it() -> None:
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        await open_editor(pilot)
        await type_text(pilot, "draft")
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, UnsavedNoteScreen)
        await pilot.press("k")  # keep editing: the text is still there
        await settled(pilot)
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one(TextArea).text == "draft"
        await pilot.press("escape")
        await settled(pilot)
        await pilot.press("d")
        await settled(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert shown(pilot, "#note") == ""
        assert saved_note(502) is None


async def test_save_from_the_question_saves_and_leaves() -> None:
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        await open_editor(pilot)
        await type_text(pilot, "keep me")
        await pilot.press("escape")
        await settled(pilot)
        await pilot.press("s")
        await settled(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert saved_note(502) == "keep me"


async def test_quitting_with_unsaved_text_asks_first() -> None:
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        await open_editor(pilot)
        await type_text(pilot, "not yet saved")
        await pilot.press("ctrl+q")
        await settled(pilot)
        assert isinstance(app.screen, UnsavedNoteScreen)
        assert app.is_running
        await pilot.press("s")  # saved, then quit
        await settled(pilot)
        assert not app.is_running
    assert saved_note(502) == "not yet saved"

    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        await open_editor(pilot)
        await type_text(pilot, " more")
        await pilot.press("ctrl+q", "d")  # discarded, then quit
        await settled(pilot)
        assert not app.is_running
    assert saved_note(502) == "not yet saved"


async def test_saving_empty_text_removes_the_note() -> None:
    save_note_before(502, "soon gone")
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        assert any(line.endswith("✎") for line in tree_lines(pilot))
        editor = await open_editor(pilot)
        editor.query_one(TextArea).load_text("  \n")
        await pilot.press("ctrl+s")
        await settled(pilot)
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "Note removed." in toasts(app)
        assert saved_note(502) is None
        assert shown(pilot, "#note-heading") == ""
        assert not any("✎" in line for line in tree_lines(pilot))


async def test_markup_and_control_characters_in_a_note_show_as_written() -> None:
    save_note_before(502, "[reverse]x[/] and [@click=app.quit]quit[/] \x1b[31mred")
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        note = shown(pilot, "#note")
        assert "[reverse]x[/]" in note
        assert "[@click=app.quit]quit[/]" in note
        assert "\\x1b[31mred" in note and "\x1b" not in note
        await pilot.click("#note")  # a click on it runs nothing
        await settled(pilot)
        assert app.is_running


async def test_a_note_that_cannot_be_saved_stays_in_the_editor_and_is_not_lost() -> None:
    save_note_before(501, "older note")
    path = default_state_path()
    shm = path.with_name("state.db-shm")
    shm.mkdir()  # the state opens read-only (see tests/test_state_faults.py)
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        editor = await open_editor(pilot)
        await type_text(pilot, "precious")
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert f"The note could not be saved: Is a directory: {shm}" in toasts(app)
        assert "Note saved." not in toasts(app)
        await pilot.press("escape")  # not saved: it asks
        await settled(pilot)
        assert isinstance(app.screen, UnsavedNoteScreen)
        await pilot.press("s")  # saving fails again: the editor stays, with the text
        await settled(pilot)
        assert app.screen_stack[-1] is editor
        assert editor.query_one(TextArea).text == "precious"
    shm.rmdir()
    assert saved_note(502) is None and saved_note(501) == "older note"


# The user's editor -------------------------------------------------------------------------


@pytest.fixture
def editor_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR: a script that adds a line to the file it is given."""
    script = tmp_path / "fake-editor"
    script.write_text('#!/bin/sh\nprintf "\\nadded by the editor\\n" >> "$1"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    return script


@contextlib.contextmanager
def handed_over() -> Iterator[None]:
    """``App.suspend`` of a real terminal: a headless test app has none to hand over."""
    yield


async def test_ctrl_e_in_the_editor_saves_what_the_editor_wrote(
    editor_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    monkeypatch.setattr(app, "suspend", handed_over)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        editor = await open_editor(pilot)
        await type_text(pilot, "mine")
        await pilot.press("ctrl+e")
        await settled(pilot)
        assert editor.query_one(TextArea).text == "mine\nadded by the editor"
        assert saved_note(502) == "mine\nadded by the editor"
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "added by the editor" in shown(pilot, "#note")


async def test_shift_a_in_the_reader_edits_the_note_in_the_editor(
    editor_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_note_before(502, "first line")
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    monkeypatch.setattr(app, "suspend", handed_over)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        await pilot.press("A")
        await settled(pilot)
        assert saved_note(502) == "first line\nadded by the editor"
        assert "added by the editor" in shown(pilot, "#note")


async def test_a_missing_editor_is_named_and_nothing_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    monkeypatch.setattr(app, "suspend", handed_over)
    async with app.run_test(size=(110, 34)) as pilot:
        await loaded(pilot)
        await started(pilot)
        editor = await open_editor(pilot)
        await type_text(pilot, "kept")
        await pilot.press("ctrl+e")
        await settled(pilot)
        assert any(
            "no-such-editor" in toast and "could not be started" in toast for toast in toasts(app)
        )
        assert app.screen is editor
        assert editor.query_one(TextArea).text == "kept"
        assert saved_note(502) is None


async def test_a_terminal_that_cannot_be_handed_over_says_so(editor_script: Path) -> None:
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:  # headless: no suspending
        await loaded(pilot)
        await started(pilot)
        editor = await open_editor(pilot)
        await pilot.press("ctrl+e")
        await settled(pilot)
        assert any("cannot be handed to an editor" in toast for toast in toasts(app))
        assert app.screen is editor


async def test_the_help_screen_lists_the_note_keys() -> None:
    app = QTReaderApp(LIBRARY, start_article=LENS, clock=lambda: NOON)
    async with app.run_test(size=(110, 50)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        text = "\n".join(screen_lines(app.screen.query_one("#help-box Static", Static)))
        assert "Write a note on the open article" in text
        assert "$VISUAL or $EDITOR" in text
        await pilot.press("escape", "a")
        await settled(pilot)
        assert isinstance(app.screen, NoteScreen)
        app.action_help()  # as the palette would: ? is text here
        await settled(pilot)
        text = "\n".join(screen_lines(app.screen.query_one("#help-box Static", Static)))
        for keys, doing in [
            ("ctrl+s", "Save the note"),
            ("escape", "Back to the article"),
            ("ctrl+e", "Go on writing in $VISUAL or $EDITOR"),
        ]:
            assert any(line.strip().startswith(keys) and doing in line for line in text.split("\n"))


# Snapshots ----------------------------------------------------------------------------------


@pytest.fixture
def stable_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The status bar shows the library path: make it the same on every checkout."""
    monkeypatch.chdir(TESTS)


async def settle(pilot: Pilot[None]) -> None:
    await started(pilot)
    await pilot.pause()


@pytest.mark.usefixtures("stable_paths")
def test_article_with_a_note_at_80x24(snap_compare: SnapCompare) -> None:
    save_note_before(502, "Remember: **real** image when $u > f$ [sign: real].")
    app = QTReaderApp(Path("fixtures/library"), start_article=LENS, clock=lambda: NOON)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


@pytest.mark.usefixtures("stable_paths")
def test_note_editor_at_80x24(snap_compare: SnapCompare) -> None:
    save_note_before(502, "Remember: **real** image when $u > f$.")

    async def in_editor(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await open_editor(pilot)
        # The cursor shown steadily: blinking, the screenshot would depend on the moment.
        pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.pause()

    app = QTReaderApp(Path("fixtures/library"), start_article=LENS, clock=lambda: NOON)
    assert snap_compare(app, terminal_size=(80, 24), run_before=in_editor)


async def test_a_note_from_a_study_card_once_its_answer_shows() -> None:
    from qtreader.library.study import Scope, StudyRequest
    from qtreader.tui.screens.study import StudyScreen

    request = StudyRequest(Scope.of_subject("History"))
    app = QTReaderApp(LIBRARY, study=request, clock=lambda: NOON)
    async with app.run_test(size=(110, 34)) as pilot:
        await started(pilot)
        session = app.screen
        assert isinstance(session, StudyScreen)
        await pilot.press("a")  # the question only: a note would give the answer away
        await settled(pilot)
        assert app.screen is session
        await pilot.press("space")
        await settled(pilot)
        editor = await open_editor(pilot)
        assert "printing press" in "\n".join(screen_lines(editor.query_one("#note-title", Static)))
        await type_text(pilot, "movable type")
        await pilot.press("ctrl+s")
        await settled(pilot)
        await pilot.press("escape")
        await settled(pilot)
        assert app.screen is session
        assert saved_note(508) == "movable type"
