"""The reader's library loader: the messages it posts, and what the screen shows of them."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from qtreader.library.store import load_library
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.reader import ReaderScreen
from qtreader.tui.widgets.library_loader import LibraryLoader

from .pilot import loaded, screen_lines


class RecordingReader(ReaderScreen):
    """The reader screen, noting each message of its loader in the order it handles them."""

    def __init__(self, library_path: Path) -> None:
        super().__init__(library_path)
        self.heard: list[tuple[str, object]] = []

    def on_library_loader_opened(self, message: LibraryLoader.Opened) -> None:
        assert message.control is self.query_one(LibraryLoader)
        self.heard.append(("Opened", len(message.library)))

    def on_library_loader_progress(self, message: LibraryLoader.Progress) -> None:
        self.heard.append(("Progress", (message.done, message.total)))

    def on_library_loader_refreshed(self, message: LibraryLoader.Refreshed) -> None:
        self.heard.append(("Refreshed", len(message.library)))

    def on_library_loader_failed(self, message: LibraryLoader.Failed) -> None:
        self.heard.append(("Failed", message.reason))


class RecordingApp(QTReaderApp):
    def get_default_screen(self) -> RecordingReader:
        return RecordingReader(self.library_path)

    @property
    def heard(self) -> list[tuple[str, object]]:
        reader = self.screen_stack[0]
        assert isinstance(reader, RecordingReader)
        return reader.heard


def status_line(app: QTReaderApp) -> str:
    return "\n".join(screen_lines(app.screen.query_one("#status", Static)))


async def test_a_warm_start_shows_the_index_then_refreshes(library_copy: Path) -> None:
    load_library(library_copy)  # the index knows the library: nothing to parse
    app = RecordingApp(library_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        # The refresh stats every file and finds nothing to parse.
        assert app.heard == [("Opened", 8), ("Progress", (9, 9)), ("Refreshed", 8)]
        assert "8 articles" in status_line(app)


async def test_a_cold_start_shows_indexing_progress(library_copy: Path) -> None:
    app = RecordingApp(library_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        names = [name for name, _ in app.heard]
        assert names[0] == "Opened" and app.heard[0][1] == 0  # no index yet: nothing to show
        assert names[-1] == "Refreshed" and app.heard[-1][1] == 8
        progress = [detail for name, detail in app.heard if name == "Progress"]
        assert progress and progress[-1] == (9, 9)
        assert set(names[1:-1]) == {"Progress"}
        assert "8 articles" in status_line(app)


async def test_refresh_opens_and_refreshes_again(library_copy: Path) -> None:
    load_library(library_copy)
    app = RecordingApp(library_copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        (library_copy / "learn" / "computer-science" / "what-is-recursion.md").unlink()
        app.heard.clear()
        await pilot.press("ctrl+r")
        await loaded(pilot)
        assert app.heard[0] == ("Opened", 8)  # the index as it was, shown first
        assert {name for name, _ in app.heard[1:-1]} == {"Progress"}
        assert app.heard[-1] == ("Refreshed", 7)
        assert "7 articles" in status_line(app)


async def test_a_library_that_cannot_be_opened_is_reported_in_the_status_bar(
    tmp_path: Path,
) -> None:
    not_a_folder = tmp_path / "library.md"
    not_a_folder.write_text("a file where the library folder should be\n")
    app = RecordingApp(not_a_folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert app.heard == [
            ("Failed", f"Cannot load the library: library folder not found: {not_a_folder}")
        ]
        status = status_line(app)
        assert "Cannot load the library: library folder not found" in status
