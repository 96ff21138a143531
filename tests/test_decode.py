"""The answer decoder (rules 1-5 of ARTICLE-FORMAT.md) and the text sanitiser."""

from __future__ import annotations

import pytest

from qtreader.library.decode import clean_text, decode_answer


def test_plain_newlines_become_line_breaks() -> None:
    assert decode_answer(r"One.\n\n### Two\n1. **Three**") == "One.\n\n### Two\n1. **Three**"


def test_answer_without_escapes_is_returned_unchanged() -> None:
    text = r"No breaks, but $\theta \times \tau$ and \text{x}"
    assert decode_answer(text) is text


@pytest.mark.parametrize(
    ("stored", "decoded"),
    [
        (r"$a \neq b$", r"$a \neq b$"),
        (r"$\nabla f$", r"$\nabla f$"),
        (r"$$x = \nu t$$", r"$$x = \nu t$$"),
        (r"\(\neg p\)", r"\(\neg p\)"),
        (r"\[x \notin A, y \ne z\]", r"\[x \notin A, y \ne z\]"),
        (r"$$a \nmid b \ni c$$", r"$$a \nmid b \ni c$$"),
    ],
)
def test_n_commands_inside_math_stay_latex(stored: str, decoded: str) -> None:
    """Rule 3: a LaTeX command that starts with n survives inside every kind of math span."""
    assert decode_answer(stored) == decoded


def test_n_command_words_outside_math_are_newlines() -> None:
    """Rule 3: outside math, ``\\ne``, ``\\not`` and friends are a newline and a word."""
    assert decode_answer(r"End.\not really\ne.g. this") == "End.\not really\ne.g. this"


def test_newline_right_after_display_opener() -> None:
    """Rule 3: ``$$`` + ``\\nu`` means ``$$``, newline, ``u`` (real data has it so)."""
    assert decode_answer(r"$$\nu(t) = 1\n$$") == "$$\nu(t) = 1\n$$"
    assert decode_answer(r"\[\nabla\]") == "\\[\nabla\\]"
    # With anything between the opener and the command it is the command.
    assert decode_answer(r"$$ \nabla f$$") == r"$$ \nabla f$$"


def test_display_math_on_its_own_lines() -> None:
    stored = r"Text:\n$$\nF = q(E + v \times B), \nabla \cdot E \neq 0\n$$\nAfter."
    assert decode_answer(stored) == (
        "Text:\n$$\nF = q(E + v \\times B), \\nabla \\cdot E \\neq 0\n$$\nAfter."
    )


def test_backslashes_before_the_escape_are_literal() -> None:
    """Rule 1: a stored ``\\\\\\n`` is LaTeX ``\\\\`` then a newline."""
    assert decode_answer(r"$$\begin{pmatrix} a \\\nc \end{pmatrix}$$") == (
        "$$\\begin{pmatrix} a \\\\\nc \\end{pmatrix}$$"
    )


def test_tab_and_other_escapes_are_never_decoded() -> None:
    """Rule 5: ``\\t`` starts ``\\text``, ``\\times``, ``\\theta``, ``\\tau``; ``\\"`` stays."""
    stored = r"$\text{a} \times \theta \to \tan \tau$ \r \f \b \"q\""
    assert decode_answer(stored) == stored


def test_string_literal_in_fenced_code_keeps_backslash_n() -> None:
    """Rule 4: ``printf("%d\\n", x);`` inside a fence keeps its ``\\n``."""
    stored = r'```c\nint x = 1;\nprintf("%d\n", x);\nputs("a\nb\nc");\n```\nDone.'
    assert decode_answer(stored) == (
        '```c\nint x = 1;\nprintf("%d\\n", x);\nputs("a\\nb\\nc");\n```\nDone.'
    )


def test_char_literal_and_apostrophes_in_code() -> None:
    stored = r"```python\nsep = '\n'\n# don't split here\nx = 1\n```"
    assert decode_answer(stored) == "```python\nsep = '\\n'\n# don't split here\nx = 1\n```"


def test_triple_quoted_docstring_lines_still_break() -> None:
    stored = r'```python\n"""Summary.\nMore.\n"""\n```'
    assert decode_answer(stored) == '```python\n"""Summary.\nMore.\n"""\n```'


def test_n_command_inside_code_is_a_newline() -> None:
    """Rule 3 applies outside code only: code has no math."""
    assert decode_answer(r"```\n$x$\nu = 1\n```") == "```\n$x$\nu = 1\n```"
    assert decode_answer(r"Use `$x$`\nu") == "Use `$x$`\nu"


def test_money_is_not_math() -> None:
    assert decode_answer(r"It costs $5 and $10\neach.") == "It costs $5 and $10\neach."


def test_clean_text_strips_escape_sequences_and_controls() -> None:
    dirty = (
        "a\x1b[31mred\x1b[0m \x1b]0;title\x07b \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
        "\x9b2J\x9d0;t\x9cc\u202eevil\u2066 d\x00\x07\x08e\tf\r\ng\x7f"
    )
    assert clean_text(dirty) == "ared b link cevil de\tf\ng"


def test_clean_text_keeps_ordinary_text() -> None:
    text = "Ünïcödé — “quotes” $\\nabla$\n\tindented"
    assert clean_text(text) == text


def test_apostrophes_in_code_are_not_string_delimiters() -> None:
    stored = r"```text\nit's\nit's here\nx = 'a\nb'\n```"
    assert decode_answer(stored) == "```text\nit's\nit's here\nx = 'a\\nb'\n```"


def test_answers_without_code_or_commands_take_the_short_way_to_the_same_result() -> None:
    stored = r"Line one.\n\n- item \\ with backslash\nnext \t tab \" quote\nnothing"
    assert decode_answer(stored) == (
        'Line one.\n\n- item \\\\ with backslash\nnext \\t tab \\" quote\nnothing'
    )
