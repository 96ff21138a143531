"""An answer's Markdown as a Rich renderable: math as Unicode, plain code, tables, links.

Rich's ``Markdown`` paints many times faster than Textual's ``Markdown`` widget, so the
reader shows this renderable in a ``Static``; ``qtreader show`` prints the same renderable,
so the shell and the app agree. What Rich's ``Markdown`` gets wrong for answers is done
here instead:

- Math is found with the decoder's notion of spans (:func:`qtreader.library.decode.math_spans`,
  never inside code) before Markdown sees the text. Display math becomes a block of its own
  even inside a paragraph (the website's renderer needed no blank lines around ``$$``) and
  is never wrapped mid-formula; inline math is one row of Unicode (:mod:`qtreader.render.texmath`).
- A fence without a language is plain text (no lexer guessing), and long code lines are
  folded with a visible ``↪`` instead of being cut.
- Links are numbered, external ones shown with their address, and never followed here: the
  caller decides (the app lists them with ``l``; a click runs ``link_action``).
- ``<sub>``, ``<sup>`` and ``<br>`` show as the website shows them; other tags are dropped as
  a browser would, their text kept.

Everything from the article passes :func:`qtreader.library.decode.clean_text` first, so no control
sequence reaches the screen or stdout. No Textual here.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.containers import Lines
from rich.markdown import (
    BlockQuote,
    Heading,
    HorizontalRule,
    ImageItem,
    ListElement,
    ListItem,
    Markdown,
    MarkdownContext,
    MarkdownElement,
    Paragraph,
    TableBodyElement,
    TableDataElement,
    TableElement,
    TableHeaderElement,
    TableRowElement,
    TextElement,
    UnknownElement,
)
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text

from qtreader.library.decode import clean_text, lazy_pattern, math_spans
from qtreader.render.lines import joined, space_breaks, text_lines

if TYPE_CHECKING:  # the TeX renderers are imported when an answer has math
    from rich.console import JustifyMethod, OverflowMethod

    from qtreader.render.texmath import Rendered

__all__ = [
    "AnswerLink",
    "FormulaOutcome",
    "answer_links",
    "formula_outcomes",
    "is_article_url",
    "render_answer",
]

#: Marks the continuation of a line folded to fit the width (code, raw TeX, wide math).
FOLD_MARK = "↪ "

# Placeholders that stand for math while Markdown is parsed: private-use characters, which
# the answer itself can never contain (they are removed from it first).
_INLINE_OPEN = "\ue000"
_INLINE_CLOSE = "\ue001"
_BLOCK_INFO = "\ue002math"
# Removed from the answer first with str.replace, three scans that copy nothing when the
# characters are absent: a pattern compiled at import cost show more than they do.
_PRIVATE = ("\ue000", "\ue001", "\ue002")

_SUBSCRIPT = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUPERSCRIPT = str.maketrans(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
)

# The patterns below serve only answers with math, links or HTML: each is compiled on first
# use, not at import, which saves ``qtreader show`` 0.2 ms for an answer with none of them.


_placeholder = lazy_pattern(f"{_INLINE_OPEN}(\\d+){_INLINE_CLOSE}")
_article_url = lazy_pattern(r"^/learn/[^/?#\s]+/questions/[^/?#\s]+/?$")
# Where a line's block containers leave its text: blockquote marks, indentation, a list
# marker.
_container = lazy_pattern(r"^((?:[ \t]*>[ \t]?)*)([ \t]*)((?:[-*+]|\d{1,9}[.)])[ \t]+)?")
# Lines where a display formula cannot become a block: table rows and headings.
_no_block_line = lazy_pattern(r"^\s*(?:\||#{1,6}\s)")
_html_tag = lazy_pattern(r"<[^>]*>")
_html_break = lazy_pattern(r"<br\s*/?>", re.IGNORECASE)
# A word and the spaces after it, as Rich's wrapping cuts a line (``rich._wrap``).
_word = lazy_pattern(r"\s*\S+\s*")


def is_article_url(url: str) -> bool:
    """Whether ``url`` names an article of a library (``/learn/<subject>/questions/<slug>``)."""
    return bool(_article_url().match(url))


class AnswerLink(NamedTuple):
    """A link in an answer, numbered in reading order from 1."""

    number: int
    text: str
    url: str

    @property
    def internal(self) -> bool:
        """A link to an article, which the reader opens itself."""
        return is_article_url(self.url)


class _Math(NamedTuple):
    source: str  # as written, delimiters included
    tex: str
    display: bool


class _Block(NamedTuple):
    """A top-level block of an answer: its tokens ``tokens[start:end]``, and whether it holds
    math (drawn differently with ``raw_tex``) or links (``link_action``)."""

    start: int
    end: int
    math: bool
    links: bool


class _Prepared(NamedTuple):
    tokens: tuple[Token, ...]
    maths: tuple[_Math, ...]
    links: tuple[AnswerLink, ...]
    blocks: tuple[_Block, ...]
    #: Laid-out blocks by console, width and theme (see :meth:`_AnswerMarkdown._render`).
    layouts: dict[tuple[int, int, tuple[object, ...]], _Layouts]


class _Layouts(NamedTuple):
    """The blocks of one answer laid out for one console: each block's segments by the
    block, the options it depends on and the state the walk entered it with, and that
    state as it left the block."""

    console: weakref.ref[Console]
    blocks: dict[tuple[int, bool | None, str | None, bool], tuple[list[Segment], bool]]


def render_answer(
    markdown: str,
    *,
    raw_tex: bool = False,
    link_action: str | None = None,
    code_theme: str = "ansi_dark",
) -> RenderableType:
    """The answer as a renderable, laid out for whatever width it is rendered at.

    ``raw_tex`` shows every formula as the TeX it was written in (code style).
    ``link_action``, a format string such as ``"follow_link({})"``, puts a Textual
    ``@click`` action with the link's number on each link's text.
    """
    return _AnswerMarkdown(_prepare(markdown), raw_tex, link_action, code_theme)


class FormulaOutcome(NamedTuple):
    """One formula of an answer and whether the reader draws it or shows its TeX."""

    tex: str
    display: bool
    raw: bool


def formula_outcomes(markdown: str) -> list[FormulaOutcome]:
    """Every formula of an answer as :func:`render_answer` finds it, with whether it falls
    back to raw TeX (by the same chains the pane and ``show`` draw with)."""
    from qtreader.render.texmath import display_math, inline_math

    return [
        FormulaOutcome(
            math.tex,
            math.display,
            (display_math(math.tex) if math.display else inline_math(math.tex)).raw,
        )
        for math in _prepare(markdown).maths
    ]


def answer_links(markdown: str) -> list[AnswerLink]:
    """The links of an answer, numbered as :func:`render_answer` shows them."""
    return list(_prepare(markdown).links)


# Preparation: math out of the way, then markdown-it --------------------------------------


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """One parser for every answer: building one compiles its rules, a third of the cost of
    parsing a typical answer; parsing keeps its state outside the parser."""
    return MarkdownIt().enable("strikethrough").enable("table")


@lru_cache(maxsize=16)
def _prepare(markdown: str) -> _Prepared:
    markdown = clean_text(markdown)
    for private in _PRIVATE:
        markdown = markdown.replace(private, "")
    source, maths = _set_math_aside(markdown)
    tokens = _parser().parse(source)
    links: list[AnswerLink] = []
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _rewrite_inline(token.children, maths, links)
        elif token.type == "html_block" or (token.type == "fence" and token.info != _BLOCK_INFO):
            token.content = _restore(token.content, maths)
            token.info = _restore(token.info, maths)
    return _Prepared(tuple(tokens), tuple(maths), tuple(links), tuple(_blocks(tokens)), {})


def _blocks(tokens: list[Token]) -> Iterator[_Block]:
    """The top-level blocks of ``tokens``: an opening token and all up to its closing one
    (a paragraph, a list, a quote, a table), or a token of its own (a fence, a rule)."""
    start = 0
    while start < len(tokens):
        end = start + 1
        if tokens[start].nesting == 1:
            level = tokens[start].level
            while end < len(tokens) and not (
                tokens[end].level == level and tokens[end].nesting == -1
            ):
                end += 1
            end = min(end + 1, len(tokens))
        math = links = False
        for token in _flatten(tokens[start:end]):
            if token.type == "math_inline" or (token.type == "fence" and token.info == _BLOCK_INFO):
                math = True
            elif token.type == "link_open" and "number" in token.meta:
                links = True
        yield _Block(start, end, math, links)
        start = end


def _set_math_aside(markdown: str) -> tuple[str, list[_Math]]:
    """Replace each formula by a placeholder: display math by a fence of its own (with the
    container prefix of its line, so that it stays inside a list item or quote), inline math
    by a private-use marker that Markdown leaves alone."""
    spans = math_spans(markdown)
    if not spans:
        return markdown, []
    maths: list[_Math] = []
    out: list[str] = []
    position = 0
    for span in spans:
        if span.start < position:
            continue
        out.append(markdown[position : span.start])
        index = len(maths)
        maths.append(
            _Math(
                markdown[span.start : span.end],
                markdown[span.body_start : span.body_end],
                span.display,
            )
        )
        position = span.end
        line_start = markdown.rfind("\n", 0, span.start) + 1
        line_end = markdown.find("\n", line_start)
        line = markdown[line_start : line_end if line_end >= 0 else len(markdown)]
        if not span.display or _no_block_line().match(line):
            out.append(f"{_INLINE_OPEN}{index}{_INLINE_CLOSE}")
            continue
        prefix = _container_prefix(markdown, line_start)
        out.append(f"\n\n{prefix}~~~{_BLOCK_INFO}\n{prefix}{index}\n{prefix}~~~\n\n{prefix}")
        # Text after the formula on its line starts the next paragraph, not a code block.
        while position < len(markdown) and markdown[position] in " \t":
            position += 1
    out.append(markdown[position:])
    return "".join(out), maths


def _container_prefix(markdown: str, line_start: int) -> str:
    """What a new block inserted on this line must start with to stay in the same list item
    or quote: the paragraph's first line decides (a formula often sits on a lazy
    continuation line with no indentation of its own)."""
    start = line_start
    while start > 0:
        previous = markdown.rfind("\n", 0, start - 1) + 1
        if not markdown[previous : start - 1].strip():
            break
        start = previous
    prefixes = []
    for begin in {start, line_start}:
        end = markdown.find("\n", begin)
        match = _container().match(markdown[begin : end if end >= 0 else len(markdown)])
        assert match is not None  # every group is optional
        quotes, indent, marker = match.groups()
        prefixes.append(quotes + indent + " " * len(marker or ""))
    return max(prefixes, key=len)


def _restore(text: str, maths: list[_Math]) -> str:
    """Put the source of formulas back where they cannot be rendered (HTML, fence info)."""
    if _INLINE_OPEN not in text:
        return text
    return _placeholder().sub(lambda m: maths[int(m.group(1))].source, text)


def _rewrite_inline(
    children: list[Token], maths: list[_Math], links: list[AnswerLink]
) -> list[Token]:
    """Split math out of text tokens and number the links."""
    out: list[Token] = []
    link_start: tuple[int, Token] | None = None
    for token in children:
        if token.type == "text" and _INLINE_OPEN in token.content:
            position = 0
            for match in _placeholder().finditer(token.content):
                if match.start() > position:
                    out.append(_text_token(token.content[position : match.start()]))
                math = Token("math_inline", "", 0, content=match.group(1))
                out.append(math)
                position = match.end()
            if position < len(token.content):
                out.append(_text_token(token.content[position:]))
            continue
        if token.type == "link_open":
            link_start = (len(out), token)
        elif token.type == "link_close" and link_start is not None:
            first, opener = link_start
            href = _restore(str(opener.attrs.get("href", "")), maths)
            text = _plain(out[first + 1 :], maths) or href
            number = len(links) + 1
            links.append(AnswerLink(number, text, href))
            opener.meta = {**opener.meta, "number": number, "url": href, "text": text}
            token.meta = dict(opener.meta)
            link_start = None
        elif token.type in ("html_inline",):
            token.content = _restore(token.content, maths)
        out.append(token)
    return out


def _text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _plain(tokens: Iterable[Token], maths: list[_Math]) -> str:
    """The text a run of inline tokens shows, for a link's name in the list of links."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "math_inline":
            from qtreader.render.texmath import inline_math

            parts.append(inline_math(maths[int(token.content)].tex).text)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


