"""The part of mhchem's ``\\ce{...}`` that answers use, as TeX with Unicode chemistry.

``\\ce{2H2 + O2 -> 2H2O}`` is ``2H₂ + O₂ → 2H₂O``; ``\\ce{SO4^2-}`` is ``SO₄²⁻``;
``\\ce{NaCl(aq)}`` keeps its state; ``<=>`` is ``⇌``; ``->[\\Delta]`` is an arrow with a
label (``\\xrightarrow``). No PyPI package translates mhchem (its parser, used by KaTeX, is
an npm package), so this is a small translator of the common notation;
anything it does not know (a command, ``$...$``) passes through as TeX.
"""

from __future__ import annotations

import re

__all__ = ["chemistry_to_tex"]

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")

_ARROW_TEX = {
    "->": r"\rightarrow",
    "<-": r"\leftarrow",
    "<->": r"\leftrightarrow",
    "<-->": r"\leftrightarrow",
    "<=>": r"\rightleftharpoons",
    "<=>>": r"\rightleftharpoons",
    "<<=>": r"\rightleftharpoons",
}
_X_ARROW_TEX = {"->": r"\xrightarrow", "<-": r"\xleftarrow"}
_ARROW = re.compile(r"(<-->|<=>>|<<=>|<=>|<->|->|<-)(?:\[([^\]]*)\])?(?:\[([^\]]*)\])?")
# One species: a coefficient, then elements, groups, counts, charges and a state.
_COEFFICIENT = re.compile(r"\d+(?:/\d+)?(?=[A-Z(\[])|\d*\.\d+(?=[A-Z(\[])")
_STATE = re.compile(r"\((?:aq|s|l|g|sln|cr)\)")
_CHARGE_AT_END = re.compile(r"[+-]+(?=$|\((?:aq|s|l|g|sln|cr)\))")
_CHARGE = re.compile(r"\^(?:\{([^{}]*)\}|(\d*[+-]+|\d+))")


def chemistry_to_tex(body: str) -> str:
    """TeX for the inside of ``\\ce{...}``."""
    out: list[str] = []
    position = 0
    for match in _ARROW.finditer(body):
        out.append(_species_run(body[position : match.start()]))
        arrow, above, below = match.groups()
        if (above or below) and arrow in _X_ARROW_TEX:
            label = "".join(_label(part) for part in (above, below) if part)
            out.append(rf" {_X_ARROW_TEX[arrow]}{{{label}}} ")
        else:
            out.append(f" {_ARROW_TEX[arrow]} ")
        position = match.end()
    out.append(_species_run(body[position:]))
    return " ".join("".join(out).split())


def _label(text: str) -> str:
    """An arrow's label: TeX where it has some (``\\Delta``), else chemistry."""
    if "\\" in text or "$" in text:
        return text.replace("$", "")
    return _species_run(text)


def _species_run(text: str) -> str:
    words: list[str] = []
    for word in text.split():
        if word == "+":
            words.append("+")
        elif word == "^":
            words.append(r"\ ↑")  # a gas given off
        elif word == "v":
            words.append(r"\ ↓")  # a precipitate
        elif "\\" in word or "$" in word:
            words.append(word.replace("$", ""))
        else:
            words.append(r"\text{" + _species(word) + "}")
    return " ".join(words)


def _species(word: str) -> str:
    """``2H2O`` → ``2H₂O``, ``SO4^2-`` → ``SO₄²⁻``, ``Fe^{3+}`` → ``Fe³⁺``,
    ``CuSO4*5H2O`` → ``CuSO₄·5H₂O``, ``Na+`` → ``Na⁺``."""
    out: list[str] = []
    index = 0
    after_part = False  # a count after this is a subscript (after an element or a group)
    while index < len(word):
        char = word[index]
        if not after_part and (coefficient := _COEFFICIENT.match(word, index)):
            out.append(coefficient.group(0))
            index = coefficient.end()
            continue
        if state := _STATE.match(word, index):
            out.append(state.group(0))
            index = state.end()
            after_part = False
            continue
        if charge := _CHARGE.match(word, index):
            out.append((charge.group(1) or charge.group(2)).translate(_SUP))
            index = charge.end()
            continue
        if char.isdigit() and after_part:
            end = index
            while end < len(word) and word[end].isdigit():
                end += 1
            out.append(word[index:end].translate(_SUB))
            index = end
            continue
        if char in "+-" and after_part and (last := _CHARGE_AT_END.match(word, index)):
            out.append(last.group(0).translate(_SUP))  # a charge at the end: Na+, OH-(aq)
            index = last.end()
            continue
        if char in "*.":
            out.append("·")
            after_part = False
            index += 1
            continue
        out.append(char)
        after_part = char.isalpha() or char in ")]"
        index += 1
    return "".join(out)
