"""The models that looking up one article never builds: a file as parsed, a problem, a
search hit, a subject. Import them from :mod:`qtreader.library.models`, which creates them on first
use (see there why).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path


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
    ``snippet``."""

    id: int
    title: str
    subject: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    no_index: bool