# Rendering ------------------------------------------------------------------------------


def _scripted(text: str, table: dict[int, int], marker: str) -> str:
    """``text`` in sub- or superscript characters, or ``_(text)`` / ``^(text)`` when some
    character has none."""
    converted = text.translate(table)
    if all(ord(char) in table or char.isspace() for char in text):
        return converted
    return f"{marker}({text})"


def _fold(line: Text, width: int) -> list[Text]:
    """Cut a line into pieces of at most ``width`` cells; every piece after the first starts
    with :data:`FOLD_MARK`, so a folded line never passes for several."""
    width = max(width, len(FOLD_MARK) + 1)
    if line.cell_len <= width:
        return [line]
    pieces: list[Text] = []
    rest = line
    room = width
    while rest.cell_len > room:
        cut = _cut_at(rest.plain, room)
        head, rest = rest[:cut], rest[cut:]
        pieces.append(head)
        room = width - len(FOLD_MARK)
    pieces.append(rest)
    mark_style = Style(dim=True)
    return [pieces[0]] + [Text(FOLD_MARK, mark_style) + piece for piece in pieces[1:]]


def _cut_at(plain: str, cells: int) -> int:
    """The largest prefix of ``plain`` that fits in ``cells`` (at least one character)."""
    total = 0
    for index, char in enumerate(plain):
        total += cell_len(char)
        if total > cells:
            return max(index, 1)
    return len(plain)


