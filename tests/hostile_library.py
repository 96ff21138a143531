"""The hostile library: a temporary copy of ``tests/hostile`` plus the files too big, too
binary or too special to commit, and what loading each file must give."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from qtreader.library.parse import MAX_FILE_BYTES

HOSTILE = Path(__file__).parent / "hostile"

#: A folder and a file whose names hold escape sequences (an OSC that sets the window title).
EVIL_FOLDER = "evil\x1b]2;PWNED-BY-A-FOLDER\x07"
EVIL_FILE = "bad\x1b]0;PWNED-BY-A-FILE\x07.md"

#: Every character that must never reach a terminal from a library: C0 controls but newline
#: and tab, DEL, C1 controls, the bidi embeddings, overrides, isolates and marks, zero-width
#: characters and the BOM, line and paragraph separators, and lone surrogates (a name that
#: is not UTF-8, which cannot even be printed).
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u202a-\u202e\u2066-\u2069"
    "\u180e\u200b-\u200f\u2060-\u2064\ufeff\u2028\u2029\ud800-\udfff]"
)

#: Ids of the articles that must load, and the question each shows.
GOOD = {
    9001: "What is a standing wave?",
    9002: "What does the divergence of a field measure?",
    9003: "What is a mole in chemistry?",
    9004: "Why is the sky blue?",
    9005: "What is a caf\ufffd au lait?",
    9006: "How big can an answer be?",
    9007: "Which bytes does a terminal obey?",
    9008: "What does a folder name say?",
}

#: Files that must be reported, by path relative to the library, with a part of the reason.
#: ``latin-1.md`` loads and is also reported (its bytes were replaced).
PROBLEMS = {
    "learn/hostile/empty.md": "empty file",
    "learn/hostile/no-front-matter.md": "no front matter",
    "learn/hostile/unterminated.md": "front matter is not closed",
    "learn/hostile/yaml-syntax-error.md": "YAML error at line",
    "learn/hostile/front-matter-list.md": "front matter is a list, not a mapping",
    "learn/hostile/front-matter-scalar.md": "front matter is a single str value, not a mapping",
    "learn/hostile/missing-question.md": "no question",
    "learn/hostile/missing-answer.md": "no answer",
    "learn/hostile/id-not-a-number.md": "id 'nine thousand' is not an integer",
    "learn/hostile/answer-mapping.md": "answer is a mapping, not text",
    "learn/hostile/python-tags.md": "YAML tags are not allowed",
    "learn/hostile/alias-bomb.md": "YAML nodes (an alias bomb?)",
    "learn/hostile/latin-1.md": "not valid UTF-8 (byte 0xe9",
    "learn/hostile/binary-garbage.md": "no front matter",
    "learn/hostile/over-limit.md": "over the 4 MB limit",
    # Either qtreader's limit or libyaml's, which reads far ahead of the events it gives
    # (PyYAML 6.0.4 wheels have one): the reason names the nesting, in either words.
    "learn/hostile/deep-flow-nesting.md": "nest",
    "learn/hostile/deep-block-nesting.md": "nest",
    "learn/hostile/loop": "folder symlink loop",
    "learn/hostile/dangling.md": "cannot read: broken symlink",
    "learn/hostile/pipe.md": "not a regular file",
    f"learn/hostile/{EVIL_FILE}": "YAML error",
}

#: The file that :func:`unreadable` makes unreadable (tests run as root, which reads all).
UNREADABLE = "learn/chemistry/unreadable.md"


@dataclass(frozen=True)
class HostileLibrary:
    root: Path
    big_answer_bytes: int


def _article(article_id: int, question: str, answer: str, subject: str | None = "Physics") -> str:
    subject_line = f"subject: {subject}\n" if subject else ""
    return (
        f"---\n_schema: default\nid: {article_id}\nquestion: >-\n    {question}\n"
        f"answer: >-\n    {answer}\n{subject_line}---\n\n&nbsp;\n"
    )


def make_hostile_library(target: Path, *, special_files: bool = True) -> HostileLibrary:
    """Copy the committed hostile library to ``target`` and add the generated files.

    ``special_files``: also add the symlink loop, the broken symlink and the named pipe.
    """
    shutil.copytree(HOSTILE, target)
    hostile = target / "learn" / "hostile"
    rng = random.Random(6)
    (hostile / "binary-garbage.md").write_bytes(rng.randbytes(64 * 1024))

    # A 2 MB answer loads: short lines dense with formulas and encoded newlines (a decoder
    # that compares every escape with every formula would take hours over it).
    paragraph = r"Energy $E = mc^2$, $x \neq y$, $\nu$ and $\nabla f$.\n"
    big = _article(9006, "How big can an answer be?", paragraph * (2_000_000 // len(paragraph)))
    (hostile / "big-answer.md").write_text(big, encoding="utf-8")
    over = _article(9106, "Too big?", "x" * (MAX_FILE_BYTES + 1024))
    (hostile / "over-limit.md").write_text(over, encoding="utf-8")

    # Nesting that overflows the C stack of PyYAML's composer (200 KB and 100 KB of YAML).
    depth = 100_000
    (hostile / "deep-flow-nesting.md").write_text(
        "---\nid: 9107\nquestion: Q?\nanswer: A.\nseo: " + "[" * depth + "]" * depth + "\n---\n"
    )
    (hostile / "deep-block-nesting.md").write_text(
        "---\nid: 9108\nquestion: Q?\nanswer: A.\nseo:\n  " + "- " * (depth // 2) + "x\n---\n"
    )

    # Raw escape bytes (not YAML escapes) in the text: they load, cleaned.
    raw = _article(
        9007,
        "\x1b[2J\x1b[HWhich bytes \x9b31mdoes a \u202eterminal\u202c obey?\x07",
        "Only \x1b]52;c;cHduZWQ=\x07the \x1bPdevice\x1b\\text\x9b2J it is \x90payload\x9csent.",
    )
    (hostile / "raw-escapes.md").write_bytes(raw.encode("utf-8"))

    # Names that hold escape sequences: the subject comes from the folder name here.
    evil = target / "learn" / EVIL_FOLDER
    evil.mkdir()
    (evil / "a-folder-name.md").write_text(
        _article(9008, "What does a folder name say?", "Nothing it should not.", subject=None)
    )
    (hostile / EVIL_FILE).write_text("---\nid: [\n---\n")

    if special_files:
        (hostile / "loop").symlink_to(target / "learn")
        (hostile / "dangling.md").symlink_to(hostile / "nowhere.md")
        os.mkfifo(hostile / "pipe.md")
    (target / UNREADABLE).write_text(_article(9109, "Can you read me?", "No.", "Chemistry"))
    return HostileLibrary(target, len(big.encode()))


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` (symlinks not followed): mode, size and mtime."""
    entries: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            stat = path.lstat()
            entries[path.relative_to(root).as_posix()] = (
                stat.st_mode,
                stat.st_size,
                stat.st_mtime_ns,
            )
    return entries


