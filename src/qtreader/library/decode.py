"""Decoding of the stored answer field, and cleaning of all text that comes from articles.

The answer is a folded YAML scalar in which the Markdown's newlines are stored as the two
characters ``\\n``, while LaTeX inside it also uses commands that start with ``\\n``
(``\\neq``, ``\\nabla``, ``\\nu``). The rules that tell them apart are in the format document
(``ARTICLE-FORMAT.md``, "The answer field"); :func:`decode_answer` implements them.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import cache, partial
from typing import NamedTuple

__all__ = [
    "LATEX_N_COMMANDS",
    "MathSpan",
    "clean_text",
    "decode_answer",
    "escape_controls",
    "escape_json",
    "lazy_pattern",
    "math_spans",
]

#: LaTeX commands that start with ``n``: a stored ``\\n`` followed by one of these words may be
#: the command rather than a newline (rule 3 of the format document).
LATEX_N_COMMANDS: frozenset[str] = frozenset(
    """
    nabla natural ne nearrow neg negmedspace negthickspace negthinspace neq newline nexists
    ngeq ngeqq ngeqslant ngtr ni nleftarrow nLeftarrow nleftrightarrow nLeftrightarrow nleq
    nleqq nleqslant nless nmid nobreak nolimits nonumber normalsize not notag notin
    nparallel nprec npreceq nrightarrow nRightarrow nshortmid nshortparallel nsim nsubseteq
    nsubseteqq nsucc nsucceq nsupseteq nsupseteqq ntriangleleft ntrianglelefteq
    ntriangleright ntrianglerighteq nu nvdash nvDash nVdash nVDash nwarrow
    """.split()
)


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function that compiles ``pattern`` on its first call and returns it ever after.

    For patterns that a lookup (``qtreader show``) may never use: compiling qtreader's at
    import took it about 1.5 ms, most of it the control-character sets, whose characters
    above U+00FF make a large table.
    """
    return cache(partial(re.compile, pattern, flags))


# A stored escape: the backslash directly before ``n`` (rule 1: backslashes before it stay
# literal, and the pattern never consumes them), plus the letters that follow (the word W).
_escape = lazy_pattern(r"\\(n[A-Za-z]*)")

