"""TeX to Unicode: each kind of formula reads right, and nothing can make it fail."""

from __future__ import annotations

import time

import pytest

from qtreader import texmath
from qtreader.texmath import MAX_TEX, display_math, display_pieces, inline_math


@pytest.mark.parametrize(
    ("tex", "shown"),
    [
        (r"\alpha + \beta \neq \gamma", "α + β ≠ γ"),
        (r"\nabla f \times \nu", "∇f × ν"),
        (r"\theta \to 0", "θ → 0"),
        (r"x_1^2 + e^{x}", None),  # sub and superscript together: any one-row form
        (r"n_1 \sin\theta_1 = n_2 \sin\theta_2", "n₁ sin θ₁ = n₂ sin θ₂"),
        (r"\text{speed} = \frac{d}{t}", "speed = d/t"),
        (r"\sqrt{b^2 - 4ac}", "√(b² - 4ac)"),
        (r"\vec{F} = m\vec{a}", "F⃗ = ma⃗"),
        (r"\lim_{x \to 0} f(x)", "lim[x→0] f(x)"),
        (r"\sum_{i=1}^{n} x_i", "∑ᵢ₌₁ⁿ xᵢ"),
        (r"\int_0^1 x \, dx", "∫₀¹ x dx"),
    ],
)
def test_inline_math_is_one_readable_row(tex: str, shown: str | None) -> None:
    rendered = inline_math(tex)
    assert not rendered.raw
    assert len(rendered.rows) == 1
    if shown is not None:
        assert rendered.text == shown


def test_display_math_draws_fractions_matrices_and_cases_on_several_rows() -> None:
    fraction = display_math(r"\frac{1}{f} = \frac{1}{u} + \frac{1}{v}")
    assert fraction.rows == (" 1     1     1", "╶─╴ = ╶─╴ + ╶─╴", " f     u     v")
    matrix = display_math(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}")
    assert matrix.rows == ("⎛a  b⎞", "⎝c  d⎠")
    cases = display_math(r"|x| = \begin{cases} x & x \geq 0 \\ -x & x < 0 \end{cases}")
    assert cases.rows == ("      ⎧x   x ≥ 0", "|x| = ⎩-x  x < 0")


def test_commands_texicode_lacks_are_filled_in() -> None:
    assert display_math(r"p \implies q").text == "p ⟹ q"
    assert display_math(r"\Theta(n)").text == "Θ(n)"
    assert display_math(r"\operatorname{sgn}(x)").text == "sgn(x)"


def test_the_chain_falls_back_in_order() -> None:
    assert display_math(r"\frac{a}{b}").renderer == "texicode"
    # TeXicode crashes on an accent in a subscript; flatlatex draws it on one row.
    assert display_math(r"D_{\vec{u}} f").renderer == "flatlatex"
    # Multi-row inline math falls back to flatlatex's one-row form.
    assert inline_math(r"\frac{x^3}{3}").text == "(x³)/3"


@pytest.mark.parametrize(
    "tex",
    [r"\unknowncommand{x} + 1", r"\frac{1}{", "}{", "\\", "x" * (MAX_TEX + 1), "{" * 500],
)
def test_what_no_renderer_handles_comes_back_raw_never_raising(tex: str) -> None:
    for rendered in (display_math(tex), inline_math(tex)):
        assert rendered.rows
        if rendered.raw:
            assert "".join(rendered.text.split()) == "".join(tex.split())


def test_money_is_not_handled_here_but_a_lone_dollar_is_harmless() -> None:
    assert inline_math("5 and ").rows


def test_a_renderer_that_raises_or_hangs_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    def hangs(tex: str) -> list[str]:
        time.sleep(5)
        return ["never"]

    def raises(tex: str) -> list[str]:
        raise RuntimeError("broken renderer")

    monkeypatch.setattr(texmath, "_texicode", hangs)
    monkeypatch.setattr(texmath, "_flatlatex", raises)
    started = time.monotonic()
    rendered = texmath.display_math.__wrapped__(r"\alpha_{unique}")
    assert time.monotonic() - started < 2
    assert rendered.renderer in ("pylatexenc", "raw")
    assert "never" not in rendered.text


def test_a_formula_wider_than_the_screen_is_broken_before_a_relation() -> None:
    tex = r"(a+b)^2 = a^2 + 2ab + b^2 = \frac{a^2 + 2ab + b^2}{1} = (a + b)(a + b)"
    pieces = display_pieces(tex, 30)
    assert len(pieces) > 1
    assert all(piece.width <= 30 for piece in pieces)
    assert pieces[1].rows[len(pieces[1].rows) // 2].lstrip().startswith("=")
