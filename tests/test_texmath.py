"""TeX to Unicode: each kind of formula reads right, and nothing can make it fail."""

from __future__ import annotations

import time

import pytest

from qtreader.render import texmath
from qtreader.render.texmath import MAX_TEX, display_math, display_pieces, inline_math


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


# Every command used in 5 or more files of the largest real library (math-commands.tsv: 94
# commands), in a small formula, and how an inline formula shows it (checked by eye).
COMMANDS: list[tuple[str, str, str]] = [
    ("text", "v = 3 \\text{ m/s}", "v = 3 m/s"),
    ("frac", "\\frac{a}{b}", "a/b"),
    ("times", "a \\times b", "a × b"),
    ("mathbf", "\\mathbf{F} = m\\mathbf{a}", "𝐅 = m𝐚"),  # noqa: RUF001
    ("cdot", "a \\cdot b", "a ⋅ b"),
    ("Delta", "\\Delta x", "Δx"),
    ("sqrt", "\\sqrt{x + 1}", "√(x + 1)"),
    ("vec", "\\vec{v}", "v⃗"),
    ("rightarrow", "A \\rightarrow B", "A → B"),
    ("theta", "\\theta", "θ"),
    ("sin", "\\sin x", "sin x"),
    ("cos", "\\cos x", "cos x"),
    ("pi", "2\\pi r", "2πr"),
    ("left", "\\left( a + b \\right)", "(a + b)"),
    ("right", "\\left[ x \\right]", "[x]"),
    ("sum", "\\sum_{i=1}^{n} i", "∑ᵢ₌₁ⁿ i"),
    ("infty", "x \\to \\infty", "x → ∞"),
    ("hat", "\\hat{p}", "p̂"),
    ("int", "\\int_a^b f(x)\\,dx", "∫ₐᵇ f(x) dx"),
    ("log", "\\log x", "log x"),
    ("quad", "x = 1, \\quad y = 2", "x = 1,   y = 2"),
    ("to", "n \\to 0", "n → 0"),
    ("omega", "\\omega t", "ωt"),
    ("circ", "90^\\circ", "90°"),
    ("partial", "\\frac{\\partial f}{\\partial x}", "(∂f)/(∂x)"),
    ("mu", "\\mu = 0", "μ = 0"),
    ("ldots", "1, 2, \\ldots, n", "1, 2, …, n"),
    ("sigma", "\\sigma^2", "σ²"),
    ("epsilon", "\\epsilon > 0", "ϵ > 0"),
    ("leq", "x \\leq 1", "x ≤ 1"),
    ("Phi", "\\Phi(z)", "Φ(z)"),
    ("begin", "\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}", "(a  b; c  d)"),
    ("end", "\\begin{cases} 1 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}", "{1, x > 0; 0, x ≤ 0}"),
    ("beta", "\\beta_1", "β₁"),
    ("approx", "\\pi \\approx 3.14", "π ≈ 3.14"),
    ("alpha", "\\alpha + 1", "α + 1"),
    ("land", "p \\land q", "p ∧ q"),
    ("neg", "\\neg p", "¬p"),
    ("lambda", "\\lambda x", "λx"),
    ("phi", "\\phi", "ϕ"),
    ("geq", "y \\geq 2", "y ≥ 2"),
    ("lim", "\\lim_{x \\to 0} f(x)", "lim[x→0] f(x)"),
    ("in", "x \\in A", "x ∈ A"),
    ("lor", "p \\lor q", "p ∨ q"),  # noqa: RUF001
    ("mathbb", "\\mathbb{R}", "ℝ"),  # noqa: RUF001
    ("tan", "\\tan x", "tan x"),
    ("rho", "\\rho V", "ρV"),
    ("neq", "a \\neq b", "a ≠ b"),
    ("tau", "\\tau", "τ"),
    ("rightleftharpoons", "A \\rightleftharpoons B", "A ⇌ B"),
    ("gamma", "\\gamma", "γ"),
    ("delta", "\\delta", "δ"),
    ("ln", "\\ln x", "ln x"),
    ("implies", "p \\implies q", "p ⟹ q"),
    ("mathcal", "\\mathcal{L}", "𝓛"),  # noqa: RUF001
    ("Sigma", "\\Sigma", "Σ"),
    ("dot", "\\dot{x}", "ẋ"),
    ("binom", "\\binom{n}{k}", "(n choose k)"),
    ("cap", "A \\cap B", "A ∩ B"),
    ("bar", "\\bar{x}", "x̄"),
    ("pm", "\\pm 1", "±1"),
    ("Omega", "10\\,\\Omega", "10 Ω"),
    ("equiv", "a \\equiv b", "a ≡ b"),
    ("cup", "A \\cup B", "A ∪ B"),  # noqa: RUF001
    ("hbar", "\\hbar \\omega", "ℏω"),
    ("ce", "\\ce{H2O}", "H₂O"),
    ("Psi", "\\Psi", "Ψ"),
    ("overrightarrow", "\\overrightarrow{AB}", "A⃗B⃗"),
    ("rangle", "\\langle a, b \\rangle", "⟨a, b⟩"),
    ("nabla", "\\nabla f", "∇f"),
    ("div", "6 \\div 2", "6 ÷ 2"),
    ("psi", "\\psi", "ψ"),
    ("nu", "\\nu", "ν"),
    ("xrightarrow", "A \\xrightarrow{k} B", "A ─k→ B"),
    ("mod", "a \\mod n", "a mod n"),
    ("langle", "\\langle x \\rangle", "⟨x⟩"),
    ("cdots", "1 + \\cdots + n", "1 + ⋯ + n"),
    ("mid", "P(A \\mid B)", "P(A ∣ B)"),  # noqa: RUF001
    ("propto", "F \\propto a", "F ∝ a"),
    ("leftrightarrow", "A \\leftrightarrow B", "A ↔ B"),
    ("angle", "\\angle ABC", "∠ABC"),
    ("sec", "\\sec x", "sec x"),
    ("Theta", "\\Theta(n)", "Θ(n)"),
    ("eta", "\\eta", "η"),
    ("mathrm", "\\mathrm{d}x", "dx"),
    ("iff", "p \\iff q", "p ⟺ q"),
    ("csc", "\\csc x", "csc x"),
    ("forall", "\\forall x", "∀x"),
    ("subseteq", "A \\subseteq B", "A ⊆ B"),
    ("emptyset", "\\emptyset", "∅"),
    ("zeta", "\\zeta", "ζ"),
    ("cot", "\\cot x", "cot x"),
    ("overline", "\\overline{AB}", "A̅B̅"),
    ("Rightarrow", "p \\Rightarrow q", "p ⇒ q"),
]


