"""What people type into search, turned into an FTS5 query that cannot be a syntax error.

Words must all match (the index stems them: ``reactions`` finds ``reaction``); ``"a
phrase"`` matches in order; ``word*`` matches a prefix of three letters or more (a shorter
one is refused: :class:`QueryError`); ``subject:name`` (or ``subject:"two words"``) keeps
one subject; ``note:word`` (or ``note:"a phrase"``, ``note:prefix*``) keeps the articles
whose note, the user's own, holds it.

A student types questions: ``what is the difference between mitosis and meiosis``,
``mitosis vs meiosis``. Words that only join or ask (:data:`STOP_WORDS`: ``vs``, ``and``,
``or``, ``not``, ``what``, ``the``...) are left out, unless the query has nothing else;
words that ask for a kind of answer (:data:`SOFT_WORDS`: ``difference``, ``explain``...)
need not match but rank what holds them higher. A number and its Roman numeral are one:
``world war 1`` finds ``World War I`` (as a phrase with the word before it), ``2nd`` finds
``second``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["QueryError", "SearchQuery", "parse_query"]

#: Letters a prefix* needs: shorter ones would match much of a library, slowly.
MIN_PREFIX = 3

#: Left out of the query: they join or ask, and an article rarely holds them as a topic.
#: FTS5's operators are among them, so ``and``/``or``/``not`` typed in any case are words.
STOP_WORDS = frozenset(
    """a an the of in on at to for by with from into onto about as and or not nor but vs
    versus v is are was were be been being am do does did doing done what whats how why
    when where which who whom whose it its this that these those there their they them
    can could should would will shall may might must i me my we our you your he she his
    her if so than then also between does don doesn didn isn aren wasn weren won cannot
    some any all much many""".split()
)
#: Need not match, but rank higher what holds them: how a question asks, not its topic.
SOFT_WORDS = frozenset(
    """difference differences different differ compare compared comparison contrast
    explain explained describe define definition meaning mean means tell please work
    works example examples overview""".split()
)

_ROMAN = "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split()
#: Roman numeral to number and back, 1 to 20. ``v`` and ``x`` alone are letters far more
#: often than numerals (``mitosis v meiosis``, ``x axis``): never read as numbers.
_NUMBER_OF = {roman: str(n) for n, roman in enumerate(_ROMAN, 1) if roman not in ("v", "x")}
_ROMAN_OF = {number: roman for roman, number in _NUMBER_OF.items()}
_ORDINALS = dict(
    zip(
        "1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th".split(),
        "first second third fourth fifth sixth seventh eighth ninth tenth".split(),
        strict=True,
    )
)
_ORDINALS.update({word: number for number, word in list(_ORDINALS.items())})

_TOKEN = re.compile(r'(?i)(subject|note):"([^"]*)"?|(subject|note):(\S+)|"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
#: The end of a contraction or possessive (``Newton's``, ``don't``): not a word of its own.
_CLITIC = re.compile(r"(?<=\w)['\u2019](?:s|t|d|ll|re|ve|m)\b", re.IGNORECASE)


class QueryError(ValueError):
    """Search text that cannot mean what it says (a prefix* of fewer than three letters)."""


class SearchQuery(NamedTuple):
    """A parsed search."""

    #: The FTS5 match expression: every required term, and the soft ones for ranking
    #: (empty when only filters were given).
    match: str
    #: The subject names asked for.
    subjects: tuple[str, ...]
    #: The required terms alone: what the question or title must hold to rank first.
    required: str = ""
    #: The words to mark in a result (lower case; a prefix ends with ``*``).
    words: tuple[str, ...] = ()
    #: Each two words typed next to each other, as phrases OR'ed (empty if none): a
    #: question or title holding one of them is about what was asked, not only near it
    #: ("light reactions", not "light-independent reactions").
    pairs: str = ""
    #: The FTS5 match expression a note must satisfy (``note:`` filters, every one of
    #: them), or empty when none was given.
    note: str = ""


def _quoted(text: str) -> str:
    return '"' + text + '"'


def parse_query(text: str) -> SearchQuery:
    """Parse search text; every term is quoted, so FTS5 operators in it are just words.

    Raises :class:`QueryError` for a prefix* shorter than :data:`MIN_PREFIX` letters.
    """
    subjects: list[str] = []
    notes: list[str] = []  # FTS5 terms a note must hold
    items: list[tuple[str, str | None]] = []  # (FTS5 term, the word if a plain word)
    marks: list[str] = []
    for quoted_name, quoted, name, value, phrase, word in _TOKEN.findall(text):
        if quoted_name.lower() == "subject" or name.lower() == "subject":
            subjects.append((quoted or value).replace("-", " ").strip())
        elif quoted_name:  # note:"a phrase": its words in order
            words = _WORD.findall(quoted)
            if words:
                notes.append(_quoted(" ".join(words)))
        elif name:  # note:word, note:prefix*; every word counts, stop words too
            notes.extend(term for term, _word in _words(value))
        elif phrase:
            words = _WORD.findall(phrase)
            if words:
                items.append((_quoted(" ".join(words)), None))
                marks.extend(w.lower() for w in words)
        elif word:
            for term, plain in _words(word):
                items.append((term, plain))
                if plain is None:
                    marks.append(term.strip('"*').lower() + "*")
    required, soft, plain_marks, pairs = _terms(items)
    marks.extend(plain_marks)
    if not required:
        required, soft = soft, []
    if not required:  # only stop words: they are what was asked for
        required = [_quoted(w) for _, w in items if w is not None]
        marks.extend(w for _, w in items if w is not None)
    # Explicit ANDs: FTS5 reads no implicit AND next to a parenthesised group.
    match = " AND ".join(required)
    if soft and required:
        match += " AND (" + " OR ".join([*soft, required[0]]) + ")"
    # "i" stands for 1 only after a word: marking it alone would mark every "I".
    shown = tuple(dict.fromkeys(m for m in marks if m != "i"))
    return SearchQuery(
        match,
        tuple(s for s in subjects if s),
        " AND ".join(required),
        shown,
        " OR ".join(pairs),
        " AND ".join(notes),
    )


def _words(word: str) -> list[tuple[str, str | None]]:
    """The FTS5 terms of one typed word (``Newton's`` is ``newton``, ``x-ray`` two words),
    each with its lower-case form, or ``None`` for the last of a ``prefix*``.

    Raises :class:`QueryError` for a prefix* shorter than :data:`MIN_PREFIX` letters.
    """
    prefix = word.endswith("*")
    parts = _WORD.findall(_CLITIC.sub("", word))
    if prefix and (not parts or len(parts[-1]) < MIN_PREFIX) and word.strip("*"):
        raise QueryError(
            f"{word!r}: a prefix* needs {MIN_PREFIX} letters or more "
            f"(type the whole word to search for it)"
        )
    return [
        (_quoted(part) + "*", None)
        if prefix and n == len(parts) - 1
        else (_quoted(part), part.lower())
        for n, part in enumerate(parts)
    ]


def _terms(
    items: list[tuple[str, str | None]],
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Required and soft FTS5 terms, the words to mark, and the phrases of each two
    required words typed next to each other, of the items parsed.

    A numeral after a word makes a phrase with it, in both spellings (``"war 1" OR "war
    i"``): alone, ``i`` would match every "I" of every answer.
    """
    required: list[str] = []
    soft: list[str] = []
    marks: list[str] = []
    pairs: list[str] = []
    previous: str | None = None  # the last plain word kept as required
    for term, word in items:
        if word is None:  # a phrase or a prefix
            required.append(term)
            previous = None
            continue
        other = _ROMAN_OF.get(word) or _NUMBER_OF.get(word)
        if other is not None and previous is None and "i" in (word, other):
            other = None  # alone, "i" is the pronoun, and 1 is only 1
        if other is not None:
            marks.extend((word, other))
            if previous is not None:
                required[-1] = f'("{previous} {word}" OR "{previous} {other}")'
            else:
                required.append(f'("{word}" OR "{other}")')
            previous = None
            continue
        if word in STOP_WORDS and not word.isdigit():
            previous = None
            continue
        marks.append(word)
        if word in SOFT_WORDS:
            soft.append(term)
            continue
        ordinal = _ORDINALS.get(word)
        if ordinal is not None:
            marks.append(ordinal)
            required.append(f'("{word}" OR "{ordinal}")')
            previous = None
            continue
        required.append(term)
        if previous is not None:
            pairs.append(f'"{previous} {word}"')
        previous = word
    return required, soft, marks, pairs