class _CodeBlock(MarkdownElement):
    """A fence: highlighted when it names a language, plain text when it does not (no
    guessing), folded rather than cut when a line is too long."""

    def __init__(self, lexer: str, theme: str) -> None:
        self.lexer = lexer
        self.theme = theme
        self.code = ""

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> MarkdownElement:
        assert isinstance(markdown, _AnswerMarkdown)
        if token.type == "fence" and token.info == _BLOCK_INFO:
            return _MathBlock(markdown.maths[int(token.content)], markdown.raw_tex, markdown.theme)
        lexer = (token.info or "").partition(" ")[0]
        return cls(lexer, markdown.theme)

    def on_text(self, context: MarkdownContext, text: object) -> None:
        self.code += str(text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _code_panel(self.code.rstrip("\n"), self.lexer, self.theme, options.max_width)


def _code_panel(code: str, lexer: str, theme: str, width: int) -> RenderableType:
    syntax = Syntax("", lexer or "text", theme=theme)
    text = syntax.highlight(code) if lexer else Text(code)
    text.rstrip()
    lines = [piece for line in text.split("\n") for piece in _fold(line, width - 2)]
    for line in lines:
        line.no_wrap = True
        line.overflow = "crop"
    background = syntax.get_theme(theme).get_background_style()
    return Padding(Group(*lines), (1, 1), style=background, expand=True)


def _raw_math_panel(source: str, theme: str, width: int) -> RenderableType:
    """A formula shown as its TeX: a code panel whose long lines are wrapped between TeX
    words (spaces are insignificant in TeX), so that no command is cut in two; only a
    word wider than the panel is folded, with the fold mark."""
    room = max(width - 2, len(FOLD_MARK) + 1)
    lines: list[str] = []
    for line in source.strip().splitlines():
        current = ""
        for word in line.split():
            if current and cell_len(current) + 1 + cell_len(word) > room:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return _code_panel("\n".join(lines), "", theme, width)


class _MathBlock(MarkdownElement):
    """A display formula: its drawing on as many rows as it needs, never wrapped. One too wide
    for the screen is broken before a relation; a piece still too wide is folded, visibly."""

    def __init__(self, math: _Math, raw_tex: bool, theme: str) -> None:
        self.math = math
        self.raw_tex = raw_tex
        self.theme = theme

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if self.raw_tex:
            yield _raw_math_panel(self.math.source, self.theme, width)
            return
        indent = 2 if width > 24 else 0
        from qtreader.render.texmath import display_pieces

        pieces = display_pieces(self.math.tex, width - indent)
        if any(piece.raw for piece in pieces):
            yield _raw_math_panel(self.math.source, self.theme, width)
            return
        lines: list[Text] = []
        for number, piece in enumerate(pieces):
            lines.extend(_drawing(piece, width - indent, continued=number > 0))
        for line in lines:
            line.no_wrap = True
            line.overflow = "crop"
        yield Padding(Group(*lines), (0, 0, 0, indent))


def _drawing(piece: Rendered, width: int, *, continued: bool) -> list[Text]:
    """The rows of one piece of a formula. Rows too wide are cut into column bands, stacked,
    each band after the first marked."""
    shift = "  " if continued else ""
    rows = [shift + row for row in piece.rows]
    widest = max(cell_len(row) for row in rows)
    if widest <= width:
        return [Text(row) for row in rows]
    band = max(width - len(FOLD_MARK), 8)
    out: list[Text] = []
    for start in range(0, widest, band):
        for row in rows:
            chunk = _cells(row, start, band)
            out.append(Text(FOLD_MARK, Style(dim=True)) + chunk if start else Text(chunk))
    return out


def _cells(row: str, start: int, count: int) -> str:
    """The characters of ``row`` that occupy cells ``start`` to ``start + count``."""
    out: list[str] = []
    position = 0
    for char in row:
        if start <= position < start + count:
            out.append(char)
        position += cell_len(char)
    return "".join(out)


class _WrappedText(Text):
    """Rich's ``Text``, whose wrapping measures the words of a line of printable ASCII by
    their length: Rich measures every word's cells, a third of laying out a paragraph.
    The lines are Rich's, to the character and span (``test_render`` compares them)."""

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if no_wrap or self.no_wrap or overflow == "ignore":
            return super().wrap(
                console, width, justify=justify, overflow=overflow, tab_size=tab_size,
                no_wrap=no_wrap,
            )  # fmt: skip
        # What follows is ``rich.text.Text.wrap`` for a text that is wrapped.
        wrap_justify = justify or self.justify or DEFAULT_JUSTIFY
        wrap_overflow = overflow or self.overflow or DEFAULT_OVERFLOW
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            offsets = _line_breaks(line.plain, width, fold=wrap_overflow == "fold")
            new_lines = line.divide(offsets)
            for piece in new_lines:
                piece.rstrip_end(width)
            if wrap_justify:
                new_lines.justify(console, width, justify=wrap_justify, overflow=wrap_overflow)
            for piece in new_lines:
                piece.truncate(width, overflow=wrap_overflow)
            lines.extend(new_lines)
        return lines


def _line_breaks(text: str, width: int, *, fold: bool) -> list[int]:
    """Where Rich's wrapping breaks ``text`` to fit ``width`` cells (``rich._wrap.
    divide_line``): a character of printable ASCII is one cell, anything else is measured."""
    ascii_line = text.isascii() and text.isprintable()
    if ascii_line:
        found = space_breaks(text, width)
        if found is not None:
            return found
    measure = len if ascii_line else cell_len
    breaks: list[int] = []
    offset = 0
    for match in _word().finditer(text):
        start = match.start()
        word = match.group()
        length = measure(word.rstrip())
        if width - offset >= length:
            offset += measure(word)
        elif length > width:  # longer than a line: folded, or cropped
            if fold:
                pieces = chop_cells(word, width)
                for piece in pieces[:-1]:
                    if start:
                        breaks.append(start)
                    start += len(piece)
                if start:
                    breaks.append(start)
                offset = measure(pieces[-1])
            else:
                if start:
                    breaks.append(start)
                offset = measure(word)
        elif offset and start:
            breaks.append(start)
            offset = measure(word)
    return breaks


class _Paragraph(Paragraph):
    """Rich's paragraph, laid out by :func:`qtreader.render.lines.text_lines` where it can,
    else by Rich with its text wrapped by :class:`_WrappedText`."""

    def on_enter(self, context: MarkdownContext) -> None:
        TextElement.on_enter(self, context)
        self.text = _WrappedText(justify="left")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.lines(console, options)
        if lines is None:
            yield self.text
        else:
            yield from joined(lines)

    def lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]] | None:
        """The paragraph's lines, each exactly ``options.max_width`` wide, or ``None``
        where only Rich lays it out."""
        self.text.justify = self.justify
        return text_lines(self.text, console, options)


