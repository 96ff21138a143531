"""Marking the words of a search in a rendered answer. Rich only, no Textual."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

__all__ = ["MARK_STYLE", "MarkedWords", "word_pattern"]

#: How a matched word shows in the answer.
MARK_STYLE = Style(reverse=True, bold=True)

# Endings cut before matching, so that a search for "reactions" marks "reaction" too (the
# index stems words; this is a cheap likeness of that, for marking only).
_ENDINGS = ("ations", "ation", "ions", "ion", "ings", "ing", "ies", "es", "ed", "s")


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern of the words of a search (``pre*`` for a prefix), matching whole words
    that start with their stem, in any case; None when there are none."""
    alternatives = []
    for word in words:
        if word.endswith("*"):
            alternatives.append(re.escape(word[:-1]) + r"\w*")
        elif word.isdigit() or len(word) < 4:
            alternatives.append(re.escape(word) + r"\b")
        else:
            alternatives.append(re.escape(_stem(word)) + r"\w*")
    if not alternatives:
        return None
    return re.compile(r"\b(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


class MarkedWords:
    """A renderable drawn as ``renderable``, with what ``pattern`` matches in each
    segment of text in :data:`MARK_STYLE` (added to the segment's own style, so links
    stay links)."""

    def __init__(self, renderable: RenderableType, pattern: re.Pattern[str]) -> None:
        self.renderable = renderable
        self.pattern = pattern

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        pattern = self.pattern
        for segment in console.render(self.renderable, options):
            text, style, control = segment
            if control or not text or pattern.search(text) is None:
                yield segment
                continue
            marked = style + MARK_STYLE if style else MARK_STYLE
            end = 0
            for found in pattern.finditer(text):
                if found.start() > end:
                    yield Segment(text[end : found.start()], style)
                yield Segment(found.group(), marked)
                end = found.end()
            if end < len(text):
                yield Segment(text[end:], style)
