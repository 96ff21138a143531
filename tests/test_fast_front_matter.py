"""The strict reader of machine-written front matter (``qtreader.library.fast_front``) gives
exactly what ``yaml.load`` with ``CSafeLoader`` gives, or declines: on generated front
matter (regular, near-regular and arbitrary) and on every file of a generated library and
of the test libraries. With or without it, every file makes the same article."""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qtreader.library import fast_front, parse
from qtreader.library.fast_front import TYPED_FIELDS, fast_front_matter
from qtreader.library.parse import parse_file
from qtreader.library.store import load_library
from qtreader.library.yaml_front import load_front_matter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import generate  # bench/ is not a package

TESTS = Path(__file__).parent
ARTICLES = 3000
BASE = settings(
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)


def same(ours: Any, theirs: Any) -> bool:
    """Equal values of the same types, keys in the same order (``1 == 1.0 == True`` in
    Python, but not here)."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return list(ours) == list(theirs) and all(same(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(map(same, ours, theirs))
    return bool(ours == theirs)


def check(text: str) -> bool:
    """Whether the fast reader took ``text``; if it did, it must have read what YAML reads
    and what qtreader's event loader reads (so the article is the same either way)."""
    fast = fast_front_matter(text)
    if fast is None:
        return False
    assert same(fast, yaml.load(text, Loader=yaml.CSafeLoader)), text
    assert same(fast, load_front_matter(text)), text
    return True


def front_of(text: str) -> str | None:
    """The front matter as qtreader cuts it from a file in the usual layout."""
    if not text.startswith("---\n") or (end := text.find("\n---", 3)) == -1:
        return None
    return text[3 : end + 1]


# Generated front matter ----------------------------------------------------------------

#: Values YAML reads as something other than text, or that no plain scalar can be.
TRICKY = [
    *"yes Yes YES no No NO on ON off Off true True FALSE null Null NULL ~ y n".split(),
    *"0 -0 1 -1 +1 012 0o12 0x1A 0b101 1_000 12:30 190:20:30 1e3 1.0e+3 -1.0 0.5 .5".split(),
    *"6.8523015e+5 .inf -.Inf .NaN 2024-12-11 2024-02-30 2024-1-1".split(),
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43",
    "a: b", "a #b", "#x", "'q'", '"q"', "- x", "-x", "-", "x:", ":x", "?x", "? x", "[a, b]",
    "{a: b}", "&a x", "*a", "!t x", "!!str 1", "|", ">", ">-", "%x", "@x", "`x", "a\tb",
    "x ", " x", "", "---", "...", "<<", "=", "a\\nb", "é", "∑ x", "\u2028", "\x85", "\ufeff",
    "\x1b[31m", "\u200b", "\x00", "a,b", "a: ", "QuickTakes | Medicine", "/learn/x/y",
]  # fmt: skip
KEYS = [
    *"_schema id date title article_title seo author question answer subject".split(),
    *"file_name url score no_index related_article1 page_keywords".split(),
]
#: Text as machine-written plain values hold it: YAML reads it as text, as written.
SAFE_TEXT = st.from_regex(
    r"[ABCDEGHIJKLMPQRSUVWXZ][a-z0-9 ,./()|'\"?!-]{0,30}[a-z0-9.)]", fullmatch=True
)
ANY_TEXT = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30), SAFE_TEXT)
KEY = st.one_of(
    st.sampled_from(KEYS),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
    st.sampled_from(TRICKY),
)


@st.composite
def typed_value(draw: st.DrawFn) -> str:
    """A value in the form machine-written typed fields take."""
    return draw(
        st.one_of(
            st.integers(-(2**63), 2**63 - 1).map(str),
            st.dates().map(datetime.date.isoformat),
            st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.3f}"),
            st.sampled_from(["true", "false", "-1.0"]),
        )
    )


