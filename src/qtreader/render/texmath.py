"""TeX math to readable Unicode, for the terminal.

Three PyPI renderers were compared on the shipped library's 620 distinct formulas and on
fixtures of each kind (``bench/MATH-RENDERERS.md``); they are chained by quality:

1. TeXicode (``texicode``) draws real two-dimensional math: stacked fractions, matrices,
   ``cases``, big operators with limits. It is the first choice everywhere; inline math
   keeps its result only when it is one row.
2. flatlatex writes one-row math that keeps the structure (``(x³)/(2a)``, ``e^(iπ)``); it
   is the one-row form of inline math that TeXicode draws on several rows.
3. pylatexenc reads almost any TeX but flattens precedence (``1/1+x^2``), so it is used only
   when the others fail and only if it knows every command of the formula.

A formula that none renders is given back as raw TeX (``Rendered.raw``): the caller shows
it in code style. Renderers are third-party code that can raise anything or, on hostile
input, run long: every call is guarded (exceptions caught, a time budget on the main thread,
a length limit everywhere), so a formula is never dropped and never crashes the reader.
No Textual here: ``qtreader show`` uses this too.
"""

from __future__ import annotations

import re
import signal
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from types import FrameType
from typing import TYPE_CHECKING, NamedTuple

import texicode.arts
import texicode.lexer
import texicode.renderer
import texicode.symbols_art
from texicode.lexer import lexer as texicode_lexer
from texicode.parser import parse as texicode_parse
from texicode.renderer import render as texicode_render

from qtreader.library.decode import clean_text

if TYPE_CHECKING:
    import flatlatex
    from pylatexenc.latex2text import LatexNodes2Text

__all__ = ["MAX_TEX", "Rendered", "display_math", "display_pieces", "inline_math"]

#: Formulas longer than this are shown as raw TeX: renderers slow down with length (a
#: 20,000-character formula takes TeXicode 0.3 s) and no real answer comes near it.
MAX_TEX = 2000

#: Time one renderer may take for one formula, where it can be enforced (the main thread).
#: Generous: real formulas take under 5 ms, and an alarm that lands in a finaliser cannot
#: interrupt anything (Python reports it as ignored), so it is kept for true hangs.
_BUDGET_S = 1.0


class Rendered(NamedTuple):
    """A formula as rows of text. ``renderer`` names who drew it; ``raw`` means nobody
    could and ``rows`` hold the TeX as written."""

    rows: tuple[str, ...]
    renderer: str

    @property
    def raw(self) -> bool:
        return self.renderer == "raw"

    @property
    def width(self) -> int:
        from rich.cells import cell_len

        return max((cell_len(row) for row in self.rows), default=0)

    @property
    def text(self) -> str:
        return "\n".join(self.rows)


# Guards ---------------------------------------------------------------------------------


