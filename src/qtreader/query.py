"""What people type into search, turned into an FTS5 query that cannot be a syntax error.

Words must all match; ``"a phrase"`` matches in order; ``word*`` matches a prefix of
three letters or more; ``subject:name`` (or ``subject:"two words"``) keeps one subject.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["SearchQuery", "parse_query"]

#: Letters a prefix* needs: shorter ones would match much of a library, slowly.
MIN_PREFIX = 3

_TOKEN = re.compile(r'(?i)subject:"([^"]*)"?|subject:(\S+)|"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


class SearchQuery(NamedTuple):
    """A parsed search: the FTS5 match expression (empty when only filters were given) and
    the subject names asked for."""

    match: str
    subjects: tuple[str, ...]


def parse_query(text: str) -> SearchQuery:
    """Parse search text; every term is quoted, so FTS5 operators in it are just words."""
    terms: list[str] = []
    subjects: list[str] = []
    for quoted_subject, subject, phrase, word in _TOKEN.findall(text):
        if quoted_subject or subject:
            subjects.append((quoted_subject or subject).replace("-", " ").strip())
        elif phrase:
            words = _WORD.findall(phrase)
            if words:
                terms.append('"' + " ".join(words) + '"')
        elif word:
            parts = _WORD.findall(word)
            terms.extend(f'"{part}"' for part in parts)
            if word.endswith("*") and parts and len(parts[-1]) >= MIN_PREFIX:
                terms[-1] += "*"
    return SearchQuery(" ".join(terms), tuple(s for s in subjects if s))