@st.composite
def entry(draw: st.DrawFn, indent: int, text: st.SearchStrategy[str], depth: int) -> str:
    """One ``key: value`` entry of a mapping at ``indent`` spaces, in any style."""
    key = draw(KEY)
    pad = " " * indent
    style = draw(st.sampled_from(["plain", "folded", "nested", "typed", "other"]))
    if style == "plain":
        return f"{pad}{key}: {draw(text)}\n"
    if style == "typed":
        return f"{pad}{key}: {draw(typed_value())}\n"
    if style == "folded":
        deeper = pad + " " * draw(st.sampled_from([1, 2, 4, 4, 4]))
        lines = draw(st.lists(text, min_size=1, max_size=3))
        return f"{pad}{key}: >-\n" + "".join(f"{deeper}{line}\n" for line in lines)
    if style == "nested" and depth < 2:
        inner = indent + draw(st.sampled_from([1, 2, 4, 4]))
        entries = draw(st.lists(entry(inner, text, depth + 1), min_size=0, max_size=4))
        return f"{pad}{key}:\n" + "".join(entries)
    other = draw(
        st.sampled_from(
            [
                "'{v}'", '"{v}"', "|\n{p}  {v}", ">\n{p}  {v}", ">+\n{p}  {v}", "[{v}]",
                "{{{v}: 1}}", "&a {v}", "*a", "!!str {v}", "!x {v}", "{v} # c", "- {v}",
            ]
        )
    )  # fmt: skip
    return f"{pad}{key}: {other.format(v=draw(text), p=pad)}\n"