class _Timeout(Exception):
    """A renderer ran past its budget."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` when a SIGALRM timer is ours to use: on the main
    thread, with a Python-level handler in place and no timer already running. Elsewhere
    the length limit is the only guard."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) is not None
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _guarded(renderer: Callable[[str], list[str] | None], tex: str) -> list[str] | None:
    """Run one renderer; any failure (exception, time-out) is ``None``, never a crash."""
    try:
        with _time_budget(_BUDGET_S):
            rows = renderer(tex)
    except Exception:  # third-party code: anything may come out of it
        return None
    if not rows:
        return None
    return [clean_text(row) for row in rows]


# TeXicode -----------------------------------------------------------------------------

# Plain letters rather than TeXicode's default serif italics (𝑥): they read and search
# like the surrounding text and every terminal font has them.
texicode.arts.font = texicode.arts.font_normal
texicode.arts.font.setdefault("operatorname", texicode.arts.font["mathrm"])  # only serif has it

_texicode_env_layout = texicode.renderer.util_env_layout


def _wider_matrix_columns(env: str, num_cols: int) -> tuple[object, ...]:
    """TeXicode sets matrix columns one space apart, which reads as one expression once
    cells hold spaced terms (``cos θ -sin θ``): two spaces, as ``cases`` has."""
    layout = _texicode_env_layout(env, num_cols)
    if env.endswith("matrix"):
        aligns, gap, *rest = layout
        return (aligns, max(gap, 2), *rest)
    return tuple(layout)


texicode.renderer.util_env_layout = _wider_matrix_columns


def _fix_texicode_scripts() -> None:
    """TeXicode's script table gives some letters another letter's form: a subscript ``y``
    or ``Y`` the Greek ``ᵧ`` (gamma), ``X`` the lower-case ``ₓ``, ``I`` a superscript ``ᶦ``,
    and superscript ``S X Z F`` lower-case forms. Such a letter gets no form (a blank, as
    TeXicode marks a missing one), so it is drawn as itself instead."""
    table = texicode.arts.unicode_scripts
    for letter, (superscript, subscript) in list(table.items()):
        if subscript != " " and SUBSCRIPTS.get(letter) != subscript:
            subscript = " "
        if superscript != " " and SUPERSCRIPTS.get(letter, superscript) != superscript:
            superscript = " "
        if letter.isupper() and letter not in SUPERSCRIPTS:
            superscript = " "
        table[letter] = [superscript, subscript]


# TeXicode's \\iff is the single-line ⟷ (TeX's is the double ⟺) and a superscript
# \\circ the ring ˚ rather than the degree sign ° it stands for.
texicode.symbols_art.symbols["iff"] = ["⟺"]
texicode.arts.unicode_scripts["∘"] = ["°", " "]

_texicode_char_type = texicode.lexer.get_char_type


def _unicode_is_a_letter(char: str) -> str | None:
    """TeXicode refuses any character outside ASCII that it has no name for; the rewrites
    below write Unicode (``H₂O``, ``│``, ``A̅``), which it should draw as it is."""
    kind: str | None = _texicode_char_type(char)
    if kind is None and not char.isascii() and char.isprintable():
        return "alph"
    return kind


texicode.lexer.get_char_type = _unicode_is_a_letter
_texicode_accents = texicode.renderer.render_accents


def _accents(token: tuple[str, str], children: list[object]) -> object:
    """TeXicode puts a circumflex (U+0302) for ``\\acute``: the acute accent is U+0301."""
    if token[1] == "acute":
        token = (token[0], "grave")
        sketch, horizon = _texicode_accents(token, children)
        sketch[0][0] = sketch[0][0].replace("\u0300", "\u0301")
        return sketch, horizon
    return _texicode_accents(token, children)


texicode.renderer.render_accents = _accents

_RELATIONS = frozenset(
    """
    = < > : leq le geq ge neq ne approx equiv sim simeq cong propto to rightarrow leftarrow
    Rightarrow Leftarrow Leftrightarrow leftrightarrow iff implies impliedby in notin ni
    subset subseteq supset supseteq mapsto ll gg perp parallel mid longrightarrow
    Longrightarrow longleftarrow Longleftarrow rightleftharpoons gets coloneqq doteq prec
    succ preceq succeq vdash models asymp nless ngtr nleq ngeq
    """.split()
)
_BINARY = frozenset(
    "+ - * pm mp times cdot div cup cap setminus oplus otimes ominus odot ast star circ "
    "bullet wedge vee land lor".split()
)
# Big operators: spaced like function names in the one-row form (TeXicode spaces its own).
_BIG_OPERATORS = frozenset("sum prod coprod int iint iiint oint bigcup bigcap".split())
_OPERATOR_NAMES = frozenset(
    """
    sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan log ln lg exp lim
    liminf limsup max min sup inf det dim ker deg gcd arg hom Pr
    """.split()
)
# Arguments of these are text or names, not math: no spacing is added inside them.
_VERBATIM_ARGUMENT = frozenset(
    """
    text textrm textbf textit textsf texttt mbox mathrm mathbf mathit mathsf mathtt mathcal
    mathbb mathfrak mathscr operatorname begin end
    """.split()
)
_PLAIN_TEXT = frozenset("text textrm textbf textit textsf texttt mbox mathrm operatorname".split())
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.DOTALL)
_SPACE = "\\ "


def _spaced(tex: str, *, flat: bool = False) -> str:
    """Put the spaces that TeX (and KaTeX on the website) sets around relations, binary
    operators, after commas and around function names; TeXicode ignores spaces and would
    draw ``n₁sinθ₁=n₂sinθ₂``. Nothing changes inside scripts (TeX sets them tight), text
    arguments or environment names. ``flat`` prepares for flatlatex: spaces of text
    arguments written as ``\\ `` (it would drop them), and big operators spaced too."""
    out: list[str] = []
    # Per open group: "math", "script" or "verbatim" (a text argument or a name).
    groups: list[str] = []
    # Per open group: whether its braces are written out (not for an unwrapped \text).
    braces: list[bool] = []
    # Per open group: whether it names an environment being begun (a row starts after it).
    begins: list[bool] = []
    unwrap_next = begin_next = False
    previous = "start"  # start, operand, open, rel, bin, punct, op
    pending_op_space = False
    script_argument = False  # the next token or group is a ^ or _ argument
    verbatim_next = False
    delimiter_next = ""  # "left" or "right": the next token is a \left or \right delimiter
    bars_open = 0

    def tight() -> bool:
        return bool(groups) and groups[-1] != "math"

    for token in _TOKEN.findall(tex):
        if token.isspace():
            verbatim = flat and bool(groups) and groups[-1] == "verbatim"
            out.append(_SPACE if verbatim else token)
            continue
        name = token[1:] if token.startswith("\\") and len(token) > 1 else token
        if script_argument:
            script_argument = False
            out.append(token)
            if token == "{":
                groups.append("script")
                braces.append(True)
                begins.append(False)
            continue
        if token == "{":
            inherited = groups[-1] if groups and groups[-1] != "math" else "math"
            groups.append("verbatim" if verbatim_next else inherited)
            braces.append(not unwrap_next)
            begins.append(begin_next)
            if not unwrap_next:
                out.append(token)
            verbatim_next = unwrap_next = begin_next = False
            if groups[-1] == "math":
                previous = "start"
            continue
        verbatim_next = unwrap_next = begin_next = False
        if token == "}":
            if groups:
                groups.pop()
            began = begins.pop() if begins else False
            if not braces or braces.pop():
                out.append(token)
            if not tight():
                previous = "start" if began else "operand"
            continue
        if tight():
            out.append(token)
            continue
        if token in ("^", "_"):
            script_argument = True
            out.append(token)
            continue
        if delimiter_next:
            previous = "open" if delimiter_next == "left" else "operand"
            delimiter_next = ""
            out.append(token)
            continue
        if name in ("left", "bigl", "Bigl", "biggl", "Biggl"):
            delimiter_next = "left"
            out.append(token)
            continue
        if name in ("right", "bigr", "Bigr", "biggr", "Biggr"):
            delimiter_next = "right"
            out.append(token)
            continue
        if name in _VERBATIM_ARGUMENT:
            verbatim_next = True
            begin_next = name == "begin"
            if flat and name in _PLAIN_TEXT:
                # flatlatex converts a macro's argument twice, losing its spaces: give it
                # the text itself, its spaces written as "\ ".
                unwrap_next = True
                continue
        if token.startswith("\\") and not name.isalpha():
            # \, \; \! \{ \} \| \\ and friends: spacing, escaped symbols, row breaks
            if name == "\\":
                previous = "start"
            elif name == "|":
                previous = "operand" if previous == "operand" else "open"
            elif name in "{([":
                previous = "open"
            elif name in "})]":
                previous = "operand"
            out.append(token)
            continue
        kind = _kind(name, token, previous, bars_open)
        if flat and name in _BIG_OPERATORS:
            kind = "op"
        if token == "|":
            bars_open += 1 if kind == "open" else -1 if bars_open else 0
        if pending_op_space and kind == "operand":
            out.append(_SPACE)
        pending_op_space = False
        if kind in ("rel", "bin"):
            out.extend((_SPACE, token, _SPACE))
        elif kind == "punct":
            out.extend((token, _SPACE))
        elif kind == "op":
            if previous == "operand":
                out.append(_SPACE)
            out.append(token)
            pending_op_space = True
        else:
            out.append(token)
        previous = kind
        if token == "&":
            previous = "start"
    return "".join(out)


def _kind(name: str, token: str, previous: str, bars_open: int) -> str:
    """The TeX class of one token, as far as spacing goes."""
    if name in _RELATIONS:
        return "rel"
    if name in ("+", "-") and previous != "operand":
        return "sign"  # a sign, not an operation: no space around it
    if name in _BINARY:
        return "bin" if previous == "operand" else "operand"
    if name in _OPERATOR_NAMES:
        return "op"
    if token in (",", ";"):
        return "punct"
    if token in "([":
        return "open"
    if token == "|":
        return "operand" if previous == "operand" and bars_open else "open"
    if token == "&":
        return "start"
    return "operand"


# TeXicode draws a command it does not know as "?". Its gaps are filled from flatlatex's
# symbol table and a few arrows that neither has, without overriding anything TeXicode
# draws; on the first formula that needs it, so that math without rare symbols does not
# import flatlatex (and the regex module under it).
_EXTRA_SYMBOLS = {
    "implies": "⟹",
    "impliedby": "⟸",
    "Longrightarrow": "⟹",
    "Longleftarrow": "⟸",
    "Longleftrightarrow": "⟺",
    "iff": "⟺",
    "lVert": "‖",
    "rVert": "‖",
    "ldots": "…",
    "degree": "°",
    "dagger": "†",
    "ddagger": "‡",
}


#: Set once the gaps are filled (never before: a formula drawn while it is false is drawn
#: again after filling, so that no thread caches a drawing made from a half-filled table).
_gaps_filled = False
_gaps_lock = threading.Lock()


def _fill_texicode_gaps() -> None:
    global _gaps_filled
    with _gaps_lock:
        if _gaps_filled:
            return
        from flatlatex import data as flatlatex_data

        symbols = {k.lstrip("\\"): v for k, v in flatlatex_data.symbols.items() if len(v) == 1}
        for command, symbol in {**symbols, **_EXTRA_SYMBOLS}.items():
            if command.isalpha():
                texicode.symbols_art.symbols.setdefault(command, [symbol])
        _gaps_filled = True


def _texicode(tex: str) -> list[str] | None:
    """TeXicode's drawing, trimmed; ``None`` when it reports an error or draws a "?"."""
    filled = _gaps_filled
    rows = _texicode_rows(tex)
    if rows is not None and _unknown_command(rows, tex) and not filled:
        _fill_texicode_gaps()
        rows = _texicode_rows(tex)  # again, now that it knows more symbols
    if rows is None or _unknown_command(rows, tex):
        return None
    return _trim(rows)


