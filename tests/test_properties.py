"""Properties that must hold for every input, checked with hypothesis: the loader never
raises, the sanitiser leaves nothing a terminal would obey, and the answer decoder keeps
every LaTeX command inside math while text round-trips.

Examples are random on a developer's machine and fixed in CI (``CI`` set), so that CI is
reproducible; a failure prints the smallest input that shows it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qtreader.library.decode import LATEX_N_COMMANDS, clean_text, decode_answer
from qtreader.library.parse import parse_bytes, parse_file
from qtreader.library.store import load_library

from .hostile_library import FORBIDDEN

BASE = settings(
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
ROOT = Path("/library")
PATH = ROOT / "learn" / "physics" / "article.md"


def _parse(data: bytes) -> None:
    """Parse bytes; an article's shown text must be clean, or there must be a problem."""
    article, problem = parse_bytes(data, PATH, ROOT, size=len(data), mtime_ns=0)
    assert article is not None or problem is not None
    if article is not None:
        texts = [article.question, article.title, article.answer, article.subject]
        texts += [article.description, article.slug, article.url, *article.keywords]
        texts += [link.title for link in article.related]
        for text in texts:
            assert not FORBIDDEN.search(text), repr(text)
        assert article.question and article.answer


# The loader ------------------------------------------------------------------------------

FIELDS = [
    "id", "question", "answer", "title", "subject", "date", "score", "no_index", "seo",
    "file_name", "url", "related_article1", "page_keywords", "page_description",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.dates(),
    st.binary(max_size=20),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)
#: Whole front matters as YAML would write them: mappings of the real fields, or anything.
DUMPED = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=10),
    VALUES,
).map(lambda value: yaml.safe_dump(value, allow_unicode=True))
#: Text made of YAML's own syntax, which rarely parses and must never crash.
YAML_NOISE = st.text(
    alphabet=st.sampled_from(list("-:?[]{}&*!|>'\"#%@`,\\ \n\t\x1b\x00\u202eab01")), max_size=200
)


@settings(BASE, max_examples=300)
@given(st.binary(max_size=3000))
@example(b"")
@example(b"---\n---\n")
@example(b"\xef\xbb\xbf---\nid: 1\nquestion: q\nanswer: a\n---\n")
def test_any_bytes_never_raise_out_of_parse_bytes(data: bytes) -> None:
    _parse(data)
    _parse(b"---\n" + data + b"\n---\n")


@settings(BASE, max_examples=300)
@given(st.one_of(DUMPED, YAML_NOISE))
@example('question: "\\e"')  # a question of one escape character: nothing left to show
@example("id: 1\nquestion: q\nanswer: a\nseo: " + "[" * 5000 + "]" * 5000)
@example("a: &a [*a, *a]\nid: *a\nquestion: *a\nanswer: *a\n")
@example("id: !!python/object/apply:os.system ['true']\nquestion: q\nanswer: a\n")
def test_any_yaml_never_raises_out_of_parse_bytes(text: str) -> None:
    _parse(f"---\n{text}\n---\n\n&nbsp;\n".encode("utf-8", "surrogatepass"))
    _parse(f"---\nid: 7\nquestion: q\nanswer: a\n{text}\n---\n".encode("utf-8", "surrogatepass"))


