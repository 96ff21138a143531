"""The things a library is made of: plain frozen data, no I/O, no Rich, no Textual."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

#: What an article id can be: the integers SQLite holds (64-bit); binding a larger one
#: raises OverflowError. Parsing refuses an article with another id.
ARTICLE_IDS = range(-(2**63), 2**63)


def is_article_id(value: object) -> bool:
    """Whether ``value`` is an int that can be an article id (see :data:`ARTICLE_IDS`)."""
    return isinstance(value, int) and value in ARTICLE_IDS


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """A related article as the reader shows it: ``available`` is false for a dangling link."""

    id: int
    title: str
    subject: str
    url: str
    available: bool


@dataclass(frozen=True, slots=True)
class Listing:
    """Where an article is listed: one subject, with that listing's url and file."""

    subject: str
    url: str
    path: Path


@dataclass(frozen=True, slots=True)
class Article:
    """One article of the library, listed under one or more subjects.

    The answer is not held here: :meth:`qtreader.library.store.Library.answer` reads it, so that a
    catalog of tens of thousands of articles stays small.
    """

    id: int
    title: str
    question: str
    slug: str
    date: datetime.date | None
    keywords: tuple[str, ...]
    description: str
    score: float | None
    no_index: bool
    listings: tuple[Listing, ...]
    related: tuple[RelatedLink, ...]

    @property
    def subjects(self) -> tuple[str, ...]:
        """Display names of the subjects the article is listed under."""
        return tuple(listing.subject for listing in self.listings)

    @property
    def url(self) -> str:
        """The url of the first listing."""
        return self.listings[0].url

    @property
    def path(self) -> Path:
        """The file of the first listing."""
        return self.listings[0].path


def subject_key(name: str) -> str:
    """The identity of a subject: its name without regard to case or spacing."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Problem:
    """A file the store could not load as it stands, and why."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A related-article link as one file states it."""

    id: int
    title: str
    subject: str
    url: str


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """One article file as parsed: the fields of its front matter, cleaned and decoded.

    Several files may carry the same id (cross-listing); the store merges them into one
    :class:`~qtreader.library.models.Article`.
    """

    path: Path
    id: int
    subject: str
    title: str
    question: str
    answer: str
    date: datetime.date | None
    keywords: tuple[str, ...]
    description: str
    slug: str
    url: str
    score: float | None
    no_index: bool
    related: tuple[LinkRecord, ...]
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject: one per case-insensitive name, shown with its most common spelling."""

    name: str
    key: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: ``highlights`` are (start, end) spans of matched words in
    ``snippet``; ``in_note``: found by the user's note, whose words the snippet shows."""

    id: int
    title: str
    subject: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    no_index: bool
    in_note: bool = False