def _texicode_rows(tex: str) -> list[str] | None:
    nodes = texicode_parse(texicode_lexer(_spaced(tex), False), False)
    rows = ["".join(row) for row in texicode_render(nodes, False)]
    if not rows or any(row.startswith("TeXicode:") for row in rows):
        return None
    return rows


def _unknown_command(rows: list[str], tex: str) -> bool:
    return sum(row.count("?") for row in rows) > tex.count("?")


def _trim(rows: list[str]) -> list[str]:
    """Drop empty rows around the drawing and the margin TeXicode leaves on the left."""
    rows = [row.rstrip() for row in rows]
    while rows and not rows[0]:
        rows.pop(0)
    while rows and not rows[-1]:
        rows.pop()
    margin = min((len(row) - len(row.lstrip(" ")) for row in rows if row), default=0)
    return [row[margin:] for row in rows]


# flatlatex ----------------------------------------------------------------------------

_FLATLATEX_COMMANDS = [
    r"\newcommand\text[1]{#1}",
    r"\newcommand\textrm[1]{#1}",
    r"\newcommand\textbf[1]{#1}",
    r"\newcommand\textit[1]{#1}",
    r"\newcommand\mbox[1]{#1}",
    r"\newcommand\mathrm[1]{#1}",
    r"\newcommand\operatorname[1]{#1}",
    r"\newcommand\left{}",
    r"\newcommand\right{}",
    r"\newcommand\bigl{}",
    r"\newcommand\bigr{}",
    r"\newcommand\Bigl{}",
    r"\newcommand\Bigr{}",
    r"\newcommand\displaystyle{}",
    r"\newcommand\limits{}",
    r"\newcommand\binom[2]{(#1\ \mathrm{choose}\ #2)}",
    r"\newcommand\quad{\ \ }",
    r"\newcommand\qquad{\ \ }",
    *(
        rf"\newcommand\{symbol}{{{char}}}"
        for symbol, char in {
            "to": "→",
            "implies": "⟹",
            "Longrightarrow": "⟹",
            "iff": "⟺",
            "ne": "≠",
            "le": "≤",
            "ge": "≥",
            "ldots": "…",
            "lVert": "‖",
            "rVert": "‖",
            "dagger": "†",
            "ddagger": "‡",
        }.items()
    ),
    *(rf"\newcommand\{name}{{{name}}}" for name in sorted(_OPERATOR_NAMES)),
]