#: Below this width lists are laid out by Rich itself: the direct path below assumes every
#: item has room for at least a cell after its bullet or number.
LIST_LINES_FROM = 8


class _ListElement(ListElement):
    """Rich's list, its lines built directly: Rich renders each item's children to segments,
    splits them into lines and pads them, and the list around it joins them into segments
    again, which the item around it splits and pads once more, at every nesting level. Here
    a nested list hands its lines up as they are (each exactly its width, as Rich's padding
    would leave them), and so do paragraphs (:func:`qtreader.render.lines.text_lines`). The
    lines are Rich's, segment for segment (``test_render_lines`` compares them)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.lines(console, options)
        if lines is None:
            yield from super().__rich_console__(console, options)
            return
        yield from joined(lines)

    def lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]] | None:
        """The list's lines at ``options.max_width``, each exactly that wide, as Rich's
        ``render_lines`` would cut them from this list's segments; ``None`` where this path
        does not apply (a narrow width, an item Rich restyles)."""
        if options.max_width < LIST_LINES_FROM:
            return None
        out: list[list[Segment]] = []
        if self.list_type == "bullet_list_open":
            item_options = options.update(width=options.max_width - 3)
            for item in self.items:
                assert isinstance(item, _ListItem)
                lines = item.lines(console, item_options)
                if lines is None:
                    return None
                style = console.get_style("markdown.item.bullet", default="none")
                out.extend(_prefixed(lines, Segment(" • ", style), Segment("   ", style)))
            return out
        number = 1 if self.list_start is None else self.list_start
        last_number = number + len(self.items)
        number_width = len(str(last_number)) + 2
        item_options = options.update(width=options.max_width - number_width)
        for index, item in enumerate(self.items):
            assert isinstance(item, _ListItem)
            lines = item.lines(console, item_options)
            if lines is None:
                return None
            style = console.get_style("markdown.item.number", default="none")
            numeral = Segment(f"{number + index}".rjust(number_width - 1) + " ", style)
            out.extend(_prefixed(lines, numeral, Segment(" " * number_width, style)))
        return out


def _prefixed(lines: list[list[Segment]], first: Segment, rest: Segment) -> Iterator[list[Segment]]:
    """An item's lines after its bullet or number (``first``) and the indent under it."""
    for index, line in enumerate(lines):
        yield [first if index == 0 else rest, *line]