# Fence lines and inline code, found on the provisionally decoded text.
_fence = lazy_pattern(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_inline_code = lazy_pattern(r"(`+)[^`\n]+?\1")

# What a line starts with when it is no continuation of a paragraph: a blank line, a list
# item, a heading, a quote, a table row, a fence. Inline math never runs into one.
_NEW_BLOCK = r"[ \t]*(?:\n|[-*+][ \t]|\d{1,9}[.)][ \t]|#|>|\||```|~~~)"
# Math spans. Inline ``$...$`` is math-text as on the website (micromark's, like inline
# code): spaces inside are allowed (``$ A $``) and it may run onto the next line of its
# paragraph, never into another block (_NEW_BLOCK). The closing ``$`` is the first single
# one not escaped and not followed by a digit; whether the span is math or currency in
# prose is decided by its content (_inline_is_math).
_math = lazy_pattern(
    r"(?P<open>\$\$)(?P<d>.+?)\$\$"
    r"|(?P<open2>\\\[)(?P<b>.+?)\\\]"
    r"|(?P<open3>\\\()(?P<p>.+?)\\\)"
    r"|(?P<open4>\$)(?<![\\$]\$)(?!\$)(?P<i>(?:[^$\n]|\n(?!" + _NEW_BLOCK + r"))+?)(?<!\\)\$(?!\d)",
    re.DOTALL,
)
# What makes the inside of spaced dollars TeX for certain: a command, a script, a brace, a
# relation.
_tex_sign = lazy_pattern(r"\\[A-Za-z]|[\^_{}=<>]")
_amount = lazy_pattern(r"[\d.,]+[kKmMbB]?")
_word = lazy_pattern(r"[A-Za-z]{2,}")
# Names that stand in formulas without a backslash as often as with one.
_FORMULA_WORDS = frozenset(
    "sin cos tan cot sec csc log ln lg exp lim max min det dx dy dt dz mod gcd".split()
)


def _inline_is_math(body: str) -> bool:
    """Whether the inside of ``$...$`` is a formula rather than prose between two amounts of
    money (``costs $5 and $10``, ``between $20 and $30 million``).

    Written tight (no space or line break at its edges, the classic rule) it is a formula.
    Written with spaces (``$ A $``, ``$ \\frac{b}{a} $``), as micromark allows, it is a
    formula when it holds TeX (a command, ``^``, ``_``, braces, a relation), or only symbols,
    single letters and short capital names (``x + y``, ``AB``, ``f(x)``); not when it is a
    bare amount or holds a word of prose.
    """
    stripped = body.strip()
    if not stripped:
        return False
    if stripped == body and "\n" not in body:
        return True
    if _tex_sign().search(stripped):
        return True
    if _amount().fullmatch(stripped):
        return False
    words = _word().findall(stripped)
    if words and stripped[0].isdigit():
        return False  # "$5 or $": an amount, then prose
    return all(word in _FORMULA_WORDS or (word.isupper() and len(word) <= 3) for word in words)


# Where a formula can start: every branch of _math opens with one of these.
_math_start = lazy_pattern(r"\$|\\[\[(]")


def _math_matches(text: str) -> Iterator[re.Match[str]]:
    """What ``_math().finditer`` finds (less inline spans that are no math), eight times
    faster: the regex engine tries every branch at every character, so the pattern is tried
    only where a delimiter stands. Each branch starts with one, so the matches are the same."""
    search, match = _math_start().search, _math().match
    position = 0
    while (candidate := search(text, position)) is not None:
        found = match(text, candidate.start())
        if found is None or (found.group("open4") and not _inline_is_math(found.group("i"))):
            position = candidate.start() + 1
        else:
            yield found
            position = found.end()


def decode_answer(raw: str) -> str:
    """Turn a stored answer into the Markdown its author wrote, keeping every LaTeX command."""
    if "\\n" not in raw:
        return raw
    pieces = _escape().split(raw)
    # pieces = [text, W, text, W, text, ...]; escape k has word pieces[2k+1].
    words = pieces[1::2]
    texts = pieces[0::2]
    if "```" not in raw and "~~~" not in raw and not any(w in LATEX_N_COMMANDS for w in words):
        # No code and no LaTeX command words (most answers): by rules 2 and 4 every
        # escape is a newline.
        return texts[0] + "".join(
            "\n" + word[1:] + text for word, text in zip(words, texts[1:], strict=True)
        )

    # Provisional text: unambiguous escapes become newlines; ambiguous ones (W is a LaTeX
    # command) stay as written until the math spans are known. Record where each escape sits.
    provisional: list[str] = [texts[0]]
    offsets: list[int] = []
    position = len(texts[0])
    for word, text in zip(words, texts[1:], strict=True):
        offsets.append(position)
        piece = ("\\" + word if word in LATEX_N_COMMANDS else "\n" + word[1:]) + text
        provisional.append(piece)
        position += len(piece)
    draft = "".join(provisional)

    newline = [word not in LATEX_N_COMMANDS for word in words]
    code = _code_regions(draft)
    if code:
        _keep_string_literals(draft, offsets, code, newline)
    ambiguous = [k for k, word in enumerate(words) if word in LATEX_N_COMMANDS]
    if ambiguous:
        _resolve_ambiguous(draft, [offsets[k] for k in ambiguous], code, ambiguous, newline)

    out: list[str] = [texts[0]]
    for word, text, is_newline in zip(words, texts[1:], newline, strict=True):
        out.append(("\n" + word[1:] if is_newline else "\\" + word) + text)
    return "".join(out)


def _code_regions(draft: str) -> list[tuple[int, int]]:
    """Spans of fenced code bodies (from the end of the opening fence line to the closing fence)."""
    regions: list[tuple[int, int]] = []
    if "```" not in draft and "~~~" not in draft:  # saves a scan of every line start
        return regions
    fences = list(_fence().finditer(draft))
    i = 0
    while i < len(fences):
        opener = fences[i]
        body_start = draft.find("\n", opener.end())
        if body_start < 0:
            break
        marker = opener.group(1)
        close = next(
            (
                j
                for j in range(i + 1, len(fences))
                if fences[j].group(1)[0] == marker[0] and len(fences[j].group(1)) >= len(marker)
            ),
            None,
        )
        end = fences[close].start() if close is not None else len(draft)
        regions.append((body_start, end))
        i = close + 1 if close is not None else len(fences)
    return regions


def _keep_string_literals(
    draft: str,
    offsets: list[int],
    code: list[tuple[int, int]],
    newline: list[bool],
) -> None:
    """Rule 4: inside fenced code, an escape within a string literal stays ``\\n``."""
    kept: set[int] = set()
    starts = [start for start, _ in code]  # sorted, and the regions do not overlap
    for k, offset in enumerate(offsets):
        at = bisect_right(starts, offset) - 1
        region = code[at] if at >= 0 and offset < code[at][1] else None
        if region is None or offset == region[0] or not newline[k]:
            continue
        # The code line so far runs back to the last newline that really is one.
        line_start = offset
        while True:
            line_start = draft.rfind("\n", region[0], line_start)
            if line_start not in kept:
                break
        quote = _open_quote(draft[line_start + 1 : offset])
        if quote is None:
            continue
        # The literal must close soon after: on the next provisional line or two.
        following = draft[offset + 1 : region[1]].split("\n", 3)[: 3 if quote == '"' else 1]
        if any(quote in line for line in following):
            newline[k] = False
            kept.add(offset)


def _open_quote(line: str) -> str | None:
    """The quote character of a string literal left open at the end of a code line."""
    line = line.replace('"""', "").replace("'''", "")
    open_quote: str | None = None
    for index, char in enumerate(line):
        if (
            char == "'"
            and 0 < index < len(line) - 1
            and line[index - 1].isalnum()
            and line[index + 1].isalnum()
        ):
            continue  # an apostrophe inside a word (it's, don't) is no string delimiter
        if char in "\"'":
            if open_quote is None:
                open_quote = char
            elif open_quote == char:
                open_quote = None
    return open_quote


def _resolve_ambiguous(
    draft: str,
    offsets: list[int],
    code: list[tuple[int, int]],
    indices: list[int],
    newline: list[bool],
) -> None:
    """Rule 3: a command word stays LaTeX only inside math, outside code, not right after ``$$``."""
    masked = _mask_code(draft, code)
    spans: list[tuple[int, int, int]] = []  # (start, end, first content position)
    for match in _math_matches(masked):
        opener = next(g for g in ("open", "open2", "open3", "open4") if match.group(g))
        spans.append((match.start(), match.end(), match.end(opener)))
    # The spans come in order and do not overlap: only the last one starting before an
    # escape can hold it (a search, not a scan: answers can hold thousands of formulas).
    starts = [start for start, _, _ in spans]
    for k, offset in zip(indices, offsets, strict=True):
        at = bisect_right(starts, offset - 1) - 1
        if at < 0:
            newline[k] = True
            continue
        start, end, first = spans[at]
        newline[k] = not (offset < end and not (offset == first and _opens_display(draft, start)))


def _opens_display(draft: str, start: int) -> bool:
    """Whether the math span at ``start`` is display math (``$$`` or ``\\[``)."""
    return draft.startswith("$$", start) or draft.startswith("\\[", start)


def _mask_code(text: str, code: list[tuple[int, int]]) -> str:
    """``text`` with fenced code bodies and inline code blanked out (same length)."""
    if code:
        pieces: list[str] = []
        position = 0
        for start, end in code:
            pieces += [text[position:start], " " * (end - start)]
            position = end
        pieces.append(text[position:])
        text = "".join(pieces)
    if "`" not in text:  # else the pattern is tried at every character
        return text
    return _inline_code().sub(lambda m: " " * len(m.group(0)), text)


class MathSpan(NamedTuple):
    """A formula in decoded Markdown: ``text[start:end]`` with its delimiters,
    ``text[body_start:body_end]`` the TeX inside them."""

    start: int
    end: int
    body_start: int
    body_end: int
    display: bool


def math_spans(markdown: str) -> list[MathSpan]:
    """The formulas of a decoded answer, found exactly as the decoder finds them (never
    inside code), so that what it kept as LaTeX is what gets rendered as math."""
    if "$" not in markdown and "\\" not in markdown:
        return []
    spans: list[MathSpan] = []
    for match in _math_matches(_mask_code(markdown, _code_regions(markdown))):
        body = next(g for g in ("d", "b", "p", "i") if match.group(g) is not None)
        spans.append(
            MathSpan(
                match.start(),
                match.end(),
                match.start(body),
                match.end(body),
                display=bool(match.group("open") or match.group("open2")),
            )
        )
    return spans


# What no text from outside (article, file name, path, config value) may bring to a terminal
# as it is. One definition for the three ways such text is made safe: clean_text (article
# text: removed), escape_controls (names and paths: shown as escapes) and escape_json
# (JSON: \u escapes).
#: C0 controls (tab and newline are in here too: only clean_text keeps them), DEL, C1.
_CONTROLS = "\x00-\x1f\x7f-\x9f"
#: Bidi embeddings, overrides, isolates and the Arabic letter mark: they reorder what is shown.
_BIDI = "\u061c\u202a-\u202e\u2066-\u2069"
#: Zero-width characters, left-to-right and right-to-left marks, word joiner, invisible
#: operators, BOM: a terminal and Rich disagree on their width (boxes and columns break).
_ZERO_WIDTH = "\u180e\u200b-\u200f\u2060-\u2064\ufeff"
#: Line and paragraph separators: some terminals break the line, others draw a box.
_SEPARATORS = "\u2028\u2029"
#: Lone surrogates: a file name that is not UTF-8 (``os.fsdecode`` makes each bad byte one
#: of \udc80-\udcff), or a YAML escape. Text with one cannot even be encoded to print it.
_SURROGATES = "\ud800-\udfff"
_UNSAFE_CLASS = f"[{_CONTROLS}{_BIDI}{_ZERO_WIDTH}{_SEPARATORS}{_SURROGATES}]"

# Everything clean_text removes or replaces: ESC-introduced sequences (CSI, OSC, DCS and
# friends, including their payload), 8-bit ones, and the unsafe characters above but tab
# and newline.
_control = lazy_pattern(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit OSC and friends
    rf"|[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_ZERO_WIDTH}{_SEPARATORS}{_SURROGATES}]"
)


# Anything clean_text would change starts with one of these; newline and tab are allowed.
_UNCLEAN = re.compile(
    rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_ZERO_WIDTH}{_SEPARATORS}{_SURROGATES}]"
)