@lru_cache(maxsize=1)
def _flatlatex_converter() -> flatlatex.converter:
    import flatlatex  # the second choice: imported on use
    from flatlatex import data as flatlatex_data

    # flatlatex lacks subscript letters that Unicode has (it writes v[s] for vₛ).
    for letter, subscript in zip("hklmnpst", "ₕₖₗₘₙₚₛₜ", strict=True):
        flatlatex_data.subscript.setdefault(letter, subscript)
    converter = flatlatex.converter(allow_zw=False)
    indexed = converter._converter__indexed

    def index(base: str, script: str) -> str:
        """flatlatex writes a subscript Unicode lacks in brackets (``x[b]``, read as an
        index or a citation): ``x_b``, ``x_(i∈S)``; an operator's limits keep them
        (``lim[x→0]``, ``∑[b]``)."""
        drawn: str = indexed(base, script)
        if not drawn.endswith("]") or base.strip("()") in _FLAT_OPERATORS:
            return drawn
        head = drawn[: len(drawn) - len(script) - 2]
        return f"{head}_{script}" if script.isalnum() else f"{head}_({script})"

    converter._converter__indexed = index
    for command in _FLATLATEX_COMMANDS:
        converter.add_newcommand(command)
    # Symbols TeXicode draws and flatlatex lacks (\lor, \land, \models...): the one-row
    # form of a formula that holds one would otherwise fail.
    known = {name.lstrip("\\") for name in flatlatex_data.symbols}
    for name, art in texicode.symbols_art.symbols.items():
        glyph = "".join(art).strip()
        if name.isalpha() and name not in known and len(glyph) == 1 and glyph not in "{}#\\":
            converter.add_newcommand(rf"\newcommand\{name}{{{glyph}}}")
    return converter


_OPEN_STAND_IN = "\ue010"
_CLOSE_STAND_IN = "\ue011"
_BRACES = (
    ("\\lbrace", _OPEN_STAND_IN),
    ("\\rbrace", _CLOSE_STAND_IN),
    ("\\{", _OPEN_STAND_IN),
    ("\\}", _CLOSE_STAND_IN),
)


def _flatlatex(tex: str) -> list[str] | None:
    """flatlatex's one-row form; ``None`` if a command was left as written."""
    # flatlatex knows no braces as symbols (\{ \lbrace): they pass it as stand-ins.
    for brace, stand_in in _BRACES:
        tex = tex.replace(brace, stand_in)
    text = " ".join(_flatlatex_converter().convert(_spaced(tex, flat=True)).split())
    if "\\" in text:
        return None
    text = text.replace(_OPEN_STAND_IN, "{").replace(_CLOSE_STAND_IN, "}")
    # flatlatex brackets an operator that carries limits: (lim)[x→0], (∑ᵢ₌₁)ⁿ.
    text = _BRACKETED_OPERATOR.sub(r"\1\2", text)
    return [text]


_FLAT_OPERATORS = frozenset("lim liminf limsup max min sup inf ∑ ∏ ∐ ∫ ∬ ∭ ∮ ⋃ ⋂ ⨁ ⨂".split())
_BRACKETED_OPERATOR = re.compile(r"\((lim|liminf|limsup|max|min|sup|inf|[∑∏∐∫∬∭∮⋃⋂])([^\s()]*)\)")


# pylatexenc ---------------------------------------------------------------------------

