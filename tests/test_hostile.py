"""A hostile library: every good file loads, every bad one is reported by path and reason,
nothing hangs or crashes, memory stays bounded, and nothing is written into the library."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from textual.widgets import Static

from qtreader.library.decode import escape_controls
from qtreader.library.parse import parse_bytes, parse_file
from qtreader.library.store import Library, load_library
from qtreader.tui.app import QTReaderApp
from qtreader.tui.screens.problems import ProblemsScreen

from .conftest import refuse_to_open
from .hostile_library import (
    EVIL_FILE,
    FORBIDDEN,
    GOOD,
    PROBLEMS,
    UNREADABLE,
    HostileLibrary,
    make_hostile_library,
    snapshot,
)
from .pilot import loaded
from .test_app import rendered, shown_question

T = TypeVar("T")

#: Generous: loading the whole hostile library takes well under a second.
DEADLINE = 60.0


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run ``work`` in a thread and fail (instead of hanging the suite) if it does not end."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds:.0f} s: it hangs")
    if failure:
        raise failure[0]
    return outcome[0]


@pytest.fixture
def hostile(tmp_path: Path) -> HostileLibrary:
    return make_hostile_library(tmp_path / "library")


@pytest.fixture
def unreadable(hostile: HostileLibrary, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests run as root, which reads any file: refuse this one at open() instead."""
    secret = hostile.root / UNREADABLE
    refuse_to_open(monkeypatch, secret)
    return secret


def _texts(library: Library) -> list[str]:
    """Every text of the library that reaches the screen."""
    texts = [subject.name for subject in library.subjects]
    for article in library.articles():
        texts += [article.question, article.title, article.description, *article.keywords]
        texts += [article.slug, article.url, *article.subjects]
        texts += [f"{link.title} {link.subject} {link.url}" for link in article.related]
        texts.append(library.answer(article.id))
    return texts


def test_good_files_load_and_bad_ones_are_reported(
    hostile: HostileLibrary, unreadable: Path
) -> None:
    before = snapshot(hostile.root)
    library = within(DEADLINE, lambda: load_library(hostile.root))
    assert {a.id: a.question for a in library.articles()} == GOOD
    reasons = {p.path.relative_to(hostile.root).as_posix(): p.reason for p in library.problems}
    expected = {**PROBLEMS, UNREADABLE: "cannot read: Permission denied"}
    assert sorted(reasons) == sorted(expected)
    for path, reason in expected.items():
        assert reason in reasons[path], (path, reasons[path])
    for text in _texts(library):
        assert not FORBIDDEN.search(text), repr(text)
    assert snapshot(hostile.root) == before


def test_what_good_hostile_files_show(hostile: HostileLibrary) -> None:
    library = within(DEADLINE, lambda: load_library(hostile.root))
    escaped = library.article(9004)
    assert escaped is not None
    assert escaped.title == "Why is the sky blue?"
    assert escaped.keywords == ("sky", "blue", "light")
    assert escaped.related[0].title == "What is a standing wave?"
    assert library.answer(9004) == "Rayleigh scattering favours short waves."
    assert library.answer(9007) == "Only the text it is sent."
    big = library.answer(9006)  # (asserted piecemeal: pytest would diff 2 MB strings)
    assert len(big) > 1_900_000
    assert big.count("\n") == big.count("$x \\neq y$, $\\nu$ and $\\nabla f$.") > 30_000
    assert set(re.findall(r"\\n[a-z]*", big)) == {"\\neq", "\\nu", "\\nabla"}
    divergence = library.answer(9002)
    assert "$$\n\\nabla \\cdot \\mathbf{E}" in divergence and "$\\rho \\neq 0$" in divergence
    assert 'print("div\\n")' in divergence
    folder = library.article(9008)
    assert folder is not None and folder.subjects == ("Evil",)


def test_memory_stays_bounded_per_file(hostile: HostileLibrary) -> None:
    """Peak Python memory while parsing one file: the alias bomb is never expanded, a file
    over the limit is never read, and a 2 MB answer costs memory in proportion to its size."""
    learn = hostile.root / "learn" / "hostile"
    limits = {
        "alias-bomb.md": 8_000_000,  # the read buffer is 4 MiB; expanded, GBs
        "over-limit.md": 200_000,
        "deep-flow-nesting.md": 20_000_000,
        "deep-block-nesting.md": 20_000_000,
        "binary-garbage.md": 8_000_000,
        "big-answer.md": 64 * hostile.big_answer_bytes,  # decoding keeps its ~200,000 pieces
    }
    for name, limit in limits.items():
        tracemalloc.start()
        try:
            within(DEADLINE, functools.partial(parse_file, learn / name, hostile.root))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < limit, (name, peak)