class _ListItem(ListItem):
    """Rich's list item, its lines built as :class:`_ListElement` says."""

    def __init__(self) -> None:
        super().__init__()
        self.children: list[MarkdownElement] = []  # ``self.elements``, typed

    def on_child_close(self, context: MarkdownContext, child: MarkdownElement) -> bool:
        self.children.append(child)
        return super().on_child_close(context, child)

    def lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]] | None:
        """``console.render_lines(self.elements, options, style=self.style)``, with the
        lines of a nested list taken as they are."""
        if self.style:  # Rich restyles every segment of the item: left to Rich
            return None
        width = options.max_width
        lines: list[list[Segment]] = []
        stream: list[Segment] = []  # segments not yet cut into lines
        for element in self.children:
            if isinstance(element, _ListElement) and _at_line_start(stream):
                nested = element.lines(console, options)
                if nested is not None:
                    lines.extend(_split(stream, width, self.style))
                    stream.clear()
                    lines.extend(nested)
                    continue
            if isinstance(element, _Paragraph):
                paragraph = element.lines(console, options)
                if paragraph is not None and _at_line_start(stream):
                    lines.extend(_split(stream, width, self.style))
                    stream.clear()
                    lines.extend(paragraph)
                elif paragraph is not None:
                    stream.extend(joined(paragraph))
                else:
                    stream.extend(element.text.__rich_console__(console, options))
            else:
                stream.extend(console.render(element, options))
        lines.extend(_split(stream, width, self.style))
        return lines


