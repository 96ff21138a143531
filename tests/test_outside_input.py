"""Names and text from outside, through the store and the installed script: names that are
not UTF-8 load and are kept whole, and nothing qtreader prints (in any format, error lines
included) carries a control, bidi or zero-width character or a byte that is not UTF-8."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qtreader.library.decode import clean_text, escape_controls, escape_json
from qtreader.library.store import load_library
from qtreader.tui.app import QTReaderApp

from .hostile_library import (
    FORBIDDEN,
    OSC_FOLDER,
    UNSAFE_GOOD,
    UNSAFE_PROBLEMS,
    printed,
    qtreader,
)
from .pilot import loaded, screen_lines

# Names that are not UTF-8 ------------------------------------------------------------------


def test_names_that_are_not_utf8_load_and_stay_the_same(unsafe: Path) -> None:
    library = load_library(unsafe)
    assert {a.id: a.question for a in library.articles()} == UNSAFE_GOOD
    folder = library.article(9201)
    assert folder is not None and folder.subjects == ("Ph\\xffysics",)
    # The path keeps the very bytes of the name, to reach the file.
    assert os.fsencode(folder.path).endswith(b"/learn/ph\xffysics/standing.md")
    assert library.answer(9201) == "Bytes."
    named = library.article(9202)
    assert named is not None and os.fsencode(named.path).endswith(b"/maths/bad\xff.md")
    assert library.answer(9202) == "Bytes too."
    reasons = {p.path.relative_to(unsafe).as_posix(): p.reason for p in library.problems}
    assert sorted(reasons) == sorted(UNSAFE_PROBLEMS)
    for path, reason in UNSAFE_PROBLEMS.items():
        assert reason in reasons[path], (path, reasons[path])

    # Nothing is found changed by the next refresh, and no folder looks stale.
    assert not library.is_stale()
    assert not library.refresh().changed_anything
    # A changed file is read from its name again.
    with open(os.fsencode(named.path), "ab") as handle:
        handle.write(b"\n")
    assert library.answer(9202) == "Bytes too."
    report = library.refresh()
    assert (report.changed, report.added, report.removed) == (1, 0, 0)


def test_commands_on_names_that_are_not_utf8(unsafe: Path) -> None:
    check = qtreader("check", str(unsafe))
    assert check.returncode == 1, check.stderr
    out = printed(check.stdout)
    assert f"articles:       {len(UNSAFE_GOOD)}" in out
    assert f"{escape_controls(unsafe)}/learn/maths/broken\\xfe.md: no front matter" in out

    search = qtreader("search", "bytes", "--library", str(unsafe))
    assert search.returncode == 0, search.stderr
    assert "9201\tWhat is in a folder name?\tPh\\xffysics\t" in printed(search.stdout)

    subjects = qtreader("subjects", "--library", str(unsafe))
    assert subjects.returncode == 0, subjects.stderr
    assert "Ph\\xffysics" in printed(subjects.stdout)

    index = qtreader("index", str(unsafe), "--rebuild")
    assert index.returncode == 0, index.stderr
    assert printed(index.stdout).startswith(f"{len(UNSAFE_GOOD) + 6} files: ")

    # JSON keeps the name whole: decoded, it gives the bytes of the file back.
    shown = qtreader("show", "9202", "--format", "json", "--library", str(unsafe))
    assert shown.returncode == 0, shown.stderr
    assert b"\\udcff" in shown.stdout
    path = json.loads(printed(shown.stdout))["path"]
    assert os.fsencode(path) == os.fsencode(unsafe) + b"/learn/maths/bad\xff.md"


# What reaches the terminal -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "{root}"],
        ["check", "{root}", "--json"],
        ["subjects", "--library", "{root}"],
        ["subjects", "--library", "{root}", "--format", "rich"],
        ["subjects", "--library", "{root}", "--json"],
        ["search", "zero", "--library", "{root}"],
        ["search", "zero", "--library", "{root}", "--format", "rich"],
        ["search", "zero", "--library", "{root}", "--json"],
        *(
            ["show", str(article_id), "--library", "{root}", "--format", fmt]
            for article_id in (9203, 9202, 9201)
            for fmt in ("rich", "plain", "markdown", "json")
        ),
        ["show", "4242", "--library", "{root}"],
        ["random", "--subject", "nothing", "--library", "{root}"],
    ],
)
def test_nothing_unsafe_is_printed(unsafe: Path, args: list[str]) -> None:
    result = qtreader(*(arg.replace("{root}", str(unsafe)) for arg in args))
    out, err = printed(result.stdout), printed(result.stderr)
    assert "Traceback" not in err
    if args[0] == "check":
        assert result.returncode == 1 and out  # it has problems to report
    elif "4242" in args:
        assert result.returncode == 1 and err.startswith("qtreader: no article")
    elif "nothing" in args:  # the subjects it lists have unsafe names: shown as escapes
        assert result.returncode == 2 and err.startswith("qtreader: no subject matches")
    else:
        assert result.returncode == 0 and out, err
    if "--json" in args or "json" in args:
        json.loads(out)  # still JSON, its unsafe characters escaped


def test_json_keeps_unsafe_names_as_escapes(unsafe: Path) -> None:
    result = qtreader("check", str(unsafe), "--json")
    out = printed(result.stdout)
    assert "\\u0085\\u009b" in out and "\\u202e" in out and "\\u200b\\u200d\\u2028\\ufeff" in out
    paths = {Path(p["path"]).name for p in json.loads(out)["problems"]}
    assert {
        "c1\x85\x9bname.md",
        "bidi\u202eevil\u2066.md",
        "zw\u200b\u200d\u2028\ufeff.md",
    } <= paths


def test_text_fields_lose_zero_width_and_bidi_characters(unsafe: Path) -> None:
    library = load_library(unsafe)
    article = library.article(9203)
    assert article is not None
    assert article.question == "What is a zero width  space?"
    assert article.title == "Zero width evil title"
    assert article.keywords == ("zero", "width")
    assert library.answer(9203) == "| a | b  |\n|---|---|\n| 1 | 2 |\n\nLine break."
    table = qtreader("show", "9203", "--library", str(unsafe), "--format", "rich", "--width", "60")
    lines = printed(table.stdout).splitlines()
    # The table's rows are as wide as its rule, the characters counted being the cells.
    start = next(n for n, line in enumerate(lines) if "────" in line) - 1
    rows = lines[start : start + 3]
    assert [row.split() for row in rows] == [["a", "b"], ["────"], ["1", "2"]]
    assert len({len(row) for row in rows}) == 1, rows


def test_error_lines_show_the_library_path_escaped(tmp_path: Path) -> None:
    env = {**os.environ, "QTREADER_LIBRARY": str(tmp_path / OSC_FOLDER)}
    result = qtreader("show", "1", env=env)
    assert result.returncode == 2
    (line,) = printed(result.stderr).splitlines()
    assert line == (
        f"qtreader: library folder not found: {tmp_path}/lib\\x1b]0;pwned\\x07 "
        "(from QTREADER_LIBRARY)"
    )


def test_check_shows_the_library_path_escaped(unsafe: Path) -> None:
    result = qtreader("check", str(unsafe))
    out = printed(result.stdout)
    assert f"library:        {unsafe.parent}/lib\\x1b]0;pwned\\x07" in out.splitlines()


def test_one_definition_of_unsafe_for_text_names_and_json() -> None:
    unsafe = "\x1b]0;t\x07\x85\u202e\u2066\u061c\u200b\u200d\u200e\u200f\ufeff\u2060"
    assert clean_text(f"a{unsafe}b\u2028c\u2029d\udcffe\ud800f\tg\nh") == (
        "ab c d\\xffe\ufffdf\tg\nh"
    )
    assert escape_controls(f"bad\udcff{unsafe}\u2028.md") == (
        "bad\\xff\\x1b]0;t\\x07\\x85\\u202e\\u2066\\u061c\\u200b\\u200d\\u200e\\u200f"
        "\\ufeff\\u2060\\u2028.md"
    )
    assert escape_controls(Path("/a/caf\u00e9")) == "/a/caf\u00e9"
    data = {"path": f"bad\udcff{unsafe}\u2028\x7f", "text": "caf\u00e9 \u03c0\n"}
    dumped = escape_json(json.dumps(data, indent=2, ensure_ascii=False))
    assert not FORBIDDEN.search(dumped)
    assert "caf\u00e9 \u03c0" in dumped  # readable text stays readable
    assert json.loads(dumped) == data


async def test_the_reader_shows_the_library_path_escaped(unsafe: Path) -> None:
    app = QTReaderApp(unsafe)
    async with app.run_test(size=(200, 30)) as pilot:
        screen = await loaded(pilot)
        (status,) = screen_lines(screen.query_one("#status"))
        assert status.rstrip().endswith(f"{unsafe.parent}/lib\\x1b]0;pwned\\x07"), status
