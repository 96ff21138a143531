"""Quick lookups from the shell, through the installed ``qtreader`` script: formats, pipes
without a single escape byte, exit codes, suggestions, the pager and completion."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from .conftest import LIBRARY

QTREADER = str(Path(sys.executable).with_name("qtreader"))

HOSTILE_ANSWER = (
    '"Bold \\e[1mtext\\e[0m, a title \\e]0;pwned\\a, a link \\e]8;;http://x\\e\\\\here'
    '\\e]8;;\\e\\\\, 8-bit \\x9b2J and \\u202eevil\\u202c, math $\\\\nabla f$."'
)


def qtreader(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([QTREADER, *args], capture_output=True, check=False, env=env)


@pytest.fixture
def hostile(library_copy: Path) -> Path:
    """The fixture library plus an article full of escape sequences (as YAML escapes)."""
    (library_copy / "learn/physics/hostile.md").write_text(
        "---\nid: 666\n"
        'question: "\\e[31mWhy \\e]52;c;ZXZpbA==\\aescape?\\e[0m"\n'
        f"answer: {HOSTILE_ANSWER}\n"
        "subject: Physics\n"
        'related_article1:\n    id: 501\n    title: "\\e[5mDoppler"\n    subject: Physics\n'
        "    url: /learn/physics/questions/what-is-the-doppler-effect\n---\n"
    )
    return library_copy


@pytest.mark.parametrize("fmt", [None, "plain", "markdown", "json"])
def test_a_pipe_never_receives_an_escape_byte(hostile: Path, fmt: str | None) -> None:
    args = ["show", "666", "--library", str(hostile)] + (["--format", fmt] if fmt else [])
    result = qtreader(*args)
    assert result.returncode == 0, result.stderr
    assert b"\x1b" not in result.stdout and b"\xc2\x9b" not in result.stdout
    assert "\u202e".encode() not in result.stdout
    assert b"Why" in result.stdout or fmt == "markdown"
    assert b"Bold" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["search", "escape"],
        ["search", "bold", "--json"],
        ["subjects"],
        ["random", "--subject", "physics"],
    ],
)
def test_other_commands_follow_the_same_rule(hostile: Path, args: list[str]) -> None:
    result = qtreader(*args, "--library", str(hostile))
    assert result.returncode == 0, result.stderr
    assert b"\x1b" not in result.stdout


def test_rich_format_when_asked_and_colour_rules() -> None:
    rich = qtreader(
        "show", "501", "--format", "rich", "--color", "always", "--library", str(LIBRARY)
    )
    assert b"\x1b[" in rich.stdout
    never = qtreader(
        "show", "501", "--format", "rich", "--color", "never", "--library", str(LIBRARY)
    )
    no_color = qtreader(
        "show", "501", "--format", "rich", "--library", str(LIBRARY),
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert _colours(rich.stdout)
    for result in (never, no_color):
        assert result.returncode == 0 and b"\x1b[1m" in result.stdout  # bold stays
        assert not _colours(result.stdout)


def _colours(output: bytes) -> set[int]:
    """The colour codes (foreground or background) among the SGR sequences in ``output``."""
    codes = {
        int(code)
        for params in re.findall(rb"\x1b\[([\d;]*)m", output)
        for code in params.split(b";")
        if code
    }
    return {c for c in codes if 30 <= c <= 49 or 90 <= c <= 107}


def test_plain_text_layout_and_width() -> None:
    result = qtreader("show", "501", "--width", "50", "--library", str(LIBRARY))
    text = result.stdout.decode()
    lines = text.splitlines()
    assert lines[0] == "What is the Doppler effect?"
    assert lines[1].startswith("Physics   Dec 11, 2024   #501")
    assert all(len(line) <= 50 for line in lines)
    assert all(line == line.rstrip() for line in lines)
    assert "Related" in text and "502  How does a lens focus light?" in text
    wide = qtreader("show", "501", "--library", str(LIBRARY)).stdout.decode()
    assert "999  What is a sonic boom?  Physics  (not in this library)" in wide


def test_markdown_and_json_formats() -> None:
    markdown = qtreader("show", "505", "--format", "markdown", "--library", str(LIBRARY))
    assert markdown.stdout.decode().startswith(
        "# What is a hash table?\n\nA **hash table** stores key-value pairs"
    )
    shown = json.loads(
        qtreader("show", "505", "--format", "json", "--library", str(LIBRARY)).stdout
    )
    assert shown["id"] == 505 and shown["related"][1]["available"] is False


def test_words_give_the_best_hit_and_other_candidates_on_stderr() -> None:
    result = qtreader("show", "lens", "light", "--library", str(LIBRARY))
    assert result.returncode == 0
    assert result.stdout.decode().startswith("How does a lens focus light?")
    result = qtreader("show", "frequency", "--library", str(LIBRARY))
    assert result.stdout.decode().startswith("What is the Doppler effect?")
    result = qtreader("show", "the", "--library", str(LIBRARY))
    also = [line for line in result.stderr.decode().splitlines() if line.startswith("also: ")]
    assert 1 <= len(also) <= 5
    assert all(line.split()[1].isdigit() for line in also)


def test_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    assert qtreader("show", "501", "--library", str(LIBRARY)).returncode == 0
    missing = qtreader("show", "zebra", "crossing", "--library", str(LIBRARY))
    assert missing.returncode == 1 and missing.stdout == b""
    assert missing.stderr.decode().splitlines() == ["qtreader: no article matches 'zebra crossing'"]
    bad_library = qtreader("show", "1", "--library", str(tmp_path / "nope"))
    assert bad_library.returncode == 2 and len(bad_library.stderr.decode().splitlines()) == 1
    usage = qtreader("show", "1", "--format", "pdf", "--library", str(LIBRARY))
    assert usage.returncode == 2 and b"'pdf' is not one of" in usage.stderr
    assert qtreader("subjects", "--json", "--library", str(LIBRARY)).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert qtreader("subjects", "--library", str(empty)).returncode == 1


def test_show_does_not_import_textual_nor_yaml() -> None:
    """A lookup loads neither the app nor PyYAML: an article file in the regular shape is
    read without YAML (the first run builds the index, which may need it)."""
    probe = (
        "import sys, runpy; sys.argv = ['qtreader', 'show', '501', '--library', sys.argv[1]];\n"
        "try:\n    runpy.run_module('qtreader', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('textual' in sys.modules, 'yaml' in sys.modules, file=sys.stderr)"
    )
    command = [sys.executable, "-c", probe, str(LIBRARY)]
    subprocess.run(command, capture_output=True, check=True)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.stderr.strip().splitlines()[-1] == "False False"
    assert result.stdout.startswith("What is the Doppler effect?")


def _run_in_terminal(args: list[str], env: dict[str, str], rows: int = 24) -> bytes:
    """Run ``qtreader`` with a pseudo-terminal as its stdout; return what it wrote there."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
    process = subprocess.Popen([QTREADER, *args], stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(leader)
    return output


def test_long_article_goes_through_the_pager_in_a_terminal(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    env = {**os.environ, "PAGER": f"sh -c 'cat > {paged}'", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    shown = _run_in_terminal(["show", "501", "--library", str(LIBRARY)], env, rows=10)
    assert paged.read_text().count("Doppler") >= 2
    assert b"Doppler" not in shown  # it went to the pager, not the screen
    paged.unlink()
    direct = _run_in_terminal(["show", "501", "--no-pager", "--library", str(LIBRARY)], env, 10)
    assert not paged.exists() and b"Doppler" in direct
    short = _run_in_terminal(["show", "506", "--library", str(LIBRARY)], env, rows=60)
    assert not paged.exists() and b"recursive function" in short


def test_shell_completion_of_commands_options_and_subjects() -> None:
    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "_QTREADER_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
            "QTREADER_LIBRARY": str(LIBRARY),
        }
        result = subprocess.run([QTREADER], capture_output=True, text=True, env=env, check=False)
        return [line.partition(",")[2] for line in result.stdout.splitlines()]

    # Completion reads the index as it is (a TAB never starts indexing): build it first.
    assert qtreader("index", str(LIBRARY)).returncode == 0
    assert {"show", "search", "subjects"} <= set(complete("qtreader s"))
    assert "--subject" in complete("qtreader search x --sub")
    assert complete("qtreader search x --subject Ph") == ["Physics"]
    assert complete("qtreader random --subject comp") == ["Computer Science"]


def test_default_pager_is_less_with_raw_control_chars(tmp_path: Path) -> None:
    """Without $PAGER, ``less -R`` (here a stand-in on PATH that records what it gets)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "less-got.txt"
    fake = bin_dir / "less"
    fake.write_text(f'#!/bin/sh\necho "args: $*" > {record}\ncat >> {record}\n')
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "PAGER"}
    env.update(PATH=f"{bin_dir}:{env['PATH']}", TERM="xterm-256color")
    _run_in_terminal(["show", "501", "--library", str(LIBRARY)], env, rows=10)
    got = record.read_text()
    assert got.startswith("args: -R\n") and "Doppler" in got
