"""Article ids at and past the ends of SQLite's integers, and the negative ids of real
libraries, through the store, the installed script and the reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library.store import load_library
from qtreader.tui.app import QTReaderApp

from .hostile_library import (
    FAR_RELATED_ID,
    HUGE_ID,
    UNSAFE_GOOD,
    printed,
    qtreader,
)
from .pilot import loaded


def test_ids_past_sqlite_integers_are_reported_and_the_rest_load(unsafe: Path) -> None:
    library = load_library(unsafe)
    assert set(UNSAFE_GOOD) == {a.id for a in library.articles()}
    assert library.article(HUGE_ID) is None and HUGE_ID not in library
    assert library.neighbour(HUGE_ID, "Maths", 1) is None
    far = library.article(9204)
    assert far is not None
    assert [(link.id, link.title, link.available) for link in far.related] == [
        (FAR_RELATED_ID, "Past the end", False),
        (-4, "Negative", True),
    ]
    check = qtreader("check", str(unsafe), "--json")
    problems = {p["reason"] for p in json.loads(printed(check.stdout))["problems"]}
    assert any(f"id {HUGE_ID} is out of range" in reason for reason in problems)
    assert any(f"id {-(2**63) - 1} is out of range" in reason for reason in problems)
    shown = qtreader("show", "9204", "--format", "json", "--library", str(unsafe))
    assert json.loads(printed(shown.stdout))["related"][0] == {
        "id": FAR_RELATED_ID,
        "title": "Past the end",
        "subject": "",
        "available": False,
    }
    typed = qtreader("show", str(HUGE_ID), "--library", str(unsafe))
    assert typed.returncode == 1
    assert printed(typed.stderr).startswith("qtreader: no article matches")


@pytest.mark.parametrize(
    "args",
    [
        ["show", "-4"],
        ["show", "-4", "--format", "json"],
        ["show", "--format", "json", "-4"],
        ["show", "--", "-4"],
    ],
)
def test_show_a_negative_id(unsafe: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [args[0], "--library", str(unsafe), *args[1:]])
    assert result.exit_code == 0, result.output
    assert "Can an id be negative?" in result.stdout


def test_options_stay_options_around_a_negative_id(unsafe: Path) -> None:
    result = CliRunner().invoke(main, ["show", "--frmat", "json", "-4"])
    assert result.exit_code == 2 and "No such option" in result.stderr
    result = CliRunner().invoke(main, ["show", "-4", "--library"])
    assert result.exit_code == 2 and "requires an argument" in result.stderr
    # After --, everything is the article: words that match nothing.
    result = CliRunner().invoke(main, ["show", "--library", str(unsafe), "--", "-4", "-x"])
    assert result.exit_code == 1


@pytest.mark.parametrize("args", [["-4"], ["read", "-4"], ["--", "-4"], ["--incognito", "-4"]])
def test_the_reader_opens_a_negative_id(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str | None] = []

    class Reader:
        return_code = 0
        incognito = False

        def __init__(self, library_path: Path, start_article: str | None, **_: object) -> None:
            started.append(start_article)

        def run(self) -> None:
            pass

    monkeypatch.setattr("qtreader.tui.app.QTReaderApp", Reader)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert started == ["-4"]


async def test_the_app_opens_a_negative_id(unsafe: Path) -> None:
    app = QTReaderApp(unsafe, start_article="-4")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert screen.history.current is not None
        assert screen.history.current.article_id == -4
