"""One consistent command line, through its real entry point: the global ``--library``,
``--json`` on every command that prints data, one ``--subject`` rule, one form of error,
and the command-line package's own layering."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import qtreader.cli
from qtreader.cli import main
from qtreader.tui.app import QTReaderApp

from .conftest import LIBRARY

QTREADER = str(Path(sys.executable).with_name("qtreader"))
CLI_PACKAGE = Path(qtreader.cli.__file__).parent


@pytest.fixture(autouse=True)
def started(monkeypatch: pytest.MonkeyPatch) -> list[QTReaderApp]:
    """The apps a command started, never run: a command line read wrong would open the
    full-screen reader, and the test would wait for it instead of failing."""
    apps: list[QTReaderApp] = []
    monkeypatch.setattr(QTReaderApp, "run", lambda self: apps.append(self))
    return apps


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="qtreader")
    return result.exit_code, result.stdout, result.stderr


# --library before the command -------------------------------------------------------------


def test_the_installed_script_takes_library_before_the_command() -> None:
    done = subprocess.run(
        [QTREADER, "--library", str(LIBRARY), "search", "doppler", "--format", "plain"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.split("\t")[:3] == ["501", "What is the Doppler effect?", "Physics"]


@pytest.mark.parametrize(
    "args",
    [
        ("show", "999001", "--json"),
        ("subjects", "--json"),
        ("random", "--subject", "physics", "--json"),
        ("search", "only", "--json"),
        ("stats", "--json"),
        ("check", "--json"),
    ],
)
def test_library_before_the_command_reaches_it(args: tuple[str, ...], library_copy: Path) -> None:
    """The default library (the shipped one) would answer too: an article only in the
    library given before the command proves that it was used."""
    (library_copy / "learn/physics/only-here.md").write_text(
        "---\nid: 999001\nquestion: What is only here?\nanswer: Only here.\n---\n"
    )
    code, out, err = run("--library", str(library_copy), *args)
    assert code == 0, err
    data = json.loads(out)
    if args[0] in ("show", "random"):
        assert data["path"].startswith(str(library_copy))
    elif args[0] == "subjects":
        assert {"name": "Physics", "articles": 4} in data
    elif args[0] == "search":
        assert [hit["id"] for hit in data] == [999001]
    elif args[0] == "stats":
        assert data["library"]["articles"] == 9
    else:
        assert data["articles"] == 9


def test_the_command_s_own_library_wins(library_copy: Path) -> None:
    (library_copy / "learn/physics/only-here.md").write_text(
        "---\nid: 999001\nquestion: What is only here?\nanswer: Here.\n---\n"
    )
    code, out, _ = run("--library", str(LIBRARY), "show", "999001", "--library", str(library_copy))
    assert code == 0 and "Here." in out
    code, _, err = run("--library", str(LIBRARY), "show", "999001")
    assert code == 1 and "no article matches '999001'" in err


def test_check_and_index_take_path_or_library(library_copy: Path) -> None:
    (library_copy / "learn/physics/empty.md").write_text("")
    for args in (
        ("check", str(library_copy)),
        ("check", "--library", str(library_copy)),
        ("--library", str(library_copy), "check"),
    ):
        code, out, _ = run(*args)
        assert code == 1 and f"library:        {library_copy}" in out
    code, _, err = run("check", str(LIBRARY), "--library", str(library_copy))
    assert code == 2 and err.startswith("qtreader: ") and "disagree" in err
    code, out, _ = run("--library", str(library_copy), "index")
    assert code == 0 and "8 articles, 1 problems" in out


def test_the_bare_form_opens_the_global_library(
    library_copy: Path, started: list[QTReaderApp]
) -> None:
    assert run("--library", str(library_copy), "505")[0] == 0
    assert run("--library", str(library_copy))[0] == 0
    assert run(f"--library={library_copy}", "505", "--incognito")[0] == 0
    assert [(app.library_path, app.start_article) for app in started] == [
        (library_copy, "505"),
        (library_copy, None),
        (library_copy, "505"),
    ]


def test_help_lists_the_global_options() -> None:
    code, out, _ = run("--help")
    assert code == 0
    options = out.split("Options:")[1].split("Commands:")[0]
    assert "--library PATH" in options and "--version" in options and "--help" in options
    commands = out.split("Commands:")[1]
    for name in ("check", "history", "index", "random", "read", "search", "show", "stats"):
        assert f"\n  {name} " in commands


# --json --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("show", "505"),
        ("random",),
        ("search", "hash"),
        ("subjects",),
        ("stats",),
        ("history",),
        ("check",),
    ],
)
def test_every_data_command_takes_json(args: tuple[str, ...]) -> None:
    code, out, err = run(*args, "--json", "--library", str(LIBRARY))
    assert code == 0, err
    assert isinstance(json.loads(out), (dict, list))


@pytest.mark.parametrize("command", [("show", "505"), ("random",), ("search", "hash")])
def test_json_is_format_json(command: tuple[str, ...]) -> None:
    by_flag = run(*command, "--json", "--library", str(LIBRARY))
    by_format = run(*command, "--format", "json", "--library", str(LIBRARY))
    if command[0] == "random":  # a random article each time: compare the keys
        assert json.loads(by_flag[1]).keys() == json.loads(by_format[1]).keys()
    else:
        assert by_flag == by_format
    code, _, err = run(*command, "--json", "--format", "plain", "--library", str(LIBRARY))
    assert code == 2 and err == (
        f"qtreader: --json and --format plain disagree; see 'qtreader {command[0]} --help'\n"
    )


# --subject ------------------------------------------------------------------------------


def test_random_takes_the_start_of_a_subject_in_any_case() -> None:
    for name in ("phys", "PHYSICS", "  Physics "):
        code, out, err = run("random", "--subject", name, "--json", "--library", str(LIBRARY))
        assert code == 0, err
        assert "Physics" in json.loads(out)["subjects"]


def test_search_and_stats_take_the_start_of_a_subject() -> None:
    code, out, _ = run(
        "search", "gradient", "--subject", "phys", "--json", "--library", str(LIBRARY)
    )
    assert code == 0 and {hit["subject"] for hit in json.loads(out)} == {"Physics"}
    code, out, _ = run("stats", "--subject", "math", "--json", "--library", str(LIBRARY))
    assert code == 0 and json.loads(out)["scope"] == "Mathematics"


@pytest.mark.parametrize(
    "args",
    [
        ("search", "hash", "--subject", "xyz"),
        ("random", "--subject", "xyz"),
        ("stats", "--subject", "xyz"),
        ("study", "--subject", "xyz"),
    ],
)
def test_an_unknown_subject_is_named_with_the_subjects_there_are(args: tuple[str, ...]) -> None:
    code, out, err = run(*args, "--library", str(LIBRARY))
    assert (code, out) == (2, "")
    assert err == (
        "qtreader: no subject matches 'xyz' (subjects: Computer Science, History, "
        "Mathematics, Medicine, Physics)\n"
    )


def test_a_subject_prefix_of_several_needs_one_for_random() -> None:
    code, _, err = run("random", "--subject", "m", "--library", str(LIBRARY))
    assert code == 2 and err == "qtreader: 'm' matches several subjects: Mathematics, Medicine\n"
    code, out, _ = run("search", "gradient", "--subject", "m", "--json", "--library", str(LIBRARY))
    assert code == 0 and {hit["subject"] for hit in json.loads(out)} == {"Mathematics"}


# One form of error -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "--bogus"), "No such option '--bogus'; see 'qtreader show --help'"),
        (("search",), "Missing argument 'QUERY'; see 'qtreader search --help'"),
        (
            ("search", "hash", "--limit", "0"),
            "Invalid value for '--limit': 0 is not in the range 1<=x<=1000; "
            "see 'qtreader search --help'",
        ),
        (
            ("stats", "--subject", "Physics", "--bookmarks"),
            "choose --subject or --bookmarks, not both; see 'qtreader stats --help'",
        ),
        (("search", "ab*"), None),  # the query's own error
    ],
)
def test_usage_errors_are_one_qtreader_line_and_exit_2(
    args: tuple[str, ...], message: str | None
) -> None:
    code, out, err = run(*args, "--library", str(LIBRARY))
    assert (code, out) == (2, "")
    assert err.startswith("qtreader: ") and err.count("\n") == 1
    if message is not None:
        assert err == f"qtreader: {message}\n"


def test_a_global_library_without_its_path_says_so() -> None:
    result = CliRunner().invoke(main, ["--library"], prog_name="qtreader")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("qtreader: Option '--library' requires an argument")


def test_nothing_found_exits_1() -> None:
    code, out, err = run("search", "zzzzqqq", "--library", str(LIBRARY))
    assert (code, out, err) == (1, "", "qtreader: nothing matches 'zzzzqqq'\n")
    code, out, err = run("show", "424242", "--library", str(LIBRARY))
    assert (code, out, err) == (1, "", "qtreader: no article matches '424242'\n")


# show --format markdown -------------------------------------------------------------------


def test_markdown_starts_with_the_question_as_a_heading() -> None:
    code, out, _ = run("show", "501", "--format", "markdown", "--library", str(LIBRARY))
    assert code == 0
    heading, blank, first = out.splitlines()[:3]
    assert (heading, blank) == ("# What is the Doppler effect?", "")
    assert first and not first.startswith("#")
    code, out, _ = run("random", "--subject", "history", "--format", "markdown",
                       "--library", str(LIBRARY))  # fmt: skip
    assert code == 0 and out.startswith("# Why did the printing press spread quickly?\n\n")


# The package ----------------------------------------------------------------------------


def _cli_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from qtreader.cli... import name`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qtreader.cli"):
            found += [(str(node.module), alias.name) for alias in node.names]
    return found


def test_command_modules_import_only_public_names_of_common() -> None:
    modules = sorted(CLI_PACKAGE.glob("*.py"))
    assert {m.stem for m in modules} >= {"__init__", "common", "group", "launch", "library"}
    for module in modules:
        for source, name in _cli_imports(module):
            assert not name.startswith("_"), f"{module.name} imports {source}.{name}"
            if module.stem not in ("__init__", "launch"):  # only they reach the group
                assert source == "qtreader.cli.common", f"{module.name} imports {source}"


def test_the_entry_point_is_the_launcher_of_the_package() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="qtreader")
    assert script.value == "qtreader.cli.launch:main"
