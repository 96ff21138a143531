"""A strict reader for the machine-written front matter of real libraries: a quarter of the
CPU time of ``yaml.load`` with ``CSafeLoader`` on them, half that of the event loader.

Every published article's front matter has one shape (see ``ARTICLE-FORMAT.md``): ``key:
value`` lines, plain one-line values, ``>-`` folded values written on one or more lines of
one indentation, and one level of nested mappings (``seo``, ``related_articleN``). For that
shape :func:`fast_front_matter` returns exactly what ``yaml.load(text,
Loader=yaml.CSafeLoader)`` returns; for anything else (quotes, anchors, tags, comments, flow
collections, lists, other block scalars, blank lines, tabs, control characters, duplicate
keys, deeper nesting...) it declines with ``None`` and the full parser reads the file.

It declines too where ``yaml.load`` and qtreader's own event loader
(:func:`qtreader.library.yaml_front.load_front_matter`) disagree: a plain value that YAML
reads as a number, date, boolean or null in a field without a type. So whichever of the two
would read a file, an accepted file gives the same article.

PyYAML itself is imported only for a plain value that may be no text (:func:`_is_text`):
loading it is a tenth of a whole ``qtreader show``.
"""

from __future__ import annotations

import datetime
import re
from functools import cache
from typing import Any

__all__ = ["TYPED_FIELDS", "fast_front_matter"]

#: The fields whose plain values keep the type YAML gives them (at any level); qtreader's
#: event loader keeps every other plain value as text.
TYPED_FIELDS = frozenset({"id", "date", "score", "no_index"})

#: One entry of a mapping: its indentation, key, and value: a ``>-`` folded block (its lines,
#: and their indentation), a plain scalar on the rest of the line, or nothing (a nested
#: mapping follows, or the value is empty). Or else, the last group: a line that is none of
#: these, so that the entries found cover the whole text. libyaml refuses keys over 1024
#: characters.
_ENTRIES = re.compile(
    r"( *)([A-Za-z_][A-Za-z0-9_]{0,63}):"
    r"(?: >-\n(( +)[^ \n][^\n]*\n(?:\4[^ \n][^\n]*\n)*)"
    r"| ([^\n]+)\n"
    r"|\n)"
    r"|([^\n]+\n?|\n)"
)
#: A plain scalar that YAML reads to the end of its line, as written: it starts with no
#: indicator (a ``-`` only before a digit), holds no ``": "`` (a key) nor ``" #"`` (a
#: comment), and ends in no space (trimmed) nor colon.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_CONSTANTS: dict[str, Any] = {
    **{word: True for word in "yes Yes YES true True TRUE on On ON".split()},
    **{word: False for word in "no No NO false False FALSE off Off OFF".split()},
    **{word: None for word in ("~", "null", "Null", "NULL")},
}
#: Longer front matter is declined: each entry is at most three YAML nodes (key, value, or
#: key and nested mapping), so this many stay under the event loader's node budget (5000),
#: past which it refuses the article.
_MAX_ENTRIES = 1600