_COMMAND = re.compile(r"\\([A-Za-z]+)")
_ENVIRONMENT = re.compile(r"\\begin\s*\{([^}]*)\}")


@lru_cache(maxsize=1)
def _pylatexenc_converter() -> LatexNodes2Text:
    from pylatexenc.latex2text import LatexNodes2Text  # the last resort: imported on use

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def _pylatexenc(tex: str) -> list[str] | None:
    """pylatexenc's reading, only when it knows every command: it drops the ones it does
    not, and a dropped ``\\neg`` changes the meaning."""
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import get_default_latex_context_db

    database = get_default_latex_context_db()
    for name in _COMMAND.findall(tex):
        if name not in ("begin", "end") and database.get_macro_spec(name) is None:
            return None
    for name in _ENVIRONMENT.findall(tex):
        if database.get_environment_spec(name.strip()) is None:
            return None
    walker = latexwalker.LatexWalker(tex, tolerant_parsing=False)
    nodes, _, _ = walker.get_latex_nodes()
    text = _pylatexenc_converter().nodelist_to_text(nodes)
    text = "; ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return [text] if text else None


# Rewrites before drawing -----------------------------------------------------------------
#
# What neither renderer draws, or draws with a wrong character, is rewritten into TeX they
# both draw right (Unicode passes through both: see _unicode_is_a_letter). The raw fallback
# always shows the TeX as written.

# Unicode's sub- and superscript letters, each the letter itself: no capital has a subscript
# form, and the Greek-lookalike subscripts (ᵦᵧᵨᵩᵪ) stand for Greek letters only.
SUBSCRIPTS = dict(
    zip(
        "0123456789+-=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
        strict=True,
    )
)


def _unicode_name(tex_name: str) -> str:
    return tex_name.upper().replace("LAMBDA", "LAMDA")  # Unicode spells it so


_GREEK = {
    **{
        name: unicodedata.lookup(f"GREEK SMALL LETTER {_unicode_name(name)}")
        for name in "alpha beta gamma delta zeta eta theta iota kappa lambda mu nu xi pi rho "
        "sigma tau chi psi omega".split()
    },
    **{
        name: unicodedata.lookup(f"GREEK CAPITAL LETTER {_unicode_name(name)}")
        for name in "Gamma Delta Theta Lambda Pi Sigma Phi Psi Omega".split()
    },
    "epsilon": "\u03f5",
    "varepsilon": "\u03b5",
    "phi": "\u03d5",
    "varphi": "\u03c6",
}
_TEXT_WRAPPERS = frozenset("text textrm textit mathrm mathit operatorname mbox".split())
_PLAIN_CHAR = re.compile(r"[A-Za-z0-9+\-=(),.'* ]")


