"""``qtreader serve`` in a real browser (Debian's headless Chromium through Playwright): the
page loads, the tree shows, keys open, follow and search; two tabs study at once and both
grades count in ``qtreader stats``; copy reaches the browser's clipboard; a cold library
shows its indexing progress in the page; ctrl+c leaves no reader behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ..conftest import LIBRARY
from .browser import DEADLINE, QTREADER, Browser, Served, alive, why_no_browser

pytestmark = pytest.mark.skipif(why_no_browser() is not None, reason=str(why_no_browser()))

REPOSITORY = Path(__file__).parents[2]
LENS_ANSWER = "A convex lens bends light by refraction"
DOPPLER_ANSWER = "is the change in observed frequency"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start ``qtreader serve`` on a library (on a free port); each is killed after the
    test if it still runs."""
    started: list[Served] = []

    def start(library: Path = LIBRARY, *args: str) -> Served:
        started.append(Served(library, tmp_path, *args))
        return started[-1]

    yield start
    for served in started:
        served.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    with Browser(tmp_path) as opened:
        yield opened


def stats(library: Path) -> dict[str, object]:
    """``qtreader stats --json`` as the shell runs it, on the same state as the server."""
    result = subprocess.run(
        [str(QTREADER), "stats", "--json", "--library", str(library)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures: dict[str, object] = json.loads(result.stdout)
    return figures


def test_tree_open_related_search_in_the_browser(
    serve: Callable[..., Served], browser: Browser, tmp_path: Path
) -> None:
    served = serve()
    assert served.url == f"http://127.0.0.1:{served.port}"
    tab = browser.open(served.url)
    tab.wait_for("8 articles · 5 subjects", "Welcome to qtreader", "Computer Science")
    tab.keys("ArrowDown", "ArrowUp")  # the first key gives the app the focus: the footer
    tab.wait_for("s Study", "^p palette")

    # Physics is the fifth subject; enter expands it, and its second article opens.
    tab.keys("ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Enter")
    tab.wait_for("How does a lens focus")
    tab.keys("ArrowDown", "Enter")
    tab.wait_for("How does a lens focus light?", LENS_ANSWER)

    tab.keys("1")  # its first related article
    tab.wait_for("What is the Doppler effect?", DOPPLER_ANSWER)

    tab.keys("/")
    tab.wait_for("Search every article", "prefix*")
    tab.type("gradient")
    tab.wait_for("What is a gradient?")
    tab.keys("Enter")
    tab.wait_gone("prefix*")
    tab.wait_for("What is a gradient?", "It points where f grows fastest")

    shot = tab.screenshot(tmp_path / "serve-gradient.png")
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000  # a page drawn, not a blank one
    assert "Traceback" not in served.log()
    assert browser.refused == []  # the page needs nothing from elsewhere (its font is served)


def test_two_tabs_study_at_once_and_stats_counts_both(
    serve: Callable[..., Served], browser: Browser, isolated_dirs: Path
) -> None:
    """Two tabs are two readers over one state: each grades a card while the other's
    session is open, and both reviews are kept."""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "qtreader" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('new_card_order = "date"\n')
    served = serve()
    physics, history = browser.open(served.url), browser.open(served.url)
    for tab in (physics, history):
        tab.wait_for("8 articles · 5 subjects")
    physics.page.bring_to_front()
    physics.keys("ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "s")
    physics.wait_for("Study", "enter to start")
    physics.keys("Enter")
    physics.wait_for("What is a gradient?")
    history.page.bring_to_front()
    history.keys("ArrowDown", "s")
    history.wait_for("Study", "enter to start")
    history.keys("Enter")
    history.wait_for("Why did the printing press spread quickly?")
    assert len(served.app_pids()) == 2  # one reader a tab

    for tab, answer in ((physics, "partial derivatives"), (history, "Movable type made books")):
        tab.page.bring_to_front()
        tab.keys(" ")
        tab.wait_for(answer)
        tab.keys("3")  # good
        tab.wait_for("1 reviewed")

    figures = stats(LIBRARY)
    library = figures["library"]
    assert isinstance(library, dict)
    assert library["seen"] == 2, figures
    by_subject = {row["subject"]: row for row in figures["subjects"]}  # type: ignore[attr-defined]
    assert by_subject["History"]["seen"] == 1
    assert by_subject["Physics"]["seen"] == 1
    assert served.interrupt() == 0


@pytest.mark.parametrize(
    ("group", "number", "times"),
    [
        (True, signal.SIGINT, 1),
        (True, signal.SIGINT, 2),
        (False, signal.SIGINT, 1),
        (False, signal.SIGTERM, 1),
    ],
    ids=["ctrl+c", "ctrl+c twice", "kill -INT", "kill"],
)
def test_stopping_the_server_ends_the_readers_of_its_tabs(
    serve: Callable[..., Served], browser: Browser, group: bool, number: int, times: int
) -> None:
    """Ctrl+C reaches the whole process group; ``kill`` only the server, which must end
    its readers itself (they run in sessions of their own)."""
    served = serve()
    first, second = browser.open(served.url), browser.open(served.url)
    for tab in (first, second):
        tab.wait_for("8 articles · 5 subjects")
    readers = served.app_pids()
    assert len(readers) == 2, served.log()

    assert served.interrupt(group=group, number=number, times=times) == 0
    assert [pid for pid in readers if alive(pid)] == []
    assert served.left_behind() == []  # nor any process of theirs (indexing workers)
    assert "qtreader serve: stopped" in served.log()
    assert "Traceback" not in served.log()


def test_closing_a_tab_or_quitting_in_it_ends_its_reader(
    serve: Callable[..., Served], browser: Browser
) -> None:
    served = serve()
    closed, quitting = browser.open(served.url), browser.open(served.url)
    for tab in (closed, quitting):
        tab.wait_for("8 articles · 5 subjects")
    readers = served.app_pids()
    assert len(readers) == 2
    closed.page.close()
    quitting.keys("q")
    quitting.page.get_by_text("The reader has ended.").wait_for(timeout=DEADLINE * 1000)
    for pid in readers:
        wait_until_ended(pid)
    assert served.process.poll() is None  # the server goes on
    reopened = browser.open(served.url)
    reopened.wait_for("8 articles · 5 subjects")


def wait_until_ended(pid: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while alive(pid):
        assert time.monotonic() < deadline, f"reader {pid} still runs"
        time.sleep(0.05)


def test_copy_reaches_the_browsers_clipboard(
    serve: Callable[..., Served], browser: Browser
) -> None:
    served = serve()
    tab = browser.open(served.url)
    tab.wait_for("8 articles · 5 subjects")
    tab.keys("ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Enter")
    tab.wait_for("How does a lens focus")
    tab.keys("ArrowDown", "Enter")
    tab.wait_for(LENS_ANSWER)
    tab.keys("y")
    tab.wait_for("Copied")
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("# How does a lens focus light?\n\n"), copied


def test_copy_on_a_page_the_browser_keeps_from_the_clipboard_says_why(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    """Plain http on a name other than localhost: the page has no navigator.clipboard, so
    the reader says why it cannot copy and how to get a page that can."""
    served = serve()
    rules = "--host-resolver-rules=MAP reader.test 127.0.0.1"
    with Browser(tmp_path / "elsewhere", args=(rules,)) as browser:
        tab = browser.open(f"http://reader.test:{served.port}/")
        assert tab.page.evaluate("window.isSecureContext") is False
        tab.wait_for("8 articles · 5 subjects")
        tab.keys("ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "Enter")
        tab.wait_for("How does a lens focus")
        tab.keys("ArrowDown", "Enter")
        tab.wait_for(LENS_ANSWER)
        tab.keys("y")
        tab.wait_for("Not copied", "ssh -L 8000:localhost:8000")


def test_a_cold_library_shows_its_indexing_progress_in_the_page(
    serve: Callable[..., Served], browser: Browser, tmp_path: Path
) -> None:
    subprocess.run(
        [sys.executable, str(REPOSITORY / "bench" / "generate.py"), str(tmp_path / "big"),
         "--articles", "3000", "--workers", "2"],
        check=True, capture_output=True,
    )  # fmt: skip
    served = serve(tmp_path / "big")
    tab = browser.open(served.url)
    tab.wait_for("Indexing…")
    tab.wait_for("3000 articles")
