"""A decoded answer as HTML, for the Anki export: Markdown by markdown-it (tables, code
blocks kept), math left to MathJax as ``\\(...\\)`` and ``\\[...\\]``.

Formulas are found with the decoder's own finder (:func:`qtreader.library.decode.math_spans`,
never inside code), set aside before Markdown (so ``_`` and ``*`` in TeX stay TeX) and put
back HTML-escaped. Raw HTML in an answer is shown as text, never passed on as markup.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt

from qtreader.library.decode import clean_text, math_spans

__all__ = ["answer_html", "text_html"]

# Private-use characters around a formula's number: Markdown leaves them alone.
_OPEN, _CLOSE = "\ue100", "\ue101"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "html": False escapes raw HTML; markdown-it also refuses javascript: links.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def text_html(text: str) -> str:
    """Article text (a question, a subject) as HTML that shows it as it is."""
    return html.escape(clean_text(text))


def answer_html(markdown: str) -> str:
    """The answer's Markdown as HTML with MathJax delimiters around each formula."""
    markdown = clean_text(markdown).replace(_OPEN, "").replace(_CLOSE, "")
    formulas: list[str] = []
    out: list[str] = []
    position = 0
    for span in math_spans(markdown):
        if span.start < position:
            continue
        body = markdown[span.body_start : span.body_end].strip()
        opening, closing = ("\\[", "\\]") if span.display else ("\\(", "\\)")
        formulas.append(f"{opening}{html.escape(body, quote=False)}{closing}")
        out.append(markdown[position : span.start])
        out.append(f"{_OPEN}{len(formulas) - 1}{_CLOSE}")
        position = span.end
    out.append(markdown[position:])
    rendered = _parser().render("".join(out))
    return _PLACEHOLDER.sub(lambda m: formulas[int(m.group(1))], rendered).strip()
