"""The command line through its real entry point: click's runner on ``main``, and the
installed ``qtreader`` script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library.config import ConfigError, choose_library, config_file
from qtreader.library.resources import shipped_library

from .conftest import LIBRARY


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_reports_figures_and_exits_0_on_a_clean_library() -> None:
    code, out, _ = run("check", str(LIBRARY))
    assert code == 0
    assert "articles:       8" in out
    assert "subjects:       5" in out
    assert "cross-listed:   1" in out
    assert "dangling links: 2" in out
    assert "problems:       0" in out


def test_check_json_and_problems_exit_1(library_copy: Path) -> None:
    (library_copy / "learn/physics/broken.md").write_text("---\nid: x\n---\n")
    (library_copy / "learn/physics/empty.md").write_text("")
    code, out, _ = run("check", str(library_copy), "--json")
    assert code == 1
    report = json.loads(out)
    assert report == {
        "articles": 8,
        "subjects": 5,
        "cross_listed": 1,
        "dangling_links": 2,
        "problems": [
            {
                "path": str(library_copy / "learn/physics/broken.md"),
                "reason": "id 'x' is not an integer",
            },
            {"path": str(library_copy / "learn/physics/empty.md"), "reason": "empty file"},
        ],
    }


def test_check_prints_each_problem_as_path_colon_reason(library_copy: Path) -> None:
    (library_copy / "learn/physics/empty.md").write_text("")
    code, out, _ = run("check", str(library_copy))
    assert code == 1
    assert f"{library_copy / 'learn/physics/empty.md'}: empty file" in out.splitlines()


def test_check_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = run("check", str(tmp_path / "missing"))
    assert code == 2
    assert out == ""
    assert (
        err.strip()
        == f"qtreader: library folder not found: {tmp_path / 'missing'} (from --library)"
    )


def test_show_json_has_every_field() -> None:
    code, out, _ = run("show", "503", "--format", "json", "--library", str(LIBRARY))
    assert code == 0
    shown = json.loads(out)
    assert shown["id"] == 503
    assert shown["title"] == shown["question"] == "What is a gradient?"
    assert shown["subjects"] == ["Mathematics", "Physics"]
    assert shown["date"] == "2024-11-02"
    assert shown["keywords"] == ["gradient", "nabla", "partial derivative", "vector calculus"]
    assert shown["description"].startswith("The gradient collects")
    assert shown["url"] == "/learn/mathematics/questions/what-is-a-gradient"
    assert shown["related"] == [
        {"id": 501, "title": "What is the Doppler effect?", "subject": "Physics", "available": True}
    ]
    assert shown["path"] == str(LIBRARY.absolute() / "learn/mathematics/what-is-a-gradient.md")
    assert "$$ \\nabla f = \\left(" in shown["answer"]
    assert "a & b \\\\\nc & d" in shown["answer"]


def test_show_json_marks_dangling_links() -> None:
    _, out, _ = run(
        "show", "what-is-the-doppler-effect", "--format", "json", "--library", str(LIBRARY)
    )
    related = json.loads(out)["related"]
    assert related[2] == {
        "id": 999,
        "title": "What is a sonic boom?",
        "subject": "Physics",
        "available": False,
    }


def test_show_markdown_prints_the_decoded_answer() -> None:
    code, out, _ = run(
        "show", "/learn/computer-science/questions/how-does-printf-format-integers",
        "--format", "markdown", "--library", str(LIBRARY),
    )  # fmt: skip
    assert code == 0
    assert '    printf("%d\\n", x);\n' in out
    assert "| `%d` | signed decimal |\n" in out


def test_show_unknown_article_exits_1_with_one_line_on_stderr() -> None:
    code, out, err = run("show", "4242", "--library", str(LIBRARY))
    assert code == 1
    assert out == ""
    assert err.strip().splitlines() == ["qtreader: no article matches '4242'"]


def test_library_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QTREADER_LIBRARY", str(LIBRARY))
    code, out, _ = run("show", "502", "--format", "json")
    assert code == 0 and json.loads(out)["id"] == 502


def test_library_choice_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose_library().source == "shipped library"
    assert choose_library().path == shipped_library()
    config = config_file()
    assert str(config).startswith(os.environ["XDG_CONFIG_HOME"])
    config.parent.mkdir(parents=True)
    configured = tmp_path / "configured"
    configured.mkdir()
    config.write_text(f'library = "{configured}"\n')
    assert choose_library().path == configured
    monkeypatch.setenv("QTREADER_LIBRARY", str(LIBRARY))
    assert choose_library().path == LIBRARY
    assert choose_library(tmp_path).path == tmp_path


def test_bad_config_names_the_file(tmp_path: Path) -> None:
    config = config_file()
    config.parent.mkdir(parents=True)
    config.write_text("library = [1, 2]\n")
    with pytest.raises(ConfigError, match=r"config\.toml \(.*\): library must be a folder path"):
        choose_library()
    config.write_text("library = \n")
    code, _, err = run("show", "1")
    assert code == 2 and str(config) in err


def test_show_freezes_the_renderer_it_loads_in_a_launched_process_only() -> None:
    """Started by the launcher, ``show`` loads Rich and the answer's renderer with the
    collector paused, then freezes them as the launcher froze what it loaded (no later
    collection walks them); with the collector on for the rest of the run. Run by click's
    runner in a process of its own (as here), the command line freezes nothing."""
    import gc

    probe = (
        "import gc, sys, runpy; sys.argv = ['qtreader', 'show', '501', '--library', sys.argv[1]]\n"
        "try:\n    runpy.run_module('qtreader', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "import markdown_it.main, rich.console\n"
        "live = {id(o) for o in gc.get_objects()}\n"
        "frozen = [id(m.__dict__) not in live for m in (rich.console, markdown_it.main)]\n"
        "print(gc.isenabled(), *frozen, file=sys.stderr)"
    )
    launched = subprocess.run(
        [sys.executable, "-c", probe, str(LIBRARY)], capture_output=True, text=True, check=False
    )
    assert launched.stdout.startswith("What is the Doppler effect?"), launched.stderr
    assert launched.stderr.strip().splitlines()[-1] == "True True True"

    before = gc.get_freeze_count()
    code, out, _ = run("show", "501", "--library", str(LIBRARY))
    assert code == 0 and out.startswith("What is the Doppler effect?")
    assert gc.get_freeze_count() == before


def test_help_of_every_command_has_an_example() -> None:
    for command in ([], ["read"], ["check"], ["show"]):
        code, out, _ = run(*command, "--help")
        assert code == 0
        assert "Example" in out, command


def test_installed_script_and_module_run_without_textual() -> None:
    """``qtreader check`` through the console script, and ``python -m qtreader``; neither
    imports Textual (the shell commands must start fast)."""
    probe = (
        "import sys, runpy; sys.argv = ['qtreader', 'check', sys.argv[1], '--json'];\n"
        "try:\n    runpy.run_module('qtreader', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'NO-TEXTUAL', code, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(LIBRARY)], capture_output=True, text=True, check=False
    )
    assert result.stderr.strip().endswith("NO-TEXTUAL 0"), result.stderr
    assert json.loads(result.stdout)["articles"] == 8

    script = Path(sys.executable).with_name("qtreader")
    result = subprocess.run(
        [str(script), "show", "505", "--format", "json", "--library", str(LIBRARY)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["subjects"] == ["Computer Science"]


def test_search_prints_ranked_hits_and_exits_1_on_nothing() -> None:
    code, out, _ = run("search", "load factor", "--library", str(LIBRARY))
    assert code == 0
    first = out.splitlines()[0].split("\t")
    assert first[:3] == ["505", "What is a hash table?", "Computer Science"]
    assert "load factor" in first[3]
    code, out, err = run("search", "zebra", "--library", str(LIBRARY))
    assert (code, out) == (1, "") and "nothing matches 'zebra'" in err


def test_search_json_subject_and_no_index() -> None:
    code, out, _ = run(
        "search", "frequency", "--json", "--subject", "physics", "--library", str(LIBRARY)
    )
    assert code == 0
    (hit,) = json.loads(out)
    assert (hit["id"], hit["subject"]) == (501, "Physics") and "frequency" in hit["snippet"]
    assert run("search", "rash", "--library", str(LIBRARY))[0] == 1
    code, out, _ = run("search", "rash", "--all", "--json", "--library", str(LIBRARY))
    assert code == 0 and [h["id"] for h in json.loads(out)] == [507]


def test_random_picks_from_the_subject() -> None:
    for _ in range(5):
        code, out, _ = run("random", "--subject", "computer science", "--format", "json",
                           "--library", str(LIBRARY))  # fmt: skip
        assert code == 0 and json.loads(out)["subjects"] == ["Computer Science"]
    code, _, err = run("random", "--subject", "astrology", "--library", str(LIBRARY))
    assert code == 2 and "qtreader: no subject matches 'astrology' (subjects: " in err


def test_index_reports_what_changed(library_copy: Path) -> None:
    code, out, _ = run("index", str(library_copy))
    assert code == 0 and out.startswith("9 files: 9 added, 0 changed, 0 removed; 8 articles")
    (library_copy / "learn/physics/how-does-a-lens-focus-light.md").unlink()
    code, out, _ = run("index", str(library_copy))
    assert out.startswith("8 files: 0 added, 0 changed, 1 removed; 7 articles")
    code, out, _ = run("index", str(library_copy), "--rebuild")
    assert out.startswith("8 files: 8 added, 0 changed, 0 removed; 7 articles")


def test_quick_lookups_see_added_files(library_copy: Path) -> None:
    assert run("show", "700", "--library", str(library_copy))[0] == 1
    (library_copy / "learn/physics/new.md").write_text(
        "---\nid: 700\nquestion: What is new?\nanswer: Something.\n---\n"
    )
    code, out, _ = run("show", "700", "--format", "markdown", "--library", str(library_copy))
    assert (code, out) == (0, "# What is new?\n\nSomething.\n")


def test_version() -> None:
    from qtreader import __version__

    assert run("--version") == (0, f"qtreader, version {__version__}\n", "")


def test_the_entry_point_runs_commands_with_the_collector_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``qtreader`` loads its modules with the cyclic collector off, then freezes what
    they made and turns it back on: the app and long commands must collect as usual."""
    import gc

    from qtreader import cli
    from qtreader.cli import common, launch

    seen: list[tuple[bool, bool, bool]] = []
    monkeypatch.setattr(
        cli,
        "main",
        lambda: seen.append((gc.isenabled(), gc.get_freeze_count() > 0, common._launched)),
    )
    monkeypatch.setattr(common, "_launched", False)  # this process runs many commands
    try:
        launch.main()
    finally:
        gc.unfreeze()
    assert seen == [(True, True, True)]
