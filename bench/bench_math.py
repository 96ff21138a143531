#!/usr/bin/env python3
"""Benchmark: how much math the reader draws, and whether it draws the right characters.

    python bench/bench_math.py [LIBRARY] [--articles 5000] [--seed 1]

Two corpora:

- a library (LIBRARY, a folder of ``.md`` articles; by default one generated with
  ``bench/generate.py`` into a temporary folder): every formula of every answer, found and
  judged as the reader finds and draws it (:func:`qtreader.render.markdown.formula_outcomes`);
- a synthetic corpus built from ``math-commands.tsv``: for every command used in 5 or more
  files of the real library, formulas using it, as many as its file count, with varied
  letters (capitals and letters that have no subscript form among them).

For each it prints the number of formulas, the share drawn, the share left as raw TeX and
the number of formulas drawn with a wrong character: an ASCII letter of the TeX (outside
command and environment names) missing from the drawing as itself or as its own sub- or
superscript form (compared after NFKD, which maps ``ₓ`` to ``x``, ``ŝ`` to ``s`` and
the Greek-lookalike ``ᵧ`` to ``γ``), or a ``?`` the TeX did not have. Goal: under 0.5%
raw, no wrong character.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from qtreader.library.decode import decode_answer
from qtreader.library.yaml_front import load_front_matter
from qtreader.render.markdown import formula_outcomes
from qtreader.render.texmath import display_math, inline_math

HERE = Path(__file__).resolve().parent
COMMANDS_TSV = Path("/work/shared/format/math-commands.tsv")

# What is not a letter of the formula: command names, environment names and the argument
# of a command that names something rather than writing it (colours, array column specs).
_NOT_LETTERS = re.compile(r"\\(?:begin|end)\s*\{[^}]*\}(?:\s*\{[^}]*\})?|\\[A-Za-z]+|\\.|\\")
# Commands whose letters legitimately change: an operator name stands for itself (\sin is
# "sin" in the drawing, already removed above), fonts map letters to mathematical
# alphanumerics (NFKC brings them back).


def letters_of(tex: str) -> Counter[str]:
    return Counter(ch for ch in _NOT_LETTERS.sub(" ", tex) if ch.isascii() and ch.isalpha())


def wrong_characters(tex: str, drawn: str) -> list[str]:
    """What a drawing got wrong: letters missing (or substituted), or an unexplained ``?``."""
    # NFKD then no combining marks: ₓ is x, ŝ is s, and ᵧ stays the Greek γ it is.
    shown = Counter(ch for ch in unicodedata.normalize("NFKD", drawn) if ch.isalpha())
    problems = [
        f"{letter} x{count - shown[letter]}"
        for letter, count in letters_of(tex).items()
        if shown[letter] < count
    ]
    for char, greek in zip("ᵦᵧᵨᵩᵪ", ("beta", "gamma", "rho", "phi", "chi"), strict=True):
        if char in drawn and f"\\{greek}" not in tex and f"\\var{greek}" not in tex:
            problems.append(f"{char} for a Latin letter")
    if drawn.count("?") > tex.count("?"):
        problems.append("?")
    return problems


class Tally:
    def __init__(self, name: str) -> None:
        self.name = name
        self.total = self.raw = self.wrong = 0
        self.display = 0
        self.spaced = 0  # inline, written with spaces inside the dollars ($ A $)
        self.missed = self.extra = 0  # formulas not found; money taken for a formula
        self.raw_examples: Counter[str] = Counter()
        self.wrong_examples: list[str] = []

    def add(self, tex: str, display: bool, raw: bool) -> None:
        self.total += 1
        self.display += display
        self.spaced += not display and tex != tex.strip()
        if raw:
            self.raw += 1
            self.raw_examples[" ".join(tex.split())[:90]] += 1
            return
        drawn = (display_math(tex) if display else inline_math(tex)).text
        problems = wrong_characters(tex, drawn)
        if problems:
            self.wrong += 1
            if len(self.wrong_examples) < 12:
                shown = " ".join(drawn.split())[:60]
                self.wrong_examples.append(
                    f"{' '.join(tex.split())[:60]!r} -> {shown!r}: {', '.join(problems)}"
                )

    def report(self) -> None:
        total = max(self.total, 1)
        print(f"== {self.name}")
        inline = self.total - self.display
        print(
            f"formulas: {self.total} ({self.display} display, {inline} inline, "
            f"{self.spaced} of them spaced)"
        )
        print(f"rendered: {100 * (self.total - self.raw) / total:.2f}%")
        print(f"raw:      {100 * self.raw / total:.2f}% ({self.raw})")
        print(f"wrong characters: {self.wrong} formulas")
        if self.missed or self.extra:
            print(f"not found: {self.missed}; money read as math: {self.extra}")
        for example, count in self.raw_examples.most_common(8):
            print(f"  raw x{count}: {example}")
        for example in self.wrong_examples:
            print(f"  wrong: {example}")


def answers(library: Path) -> Iterator[str]:
    for path in sorted(library.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not text.startswith("---"):
            continue
        end = text.find("\n---", 3)
        try:
            meta = load_front_matter(text[4:end])
        except Exception:  # a broken file is no formula
            continue
        if isinstance(meta, dict) and isinstance(meta.get("answer"), str):
            yield decode_answer(meta["answer"])


# The synthetic corpus -------------------------------------------------------------------

_SYMBOLS_NEED_ARGUMENT = {
    "frac": r"\frac{{{a}}}{{{b}}}",
    "binom": r"\binom{{{a}}}{{{b}}}",
    "sqrt": r"\sqrt{{{a} + {b}}}",
    "text": r"{a} = 3 \text{{ m/s when }} {b} > 0",
    "mathrm": r"\mathrm{{d}}{a} / \mathrm{{d}}{b}",
    "left": r"\left( {a} + {b} \right)^2",
    "right": r"\left[ {a} - {b} \right]",
    "begin": r"\begin{{pmatrix}} {a} & {b} \\ 0 & 1 \end{{pmatrix}}",
    "end": r"\begin{{cases}} {a} & {b} > 0 \\ 0 & {b} \le 0 \end{{cases}}",
    "sum": r"\sum_{{i=1}}^{{n}} {a}_i",
    "int": r"\int_0^1 {a}\, d{b}",
    "lim": r"\lim_{{{b} \to 0}} {a}",
    "mod": r"{a} \equiv {b} \mod 7",
    "ce": r"\ce{{2H2 + O2 -> 2H2O}}",
    "xrightarrow": r"{a} \xrightarrow{{k}} {b}",
    "overline": r"\overline{{{a}{b}}}",
    "overrightarrow": r"\overrightarrow{{{a}{b}}}",
    "quad": r"{a} = 1, \quad {b} = 2",
    "langle": r"\langle {a}, {b} \rangle",
    "rangle": r"\langle {a} | {b} \rangle",
    "mid": r"P({a} \mid {b})",
    "angle": r"\angle {a}{b}C",
}
_ACCENTS = {"vec", "hat", "bar", "dot", "mathbf", "mathbb", "mathcal", "overline"}
_FUNCTIONS = {"sin", "cos", "tan", "log", "ln", "sec", "csc", "cot", "exp"}
_LETTERS = "abcdfgkmnpqstuvwxyzABCDEFGHKLMNPQRSTVXYZ"


def command_counts() -> list[tuple[str, int]]:
    rows = []
    for line in COMMANDS_TSV.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, files = line.split("\t")
        if int(files) >= 5:
            rows.append((name, int(files)))
    return rows


def synthetic_formulas(seed: int = 1) -> Iterator[tuple[str, bool]]:
    rng = random.Random(seed)
    for name, files in command_counts():
        for _ in range(files):
            a = rng.choice(_LETTERS)
            b = rng.choice(_LETTERS)
            sub = rng.choice(_LETTERS + "0123")
            if name in _SYMBOLS_NEED_ARGUMENT:
                tex = _SYMBOLS_NEED_ARGUMENT[name].format(a=a, b=b)
            elif name in _ACCENTS:
                tex = rf"\{name}{{{a}}}_{sub} + {b}"
            elif name in _FUNCTIONS:
                tex = rf"\{name} {a}_{sub} = {b}"
            else:
                tex = rf"{a}_{sub} \{name} {b}"
            if rng.random() < 0.3:
                # A fraction too: inline, TeXicode draws it on three rows, so the one-row
                # renderer must know the command as well.
                tex += r" + \frac{1}{2}"
            yield tex, rng.random() < 0.4


# Money in prose, as answers about economics write it: never a formula.
_MONEY = (
    "It costs $5 and $10 per unit.",
    "Prices rose from $20 to $30 million.",
    "A ticket is $5-$10, or $ 15 at the door.",
    "They paid $1,200 in rent and $300 in fees.",
)


def synthetic_answers(seed: int = 1) -> Iterator[tuple[str, int]]:
    """The synthetic formulas written into answers as real ones are: display math between
    ``$$`` lines, inline math tight (``$x$``) or, one in seven as in real libraries, spaced
    (``$ x $``), next to sentences about money; with the number of formulas each holds."""
    rng = random.Random(seed)
    for tex, display in synthetic_formulas(seed):
        money = rng.choice(_MONEY)
        if display:
            yield f"{money} So:\n$$\n{tex}\n$$\nholds.", 1
        elif rng.random() < 1 / 7:
            yield f"{money} Here $ {tex} $ holds.", 1
        else:
            yield f"{money} Here ${tex}$ holds.", 1


def run_answers(answers: Iterable[tuple[str, int]], name: str) -> Tally:
    tally = Tally(name)
    for markdown, expected in answers:
        outcomes = formula_outcomes(markdown)
        tally.missed += max(0, expected - len(outcomes))
        tally.extra += max(0, len(outcomes) - expected)
        for outcome in outcomes:
            tally.add(outcome.tex, outcome.display, outcome.raw)
    return tally


def run(formulas: Iterable[tuple[str, bool, bool | None]], name: str) -> Tally:
    tally = Tally(name)
    for tex, display, raw in formulas:
        if raw is None:
            raw = (display_math(tex) if display else inline_math(tex)).raw
        tally.add(tex, display, raw)
    return tally


def library_formulas(library: Path) -> Iterator[tuple[str, bool, bool | None]]:
    for answer in answers(library):
        for outcome in formula_outcomes(answer):
            yield outcome.tex, outcome.display, outcome.raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", nargs="?", type=Path, help="a library folder")
    parser.add_argument("--articles", type=int, default=5000, help="size of a generated one")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qtreader-bench-math-") as scratch:
        library = args.library
        if library is None:
            library = Path(scratch)
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "generate.py"),
                    str(library),
                    "--articles",
                    str(args.articles),
                    "--seed",
                    str(args.seed),
                    "--workers",
                    "2",
                ],
                check=True,
            )
        run(library_formulas(library), f"library {args.library or 'generated'}").report()
    run_answers(
        synthetic_answers(args.seed), "math-commands.tsv, commands in 5 or more files"
    ).report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
