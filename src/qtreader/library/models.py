"""The things a library is made of. Plain frozen data: no I/O, no Textual.

Every model is imported from here. A frozen dataclass costs about half a millisecond to
create (Python 3.11 compiles six methods for each with ``exec``), and a lookup such as
``qtreader show`` builds only an :class:`Article` with its :class:`Listing` and
:class:`RelatedLink` rows: those are defined here. The others, :class:`ArticleFile`,
:class:`LinkRecord`, :class:`Problem`, :class:`SearchHit` and :class:`Subject`, are defined in
:mod:`qtreader.library._models_deferred` and created when first imported from here; modules that
import this one at start-up import those inside the functions that use them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qtreader.library._models_deferred import ArticleFile as ArticleFile
    from qtreader.library._models_deferred import LinkRecord as LinkRecord
    from qtreader.library._models_deferred import Problem as Problem
    from qtreader.library._models_deferred import SearchHit as SearchHit
    from qtreader.library._models_deferred import Subject as Subject

_DEFERRED = frozenset({"ArticleFile", "LinkRecord", "Problem", "SearchHit", "Subject"})


def __getattr__(name: str) -> object:
    """The models of :mod:`qtreader.library._models_deferred`, created on first use."""
    if name in _DEFERRED:
        from qtreader.library import _models_deferred

        return getattr(_models_deferred, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