@pytest.mark.parametrize(("command", "tex", "shown"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_common_command_is_drawn(command: str, tex: str, shown: str) -> None:
    inline = inline_math(tex)
    assert (inline.text, inline.raw) == (shown, False)
    display = display_math(tex)
    assert not display.raw
    assert "?" not in display.text


def test_the_command_table_covers_every_command_of_five_files_or_more() -> None:
    assert len({command for command, _, _ in COMMANDS}) == 94


@pytest.mark.parametrize(
    ("tex", "shown"),
    [
        # subscripts that Unicode lacks: on the baseline, never another letter
        (r"f_Y(y)", "f_Y(y)"),
        (r"a_y", "a_y"),
        (r"f_X(x)", "f_X(x)"),
        (r"F_z", "F_z"),
        (r"K_S", "K_S"),
        (r"v_y = v_0 + a_y t", "v_y = v₀ + a_y t"),
        (r"F_{\text{avg}}", "F_avg"),
        (r"x_{b+1}", "x_(b+1)"),
        (r"\vec{b}_x", "b⃗ₓ"),
        (r"I_b", "I_b"),
        # the letters that have one keep it
        (r"x_i + v_s", "xᵢ + vₛ"),
        (r"F_{net}", "Fₙₑₜ"),
        (r"v_{\text{max}}", "vₘₐₓ"),
        # Greek-lookalike subscripts only for Greek letters
        (r"\sigma_\gamma + x_\beta", "σᵧ + xᵦ"),
        (r"x_\alpha", "x_α"),
        # superscripts: capitals Unicode lacks are not written lower-case
        (r"e^{S}", "e^S"),
        (r"2^X", "2^X"),
        (r"x^T", "xᵀ"),
        (r"\acute{e}", "e\u0301"),  # an acute accent, not a circumflex
    ],
)
def test_no_letter_is_drawn_as_another(tex: str, shown: str) -> None:
    assert inline_math(tex).text == shown
    for greek in "ᵦᵧᵨᵩᵪ":
        assert greek not in display_math(tex.replace(r"\gamma", "").replace(r"\beta", "")).text


def test_a_lone_subscript_in_display_math_stays_on_the_formulas_row() -> None:
    # but an operator's limit is drawn under it
    assert display_math(r"\int_C f").rows == ("⌠", "│ f", "⌡", " C")
    assert display_math(r"\begin{pmatrix} F_z \\ F_y \end{pmatrix}").rows == ("⎛F_z⎞", "⎝F_y⎠")
    assert display_math(r"f_Y(y) = \frac{1}{2}").rows == (
        "          1",
        "f_Y(y) = ╶─╴",
        "          2",
    )


@pytest.mark.parametrize(
    ("tex", "rows"),
    [
        (
            r"\left[\begin{array}{cc|c} 1 & 2 & 3 \\ 4 & 5 & 6 \end{array}\right]",
            ("⎡1  2  │  3⎤", "⎣4  5  │  6⎦"),
        ),
        (r"\left[ \begin{matrix} 1 & 0 \\ 0 & 1 \end{matrix} \right]", ("⎡1  0⎤", "⎣0  1⎦")),
        (
            r"\left\{ \begin{array}{ll} x & x > 0 \\ 0 & x \le 0 \end{array} \right.",
            ("⎧x  x > 0", "⎩0  x ≤ 0"),
        ),
        (r"A \xrightarrow{k} B", ("A ─k→ B",)),
        (r"A \xleftarrow{} B", ("A ←─ B",)),
        (r"E = mc^2 \tag{1}", ("E = mc²    (1)",)),
        (r"E = mc^2 \tag*{A}", ("E = mc²    A",)),
        (r"\overline{AB} = \overline{CD}", ("A̅B̅ = C̅D̅",)),
        (r"\ce{H2O}", ("H₂O",)),
        (r"\ce{2H2 + O2 -> 2H2O}", ("2H₂ + O₂ → 2H₂O",)),
        (r"\ce{N2 + 3H2 <=> 2NH3}", ("N₂ + 3H₂ ⇌ 2NH₃",)),
        (r"\ce{SO4^2-}", ("SO₄²⁻",)),
        (r"\ce{Fe^{3+} + e- -> Fe^{2+}}", ("Fe³⁺ + e⁻ → Fe²⁺",)),
        (
            r"\ce{NaCl(aq) + AgNO3(aq) -> AgCl(s) + NaNO3(aq)}",
            ("NaCl(aq) + AgNO₃(aq) → AgCl(s) + NaNO₃(aq)",),
        ),
        (r"\ce{CaCO3 ->[\Delta] CaO + CO2 ^}", ("CaCO₃ ─Δ→ CaO + CO₂ ↑",)),
        (r"\ce{CuSO4*5H2O}", ("CuSO₄·5H₂O",)),
        (r"\ce{Fe^{3+}(aq) + 3OH-(aq) <=> Fe(OH)3(s)}", ("Fe³⁺(aq) + 3OH⁻(aq) ⇌ Fe(OH)₃(s)",)),
        (r"\ce{[Cu(NH3)4]^2+}", ("[Cu(NH₃)₄]²⁺",)),
        (r"\ce{Ca(OH)2}", ("Ca(OH)₂",)),
        (r"\ce{Na+ + Cl- -> NaCl}", ("Na⁺ + Cl⁻ → NaCl",)),
        (
            r"\Delta H = -286 \text{ kJ} \quad \ce{H2 + 1/2O2 -> H2O}",
            ("ΔH = -286 kJ  H₂ + 1/2O₂ → H₂O",),
        ),
        (r"a \equiv b \pmod{7}", ("a ≡ b (mod 7)",)),
    ],
)
def test_display_formulas_that_were_left_as_tex_are_drawn(tex: str, rows: tuple[str, ...]) -> None:
    assert display_math(tex).rows == rows


@pytest.mark.parametrize(
    ("tex", "shown"),
    [
        (r"p \lor q = \sqrt{x^2 + y^2}", "p ∨ q = √(x² + y²)"),  # noqa: RUF001
        (r"\neg p \land \frac{a}{b}", "¬p ∧ a/b"),
        (r"\frac{a}{b} \bmod 3", "a/b mod 3"),
        (r"\sigma_Y^2 = \frac{1}{n}", "σ_Y² = 1/n"),  # noqa: RUF001
        # an index Unicode lacks is never bracketed like a citation (flatlatex: D[u⃗])
        (r"D_{\vec{u}} f", "D_(u⃗)f"),
        (r"\frac{1}{2} x_{i \in S}", "½x_(i∈S)"),
        # an operator's limits are no index: they stay as drawn
        (r"\sum_{b} x", "∑[b] x"),
        (r"\lim_{x \to 0} f(x)", "lim[x→0] f(x)"),
    ],
)
def test_the_one_row_form_knows_what_texicode_knows(tex: str, shown: str) -> None:
    assert inline_math(tex).text == shown
