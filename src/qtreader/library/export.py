"""What ``qtreader export`` writes, as data: which articles, under which subject, and the
Markdown files. No Rich, no Textual; the Anki deck is drawn in :mod:`qtreader.render.anki`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qtreader.library.decode import clean_text
from qtreader.library.store import AnswerUnavailable, Library

if TYPE_CHECKING:
    from qtreader.library.models import Article

__all__ = [
    "ExportError",
    "ExportItem",
    "NotesSource",
    "anki_tags",
    "folder_name",
    "markdown_document",
    "markdown_files",
    "matching_subjects",
    "select_articles",
    "stable_id",
]

#: The user's own note on an article, or None: the Markdown export adds it under "My
#: notes" (``qtreader export markdown`` gives the notes of the reading state).
NotesSource = Callable[["Article"], str | None]


class ExportError(Exception):
    """A choice that selects nothing usable (an unknown subject); the message says which."""


@dataclass(frozen=True)
class ExportItem:
    """One article to export, under the subject it is filed in for this export."""

    article: Article
    subject: str


def matching_subjects(library: Library, name: str) -> list[str]:
    """Subject names for ``--subject name``: the exact one in any case, else every subject
    starting with it (as ``search --subject``). Raises :class:`ExportError` if none."""
    found = [subject.name for subject in library.subjects_matching(name)]
    if not found:
        known = ", ".join(s.name for s in library.subjects) or "none"
        raise ExportError(f"no subject {name!r} in this library (subjects: {known})")
    return found


def select_articles(
    library: Library, *, subject: str | None = None, only_ids: Iterable[int] | None = None
) -> list[ExportItem]:
    """The articles to export, each once: those of the subjects matching ``subject``, else
    those whose id is in ``only_ids`` (bookmarks), else all. A cross-listed article is filed
    under the first of its subjects that was chosen; ordered by subject, then title."""
    items: list[ExportItem] = []
    if subject is not None:
        seen: set[int] = set()
        for name in matching_subjects(library, subject):
            for article in library.articles_in(name):
                if article.id not in seen:
                    seen.add(article.id)
                    items.append(ExportItem(article, name))
        return items
    wanted = None if only_ids is None else set(only_ids)
    for article in library.articles():
        if (wanted is None or article.id in wanted) and article.listings:
            first = library.subject(article.subjects[0])  # as the library spells it
            items.append(ExportItem(article, first.name if first else article.subjects[0]))
    items.sort(key=lambda item: (item.subject.casefold(), item.article.title.casefold()))
    return items


def answers(
    library: Library, items: Iterable[ExportItem], problem: Callable[[str], None]
) -> Iterator[tuple[ExportItem, str]]:
    """Each item with its decoded answer; one whose file went or no longer parses is
    reported through ``problem`` and left out, never hiding the others."""
    for item in items:
        try:
            yield item, clean_text(library.answer(item.article.id))
        except AnswerUnavailable as error:
            problem(f"{error}; left out")


# Stable ids -------------------------------------------------------------------------------


def stable_id(text: str) -> int:
    """A positive id derived from ``text`` alone, so that a second export names the same
    Anki model and decks. In [2**30, 2**31) as genanki advises for ids chosen by hand."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def anki_tags(keywords: Iterable[str]) -> list[str]:
    """Keywords as Anki tags: a tag cannot hold spaces, so words are joined with ``_``;
    empty ones dropped, duplicates (in any case) kept once."""
    tags: list[str] = []
    seen: set[str] = set()
    for keyword in keywords:
        tag = "_".join(clean_text(keyword).split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


# Markdown files ---------------------------------------------------------------------------

#: Characters that would act as Markdown or HTML in a heading or list item made of text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def _text(text: str) -> str:
    """Article text (a question, a title) as Markdown that shows it as it is, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(clean_text(text).split()))


def folder_name(text: str, fallback: str) -> str:
    """A file or folder name made of ``text``: lower case letters (any script), digits and
    dashes (no separator, no dot-only name can reach the file system)."""
    name = re.sub(r"[\W_]+", "-", clean_text(text).casefold()).strip("-")
    return name or fallback


def markdown_files(items: Iterable[ExportItem]) -> dict[int, Path]:
    """Each article's file, relative to the export folder: ``subject/slug.md``. A name taken
    twice in one folder gets the article id added."""
    paths: dict[int, Path] = {}
    taken: set[Path] = set()
    for item in items:
        folder = folder_name(item.subject, "subject")
        stem = folder_name(item.article.slug, str(item.article.id))
        path = Path(folder, f"{stem}.md")
        if path in taken:
            path = Path(folder, f"{stem}-{item.article.id}.md")
        taken.add(path)
        paths[item.article.id] = path
    return paths


def markdown_document(
    item: ExportItem,
    answer: str,
    paths: dict[int, Path],
    notes: NotesSource | None = None,
) -> str:
    """An article as a readable Markdown file: the question as heading, the subject and
    date, the decoded answer, the related articles (linked when they are exported too) and
    the user's notes when there are any."""
    article = item.article
    here = paths.get(article.id, Path(folder_name(item.subject, "subject"), "x.md"))
    date = article.date.isoformat() if article.date else "undated"
    parts = [f"# {_text(article.question or article.title)}", f"*{_text(item.subject)} · {date}*"]
    parts.append(answer.strip())
    if article.related:
        lines = []
        for link in article.related:
            title = _text(link.title)
            target = paths.get(link.id)
            if target is not None:
                relative = Path("..", target) if target.parent != here.parent else Path(target.name)
                lines.append(f"- [{title}](<{relative.as_posix()}>) ({_text(link.subject)})")
            else:
                lines.append(f"- {title} ({_text(link.subject)})")
        parts.append("## Related\n\n" + "\n".join(lines))
    own = notes(article) if notes is not None else None
    if own and own.strip():
        parts.append("## My notes\n\n" + clean_text(own).strip())
    return "\n\n".join(parts) + "\n"