def document(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    entries = st.lists(entry(0, text, 1), min_size=1, max_size=8)
    return entries.map(lambda found: "\n" + "".join(found))


@st.composite
def near_regular(draw: st.DrawFn) -> str:
    """A regular front matter with one edit: a character or a line added, removed, or
    changed, anywhere."""
    text = draw(document(SAFE_TEXT))
    at = draw(st.integers(0, len(text)))
    edit = draw(
        st.one_of(
            st.sampled_from(["\n", " ", "\t", "#", ":", "- ", "---\n", "...\n", "\r", "\ufeff"]),
            st.sampled_from(["&a ", "*a", "!!int ", "'", '"', "[", "{", "? ", "%YAML 1.1\n"]),
            st.text(max_size=3),
        )
    )
    cut = draw(st.integers(0, 2))
    return text[:at] + edit + text[at + cut :]


@st.composite
def regular(draw: st.DrawFn) -> str:
    """Front matter in the shape real libraries are written in, with any keys and values."""
    keys = draw(st.lists(KEY.filter(lambda key: key not in TRICKY), min_size=1, unique=True))
    lines = ["\n"]
    for key in keys:
        if key in TYPED_FIELDS:
            lines.append(f"{key}: {draw(typed_value())}\n")
        elif draw(st.booleans()):
            lines.append(f"{key}: {draw(SAFE_TEXT)}\n")
        else:
            folded = draw(st.lists(SAFE_TEXT, min_size=1, max_size=3))
            lines.append(f"{key}: >-\n" + "".join(f"    {line}\n" for line in folded))
    return "".join(lines)


@settings(BASE, max_examples=200)
@given(regular())
def test_regular_front_matter_is_taken_and_read_as_yaml_reads_it(text: str) -> None:
    assert check(text)


@settings(BASE, max_examples=300)
@given(document(SAFE_TEXT))
def test_regular_values_in_any_style_are_read_as_yaml_reads_them_or_declined(text: str) -> None:
    check(text)


def test_the_regular_shape_is_taken() -> None:
    text = (
        "\n_schema: default\nid: 118067\ndate: 2024-12-11\ntitle: >-\n    What is it?\n"
        "seo:\n  title: QuickTakes | Medicine\n  page_keywords: >-\n    a, b\n"
        "answer: >-\n    One.\\n\\nTwo $\\neq$ three: four # not a comment\n"
        "score: -1.0\nno_index: true\nrelated_article1:\n    id: 17\n    title: >-\n"
        "        Folded over\n        two lines\n    url: /learn/x\n"
    )
    assert check(text)
    assert fast_front_matter(text) == {
        "_schema": "default",
        "id": 118067,
        "date": datetime.date(2024, 12, 11),
        "title": "What is it?",
        "seo": {"title": "QuickTakes | Medicine", "page_keywords": "a, b"},
        "answer": "One.\\n\\nTwo $\\neq$ three: four # not a comment",
        "score": -1.0,
        "no_index": True,
        "related_article1": {"id": 17, "title": "Folded over two lines", "url": "/learn/x"},
    }


@settings(BASE, max_examples=500)
@given(document(ANY_TEXT))
@example("\nid: 1\ntitle: yes\n")
@example("\nid: 2024-02-30\n")
@example("\nid: 1\nid: 2\n")
@example("\nyes: 1\n")
@example("\na: >-\n    x  \n    y\n")
def test_arbitrary_values_are_read_as_yaml_reads_them_or_declined(text: str) -> None:
    check(text)


@settings(BASE, max_examples=600)
@given(near_regular())
def test_near_regular_front_matter_is_read_as_yaml_reads_it_or_declined(text: str) -> None:
    check(text)


@settings(BASE, max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("ab1-: >\n#'\"|&*!{}[],.~\t")), max_size=60))
def test_any_text_is_read_as_yaml_reads_it_or_declined(text: str) -> None:
    check(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("\na: &x 1\nb: *x\n", id="anchor and alias"),
        pytest.param("\na: !!str 1\n", id="tag"),
        pytest.param("\na: [1, 2]\n", id="flow sequence"),
        pytest.param("\na: {b: 1}\n", id="flow mapping"),
        pytest.param("\na: |\n  x\n", id="literal block"),
        pytest.param("\na: >\n  x\n", id="folded, clipped"),
        pytest.param("\na: >-\n  x\n\n  y\n", id="folded with a blank line"),
        pytest.param("\na: >-\n  x\n    y\n", id="folded with a deeper line"),
        pytest.param("\na: 'x'\n", id="single quotes"),
        pytest.param('\na: "x\\ty"\n', id="double quotes with an escape"),
        pytest.param("\na: 1\na: 2\n", id="duplicate key"),
        pytest.param("\n1: x\n", id="integer key"),
        pytest.param("\ntrue: x\n", id="boolean key"),
        pytest.param("\na:\tx\n", id="tab"),
        pytest.param("\na: x # note\n", id="comment after a value"),
        pytest.param("\n# note\na: x\n", id="comment line"),
        pytest.param("\na:\n  b:\n    c: 1\n", id="three levels"),
        pytest.param("\na: x\n---\nb: y\n", id="two documents"),
        pytest.param("\n--- \na: x\n", id="document start"),
        pytest.param("\ufeffa: x\n", id="byte order mark"),
        pytest.param("\na: x\r\nb: y\r\n", id="CRLF"),
        pytest.param("\na: x\x85b\n", id="NEL"),
        pytest.param("\na: x\u2028b\n", id="line separator"),
        pytest.param("\na: \x1b[31mred\n", id="escape sequence"),
        pytest.param("\na:\n", id="empty value in a text field"),
        pytest.param("\ntitle: 2024-12-11\n", id="a date in a text field"),
        pytest.param("\nid: 0x1A\n", id="hexadecimal id"),
        pytest.param("\ndate: 2024-02-30\n", id="a date that does not exist"),
        pytest.param("\na: x\n\nb: y\n", id="blank line"),
        pytest.param("\n- a\n- b\n", id="sequence"),
        pytest.param("\n", id="empty"),
    ],
)
def test_unusual_front_matter_is_declined(text: str) -> None:
    assert fast_front_matter(text) is None


# Text known without PyYAML ---------------------------------------------------------------

#: PyYAML's own table: what a plain value is read as, by its first character.
RESOLVERS = yaml.CSafeLoader.yaml_implicit_resolvers


def yaml_reads_as_text(value: str) -> bool:
    """What PyYAML's resolver decides for a plain scalar (``yaml.load`` reads the rest)."""
    return not any(pattern.match(value) for _tag, pattern in RESOLVERS.get(value[0], []))


def test_the_first_characters_that_may_start_no_text_are_those_of_yaml() -> None:
    # A resolver for any first character (a key None) would leave no value certainly text.
    assert None not in RESOLVERS
    assert set(RESOLVERS) - {""} == fast_front._RESOLVED_FIRST