def _group(tex: str, start: int) -> tuple[str, int] | None:
    """The argument at ``start`` (spaces skipped): a brace group's inside, a command or one
    character; and where it ends. ``None`` at the end or at an unbalanced group."""
    while start < len(tex) and tex[start] == " ":
        start += 1
    if start >= len(tex):
        return None
    if tex[start] == "{":
        depth = 0
        for index in range(start, len(tex)):
            char = tex[index]
            if char == "\\":
                continue
            if char == "{" and tex[index - 1] != "\\":
                depth += 1
            elif char == "}" and tex[index - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return tex[start + 1 : index], index + 1
        return None
    if tex[start] == "\\":
        match = _TOKEN.match(tex, start)
        assert match is not None
        return match.group(0), match.end()
    return tex[start], start + 1


def _plain(tex: str) -> str | None:
    """The characters a simple piece of TeX writes (letters, digits, signs, Greek letters,
    text), or ``None`` when it holds any structure (fractions, accents, scripts...)."""
    out: list[str] = []
    index = 0
    while index < len(tex):
        char = tex[index]
        if char == "\\":
            match = _TOKEN.match(tex, index)
            assert match is not None
            name = match.group(0)[1:]
            index = match.end()
            if name in _GREEK:
                out.append(_GREEK[name])
            elif name in _TEXT_WRAPPERS:
                argument = _group(tex, index)
                if argument is None or not all(_PLAIN_CHAR.match(c) for c in argument[0]):
                    return None
                out.append(argument[0])
                index = argument[1]
            elif name in (",", ";", ":", " ", "!"):
                continue
            else:
                return None
        elif char == "{":
            argument = _group(tex, index)
            inner = _plain(argument[0]) if argument else None
            if argument is None or inner is None:
                return None
            out.append(inner)
            index = argument[1]
        elif _PLAIN_CHAR.match(char):
            if char != " ":
                out.append(char)
            index += 1
        else:
            return None
    return "".join(out)


# A subscript that is an operator's limit (drawn under it), not an index: left to the
# renderers (\\sum_b, \\lim_{n}, \\int_C, \\max_{x}, \\bigcup_A, \\underbrace{..}_{..}).
_LIMITS_BASE = re.compile(
    r"\\(?:sum|prod|coprod|int|iint|iiint|oint|lim|liminf|limsup|max|min|sup|inf|argmax|argmin"
    r"|bigcup|bigcap|bigvee|bigwedge|bigoplus|bigotimes|limits|det|gcd|Pr)\s*$"
    r"|\\(?:underbrace|overbrace)\s*\{[^{}]*\}\s*$"
)


def _lone_subscripts(tex: str) -> str:
    """A simple subscript holding a character that has no Unicode subscript form (``F_z``,
    ``f_Y``, ``a_{avg}``) is written out on the baseline as ``F_z``: drawn as TeXicode draws
    it, it would drop to a row of its own (read as another row of a matrix) or take a
    Greek-lookalike (``ᵧ`` for ``y``); flatlatex would write ``F[z]``."""
    if "_" not in tex:
        return tex
    out: list[str] = []
    index = 0
    while (found := tex.find("_", index)) >= 0:
        if found and tex[found - 1] == "\\":
            out.append(tex[index : found + 1])
            index = found + 1
            continue
        argument = _group(tex, found + 1)
        plain = _plain(argument[0]) if argument else None
        if (
            argument is None
            or not plain
            or all(char in SUBSCRIPTS for char in plain)
            or _LIMITS_BASE.search(tex, 0, found)
        ):
            out.append(tex[index : found + 1])
            index = found + 1
            continue
        out.append(tex[index:found])
        written = plain if plain.isalnum() else f"({plain})"
        out.append(r"\_\text{" + written + "}")
        index = argument[1]
        # A letter right after would read as part of the subscript (a_y t): a space.
        rest = tex[index:].lstrip(" ")
        if rest[:1].isalnum() or (rest[:1] == "\\" and _kind_after(rest) == "operand"):
            out.append(r"\ ")
    out.append(tex[index:])
    return "".join(out)


def _kind_after(rest: str) -> str:
    match = _TOKEN.match(rest)
    name = match.group(0)[1:] if match else ""
    if not name.isalpha() or name in _NOT_OPERANDS:
        return "other"
    return _kind(name, "\\" + name, "operand", 0)


# Commands after which a written-out subscript needs no space: they draw nothing there.
_NOT_OPERANDS = frozenset("begin end left right bigr Bigr biggr Biggr quad qquad".split())


_OVERLINE = "\u0305"


def _marked(plain: str, mark: str) -> str:
    """Every character with a combining mark: over several letters the marks join into one
    line or arrow, as the TeX draws it."""
    return "".join(char + mark for char in plain)


def _overlines(tex: str) -> str:
    """``\\overline{AB}``: a line over every character (U+0305 joins into one line)."""
    return _replace_command(
        tex,
        "overline",
        lambda plain: "".join(char + _OVERLINE for char in plain),
    )


def _replace_command(tex: str, name: str, rewrite: Callable[[str], str]) -> str:
    """Each ``\\name{simple}`` rewritten from the characters its argument writes."""
    command = "\\" + name
    out: list[str] = []
    index = 0
    while (found := tex.find(command, index)) >= 0:
        end = found + len(command)
        if end < len(tex) and tex[end].isalpha():
            out.append(tex[index:end])
            index = end
            continue
        argument = _group(tex, end)
        plain = _plain(argument[0]) if argument else None
        out.append(tex[index:found])
        if argument is None or plain is None:
            out.append(command)
            index = end
            continue
        out.append("{" + rewrite(plain) + "}")
        index = argument[1]
    out.append(tex[index:])
    return "".join(out)


_ARROWS = {"xrightarrow": "→", "xleftarrow": "←", "xLeftarrow": "⇐", "xRightarrow": "⇒"}
_X_ARROW = re.compile(
    r"\\(xrightarrow|xleftarrow|xRightarrow|xLeftarrow)(?![A-Za-z])\s*(\[[^\]]*\])?"
)


def _labelled_arrows(tex: str) -> str:
    """``\\xrightarrow{k}`` on one row: ``─k→``, spaced as a relation."""
    out: list[str] = []
    index = 0
    while (match := _X_ARROW.search(tex, index)) is not None:
        argument = _group(tex, match.end())
        label = argument[0] if argument else ""
        below = match.group(2)[1:-1] if match.group(2) else ""
        if below:
            label = f"{label},{below}" if label.strip() else below
        arrow = _ARROWS[match.group(1)]
        if match.group(1).startswith("xleft") or match.group(1).startswith("xLeft"):
            drawn = rf"\ {arrow}{{{label}}}─\ " if label.strip() else rf"\ {arrow}─\ "
        else:
            drawn = rf"\ ─{{{label}}}{arrow}\ " if label.strip() else rf"\ ─{arrow}\ "
        out.append(tex[index : match.start()] + drawn)
        index = argument[1] if argument else match.end()
    out.append(tex[index:])
    return "".join(out)


_TAG = re.compile(r"\\tag(\*?)\s*\{([^{}]*)\}|\\notag\b|\\nonumber\b")


def _tags(tex: str) -> str:
    """``\\tag{1}``: the number after the formula, as KaTeX sets it (on the right)."""
    return _TAG.sub(
        lambda m: (
            ""
            if m.group(2) is None
            else rf"\qquad \text{{{'' if m.group(1) else '('}"
            rf"{m.group(2)}{'' if m.group(1) else ')'}}}"
        ),
        tex,
    )


_ARRAY = re.compile(
    r"(?:\\left\s*(?P<open>\(|\[|\\\{|\\\||\|)\s*)?"
    r"\\begin\s*\{(?P<env>array|matrix)\}\s*(?:\{(?P<spec>[^{}]*)\})?(?P<body>.*?)\\end\s*\{(?P=env)\}"
    r"(?:\s*\\right\s*(?P<close>\)|\]|\\\}|\\\||\||\.))?",
    re.DOTALL,
)
# The matrix environment a pair of \left..\right delimiters around an array stands for.
_DELIMITED_MATRIX = {
    ("(", ")"): "pmatrix",
    ("[", "]"): "bmatrix",
    ("\\{", "\\}"): "Bmatrix",
    ("|", "|"): "vmatrix",
    ("\\|", "\\|"): "Vmatrix",
    ("\\{", "."): "cases",
}


def _arrays(tex: str) -> str:
    """``array`` as a matrix (TeXicode reads its column spec as a cell, and draws no
    environment inside ``\\left..\\right``: the pair becomes the matrix's own brackets),
    and the vertical rules of an augmented matrix (``{cc|c}``) as a column of ``│``."""

    def rewrite(match: re.Match[str]) -> str:
        env = _DELIMITED_MATRIX.get((match.group("open"), match.group("close")), "")
        if not env and (match.group("open") or match.group("close")):
            return match.group(0)  # delimiters of another shape: left as written
        bars: list[int] = []  # before which column a rule stands
        columns = 0
        for char in re.sub(r"[^lcr|]", "", match.group("spec") or ""):
            if char == "|":
                bars.append(columns)
            else:
                columns += 1
        body = re.sub(r"\\hline\b", "", match.group("body"))
        new_rows: list[str] = []
        for row in re.split(r"\\\\", body):
            if not row.strip():
                continue
            cells = row.split("&")
            out: list[str] = []
            for number, cell in enumerate(cells):
                if number in bars and number > 0:
                    out.append("│")
                out.append(cell)
            new_rows.append(" & ".join(out))
        env = env or "matrix"
        return rf"\begin{{{env}}}" + r" \\ ".join(new_rows) + rf"\end{{{env}}}"

    return _ARRAY.sub(rewrite, tex)


def _chemistry(tex: str) -> str:
    """mhchem's ``\\ce{...}`` as TeX (see :mod:`qtreader.render.mhchem`)."""
    if "\\ce" not in tex:
        return tex
    from qtreader.render.mhchem import chemistry_to_tex

    out: list[str] = []
    index = 0
    while (found := tex.find("\\ce", index)) >= 0:
        end = found + 3
        if end < len(tex) and tex[end].isalpha():
            out.append(tex[index:end])
            index = end
            continue
        argument = _group(tex, end)
        if argument is None:
            out.append(tex[index:end])
            index = end
            continue
        out.append(tex[index:found] + "{" + chemistry_to_tex(argument[0]) + "}")
        index = argument[1]
    out.append(tex[index:])
    return "".join(out)


_COMBINING_ABOVE = {"overrightarrow": "\u20d7", "overleftarrow": "\u20d6", "underline": "\u0332"}
_MOD = re.compile(r"\\(bmod|pmod|mod)(?![A-Za-z])")


def _modulo(tex: str) -> str:
    """``\\bmod`` and ``\\pmod`` (TeXicode writes ``bmod``, ``pmod``) and ``\\mod``
    (drawn without the space after it) as ``a mod n``, ``a (mod n)``."""
    out: list[str] = []
    position = 0
    while (match := _MOD.search(tex, position)) is not None:
        out.append(tex[position : match.start()])
        position = match.end()
        argument = _group(tex, position) if match.group(1) == "pmod" else None
        if argument is None:
            out.append(r"\ \operatorname{mod}\ ")
        else:
            out.append(rf"\ (\operatorname{{mod}}\ {argument[0]})")
            position = argument[1]
    out.append(tex[position:])
    return "".join(out)


def _rewritten(tex: str) -> str:
    """The formula in TeX that the renderers draw right."""
    tex = _chemistry(tex)
    for name, mark in _COMBINING_ABOVE.items():
        if "\\" + name in tex:
            tex = _replace_command(tex, name, partial(_marked, mark=mark))
    if "mod" in tex:
        tex = _modulo(tex)
    if "\\overline" in tex:
        tex = _overlines(tex)
    if "\\x" in tex:
        tex = _labelled_arrows(tex)
    if "\\tag" in tex or "\\no" in tex:
        tex = _tags(tex)
    if "{array}" in tex or "{matrix}" in tex:
        tex = _arrays(tex)
    return _lone_subscripts(tex)


_fix_texicode_scripts()


def _guarded_rewrite(tex: str) -> str:
    """:func:`_rewritten`, or the TeX as written should a rewrite fail on odd input."""
    try:
        return _rewritten(tex)
    except Exception:  # never lose a formula to a rewrite: the renderers judge the TeX
        return tex


# The chains ---------------------------------------------------------------------------


def _raw(tex: str) -> Rendered:
    lines = [line.strip() for line in tex.strip().splitlines()]
    return Rendered(tuple(line for line in lines if line) or ("",), "raw")


@lru_cache(maxsize=4096)
def display_math(tex: str) -> Rendered:
    """A display formula, on as many rows as it needs."""
    if len(tex) > MAX_TEX or not tex.strip():
        return _raw(tex)
    drawn = _guarded_rewrite(tex)
    for name, renderer in (
        ("texicode", _texicode),
        ("flatlatex", _flatlatex),
        ("pylatexenc", _pylatexenc),
    ):
        rows = _guarded(renderer, drawn)
        if rows:
            return Rendered(tuple(rows), name)
    return _raw(tex)


_ENVIRONMENT_BODY = re.compile(
    r"\\begin\s*\{(?P<env>cases|[pbBvV]?matrix|aligned|gathered|array)\}\s*(?:\{[^{}]*\})?"
    r"(?P<body>(?:(?!\\begin).)*?)\\end\s*\{(?P=env)\}",
    re.DOTALL,
)
_ONE_ROW_BRACKETS = {
    "cases": ("\\{", "\\}"),  # closed on one row, where more may follow
    "pmatrix": ("(", ")"),
    "bmatrix": ("[", "]"),
    "Bmatrix": ("\\{", "\\}"),
    "vmatrix": ("|", "|"),
    "Vmatrix": ("\\|", "\\|"),
}


def _one_row_environments(tex: str) -> str:
    """Environments written on one row, for inline math: rows apart by ``;``, cells by a
    comma (``cases``) or two spaces (matrices): ``{x, x ≥ 0; -x, x < 0``, ``(a  b; c  d)``."""

    def rewrite(match: re.Match[str]) -> str:
        env = match.group("env")
        opening, closing = _ONE_ROW_BRACKETS.get(env, ("", ""))
        cell_gap = {"cases": ",", "aligned": "", "gathered": ""}.get(env, "\\ \\ ")
        rows = [row for row in re.split(r"\\\\", match.group("body")) if row.strip()]
        joined = ";".join(cell_gap.join(cell.strip() for cell in row.split("&")) for row in rows)
        return f"{opening}{joined}{closing}"

    return _ENVIRONMENT_BODY.sub(rewrite, tex)


@lru_cache(maxsize=4096)
def inline_math(tex: str) -> Rendered:
    """An inline formula, always on one row (or raw)."""
    if len(tex) > MAX_TEX or not tex.strip():
        return _raw(" ".join(tex.split()))
    drawn = _guarded_rewrite(tex)
    rows = _guarded(_texicode, drawn)
    if rows and len(rows) == 1:
        return Rendered((rows[0],), "texicode")
    # An environment (matrix, cases) on one row of its own, before flatlatex (which knows
    # none) and pylatexenc (which gives every matrix square brackets).
    flat = _one_row_environments(drawn) if "\\begin" in drawn else drawn
    attempts = [("texicode", _texicode, flat)] if flat != drawn else []
    attempts += [("flatlatex", _flatlatex, flat), ("pylatexenc", _pylatexenc, drawn)]
    for name, renderer, source in attempts:
        rows = _guarded(renderer, source)
        if rows and len(rows) == 1:
            return Rendered((rows[0],), name)
    return Rendered((" ".join(tex.split()),), "raw")


# Breaking a display formula that is wider than the screen --------------------------------

_BREAK_TOKEN = re.compile(r"\\begin\b|\\end\b|\\left\b|\\right\b|\\[A-Za-z]+|\\.|[{}=<>]|.")
_BREAK_BEFORE = frozenset({"=", "<", ">"} | {f"\\{name}" for name in _RELATIONS})


def _break_points(tex: str) -> list[str]:
    """Split a formula before each relation at its top level (outside braces,
    ``\\left..\\right`` and environments): where a person would break a long equation."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for match in _BREAK_TOKEN.finditer(tex):
        token = match.group(0)
        if token in ("{", "\\left", "\\begin"):
            depth += 1
        elif token in ("}", "\\right", "\\end"):
            depth = max(0, depth - 1)
        elif depth == 0 and token in _BREAK_BEFORE and tex[start : match.start()].strip():
            pieces.append(tex[start : match.start()])
            start = match.start()
    pieces.append(tex[start:])
    return pieces


@lru_cache(maxsize=1024)
def display_pieces(tex: str, width: int) -> tuple[Rendered, ...]:
    """A display formula as one or more drawings, each at most ``width`` cells wide where
    possible: too wide a formula is broken before a relation (``=``, ``≤``, ``→``...), and
    the pieces are stacked. A piece that still does not fit comes back in its one-row form,
    which the caller may fold."""
    whole = display_math(tex)
    if whole.raw or whole.width <= width:
        return (whole,)
    pieces = _break_points(tex)
    if len(pieces) == 1:
        return (_narrowest(tex, width),)
    out: list[Rendered] = []
    current = pieces[0]
    for piece in pieces[1:]:
        joined = current + piece
        if display_math(joined).width <= width:
            current = joined
        else:
            out.append(_narrowest(current, width))
            current = piece
    out.append(_narrowest(current, width))
    return tuple(out)


def _narrowest(tex: str, width: int) -> Rendered:
    drawn = display_math(tex)
    if drawn.raw or drawn.width <= width:
        return drawn
    flat = inline_math(tex)
    return flat if not flat.raw and flat.width < drawn.width else drawn
