"""What ``render_answer`` shows, read from a plain 80-column console as a person would."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, JustifyMethod, OverflowMethod
from rich.segment import Segment
from rich.text import Text

from qtreader.render.markdown import FOLD_MARK, answer_links, formula_outcomes, render_answer


def shown(markdown: str, *, width: int = 80, raw_tex: bool = False) -> str:
    console = Console(width=width, color_system=None, force_terminal=False, legacy_windows=False)
    with console.capture() as capture:
        console.print(render_answer(markdown, raw_tex=raw_tex))
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


def test_display_math_without_blank_lines_becomes_its_own_block() -> None:
    text = shown("For a moving source:\n$$\nf' = f \\frac{v}{v - v_s}\n$$\nand so on.")
    lines = text.splitlines()
    assert lines[0] == "For a moving source:"
    assert "f' = f╶──────╴" in text
    assert lines[-1] == "and so on."
    # the formula is not joined into the paragraph
    assert not any("source:" in line and "f'" in line for line in lines)


def test_display_math_in_the_middle_of_a_line_is_still_a_block() -> None:
    lines = shown(r"Thus \[E = mc^2\] holds.").splitlines()
    assert lines == ["Thus", "", "  E = mc²", "", "holds."]


def test_inline_math_stays_in_the_sentence_on_one_row() -> None:
    text = shown(r"The slope $m = \frac{\Delta y}{\Delta x}$ is constant, and \(\nu \neq 0\).")
    assert text == "The slope m = (Δy)/(Δx) is constant, and ν ≠ 0."


def test_money_stays_text() -> None:
    assert shown("It costs $5 and $10 per module.") == "It costs $5 and $10 per module."


def test_math_is_never_looked_for_inside_code() -> None:
    text = shown("Run `echo $HOME $x$` then:\n\n```sh\necho $a$ $$b$$\n```")
    assert "echo $HOME $x$" in text
    assert "echo $a$ $$b$$" in text


def test_fence_without_language_is_plain_text() -> None:
    console = Console(width=80, force_terminal=True, color_system="truecolor")
    segments = list(console.render(render_answer("```\nif x: return 'y'  # looks like code\n```")))
    styles = {
        segment.style for segment in segments if segment.text.strip() and "return" in segment.text
    }
    # One segment, one style: nothing was highlighted as if a language had been guessed.
    assert len(styles) == 1
    assert any("if x: return 'y'  # looks like code" in s.text for s in segments)


def test_long_code_lines_are_folded_visibly_never_clipped() -> None:
    line = "x = [" + ", ".join(str(n) for n in range(60)) + "]"
    text = shown(f"```python\n{line}\n```", width=40)
    folded = [row.strip() for row in text.splitlines() if row.strip()]
    assert all(row.startswith(FOLD_MARK) for row in folded[1:])
    assert "".join(row.removeprefix(FOLD_MARK) for row in folded) == line


def test_gfm_table_renders_with_math_in_cells() -> None:
    text = shown("| Case | Cost |\n|---|---|\n| worst | $O(n^2)$ |\n| best | $O(n)$ |")
    assert re.search(r"Case\s+Cost", text)
    assert re.search(r"worst\s+O\(n²\)", text)
    assert "|" not in text


def test_links_are_numbered_and_external_addresses_shown() -> None:
    markdown = (
        "See [gradients](/learn/mathematics/questions/what-is-a-gradient) and "
        "[the docs](https://docs.python.org/3/)."
    )
    assert shown(markdown) == ("See gradients [1] and the docs [2] (https://docs.python.org/3/).")
    links = answer_links(markdown)
    assert [(link.number, link.text, link.internal) for link in links] == [
        (1, "gradients", True),
        (2, "the docs", False),
    ]


def test_link_click_action_is_attached_to_the_link_text() -> None:
    console = Console(width=80)
    renderable = render_answer("[here](https://example.org)", link_action="follow_link({})")
    segments = list(console.render(renderable))
    clicks = {s.style.meta.get("@click") for s in segments if s.style and s.style.meta}
    assert clicks == {"follow_link(1)"}


def test_raw_tex_shows_formulas_as_written() -> None:
    markdown = "Inline $\\alpha^2$ and\n\n$$\\frac{a}{b}$$"
    text = shown(markdown, raw_tex=True)
    assert "$\\alpha^2$" in text
    assert "$$\\frac{a}{b}$$" in text
    assert "α" not in shown(markdown, raw_tex=True)


def test_sub_sup_and_br_show_as_on_the_website() -> None:
    assert shown("CO<sub>2</sub> and 10<sup>3</sup><br>next") == "CO₂ and 10³\nnext"


# Everything that could take over a terminal, in every place an answer can hold text.
HOSTILE = (
    "Title \x1b[31mred\x1b[0m and \x1b]0;pwned\x07 osc and \x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\"
    " and \x9b31m c1-csi \x9d0;t\x9c c1-osc \x85 nel \u202eevil\u202c \u2066iso\u2069 \x07bell\x08"
    "\n\n$\\alpha \x1b[2J$ and $$\\frac{1}{\x1b[H2}$$\n\n"
    "| a\x1b[1m | b |\n|---|---|\n| \x1b]52;c;aGk=\x07 | [x\x1b[5m](https://e.org/\x1b[1m) |\n\n"
    "```\nprint('\x1b[31m')\n```\n\n<div>\x1b[31mhtml</div>\n"
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_nothing_from_the_answer_can_send_control_sequences() -> None:
    for raw_tex in (False, True):
        plain = shown(HOSTILE, raw_tex=raw_tex)
        assert not CONTROL.search(plain), repr(CONTROL.search(plain))
        # With colours on, the only escapes are Rich's own SGR codes.
        console = Console(width=80, force_terminal=True, color_system="truecolor")
        with console.capture() as capture:
            console.print(render_answer(HOSTILE, raw_tex=raw_tex))
        without_sgr = re.sub(r"\x1b\[[0-9;]*m", "", capture.get())
        assert not CONTROL.search(without_sgr), repr(CONTROL.search(without_sgr))
        segments = list(Console(width=80).render(render_answer(HOSTILE, raw_tex=raw_tex)))
        assert not any(CONTROL.search(s.text) for s in segments if not s.control)
        assert all(isinstance(s, Segment) for s in segments)
    links = answer_links(HOSTILE)
    assert not any(CONTROL.search(link.url + link.text) for link in links)


def test_formula_outcomes_say_which_formulas_are_drawn_and_which_stay_tex() -> None:
    from qtreader.render.markdown import formula_outcomes

    outcomes = formula_outcomes("Then $x^2$ grows.\n\n$$\\frac{a}{b}$$\n\nAnd $\\foobar{x}$ too.")
    assert [(o.tex, o.display, o.raw) for o in outcomes] == [
        ("x^2", False, False),
        ("\\frac{a}{b}", True, False),
        ("\\foobar{x}", False, True),
    ]


# Inline dollars: math as the website's math-text reads it, but currency stays prose. Each
# case is a line of an answer and the formulas the reader finds in it (their TeX, trimmed).
DOLLAR_CASES: list[tuple[str, list[str]]] = [
    # spaced math, as about 6% of real answers write it
    ("The set $ A $ is closed.", ["A"]),
    ("So $ \\frac{b}{a} $ is the slope.", [r"\frac{b}{a}"]),
    ("where $ x $ is the mass", ["x"]),
    ("take $ x + y $ and", ["x + y"]),
    ("with $ x^2 $ terms", ["x^2"]),
    ("if $ a_n $ converges", ["a_n"]),
    ("the angle $ \\theta $ grows", [r"\theta"]),
    ("for $ n = 1 $ only", ["n = 1"]),
    ("since $ f(x) $ is even", ["f(x)"]),
    ("segment $ AB $ and segment $ CD $", ["AB", "CD"]),
    ("where $ \\vec{F} $ acts", [r"\vec{F}"]),
    ("as $ 2x $ grows", ["2x"]),
    ("when $ x > 0 $ holds", ["x > 0"]),
    ("a set $ \\{1, 2\\} $ here", [r"\{1, 2\}"]),
    ("use $ \\sin x $ now", [r"\sin x"]),
    ("so $ \\sin(x) + \\cos(x) $", [r"\sin(x) + \cos(x)"]),
    ("the value $ \\pi r^2 $ is", [r"\pi r^2"]),
    ("matrix $ M $ times $ v $", ["M", "v"]),
    ("the closing dollar of $ A\n$ is on the next line", ["A"]),
    ("a long one $ F = ma\n $ wrapped", ["F = ma"]),
    ("both $x$ and $ y $", ["x", "y"]),
    ("$ P(A \\mid B) $ is conditional", [r"P(A \mid B)"]),
    ("a ratio $ a/b $ here", ["a/b"]),
    ("$ \\log n $ steps", [r"\log n"]),
    # tight math, as before
    ("The mass $m$ is 5 kg.", ["m"]),
    ("Energy $E = mc^2$ holds.", ["E = mc^2"]),
    ("$5$ is a number.", ["5"]),
    ("costs $x$ each", ["x"]),
    # currency in prose
    ("It costs $5 and $10 per module.", []),
    ("Tickets are $5-$10.", []),
    ("between $20 and $30 million", []),
    ("from $1,000 to $2,500 a year", []),
    ("pay $5 or $6 today", []),
    ("It was $3.50, then $4.", []),
    ("a $ 5 $ fee", []),
    ("The fee is $5. The tax is $2.", []),
    ("earned $10k and spent $2k", []),
    ("costs $ 10 per unit and $ 20", []),
    ("A $5 bill and a $10 bill", []),
    ("between $1.5 and $2 billion", []),
    ("prices of $100, $200 and $300", []),
    ("raised $5 million from investors and $3", []),
    # never math: escaped dollars, blank lines, code
    ("an escaped \\$ A $ dollar", []),
    ("$ x\n\n$ across a paragraph break", []),
    ("- a list item $ x\n- and the next $ y", []),
    ("| a $ x\n| b $ |", []),
    ("`$ x $` in code", []),
    ("a lone $ sign", []),
    ("$ $ empty", []),
    # mixed: prose dollars, then a formula
    ("It costs $5 and the speed is $ v $.", ["v"]),
    ("Pay $5; let $x$ be the rest.", ["x"]),
]


@pytest.mark.parametrize(("markdown", "formulas"), DOLLAR_CASES)
def test_inline_dollars_are_math_or_money_by_what_they_hold(
    markdown: str, formulas: list[str]
) -> None:
    found = [outcome.tex.strip() for outcome in formula_outcomes(markdown)]
    assert found == formulas


def test_spaced_inline_math_is_drawn_in_the_sentence_and_money_stays_as_written() -> None:
    assert shown("The set $ A $ is closed, and $ \\frac{b}{a} $ too.") == (
        "The set A is closed, and b/a too."
    )
    assert shown("So $ x_1 $ wraps\n$ $ here.") == "So x₁ wraps $ $ here."
    assert shown("It was between $20 and $30 million.") == "It was between $20 and $30 million."


def test_a_formula_left_raw_is_wrapped_between_tex_words_never_inside_one() -> None:
    words = [rf"\unknowncmd{{x_{i}}}" for i in range(12)]
    text = shown("$$" + " + ".join(words) + "$$", width=40)
    assert FOLD_MARK not in text
    shown_words = [word.strip("$") for word in text.split()]
    for word in words:
        assert word in shown_words


# Answers whose blocks differ by variant (math, links) next to blocks that do not, and
# state carried from block to block (a <sub> left open, blank lines between blocks).
LAYOUT_CASES = [
    "Intro with [a link](https://example.org) and $x^2$.\n\nPlain paragraph.\n\n"
    "1. **Item** with $\\alpha$\n    - nested [inner](/learn/physics/questions/q)\n"
    "2. Plain item\n\n$$\nE = mc^2\n$$\n\n> quoted $y$\n\n```\ncode $z$\n```\n\n---\n\nEnd.",
    "Water is H<sub>2\n\nO and more text $a_1$ here</sub> done.\n\n- list\n- after",
    "| a | b |\n|---|---|\n| $x$ | [l](http://e.org) |\n\n# Heading $h$\n\ntail",
    "Before\n$$\\frac{1}{2}$$\nafter <br> with <sup>2</sup> and $\\unknownmacro{q}$.",
]


def _layouts(markdown: str, order: list[tuple[bool, str | None]]) -> list[list[Segment]]:
    console = Console(width=60, force_terminal=True, color_system="truecolor")
    return [
        list(console.render(render_answer(markdown, raw_tex=raw, link_action=action)))
        for raw, action in order
    ]


@pytest.mark.parametrize("markdown", LAYOUT_CASES)
def test_blocks_laid_out_once_are_reused_only_where_they_render_alike(markdown: str) -> None:
    """Show, pane (link actions) and raw TeX renderings of one answer, in any order, each
    equal to the same rendering done alone."""
    from qtreader.render import markdown as answer_markdown

    variants = [(False, None), (True, None), (False, "go({})"), (True, "go({})")]
    alone = []
    for variant in variants:
        answer_markdown._prepare.cache_clear()
        alone += _layouts(markdown, [variant])
    for order in (variants, variants[::-1], [variants[1], variants[0], variants[3]]):
        answer_markdown._prepare.cache_clear()
        assert _layouts(markdown, order) == [alone[variants.index(v)] for v in order]
    # The variants differ where the answer has what they change.
    assert alone[0] != alone[1]
    assert (alone[0] != alone[2]) == bool(answer_links(markdown))


# Words of one-cell, two-cell and zero-width characters, joiners, long words and tabs.
_WRAP_WORDS = st.sampled_from(
    ["a", "word", "cafe\u0301", "\u4e2d\u6587\u5b57", "\U0001f600x", "\U0001f468\u200d\U0001f469",
     "\u2764\ufe0f", "x" * 30, "\u4e2d" * 12, "end.", "-", "\t", "", "\u00a0"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    words=st.lists(_WRAP_WORDS, max_size=40),
    spaces=st.lists(st.sampled_from([" ", "  ", "\n", " \t"]), min_size=1),
    width=st.integers(min_value=1, max_value=60),
    justify=st.sampled_from([None, "left", "default", "full", "center", "right"]),
    overflow=st.sampled_from([None, "fold", "crop", "ellipsis"]),
    bold=st.tuples(st.integers(0, 300), st.integers(0, 300)),
)
def test_answer_paragraphs_wrap_exactly_as_rich_wraps(
    words: list[str],
    spaces: list[str],
    width: int,
    justify: JustifyMethod | None,
    overflow: OverflowMethod | None,
    bold: tuple[int, int],
) -> None:
    """The renderer's faster wrapping gives Rich's lines, to the character and style."""
    from qtreader.render.markdown import _WrappedText

    text = "".join(word + spaces[index % len(spaces)] for index, word in enumerate(words))
    console = Console(width=100, color_system=None)
    rich_text, fast_text = Text(text), _WrappedText(text)
    for version in (rich_text, fast_text):
        version.stylize("bold", *sorted(bold))
    expected = rich_text.wrap(console, width, justify=justify, overflow=overflow)
    got = fast_text.wrap(console, width, justify=justify, overflow=overflow)
    assert [(line.plain, line.spans) for line in got] == [
        (line.plain, line.spans) for line in expected
    ]