#: Plain values PyYAML reads as no text, made from its own patterns (one line: a plain
#: value never holds a newline, which their ``$`` would let through).
NOT_TEXT = st.one_of(
    *(
        st.from_regex(pattern, fullmatch=True).filter(lambda v: v and "\n" not in v)
        for patterns in RESOLVERS.values()
        for _tag, pattern in patterns
    )
)
#: Plain values that start as one of those may, then go another way.
STARTS = st.one_of(
    st.sampled_from(TRICKY).filter(lambda v: v[:1] in fast_front._RESOLVED_FIRST),
    NOT_TEXT,
)
NEAR = st.builds(
    lambda start, rest, cut: start[: len(start) - cut] + rest,
    STARTS,
    st.one_of(st.just(""), st.text(alphabet="aeinoflrstuyNOTE 0123456789.:-+_xZ\t", max_size=4)),
    st.integers(0, 3),
).filter(lambda v: v[:1] in fast_front._RESOLVED_FIRST)


@settings(BASE, max_examples=800)
@given(st.one_of(NOT_TEXT, NEAR, SAFE_TEXT.map(lambda v: "t" + v), st.text(min_size=1)))
@example("Tea")
@example("yEs")
@example("no one")
@example("2001-12-14 21:59:43.10 -5")
@example("3D printing")
def test_a_value_is_text_exactly_when_yaml_resolves_it_as_text(value: str) -> None:
    if value[0] in fast_front._RESOLVED_FIRST:
        assert fast_front._is_text(value) is yaml_reads_as_text(value), value
    else:
        assert yaml_reads_as_text(value), value  # never asked: no resolver for it


def test_ordinary_words_are_known_as_text_without_yaml_patterns() -> None:
    fast_front._not_text.cache_clear()
    words = ["title", "file_name", "no_index", "The cell", "Nursing", "3D printing", "2nd law"]
    words += ["-5 degrees", ".NET Core", "1990s", "on the left", "Off-by-one", "null hypothesis"]
    assert all(fast_front._is_text(word) for word in words)
    assert fast_front._not_text.cache_info().currsize == 0
    assert not fast_front._is_text("Yes") and fast_front._not_text.cache_info().currsize == 1


# Whole libraries -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate.generate(root, ARTICLES, 40, seed=5, workers=2, manifest=None)
    return root


def files_of(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def test_every_generated_file_is_read_by_the_fast_reader_as_yaml_reads_it(
    generated: Path,
) -> None:
    fronts = [front_of(path.read_text(encoding="utf-8")) for path in files_of(generated)]
    assert len(fronts) > ARTICLES and None not in fronts
    taken = [check(front) for front in fronts if front is not None]
    assert sum(taken) == len(fronts)  # the generator writes the regular shape only


@pytest.mark.parametrize("folder", ["fixtures", "hostile"])
def test_every_test_library_file_is_read_as_yaml_reads_it_or_declined(folder: str) -> None:
    fronts = [
        front_of(path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff"))
        for path in files_of(TESTS / folder)
    ]
    taken = [check(front) for front in fronts if front is not None]
    assert any(taken)


def parsed(root: Path) -> list[Any]:
    return [parse_file(path, root) for path in files_of(root)]


def without_fast_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every front matter read by YAML, in this process (no pool, whose workers would
    still have the fast reader)."""
    declines: Callable[[str], None] = lambda text: None  # noqa: E731
    monkeypatch.setattr(parse, "fast_front_matter", declines)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})


@pytest.mark.parametrize("folder", ["fixtures", "hostile", None])
def test_every_file_makes_the_same_article_with_or_without_the_fast_reader(
    folder: str | None, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = TESTS / folder if folder else generated
    fast = parsed(root)
    without_fast_reader(monkeypatch)
    assert parsed(root) == fast
    assert any(article is not None for article, _problem in fast)


def test_the_library_is_the_same_with_or_without_the_fast_reader(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = load_library(generated, memory=True)
    articles = list(fast.articles())
    problems = fast.problems
    answers = [fast.answer(article.id) for article in articles]
    without_fast_reader(monkeypatch)
    slow = load_library(generated, memory=True)
    assert list(slow.articles()) == articles
    assert slow.problems == problems
    assert [slow.answer(article.id) for article in articles] == answers
    assert len(articles) == ARTICLES
