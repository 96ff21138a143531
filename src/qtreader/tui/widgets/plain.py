"""Text from articles, file names, paths and config values reaches widgets as data.

Textual parses a ``str`` handed to most widgets as content markup: a title holding ``[/x]``
raises ``MarkupError``, ``[@click=...]`` runs an action when clicked, ``[link=...]`` sends
an OSC 8 hyperlink and ``Notes [draft]`` shows as ``Notes``. Every surface of the UI takes
such text through :func:`data` (or builds a Rich ``Text`` / Textual ``Content``, which
are never parsed); ``tests/test_plain_text.py`` reads the UI's source and fails on any
other text where markup would be parsed. Notifications are covered by
``QTReaderApp.notify``, which never parses markup, and tree labels by
``SubjectTree.process_label``.
"""

from __future__ import annotations

import re
from typing import cast

from rich.text import Text
from textual.content import Content
from textual.fuzzy import Matcher

__all__ = ["cell", "data", "highlight", "palette_help", "visible_controls"]

#: Control characters a terminal would obey (ESC starts a sequence, C1 codes, bidi
#: overrides reorder what follows), all but newline and tab.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """``text`` with each control character shown as its escape (``\\x1b``, ``\\u202e``)."""
    if text.isprintable() or not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)


def data(text: str | Text | Content, style: str = "") -> Content:
    """``text`` as content shown exactly as written (``style`` over all of it): a ``str``
    is never parsed as markup, and no control character reaches the terminal."""
    if isinstance(text, Content):
        content = text
    elif isinstance(text, Text):
        content = Content.from_rich_text(text)
    else:
        content = Content(visible_controls(text))
    return content.stylize(style) if style else content


def cell(text: str, style: str = "") -> Text:
    """``text`` as a Rich ``Text`` for a cell of a Rich ``Table`` (which parses a ``str``
    cell as markup, and lays out ``Content`` without wrapping it)."""
    return Text(visible_controls(text), style=style)


def palette_help(text: str) -> str:
    """The help line of a command palette hit. Textual parses a ``str`` help as markup
    and leaves ``Content`` as it is; ``Hit.help`` is typed ``str``, hence the cast."""
    return cast(str, data(text))


def highlight(matcher: Matcher, candidate: str) -> Content:
    """``candidate`` with the letters ``matcher`` matched in reverse video, as
    ``Matcher.highlight`` does but without parsing ``candidate`` as markup."""
    content = data(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if score and content.plain == candidate:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