# Names and fields from outside ----------------------------------------------------------

#: A library folder whose own name holds an OSC that sets the terminal's title.
OSC_FOLDER = "lib\x1b]0;pwned\x07"
#: What each name of :func:`make_unsafe_library` holds: a byte that is not UTF-8, a C1
#: control, bidi controls, zero-width characters and separators.
NOT_UTF8_FOLDER = b"ph\xffysics"
NOT_UTF8_FILE = b"bad\xff.md"
BROKEN_NOT_UTF8 = b"broken\xfe.md"
C1_FILE = "c1\x85\x9bname.md"
BIDI_FILE = "bidi\u202eevil\u2066.md"
ZERO_WIDTH_FILE = "zw\u200b\u200d\u2028\ufeff.md"
EVIL_TEXT_FOLDER = "text\x1b]0;pwned\x07"
#: Ids SQLite cannot hold (64-bit), just past each end.
HUGE_ID = 2**63
TINY_ID = -(2**63) - 1
FAR_RELATED_ID = 2**64

#: Ids of the articles that must load, and the question each shows.
UNSAFE_GOOD = {
    9201: "What is in a folder name?",
    9202: "What is in a file name?",
    9203: "What is a zero width  space?",  # a line separator is a space
    9204: "Where do far links go?",
    -4: "Can an id be negative?",
}