def fast_front_matter(text: str) -> dict[str, Any] | None:
    """The front matter ``text`` as ``yaml.load`` with ``CSafeLoader`` reads it, or ``None``
    when it is not in the regular machine-written shape (one flat loop over the entries,
    in order)."""
    typed_fields, resolved_first, text_keys = TYPED_FIELDS, _RESOLVED_FIRST, _TEXT_KEYS
    indicators = _INDICATORS
    entries = _ENTRIES.findall(text, 1 if text.startswith("\n") else 0)  # after the ---
    if not entries or len(entries) > _MAX_ENTRIES:
        return None
    top: dict[str, Any] = {}
    into = top
    indent = 0  # of the keys of ``into``: 0, or a nested mapping's
    pending = ""  # a top-level key with no value on its line
    for spaces, key, block, depth, plain, other in entries:
        if other:
            return None
        level = len(spaces)
        if pending:
            if level:  # the pending key's value is a mapping: this is its first key
                into = top[pending] = {}
                indent = level
            elif pending not in typed_fields:
                return None  # empty: YAML's null, but the event loader's "" in this field
            pending = ""
        elif level != indent:
            if level:
                return None
            into, indent = top, 0  # the nested mapping ended
        if key in into:
            return None
        if key not in text_keys:
            if key[0] in resolved_first and not _is_text(key):
                return None
            if len(text_keys) < 1000:
                text_keys.add(key)
        if block:
            if len(depth) <= level:
                return None
            if block.count("\n") == 1:
                value: Any = block[len(depth) : -1]
            else:
                width = len(depth)
                value = " ".join(line[width:] for line in block[:-1].split("\n"))
            if not value.isprintable():
                return None
        elif plain:
            first = plain[0]
            if (
                (first in indicators and not (first == "-" and plain[1:2].isdigit()))
                or ": " in plain
                or " #" in plain
                or plain[-1] in ": "
                or not plain.isprintable()
            ):
                return None
            value = plain
            if first in resolved_first:  # perhaps no text: YAML's resolver decides
                if key in typed_fields:  # the usual forms first, then any other
                    value = _typed(plain)
                    if value is _DECLINED:
                        if not _is_text(plain):
                            return None
                        value = plain
                elif not _is_text(plain):
                    return None
        elif level:  # empty: a nested mapping holds no deeper one (a deeper line fails)
            if key not in typed_fields:
                return None
            value = None
        else:
            pending = key
            into[key] = None  # its place in the order of keys, and null unless a mapping
            continue
        into[key] = value
    if pending and pending not in typed_fields:
        return None
    return top


#: Keys already seen to be text in YAML (a few dozen in real libraries).
_TEXT_KEYS: set[str] = set()


#: What :func:`_typed` returns for a value in none of its forms (``None`` is a value).
_DECLINED: Any = object()


def _typed(value: str) -> Any:
    """The value of a plain scalar in a typed field, in the forms machine-written files
    use (a decimal integer, a decimal fraction, a date, a boolean or null word)."""
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    if value in _CONSTANTS:
        return _CONSTANTS[value]
    date = _DATE.fullmatch(value)
    if date is not None:
        try:
            return datetime.date(int(date[1]), int(date[2]), int(date[3]))
        except ValueError:
            return _DECLINED  # yaml.load raises
    return _DECLINED


#: The first characters of the plain values YAML 1.1 may read as something other than text:
#: those of PyYAML's table of implicit resolvers (a test holds the two the same), written out
#: so that the table, and PyYAML, are loaded only when a value may be one.
_RESOLVED_FIRST = frozenset("yYnNtTfFoO0123456789+-.~<=!&*")
#: Every character of the plain values YAML 1.1 reads as no text, by their first: a letter
#: starts a boolean or null word (``yes``, ``Off``, ``NULL``), a digit, sign or point a
#: number or a timestamp (``0x1F``, ``-.inf``, ``1_000``, ``2001-12-14 21:59:43.10 -5``).
#: A value holding any other character is certainly text (``title``, ``The cell``, ``3D
#: printing``), which is how nearly every value is known to be text without the table.
_WORD_CHARACTERS = frozenset("yesnotrufalYESNOTRUFAL")
_NUMBER_CHARACTERS = frozenset("0123456789+-_.: \tabcdefABCDEFxinINtTZ")
_CHARACTERS = {
    **dict.fromkeys("yYnNtTfFoO", _WORD_CHARACTERS),
    **dict.fromkeys("0123456789+-.", _NUMBER_CHARACTERS),
}


def _is_text(value: str) -> bool:
    """Whether YAML reads the plain scalar ``value`` (its first character one of
    :data:`_RESOLVED_FIRST`) as a string."""
    characters = _CHARACTERS.get(value[0])
    if characters is not None and not characters.issuperset(value):
        return True
    return _not_text(value[0]).match(value) is None


@cache
def _not_text(first: str) -> re.Pattern[str]:
    """What YAML 1.1 reads as no text among the plain scalars starting with ``first``:
    PyYAML's patterns for it, in one."""
    import yaml

    patterns = yaml.CSafeLoader.yaml_implicit_resolvers.get(first, [])
    return re.compile(
        "|".join(f"(?{'x' if p.flags & re.VERBOSE else ''}:{p.pattern})" for _t, p in patterns)
        or "(?!)"  # none: never
    )
