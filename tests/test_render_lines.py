"""The renderer's direct layout (``qtreader.render.lines`` and the list elements built on it)
gives Rich's lines, segment for segment and style for style: for generated texts, and for
every answer of the shipped library, of the fixture libraries, of a generated library and
of hand-written hard cases, as ``show`` prints them and as the pane draws them, with Rich's
own layout (the path the fast one falls back to) as the reference."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.align import AlignMethod
from rich.console import Console, JustifyMethod, OverflowMethod, RenderableType
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text

from qtreader.library.store import Library
from qtreader.render import lines as render_lines
from qtreader.render import markdown as render_markdown
from qtreader.render.check import render_console
from qtreader.render.lines import LaidOutRule, LaidOutText, text_lines
from qtreader.render.markdown import render_answer
from qtreader.render.output import article_renderable

from .conftest import FIXTURES, LIBRARY

ROOT = Path(__file__).resolve().parents[1]

# Words of one-cell characters (ASCII and not), and of characters that are not one cell
# each or are white space other than the space, which the direct layout leaves to Rich.
_WORDS = st.sampled_from(
    ["a", "word", "Longer", "x" * 9, "end.", "(b)", "-", "[1]", "x" * 70, "café", "naïve",
     "—", "·", "it\u2019s", "Ωμ", "\u4e2d\u6587", "e\u0301", "a\u00a0b", "x\u200dy", "\u2764\ufe0f",
     "\t", "\x1b[1m"]
)  # fmt: skip
_SPACES = st.sampled_from([" ", " ", " ", "  ", "     "])
_STYLES = st.sampled_from(
    ["bold", "dim", "", Style(italic=True), Style(), Style(meta={"@click": "follow_link(2)"})]
)


def rich_lines(console: Console, renderable: RenderableType, width: int) -> list[list[Segment]]:
    """Rich's lines of ``renderable`` at ``width``, as a container or the screen cuts them."""
    options = console.options.update_width(width)
    return list(
        Segment.split_and_crop_lines(
            console.render(renderable, options), width, pad=False, include_new_lines=False
        )
    )


@settings(max_examples=400, deadline=None)
@given(
    words=st.lists(_WORDS, max_size=30),
    spaces=st.lists(_SPACES, min_size=1),
    lead=st.sampled_from(["", " ", "   "]),
    width=st.integers(min_value=1, max_value=50),
    justify=st.sampled_from([None, "left", "default", "full", "center", "right"]),
    overflow=st.sampled_from([None, "fold", "crop", "ellipsis"]),
    style=_STYLES,
    spans=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60), _STYLES), max_size=6),
    end=st.sampled_from(["\n", "\n", ""]),
    no_wrap=st.sampled_from([None, None, False, True]),
)
def test_a_text_is_laid_out_in_richs_lines(
    words: list[str],
    spaces: list[str],
    lead: str,
    width: int,
    justify: JustifyMethod | None,
    overflow: OverflowMethod | None,
    style: str | Style,
    spans: list[tuple[int, int, str | Style]],
    end: str,
    no_wrap: bool | None,
) -> None:
    plain = lead + "".join(word + spaces[i % len(spaces)] for i, word in enumerate(words))
    text = Text(plain, style=style, justify=justify, overflow=overflow, end=end, no_wrap=no_wrap)
    for start, length, span_style in spans:
        start = min(start, len(plain))
        # Spans as Text.append leaves them, empty ones too, overlapping in any order.
        text.spans.append(Span(start, min(start + length, len(plain)), span_style))
    console = Console(file=io.StringIO(), width=200, color_system="truecolor")
    expected = rich_lines(console, text, width)
    got = text_lines(text, console, console.options.update_width(width))
    if got is not None:
        assert got == expected
    laid_out = LaidOutText(plain, style=style, justify=justify, overflow=overflow, end=end)
    laid_out.no_wrap = no_wrap
    laid_out.spans[:] = text.spans
    assert rich_lines(console, laid_out, width) == expected


def test_a_paragraph_of_printable_ascii_is_laid_out_directly() -> None:
    """The cases above are not all left to Rich: an answer's paragraph is laid out here."""
    text = Text("A paragraph of a few words, ", justify="left")
    text.append("some bold,", "bold")
    text.append(" and more words than fit on one line of twenty.")
    console = Console(file=io.StringIO(), width=20)
    got = text_lines(text, console, console.options)
    assert got is not None
    assert got == rich_lines(console, text, 20)
    assert [[(segment.text, str(segment.style)) for segment in line] for line in got] == [
        [("A paragraph of a few", "none")],
        [("words, ", "none"), ("some bold,", "bold"), ("   ", "none")],
        [("and more words than ", "none")],
        [("fit on one line of  ", "none")],
        [("twenty.             ", "none")],
    ]


@pytest.mark.parametrize("title", ["Related", "Cited by", "", "A title much longer " * 6, "中文"])
@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_a_rule_is_laid_out_as_rich_draws_it(title: str, align: AlignMethod) -> None:
    console = Console(file=io.StringIO(), width=80, color_system="truecolor")
    for width in (1, 3, 10, 33, 80):
        assert rich_lines(console, LaidOutRule(title, align=align, style="dim"), width) == (
            rich_lines(console, Rule(title, align=align, style="dim"), width)
        )