def _surrogate_text(char: str) -> str:
    """A lone surrogate as text: the byte it stands for (``\\xff``) for one that
    ``os.fsdecode`` made of a byte that is not UTF-8, else the replacement character."""
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def _cleaned(match: re.Match[str]) -> str:
    found = match.group()
    if found in _SEPARATORS:
        # A space: in Markdown a line break inside a paragraph is one, and a newline could
        # end a table row or start a heading where the author meant neither.
        return " "
    if len(found) == 1 and "\ud800" <= found <= "\udfff":
        return _surrogate_text(found)
    return ""


def clean_text(text: str) -> str:
    """Make text from outside safe to show: remove control characters, escape sequences,
    bidi controls and zero-width characters, keeping newlines and tabs.

    ``\\r\\n`` becomes ``\\n``; a lone ``\\r`` is dropped; a line or paragraph separator
    becomes a space; a lone surrogate from a name that is not UTF-8 becomes ``\\xNN``.
    """
    # Printable text holds none of what is removed (isprintable is a fast C loop), and
    # most fields are printable; else a character-class scan, still far cheaper than the sub.
    if text.isprintable() or not _UNCLEAN.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _control().sub(_cleaned, text)


_unsafe = lazy_pattern(_UNSAFE_CLASS)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return _surrogate_text(char).replace("\ufffd", f"\\u{ord(char):04x}")
    return repr(char)[1:-1] if char.isascii() or ord(char) <= 0xFF else f"\\u{ord(char):04x}"


def escape_controls(text: str | os.PathLike[str]) -> str:
    """Show every unsafe character as an escape (``\\x1b``, ``\\n``, ``\\u202e``,
    ``\\u200b``), and each byte of a name that is not UTF-8 as ``\\xNN``, the way ``ls -b``
    does: for file and folder names and paths, which must be shown as they are, so that
    they can be found, yet never obeyed by the terminal. The one function by which a path
    is printed."""
    text = os.fspath(text)
    if text.isprintable():
        return text
    return _unsafe().sub(_escaped, text)


def escape_json(dumped: str) -> str:
    """JSON made by ``json.dumps(..., ensure_ascii=False)`` with every unsafe character
    (which can stand only inside its strings) written as a ``\\u`` escape: the same data,
    which a terminal never sees."""
    # Newlines are its indentation: inside strings json.dumps escapes every C0 control.
    return _unsafe_in_json().sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


_unsafe_in_json = lazy_pattern(_UNSAFE_CLASS.replace(_CONTROLS, "\x00-\x09\x0b-\x1f\x7f-\x9f"))