# The peak is the process's own high-water mark (VmHWM). Not getrusage's ru_maxrss: Linux
# carries that over from the parent's memory through the fork and exec that started the
# process, so it reported the test worker's peak (over 400 MB after some tests), not ours.
PROBE = """
import json, resource, runpy, sys
sys.argv = ["qtreader", "check", sys.argv[1], "--json"]
try:
    runpy.run_module("qtreader", run_name="__main__")
except SystemExit as exit:
    code = exit.code
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except OSError:  # no /proc: the closest figure there is
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"code": code, "maxrss_kb": peak}), file=sys.stderr)
"""


def test_check_in_a_process_of_its_own_neither_hangs_nor_crashes_nor_bloats(
    hostile: HostileLibrary,
) -> None:
    """``qtreader check`` on the hostile library, in a separate process: a crash (the C
    parser overflowing its stack) or a hang (reading a named pipe) cannot take the test run
    down with it. Peak memory is the process's own maximum resident size."""
    before = snapshot(hostile.root)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(hostile.root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stderr.strip().splitlines()[-1])
    assert outcome["code"] == 1  # problems found
    assert outcome["maxrss_kb"] < 400_000  # an expanded alias bomb alone would take gigabytes
    report = json.loads(result.stdout)
    assert report["articles"] == len(GOOD) + 1  # and the file that only the other tests refuse
    reasons = {Path(p["path"]).relative_to(hostile.root).as_posix(): p["reason"] for p in
               report["problems"]}  # fmt: skip
    assert sorted(reasons) == sorted(PROBLEMS)
    assert snapshot(hostile.root) == before


def test_check_prints_bad_names_with_their_escapes_shown_not_obeyed(
    hostile: HostileLibrary,
) -> None:
    qtreader = str(Path(sys.executable).with_name("qtreader"))
    result = subprocess.run(
        [qtreader, "check", str(hostile.root)], capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 1, result.stderr
    out = result.stdout.decode()
    assert not FORBIDDEN.search(out), [line for line in out.splitlines() if FORBIDDEN.search(line)]
    assert "learn/hostile/bad\\x1b]0;PWNED-BY-A-FILE\\x07.md: YAML error" in out
    for path in PROBLEMS:
        assert escape_controls(str(hostile.root / path)) + ": " in out, path


async def test_the_app_on_the_hostile_library(hostile: HostileLibrary, unreadable: Path) -> None:
    before = snapshot(hostile.root)
    app = QTReaderApp(hostile.root, start_article="9004")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert shown_question(app) == "Why is the sky blue?"
        answer = rendered(screen.query_one("#answer", Static))
        assert "Rayleigh scattering favours short waves." in answer
        status = rendered(screen.query_one("#status", Static))
        assert f"{len(GOOD)} articles" in status
        assert f"{len(PROBLEMS) + 1} problems (e to list)" in status
        # Each good article opens (the 2 MB one aside: it loads, but its rendering is a
        # matter for the article view and takes seconds).
        for article_id, question in GOOD.items():
            if article_id == 9006:
                continue
            screen.open_article(article_id)
            await pilot.pause()
            assert shown_question(app) == question
        await pilot.press("e")
        assert isinstance(app.screen, ProblemsScreen)
        listed = rendered(app.screen.query_one(Static))
        assert "bad\\x1b]0;PWNED-BY-A-FILE\\x07.md: YAML error" in listed
        assert "learn/chemistry/unreadable.md: cannot read: Permission denied" in listed
        for path in PROBLEMS:
            assert escape_controls(path) in listed, path
        await pilot.press("escape")
        tree_text = rendered(screen.query_one("#tree"))
        assert "Evil" in tree_text and "Chemistry" in tree_text and "Physics" in tree_text
        await pilot.press("q")
    assert snapshot(hostile.root) == before


def test_evil_names_are_listed_with_visible_escapes() -> None:
    assert escape_controls(EVIL_FILE) == "bad\\x1b]0;PWNED-BY-A-FILE\\x07.md"
    assert escape_controls("a\u202eb\tc\nd\x9b") == "a\\u202eb\\tc\\nd\\x9b"
    assert escape_controls("plain/path.md") == "plain/path.md"


@pytest.mark.parametrize(
    "seo",
    [
        "[" * 25 + "]" * 25,
        "[" * 100_000 + "]" * 100_000,
        "\n" + "".join("  " * level + f"k{level}:\n" for level in range(1, 26)) + "  " * 26 + "x",
        "\n  " + "- " * 50_000 + "x",
    ],
    ids=["flow-25", "flow-100000", "block-25", "block-50000"],
)
def test_deep_nesting_is_reported_as_such(seo: str) -> None:
    """Whoever stops it first (qtreader past 20 levels, libyaml at its own limit), the file
    is a problem whose reason says it is nested too deeply, and nothing else fails."""
    data = f"---\nid: 1\nquestion: Q?\nanswer: A.\nseo: {seo}\n---\n".encode()
    path = Path("/library/learn/x/deep.md")
    article, problem = within(
        DEADLINE,
        lambda: parse_bytes(data, path, Path("/library"), size=len(data), mtime_ns=0),
    )
    assert article is None and problem is not None and problem.path == path
    assert "nested more than 20 levels deep" in problem.reason, problem.reason