#: Files that must be reported (path under the library as os.fsdecode gives it: a byte
#: that is not UTF-8 is a lone surrogate), with a part of the reason.
UNSAFE_PROBLEMS = {
    "learn/maths/broken\udcfe.md": "no front matter",
    f"learn/maths/{C1_FILE}": "empty file",
    f"learn/maths/{BIDI_FILE}": "empty file",
    f"learn/maths/{ZERO_WIDTH_FILE}": "empty file",
    "learn/maths/huge-id.md": f"id {HUGE_ID} is out of range",
    "learn/maths/tiny-id.md": f"id {TINY_ID} is out of range",
}


def make_unsafe_library(parent: Path) -> Path:
    """A library (in a folder whose name holds an OSC) of names that are not UTF-8 or hold
    unsafe characters, text fields with zero-width and bidi characters, and ids at and past
    the ends of SQLite's integers. Written with bytes paths, as a user's disk has them."""
    root = parent / OSC_FOLDER
    learn = os.fsencode(root / "learn")
    maths = os.path.join(learn, b"maths")
    os.makedirs(os.path.join(learn, NOT_UTF8_FOLDER))
    os.makedirs(maths)
    os.makedirs(os.path.join(learn, os.fsencode(EVIL_TEXT_FOLDER)))

    def write(folder: bytes, name: bytes | str, text: str) -> None:
        with open(os.path.join(folder, os.fsencode(name)), "wb") as handle:
            handle.write(text.encode("utf-8"))

    # No subject field: the subject comes from the folder name, which is not UTF-8.
    write(
        os.path.join(learn, NOT_UTF8_FOLDER),
        b"standing.md",
        _article(9201, "What is in a folder name?", "Bytes.", subject=None),
    )
    write(maths, NOT_UTF8_FILE, _article(9202, "What is in a file name?", "Bytes too."))
    write(maths, BROKEN_NOT_UTF8, "no front matter here\n")
    for name in (C1_FILE, BIDI_FILE, ZERO_WIDTH_FILE):
        write(maths, name, "")
    write(maths, "huge-id.md", _article(HUGE_ID, "Too big?", "Yes."))
    write(maths, "tiny-id.md", _article(TINY_ID, "Too small?", "Yes."))
    write(maths, "negative.md", _article(-4, "Can an id be negative?", "Real ones are."))
    write(maths, "far-links.md", _far_links())
    # Text fields with zero-width, bidi and separator characters (as YAML escapes and raw),
    # and a table whose columns they would break.
    write(
        os.path.join(learn, os.fsencode(EVIL_TEXT_FOLDER)),
        "zero-width.md",
        "---\nid: 9203\n"
        'question: "What\\u200b is a\\u200e zero\\u200f width\\u2028 space?\\ufeff"\n'
        'title: "Zero\u200d width\u2066 \u202eevil\u2069 \u061c\u2060title"\n'
        # (YAML reads a raw line or paragraph separator as a line break: those are escapes.)
        'answer: "| a\u200b | b\\u2029 |\\\\n|---|---|\\\\n| \ufeff1\u200e | 2\u200f |'
        '\\\\n\\\\nLine\\u2028break."\n'
        "seo:\n    page_keywords: zero\u200b, width\u180e\n"
        "---\n",
    )
    return root


def _far_links() -> str:
    """An article whose related links go past SQLite's integers, and to a negative id."""
    return (
        "---\nid: 9204\nquestion: Where do far links go?\nanswer: Nowhere.\nsubject: Maths\n"
        f"related_article1:\n    id: {FAR_RELATED_ID}\n    title: Past the end\n"
        "related_article2:\n    id: -4\n    title: Negative\n"
        "---\n"
    )


# Running the installed script --------------------------------------------------------------

QTREADER = str(Path(sys.executable).with_name("qtreader"))


def qtreader(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed script in a process of its own: the bytes it writes are what a
    terminal would get."""
    return subprocess.run([QTREADER, *args], capture_output=True, check=False, env=env, timeout=120)


#: The one escape sequence qtreader itself prints (in the rich format): colours and styles.
SGR = re.compile(r"\x1b\[[0-9;]*m")


def printed(data: bytes) -> str:
    """What a process printed, as text without its styles: it must be UTF-8 (a name that
    is not UTF-8 printed as it is would not be) and hold no unsafe character."""
    text = SGR.sub("", data.decode("utf-8"))  # strict
    bad = [line for line in text.splitlines() if FORBIDDEN.search(line)]
    assert not bad, bad
    return text
