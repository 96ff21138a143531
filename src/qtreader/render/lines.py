"""Rich's layout of a text, made directly: the lines Rich would cut from a ``Text`` whose
characters take a cell each, without its copies of the text per line, its join, render
and split.

Rich lays a ``Text`` out by wrapping it into one ``Text`` per line, joining those into one
text again, rendering that to segments and, in whatever contains it, splitting the
segments back into lines and padding them. For an answer of paragraphs and lists that was
most of ``qtreader check --render``'s time. :func:`text_lines` gives the same lines, one
for one and segment for segment, for the texts an answer is made of; anything else (wide or
zero-width characters, tabs, line breaks, a word wider than the line, centring) it leaves
to Rich by returning ``None``. ``test_render_lines`` compares the two. No Textual here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rich.cells import get_character_cell_size
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult

__all__ = ["LaidOutRule", "LaidOutText", "joined", "one_cell_each", "space_breaks", "text_lines"]

Line = list[Segment]


def one_cell_each(text: str) -> bool:
    """Whether each character of ``text`` takes one cell and the only white space in it is
    the space: then a text's length is its width, and its words are split at spaces."""
    if text.isascii():
        return text.isprintable()
    return all(
        char == " "
        or (char.isprintable() and not char.isspace() and get_character_cell_size(char) == 1)
        for char in set(text)
    )


def space_breaks(text: str, width: int) -> list[int] | None:
    """Where Rich's wrapping (``rich._wrap.divide_line``) breaks ``text``, a line of
    characters that are :func:`one_cell_each`, to fit ``width`` cells, or ``None`` if a word
    is wider than that (Rich folds or crops it). A word fits when its last character is
    within ``width`` of the line's start, so a line ends at its last space within
    ``width + 1`` characters and the next one starts at the word after that space."""
    breaks: list[int] = []
    start = 0
    end = len(text)
    # Every line after the first starts with a word; the first may start with spaces.
    first_word = end - len(text.lstrip(" "))
    while end - start > width:
        space = text.rfind(" ", start, start + width + 1)
        # No space, or only the spaces before the text's first word: a word too wide.
        if space < first_word:
            return None
        start = space + 1
        while start < end and text[start] == " ":
            start += 1
        if start == end:  # only spaces after the last word that fits
            break
        breaks.append(start)
    return breaks


def text_lines(
    text: Text, console: Console, options: ConsoleOptions, justify: JustifyMethod | None = None
) -> list[Line] | None:
    """The lines of ``text`` (with ``justify`` in place of its own, as Rich's headings do)
    rendered at ``options.max_width``: ``Segment.split_and_crop_lines`` over
    ``text.__rich_console__``, or ``None`` where only Rich lays it out.

    Done here for a text of characters that take one cell each, no white space but spaces,
    no word wider than the line, justified left (each line padded to the width) or not at
    all, and ending in a new line. Each line
    is cut where Rich's ``rstrip_end`` cuts it; its segments end where a span over it starts
    or ends, each styled as Rich's render styles it: the null style, the text's own style,
    then the spans over the segment in their order."""
    plain = text.plain
    width = options.max_width
    justify = justify or text.justify or options.justify or DEFAULT_JUSTIFY
    overflow = text.overflow or options.overflow or DEFAULT_OVERFLOW
    if (
        width < 1
        or text.end != "\n"
        or justify not in ("left", "default")
        or overflow not in ("fold", "crop", "ellipsis")
        or text.no_wrap
        or (text.no_wrap is None and options.no_wrap)
    ):
        return None
    pad = justify == "left"
    if not plain:  # one empty line, padded to the width when justified
        return None if text.style or text.spans else [[Segment(" " * width if pad else "")]]
    if not one_cell_each(plain):
        return None
    breaks = space_breaks(plain, width)
    if breaks is None:
        return None
    spans = text.spans
    # Each line's text, and the spans over it, clipped: one line keeps every span (Rich
    # copies the text), several keep those with characters on the line (``divide``);
    # cutting the trailing spaces past the width keeps those that start before the new end
    # (``right_crop``).
    cut: list[tuple[str, list[tuple[int, int, int]]]] = []
    spanned = False
    for start, end in itertools.pairwise([0, *breaks, len(plain)]):
        line = plain[start:end]
        cropped = len(line) > width
        if cropped:
            line = line[:width]
        on_line: list[tuple[int, int, int]] = []
        for index, (span_start, span_end, _style) in enumerate(spans):
            if breaks:
                if span_end <= start or span_start >= end or span_end <= span_start:
                    continue
                span_start = max(span_start, start) - start
                span_end = min(span_end, end) - start
            if cropped:
                if span_start >= width:
                    continue
                span_end = min(span_end, width)
            on_line.append((span_start, span_end, index))
        spanned = spanned or bool(on_line)
        cut.append((line.ljust(width) if pad else line, on_line))
    if not text.style and not spanned:
        return [[Segment(line)] for line, _on_line in cut]  # Rich renders one plain string
    get_style = console.get_style
    base = [get_style("", default=Style.null())]
    if text.style:  # Rich's join puts it on each line as a span before the line's own
        base.append(get_style(text.style, default=Style.null()))
    styles = [get_style(span.style, default=Style.null()) for span in spans]
    unspanned = Style.combine(base)
    combined: dict[tuple[int, ...], Style] = {}
    lines: list[Line] = []
    for line, on_line in cut:
        if not on_line:
            lines.append([Segment(line, unspanned)])
            continue
        edges = sorted({0, len(line), *(edge for s, e, _ in on_line for edge in (s, e))})
        segments: Line = []
        for left, right in itertools.pairwise(edges):
            active = tuple(index for s, e, index in on_line if s <= left < e)
            style = combined.get(active)
            if style is None:
                style = combined[active] = Style.combine([*base, *(styles[i] for i in active)])
            segments.append(Segment(line[left:right], style))
        lines.append(segments)
    return lines


def joined(lines: list[Line]) -> Iterator[Segment]:
    """``lines`` as a renderable's segments: each followed by a new line."""
    new_line = Segment("\n")
    for line in lines:
        yield from line
        yield new_line


class LaidOutText(Text):
    """Rich's ``Text``, laid out by :func:`text_lines` where it can: the same lines."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        lines = text_lines(self, console, options)
        if lines is None:
            yield from super().__rich_console__(console, options)
        else:
            yield from joined(lines)

    @classmethod
    def of(cls, text: Text) -> LaidOutText:
        """``text`` as a :class:`LaidOutText`."""
        laid_out = cls(
            text.plain, text.style, justify=text.justify, overflow=text.overflow,
            no_wrap=text.no_wrap, end=text.end, tab_size=text.tab_size,
        )  # fmt: skip
        laid_out.spans[:] = text.spans
        return laid_out


class LaidOutRule(Rule):
    """Rich's ``Rule``, its line laid out as a :class:`LaidOutText`."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for part in super().__rich_console__(console, options):
            yield LaidOutText.of(part) if isinstance(part, Text) else part
