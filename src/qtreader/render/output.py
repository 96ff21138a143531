"""Output of the shell commands: Rich in a terminal, plain text in a pipe, through a pager
when an article is longer than the screen. No Textual here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, NamedTuple, TextIO

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from qtreader.render.lines import LaidOutRule, LaidOutText

if TYPE_CHECKING:
    from qtreader.library.models import Article, LinksBothWays, RelatedLink, SearchHit, Subject

__all__ = [
    "SIMILAR_NUMBERS",
    "OutputOptions",
    "article_markdown",
    "article_renderable",
    "emit",
    "hits_renderable",
    "subjects_renderable",
]

#: The numbers (and keys, in the reader) of the similar articles: after related 1-5, and
#: always the same, so that 6 is the first similar article however many are related.
SIMILAR_NUMBERS = ("6", "7", "8", "9", "0")

Format = Literal["rich", "plain", "markdown", "json"]
ColorChoice = Literal["auto", "always", "never"]


class OutputOptions(NamedTuple):
    """How a command prints: the format asked for (``None``: rich in a terminal, else
    plain), colour, width and whether a pager may be used."""

    format: Format | None = None
    color: ColorChoice = "auto"
    width: int | None = None
    pager: bool = True

    def resolved_format(self, stream: TextIO) -> Format:
        """Rich for a terminal (or when colour is forced), plain text for a pipe or a file."""
        if self.format is not None:
            return self.format
        return "rich" if self.color == "always" or stream.isatty() else "plain"

    def console(self, stream: TextIO) -> Console:
        """A console for ``stream``: styled only for the rich format, never for plain."""
        styled = self.resolved_format(stream) == "rich"
        no_color = self.color == "never" or (self.color == "auto" and "NO_COLOR" in os.environ)
        width = self.width or (None if stream.isatty() else 80)
        if not styled:
            return Console(
                file=stream, width=width, force_terminal=False, color_system=None,
                no_color=True, highlight=False, emoji=False, markup=False,
            )  # fmt: skip
        return Console(
            file=stream,
            width=width,
            # Asked for by name (or with colour forced), styles go even into a pipe.
            force_terminal=True if self.format == "rich" or self.color == "always" else None,
            no_color=no_color,
            highlight=False,
            emoji=False,
            markup=False,
        )


def article_markdown(article: Article, answer: str) -> str:
    """An article as Markdown, its question the heading: what ``show --format markdown``
    prints and what the reader's ``y`` copies."""
    return f"# {article.question}\n\n{answer}\n"


def article_renderable(
    article: Article,
    answer: str,
    subject: str | None = None,
    links: LinksBothWays | None = None,
) -> RenderableType:
    """An article as ``qtreader show`` prints it: question, facts, answer, related ids,
    and with ``links`` the articles citing it and similar ones, as the reader lists them."""
    from qtreader.render.markdown import render_answer

    subjects = [subject] if subject else []
    subjects += [s for s in article.subjects if s not in subjects]
    facts = LaidOutText(" · ".join(subjects), style="bold")
    if article.date is not None:
        facts.append(f"   {article.date:%b %d, %Y}")
    facts.append(f"   #{article.id}", "dim")
    parts: list[RenderableType] = [
        LaidOutText(article.question, style="bold reverse"),
        facts,
        LaidOutText(""),
        render_answer(answer),
    ]
    numbers = [f"{n}. " for n in range(1, len(article.related) + 1)]
    parts += _link_lines("Related", article.related, numbers)
    if links is not None:
        parts += _link_lines("Cited by", links.cited_by, ["   "] * len(links.cited_by))
        parts += _link_lines("Similar", links.similar, [f"{n}. " for n in SIMILAR_NUMBERS])
    return Group(*parts)


def _link_lines(
    heading: str, links: tuple[RelatedLink, ...], numbers: list[str]
) -> list[RenderableType]:
    """A section of links under a rule: number, id, title, subject (none if no links)."""
    if not links:
        return []
    lines: list[RenderableType] = [
        LaidOutText(""),
        LaidOutRule(heading, align="left", style="dim"),
    ]
    for number, link in zip(numbers, links, strict=False):
        line = LaidOutText(number, style="bold")
        line.append(f"{link.id:>7}  ", "dim" if not link.available else "cyan")
        line.append(link.title, "dim" if not link.available else "")
        line.append(f"  {link.subject}", "dim")
        if not link.available:
            line.append("  (not in this library)", "dim italic")
        lines.append(line)
    return lines


def hits_renderable(hits: Iterable[SearchHit]) -> RenderableType:
    """Search results: id, title, subject, and the snippet with matched words marked (of
    the user's note, when that is where they matched)."""
    lines: list[RenderableType] = []
    for hit in hits:
        head = Text(f"{hit.id:>7}  ", style="cyan")
        head.append(hit.title, "bold")
        head.append(f"  {hit.subject}", "dim")
        if hit.in_note:
            head.append("  (in your note)", "italic")
        snippet = Text(" " * 9 + hit.snippet)
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start + 9, end + 9)
        lines += [head, snippet]
    return Group(*lines)


def subjects_renderable(subjects: Iterable[Subject]) -> RenderableType:
    """Subjects with their article counts."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("subject")
    table.add_column("articles", justify="right")
    for subject in subjects:
        table.add_row(subject.name, str(subject.count))
    return table


def emit(renderable: RenderableType, options: OutputOptions, stream: TextIO | None = None) -> None:
    """Print ``renderable``. Plain text loses the padding at line ends; in a terminal, text
    taller than the screen goes through the pager (``$PAGER``, else ``less -R``) unless
    the pager is off."""
    stream = stream or sys.stdout
    console = options.console(stream)
    with console.capture() as capture:
        console.print(renderable)
    text = capture.get()
    if options.resolved_format(stream) != "rich":
        stream.write("\n".join(line.rstrip() for line in text.split("\n")))
        return
    if not (options.pager and stream.isatty()) or text.count("\n") < console.height:
        stream.write(text)
        return
    import shlex  # only to page
    import subprocess

    command = shlex.split(os.environ.get("PAGER") or "less -R")
    try:
        subprocess.run(command, input=text, text=True, check=False)
    except OSError:
        stream.write(text)
