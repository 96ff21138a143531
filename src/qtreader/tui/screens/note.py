"""The note editor: the reader's own Markdown on an article, kept in the reading state.

The screen does not save by itself: the reader hands it a ``save`` function (which asks
the state keeper, off the event loop) and tells it how that went (:meth:`NoteScreen.saved`,
:meth:`NoteScreen.not_saved`), so the editor leaves only once its text is safe."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static, TextArea

from qtreader.tui.bindings import NOTE_BINDINGS, NOTE_TEXT_BINDINGS
from qtreader.tui.screens.tint import TintedModal
from qtreader.tui.widgets.header import TitleHeader
from qtreader.tui.widgets.plain import data

__all__ = ["NoteArea", "NoteScreen", "UnsavedNoteScreen", "edit_externally"]

#: What the question about unsaved text is answered with.
Choice = Literal["save", "discard", "keep"]


class NoteArea(TextArea):
    """The text of the note: a ``TextArea`` whose ctrl+e hands the note to ``$EDITOR``."""

    BINDINGS = NOTE_TEXT_BINDINGS


class NoteScreen(Screen[None]):
    """Edits the note of one article, titled ``title``, that reads ``text`` now."""

    BINDINGS = NOTE_BINDINGS

    def __init__(self, article_id: int, title: str, text: str, save: Callable[[str], None]) -> None:
        super().__init__()
        self.article_id = article_id
        self.article_title = title
        self.saved_text = text
        """The note as the state holds it."""
        self._save = save
        self._saving: str | None = None
        #: What happens once the text being saved is saved (leaving, or quitting).
        self._when_saved: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield TitleHeader()
        with Vertical(id="note-box"):
            yield Static(data(f"Note on “{self.article_title}”"), id="note-title")
            yield Static(
                data("Markdown · ctrl+s save · escape back · ctrl+e $EDITOR"), id="note-hint"
            )
            area = NoteArea(self.saved_text, soft_wrap=True, id="note-text")
            if "markdown" in area.available_languages:  # with tree-sitter installed
                area.language = "markdown"
            yield area
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "note"
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        """The text in the editor."""
        return self.query_one(TextArea).text

    @property
    def unsaved(self) -> bool:
        """Whether the editor holds text that is neither saved nor being saved."""
        return self.text not in (self.saved_text, self._saving)

    @property
    def unsafe(self) -> bool:
        """Whether the editor holds text the state does not hold yet (unsaved, or saving)."""
        return self.text != self.saved_text

    # Told by the reader ------------------------------------------------------------------

    def saved(self, text: str) -> None:
        """The state now holds ``text``."""
        self.saved_text = text
        if self._saving == text:
            self._saving = None
        then, self._when_saved = self._when_saved, None
        if then is not None and not self.unsafe:
            then()

    def not_saved(self) -> None:
        """The save asked for failed (the reader says why): the text stays here, unsaved."""
        self._saving = None
        self._when_saved = None

    # Actions ----------------------------------------------------------------------------

    def action_save(self) -> None:
        self._request_save(self.text)

    def _request_save(self, text: str) -> None:
        self._saving = text
        self._save(text)

    def action_leave(self) -> None:
        self.leave()

    def leave(self, then: Callable[[], None] | None = None) -> None:
        """Leave the editor (or, ``then``, do that instead: quit), asking first what
        becomes of unsaved text; text being saved is waited for."""

        def go() -> None:
            if then is not None:
                then()
            else:
                self.dismiss()

        if self._saving is not None and self.text == self._saving:
            self._when_saved = go  # once the state has it
        elif not self.unsaved:
            go()
        else:

            def answered(choice: Choice | None) -> None:
                if choice == "save":
                    self._when_saved = go
                    self._request_save(self.text)
                elif choice == "discard":
                    go()
                else:
                    self.query_one(TextArea).focus()

            self.app.push_screen(UnsavedNoteScreen(), answered)

    def action_external(self) -> None:
        """Hand the text to ``$VISUAL``/``$EDITOR``; what it writes is saved."""
        written = edit_externally(self.app, self.text)
        if written is None:
            return
        area = self.query_one(TextArea)
        area.load_text(written)
        area.move_cursor(area.document.end)
        self._request_save(written)


class UnsavedNoteScreen(TintedModal[Choice]):
    """Asks what becomes of unsaved text when the editor is left."""

    BINDINGS = [
        Binding("s", "dismiss('save')", "Save", id="unsaved-note.save"),
        Binding("d", "dismiss('discard')", "Discard", id="unsaved-note.discard"),
        Binding("escape,k", "dismiss('keep')", "Keep editing", id="unsaved-note.keep"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="unsaved-box") as box:
            box.border_title = "Unsaved note"
            yield Static("This note has changes that are not saved.")
            with Horizontal(id="unsaved-buttons"):
                yield Button("Save (s)", variant="primary", id="save")
                yield Button("Discard (d)", variant="error", id="discard")
                yield Button("Keep editing (k)", id="keep")

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice: Choice = "save" if event.button.id == "save" else "keep"
        if event.button.id == "discard":
            choice = "discard"
        self.dismiss(choice)


def editor_command() -> list[str]:
    """The user's editor as a command: ``$VISUAL``, else ``$EDITOR``, else ``vi``."""
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


def edit_externally(app: App[object], text: str) -> str | None:
    """Suspend ``app``, let the user's editor edit ``text`` in a temporary file and return
    what it wrote; ``None`` (after a notification saying why) when nothing was written.

    The editor runs on the event loop: the app is suspended while it runs, and it must own
    the terminal, so there is nothing for the loop to do meanwhile."""
    try:
        command = editor_command()
    except ValueError as error:  # an unbalanced quote in $EDITOR
        app.notify(f"$VISUAL or $EDITOR cannot be read: {error}.", severity="error")
        return None
    if not command:
        command = ["vi"]
    with tempfile.TemporaryDirectory(prefix="qtreader-note-") as folder:
        path = Path(folder) / "note.md"
        path.write_text(text, encoding="utf-8")
        try:
            with app.suspend():
                finished = subprocess.run([*command, str(path)], check=False)
        except SuspendNotSupported:
            app.notify(
                "This terminal cannot be handed to an editor: write the note here.",
                severity="warning",
            )
            return None
        except OSError as error:  # not found, not executable
            app.notify(
                f"The editor {command[0]!r} could not be started ({error.strerror or error}): "
                "set $VISUAL or $EDITOR to an editor that is installed.",
                title="Note not changed",
                severity="error",
            )
            return None
        if finished.returncode != 0:
            app.notify(
                f"The editor {command[0]!r} exited with status {finished.returncode}: "
                "the note is not changed.",
                severity="warning",
            )
            return None
        try:
            written = path.read_bytes().decode("utf-8", errors="replace")
        except OSError as error:
            app.notify(f"The note could not be read back: {error}.", severity="error")
            return None
    return written.rstrip("\n") if not text.endswith("\n") else written