def test_a_heading_is_laid_out_as_rich_justifies_it() -> None:
    text = Text("Heading words that wrap at twelve")
    text.stylize("bold underline", 0, 7)
    console = Console(file=io.StringIO(), width=12)
    heading = text.copy()
    heading.justify = "left"
    assert text_lines(text, console, console.options, "left") == rich_lines(console, heading, 12)


# Answers: Rich's layout and the direct one, side by side ---------------------------------

HARD_ANSWERS = [
    # Lists nested three deep, loose and tight, with a paragraph after a nested list.
    "Intro with **bold words that run on so that wrapping cuts the bold span in two** here."
    "\n\n1. First item with *emphasis*, `code` and a [link](https://example.org/x) here.\n"
    "   - nested bullet with a long line of text that wraps several times at narrow widths\n"
    "     1. third level item\n     2. another, with **bold\n        continuation** across\n"
    "   - second nested\n\n   A paragraph after the nested list, still in the item.\n"
    "2. Second item\n\n   with a second paragraph\n\n   ```python\n   def f(x):\n"
    "       return x * 2  # a comment long enough to be folded at a narrow width\n   ```\n"
    "3. Display math in an item:\n\n   $$\n   E = mc^2\n   $$\n\n   and $\\alpha + \\beta$.\n"
    "99. Ninety-nine\n100. One hundred\n",
    # A list in a quote (Rich restyles its items: left to Rich), headings and tables in items.
    "> A quote with a list:\n> - quoted item one that is long enough to wrap at narrow widths\n"
    "> - quoted item two\n>   1. nested in the quote\n\n- item with a heading:\n"
    "  ### Heading in an item\n  text below\n- item with a table:\n\n  | a | b |\n  |---|---|\n"
    "  | 1 | 2 |\n- \n- H<sub>2</sub>O and x<sup>2</sup> and<br>a break\n"
    "- a hard break  \n  next line\n- 漢字の長い行がここにあります漢字の長い行がここにあります\n"
    "- averyveryveryveryveryveryveryveryverylongwordwithoutanyspacesatallreally\n"
    "- <div>html block in an item</div>\n\n7) starts at seven\n8) eight\n",
    # Lazy continuation, indented code in an item, internal links, raw TeX, a rule in an item.
    "Paragraph then a list:\n- a\n- b\nLazy continuation\nline here.\n\n1. item\n\n"
    "       indented code inside an item\n\n2. [internal](/learn/physics/questions/lens) and "
    "[another](/learn/x/questions/y)\n   - $x_1 + y^2$, $\\frac{a}{b}$ and $\\unknowncmd{z}$\n"
    "   - ---\n\n---\n\n- > a quote inside an item\n  > second line\n- ~~struck~~ text\n",
    "# A level one heading, centred by Rich\n\n## Two\n\n#### Four, *with emphasis*\n\nText.",
    "1. one\n   - two\n     - three\n       - four\n         - five\n           - six deep, words "
    "words words words words words\n",
    "- only",
    "   Leading spaces, then words.\n\n  - item with `code that is long enough to wrap` too",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    root = tmp_path_factory.mktemp("lines")
    generate.generate(root, 200, 40, seed=11, workers=1, manifest=None)
    return root


def libraries(generated: Path) -> Iterator[tuple[str, Library]]:
    for root in (ROOT / "content", LIBRARY, FIXTURES / "related-library", generated):
        library = Library.open(root, memory=True)
        library.refresh()
        yield str(root), library


def rich_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lay out with Rich alone: what the direct layout replaces, still its fallback."""
    monkeypatch.setattr(render_lines, "text_lines", lambda *args: None)
    monkeypatch.setattr(render_markdown, "text_lines", lambda *args: None)
    monkeypatch.setattr(render_markdown, "LIST_LINES_FROM", sys.maxsize)


def layouts(answers: list[tuple[str, object, str]]) -> dict[str, list[list[Segment]]]:
    """Every answer as the pane draws it (links with actions, formulas drawn or as TeX) at
    a few widths, and every article as ``show`` prints it, plain and in colour."""
    plain = render_console()
    colour = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="truecolor")
    out: dict[str, list[list[Segment]]] = {}
    for key, article, answer in answers:
        for width in (7, 23, 80, 121):
            for raw_tex in (False, True):
                pane = render_answer(answer, raw_tex=raw_tex, link_action="follow_link({})")
                out[f"{key} pane {width} {raw_tex}"] = rich_lines(colour, pane, width)
        if article is not None:
            shown = article_renderable(article, answer)  # type: ignore[arg-type]
            out[f"{key} show plain"] = rich_lines(plain, shown, 80)
            out[f"{key} show colour"] = rich_lines(colour, shown, 80)
    return out


@pytest.mark.slow
def test_every_answer_is_laid_out_as_rich_lays_it_out(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[tuple[str, object, str]] = [
        (f"hard {n}", None, answer) for n, answer in enumerate(HARD_ANSWERS)
    ]
    for name, library in libraries(generated):
        for article in library.articles():
            answers.append((f"{name} #{article.id}", article, library.answer(article.id)))
    assert len(answers) > 250
    fast = layouts(answers)
    with monkeypatch.context() as patched:
        rich_only(patched)
        expected = layouts(answers)
    assert fast.keys() == expected.keys()
    assert [key for key in fast if fast[key] != expected[key]] == []