def _at_line_start(stream: list[Segment]) -> bool:
    """Whether Rich's line splitting would be at the start of a line after ``stream``."""
    if not stream:
        return True
    last = stream[-1]
    return not last.control and last.text.endswith("\n")


def _split(segments: list[Segment], width: int, style: Style) -> Iterable[list[Segment]]:
    return Segment.split_and_crop_lines(segments, width, style=style, include_new_lines=False)


class _HtmlBlock(MarkdownElement):
    """Raw HTML in an answer: shown as its text, as a browser would show it."""

    def __init__(self) -> None:
        self.html = ""

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> MarkdownElement:
        return cls()

    def on_text(self, context: MarkdownContext, text: object) -> None:
        self.html += str(text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        html = _html_break().sub("\n", self.html)
        html = re.sub(
            r"<sub>(.*?)</sub>", lambda m: _scripted(m.group(1), _SUBSCRIPT, "_"), html, flags=re.I
        )
        html = re.sub(
            r"<sup>(.*?)</sup>",
            lambda m: _scripted(m.group(1), _SUPERSCRIPT, "^"),
            html,
            flags=re.I,
        )
        text = _html_tag().sub("", html).strip("\n")
        if text.strip():
            yield Text(text)


# Rich colours h2-h4 and quotes magenta, which 16-colour terminals and NO_COLOR (Textual's
# monochrome filter) turn into dark grey on black: headings are set apart by weight,
# underline and italics instead, which every terminal shows.
_HEADING_STYLES = {
    "h1": "bold underline",
    "h2": "bold underline",
    "h3": "bold",
    "h4": "bold italic",
}


class _Heading(Heading):
    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.style_name = _HEADING_STYLES.get(tag, "italic")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        justify = self.LEVEL_ALIGN.get(self.tag, "left")
        lines = text_lines(self.text, console, options, justify)
        if lines is None:
            yield from super().__rich_console__(console, options)
        else:
            yield from joined(lines)


class _BlockQuote(BlockQuote):
    style_name = "italic"


class _AnswerMarkdown(Markdown):
    """Rich's Markdown with qtreader's elements and inline handling (math, links, HTML).

    The walk over the tokens follows ``rich.markdown.Markdown.__rich_console__``."""

    elements = {
        **Markdown.elements,
        "paragraph_open": _Paragraph,
        "bullet_list_open": _ListElement,
        "ordered_list_open": _ListElement,
        "list_item_open": _ListItem,
        "heading_open": _Heading,
        "blockquote_open": _BlockQuote,
        "fence": _CodeBlock,
        "code_block": _CodeBlock,
        "html_block": _HtmlBlock,
    }

    def __init__(
        self, prepared: _Prepared, raw_tex: bool, link_action: str | None, theme: str
    ) -> None:
        # Rich's own __init__ parses the Markdown: ``prepared`` holds the tokens already.
        self.prepared = prepared
        self.raw_tex = raw_tex
        self.link_action = link_action
        self.theme = theme
        # Textual renders a Static once to measure its height and again to paint it (and
        # again if a scrollbar appears): the segments are kept per console and width.
        self._rendered: dict[tuple[int, int], list[Segment]] = {}
        # Rich's elements read these attributes of the Markdown they belong to.
        self.maths = self.prepared.maths
        self.code_theme = self.theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = self.theme

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (id(console), options.max_width)
        if key not in self._rendered:
            if len(self._rendered) >= 4:
                self._rendered.clear()
            self._rendered[key] = list(self._render(console, options))
        yield from self._rendered[key]

    def _render(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        """The answer block by block, each laid out once per console and width and reused
        by every rendering that draws it alike: with raw TeX only the blocks with math
        change, with link actions only those with links (``check --render`` renders an
        answer up to three ways, the reader redraws it for ``x``)."""
        style = console.get_style(self.style, default="none")
        options = options.update(height=None)
        context = MarkdownContext(console, options, style)
        layouts = self._layouts(console, options)
        tokens = self.prepared.tokens
        walk = _Walk()
        for block in self.prepared.blocks:
            # A block's layout depends on the tokens, the options that change it and the
            # state the walk enters it with; one entered or left inside <sub> is not kept.
            key = (
                block.start,
                self.raw_tex if block.math else None,
                self.link_action if block.links else None,
                walk.new_line,
            )
            laid_out = layouts.get(key) if walk.script is None else None
            if laid_out is not None:
                segments, walk.new_line = laid_out
                yield from segments
                continue
            entered_in_script = walk.script is not None
            segments = list(self._walk(context, tokens[block.start : block.end], walk))
            if not entered_in_script and walk.script is None:
                layouts[key] = (segments, walk.new_line)
            yield from segments

    def _layouts(
        self, console: Console, options: ConsoleOptions
    ) -> dict[tuple[int, bool | None, str | None, bool], tuple[list[Segment], bool]]:
        """The blocks laid out so far for ``console`` with ``options``: kept with the
        prepared answer, for at most four consoles and widths (a resize lays out anew)."""
        cache = self.prepared.layouts
        # What a block's text is laid out with, besides the console and the width.
        laid = (options.justify, options.overflow, options.no_wrap, self.theme)
        key = (id(console), options.max_width, laid)
        layouts = cache.get(key)
        # A console's id may be reused by another once it is gone: the weak reference says.
        if layouts is None or layouts.console() is not console:
            if len(cache) >= 4:
                cache.clear()
            layouts = cache[key] = _Layouts(weakref.ref(console), {})
        return layouts.blocks

    def _walk(
        self, context: MarkdownContext, tokens: Iterable[Token], walk: _Walk
    ) -> Iterator[Segment]:
        """Rich's walk over the tokens with qtreader's inline handling; ``walk`` carries
        its state from block to block."""
        console = context.console
        for token in _flatten(tokens):
            node_type = token.type
            entering = token.nesting == 1
            exiting = token.nesting == -1
            if walk.script is not None and node_type == "text":
                walk.script[1].append(token.content)
                continue
            if node_type == "text":
                context.on_text(token.content, node_type)
            elif node_type == "hardbreak":
                context.on_text("\n", node_type)
            elif node_type == "softbreak":
                context.on_text(" ", node_type)
            elif node_type == "math_inline":
                self._inline_math(context, self.maths[int(token.content)])
            elif node_type == "link_open":
                self._link_open(context, token)
            elif node_type == "link_close":
                self._link_close(context, token)
            elif node_type == "html_inline":
                tag = token.content.strip().lower().replace(" ", "")
                if tag in ("<sub>", "<sup>"):
                    walk.script = (tag, [])
                elif tag in ("</sub>", "</sup>") and walk.script is not None:
                    table, marker = (
                        (_SUBSCRIPT, "_") if walk.script[0] == "<sub>" else (_SUPERSCRIPT, "^")
                    )
                    context.on_text(_scripted("".join(walk.script[1]), table, marker), "text")
                    walk.script = None
                elif _html_break().fullmatch(tag):
                    context.on_text("\n", "hardbreak")
            elif token.tag in self.inlines and node_type not in ("fence", "code_block"):
                if entering:
                    context.enter_style(f"markdown.{token.tag}")
                elif exiting:
                    context.leave_style()
                else:
                    context.enter_style(f"markdown.{token.tag}")
                    if token.content:
                        context.on_text(token.content, node_type)
                    context.leave_style()
            else:
                element_class = self.elements.get(node_type) or UnknownElement
                element = element_class.create(self, token)
                if entering or token.nesting == 0:
                    context.stack.push(element)
                    element.on_enter(context)
                if exiting:
                    element = context.stack.pop()
                    if not context.stack or context.stack.top.on_child_close(context, element):
                        if walk.new_line:
                            yield Segment.line()
                        yield from console.render(element, context.options)
                elif token.nesting == 0:
                    context.stack.pop()
                    if token.content is not None:
                        element.on_text(context, token.content)
                    if not context.stack or context.stack.top.on_child_close(context, element):
                        if walk.new_line and node_type != "inline":
                            yield Segment.line()
                        yield from console.render(element, context.options)
                if exiting or token.nesting == 0:
                    element.on_leave(context)
                    walk.new_line = element.new_line

    def _inline_math(self, context: MarkdownContext, math: _Math) -> None:
        from qtreader.render.texmath import inline_math

        rendered = inline_math(math.tex)
        if self.raw_tex or rendered.raw:
            context.enter_style("markdown.code")
            context.on_text(" ".join(math.source.split()), "code_inline")
            context.leave_style()
        else:
            context.on_text(rendered.text, "text")

    def _link_open(self, context: MarkdownContext, token: Token) -> None:
        style = context.console.get_style("markdown.link", default="none")
        number = token.meta.get("number")
        if self.link_action and number is not None:
            style += Style(meta={"@click": self.link_action.format(number)})
        context.enter_style(style)

    def _link_close(self, context: MarkdownContext, token: Token) -> None:
        context.leave_style()
        number, url, text = (token.meta.get(key) for key in ("number", "url", "text"))
        if number is None:
            return
        label_style = context.console.get_style("markdown.link_url", default="none")
        label = f" [{number}]"
        if not is_article_url(str(url)) and url != text:
            label += f" ({url})"
        context.enter_style(label_style)
        context.on_text(label, "text")
        context.leave_style()


class _Walk:
    """What the walk over an answer's tokens carries from one token to the next."""

    __slots__ = ("new_line", "script")

    def __init__(self) -> None:
        self.new_line = False  # a blank line before the next block
        self.script: tuple[str, list[str]] | None = None  # inside <sub> or <sup>


def _flatten(tokens: Iterable[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.children and not (token.tag == "img" or token.type == "fence"):
            yield from _flatten(token.children)
        else:
            yield token


# Rich's element classes this module relies on, named so that an upgrade that drops one
# fails at import rather than at render time.
_RICH_ELEMENTS = (
    BlockQuote,
    Heading,
    HorizontalRule,
    ImageItem,
    ListElement,
    ListItem,
    Paragraph,
    TableBodyElement,
    TableDataElement,
    TableElement,
    TableHeaderElement,
    TableRowElement,
)