FILES = st.lists(
    st.one_of(
        st.binary(max_size=300),
        DUMPED.map(lambda text: f"---\n{text}---\n".encode()),
        st.builds(
            lambda i, q, a: f"---\nid: {i}\nquestion: {q!r}\nanswer: {a!r}\n---\n".encode(),
            st.integers(0, 5),
            st.text(max_size=20),
            st.text(max_size=40),
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(BASE, max_examples=40)
@given(FILES)
def test_any_files_never_raise_out_of_the_store_and_each_is_accounted_for(
    contents: list[bytes],
) -> None:
    """``parse_file`` and ``load_library`` on any files: every file is an article listed
    under a subject, or a problem with its path (some are both: a warning)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = []
        for number, content in enumerate(contents):
            path = root / "learn" / f"subject-{number % 2}" / f"file-{number}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            paths.append(path)
            parse_file(path, root)
        library = load_library(root, memory=True)
        listed = {listing.path for article in library.articles() for listing in article.listings}
        reported = {problem.path for problem in library.problems}
        for path in paths:
            assert path in listed or path in reported, path
        for article in library.articles():
            assert not FORBIDDEN.search(library.answer(article.id))


# The sanitiser ---------------------------------------------------------------------------

TERMINAL_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("\x1b\x07\x9b\x9c\x9d\x90\x98\x9e\x9f[]();P\\^_\r\n\t\u202e\u2066")),
    ),
    max_size=200,
)


@settings(BASE, max_examples=500)
@given(TERMINAL_TEXT)
@example("\x1b]0;title\x07\x1b[31mred\x1b[0m\x9b2J\u202eevil\u202c\r\n")
@example("\x1b\x1b[[31m\x1b")
def test_clean_text_leaves_nothing_a_terminal_obeys(text: str) -> None:
    cleaned = clean_text(text)
    assert not FORBIDDEN.search(cleaned), repr(cleaned)
    assert clean_text(cleaned) == cleaned
    if not FORBIDDEN.search(text):
        assert cleaned == text  # harmless text is never changed


# The answer decoder ----------------------------------------------------------------------

#: Words for text, some of them what follows ``\n`` in LaTeX commands (``\n`` + ``eq``).
WORDS = [
    "eq", "abla", "u", "ot", "otin", "e", "i", "eg", "mid", "ewline", "atural",
    "the", "Newton", "force", "x", "2", "a-b", "one,", "it's", "(see", "below)", "**bold**",
]  # fmt: skip
TEXT_PIECES = [*WORDS, " ", "\n", "\n\n", "\n- ", "\n1. ", "\n### ", "| a |", "_x_", "\t"]
TEXT = st.lists(st.sampled_from(TEXT_PIECES), max_size=25).map("".join)
INLINE_CODE = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(
    lambda words: "`" + " ".join(words) + "`"
)
#: Code without quotes: inside fenced code a ``\n`` in what looks like a string literal stays
#: as written (rule 4), and an apostrophe looks like one.
FENCED_CODE = st.lists(
    st.sampled_from([w for w in WORDS if "'" not in w]), min_size=1, max_size=8
).map(lambda words: "\n```python\n" + "\n".join(words) + "\n```\n")

N_COMMANDS = sorted(LATEX_N_COMMANDS)
OTHER_TOKENS = [
    "x", "y_1", "2", "+", "=", "(", ")", "^{2}", "\\times", "\\theta", "\\tau",
    "\\frac{a}{b}", "\\text{m/s}", "\\to", "\\tan",
]  # fmt: skip
MATH_TOKENS = st.one_of(st.sampled_from(N_COMMANDS), st.sampled_from(OTHER_TOKENS))


@st.composite
def math_span(draw: st.DrawFn) -> str:
    """A formula whose commands each end at a space, as written: ``$..$``, ``\\(..\\)``,
    ``$$..$$`` or ``\\[..\\]``; display math may run over lines. A command never comes
    directly after an opening ``$$`` or ``\\[`` (there the format reads a newline)."""
    kind = draw(st.sampled_from(["$", "\\(", "$$", "\\["]))
    close = {"$": "$", "\\(": "\\)", "$$": "$$", "\\[": "\\]"}[kind]
    tokens = draw(st.lists(MATH_TOKENS, min_size=1, max_size=8))
    if kind in ("$$", "\\["):
        if draw(st.booleans()):  # mid-formula line breaks, as LaTeX writes them
            tokens = [t if draw(st.booleans()) else t + " \\\\\n" for t in tokens]
        first = "\n" if draw(st.booleans()) else draw(st.sampled_from(OTHER_TOKENS)) + " "
        last = "\n" if draw(st.booleans()) else ""
        return kind + first + " ".join(tokens) + last + close
    return kind + " ".join([*tokens, draw(st.sampled_from(["x", "2", "y_1", "\\theta"]))]) + close


def _encode(markdown: str) -> str:
    """Store Markdown as the answer field does: each newline as the two characters ``\\n``."""
    return markdown.replace("\n", "\\n")


def _commands(text: str) -> list[str]:
    import re

    return re.findall(r"\\(n[A-Za-z]+)", text)


@settings(BASE, max_examples=400)
@given(st.lists(st.one_of(TEXT, math_span(), INLINE_CODE), min_size=1, max_size=8))
@example(["Here", "$\\nu$", "\nu and", "$$\n\\nabla f\n$$", "\neq"])
@example(["$$ x \\neq 2 \\\\\n\\nabla y$$"])
def test_decoding_keeps_every_latex_command_inside_math(pieces: list[str]) -> None:
    markdown = " ".join(pieces)
    decoded = decode_answer(_encode(markdown))
    assert _commands(decoded) == _commands(markdown)
    assert decoded == markdown


@settings(BASE, max_examples=400)
@given(st.lists(st.one_of(TEXT, INLINE_CODE, FENCED_CODE), min_size=1, max_size=8))
@example(["one\nu two\neq three\nabla"])
def test_text_without_math_round_trips(pieces: list[str]) -> None:
    markdown = " ".join(pieces)
    assert decode_answer(_encode(markdown)) == markdown


# Fast paths against the plain regular expressions they stand for -------------------------

#: Text dense in what delimits math and code: dollars, backslashes, brackets, backticks.
DELIMITED = st.lists(
    st.sampled_from(["$", "$$", "\\", "\\(", "\\)", "\\[", "\\]", "`", "```", "x", "5", " ", "\n"]),
    max_size=40,
).map("".join)


@settings(BASE, max_examples=500)
@given(DELIMITED)
@example("a$x$ \\$y$ $$z$$ $5 and $10 \\(p\\)")
def test_math_spans_are_those_of_the_math_pattern_everywhere(text: str) -> None:
    from qtreader.library import decode

    masked = decode._mask_code(text, decode._code_regions(text))
    # The pattern tried at every position, a span kept when it is math (inline ``$...$``
    # holding prose between two prices is not), the next one tried after it.
    expected: list[tuple[int, int]] = []
    position = 0
    for start in range(len(masked)):
        found = decode._math().match(masked, start) if start >= position else None
        if found and (not found.group("open4") or decode._inline_is_math(found.group("i"))):
            expected.append(found.span())
            position = found.end()
    assert [(span.start, span.end) for span in decode.math_spans(text)] == expected


LINES = st.lists(
    st.sampled_from(["- ", "+ ", "> ", "1. ", "12) ", "---", "--- ", "-", " ", "\t", "a", "\n"]),
    max_size=30,
).map("".join)


@settings(BASE, max_examples=500)
@given(LINES)
@example("- a\n---\n 2) b\n>c\n> d")
def test_search_text_drops_line_markers_as_a_multiline_pattern_does(text: str) -> None:
    import re

    from qtreader.library.index import _MARKUP_CHARS, search_text

    markers = re.compile(r"^[ \t]*(?:>|[-+]|\d+[.)])[ \t]+|^-{3,}[ \t]*$", re.MULTILINE)
    assert search_text(text) == markers.sub(" ", text.translate(_MARKUP_CHARS))
