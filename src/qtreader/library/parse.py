"""Parsing one article file into an :class:`ArticleFile`, or a :class:`Problem` saying why not.

Pure functions of a file's bytes, so that a process pool can run them; nothing here raises
for bad input.
"""

from __future__ import annotations

import datetime
import re
from functools import cache
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

import yaml

from qtreader.library.decode import clean_text, decode_answer
from qtreader.library.fast_front import fast_front_matter
from qtreader.library.models import ARTICLE_IDS, ArticleFile, LinkRecord, Problem

if TYPE_CHECKING:
    from frontmatter.default_handlers import YAMLHandler

__all__ = [
    "MAX_FILE_BYTES",
    "ParseResult",
    "parse_answer",
    "parse_bytes",
    "parse_file",
    "subject_from_folder",
]

#: Files larger than this are refused: real articles are 3-8 KB, and a huge file is a mistake
#: or an attack, not an article. A 2 MB answer still loads.
MAX_FILE_BYTES = 4 * 1024 * 1024


@cache
def _handler() -> YAMLHandler:
    """python-frontmatter's YAML handler, for files not laid out in the usual way; imported
    only for them, which keeps it out of the start of ``show`` and ``search``."""
    from frontmatter.default_handlers import YAMLHandler

    return YAMLHandler()


_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_RELATED_KEYS = tuple(f"related_article{n}" for n in range(1, 6))

#: What parsing one file gives: an article (possibly with a warning about it), or a problem.
ParseResult = tuple[ArticleFile | None, Problem | None]


class _Refused(Exception):
    """The file cannot be loaded; the message says why."""


def parse_file(path: Path, root: Path) -> ParseResult:
    """Read and parse one file; never raises."""
    try:
        stat = path.stat()
        if not S_ISREG(stat.st_mode):
            # Opening a named pipe blocks until someone writes to it: never read one.
            return None, Problem(path, "not a regular file (a pipe, socket or device)")
        if stat.st_size > MAX_FILE_BYTES:
            return None, Problem(
                path,
                f"file is {stat.st_size / 1e6:.1f} MB, over the "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB limit for an article",
            )
        with path.open("rb") as handle:
            # As many bytes as stat said, plus one to see if it grew since: read(n) first
            # allocates n bytes, and a 4 MB buffer per file was a fifth of parsing one.
            data = handle.read(stat.st_size + 1)
            if len(data) > stat.st_size:  # it grew: the rest, up to the limit
                data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    except OSError as error:
        return None, Problem(path, f"cannot read: {error.strerror or error}")
    return parse_bytes(data, path, root, size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def parse_bytes(data: bytes, path: Path, root: Path, *, size: int, mtime_ns: int) -> ParseResult:
    """Parse a file's bytes; never raises."""
    warning: Problem | None = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        warning = Problem(
            path,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "shown with replacement characters",
        )
    try:
        article = _parse_text(text, path, root, size=size, mtime_ns=mtime_ns)
    except _Refused as refused:
        return None, Problem(path, str(refused))
    except RecursionError:
        return None, Problem(path, f"front matter is {_NESTED}")
    except Exception as error:
        return None, Problem(path, f"unexpected {type(error).__name__}: {error}")
    return article, warning


def parse_answer(data: bytes) -> str | None:
    """The decoded answer of a file's bytes, as :func:`parse_bytes` gives it, reading no
    other field: for the snippets of files the index parsed whole as they are now. None if
    the file gives no answer."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        meta = _read_front_matter(_front_matter(text))
        if not isinstance(meta, dict):
            return None
        return decode_answer(_required_text(meta, "answer"))
    except Exception:  # never raises, as parse_bytes: a snippet is left empty instead
        return None


def _parse_text(text: str, path: Path, root: Path, *, size: int, mtime_ns: int) -> ArticleFile:
    if not text or text.isspace():  # no stripped copy of every file
        raise _Refused("empty file")
    text = text.removeprefix("\ufeff")
    if not (text.startswith("---\n") or _handler().detect(text)):
        raise _Refused("no front matter (the file does not start with a --- line)")
    front = _front_matter(text)
    meta = _read_front_matter(front)
    if not isinstance(meta, dict):
        raise _Refused(f"front matter is {_kind(meta)}, not a mapping of fields")

    article_id = _as_id(meta.get("id"))
    if article_id is None:
        if "id" not in meta:
            raise _Refused("no id")
        raise _Refused(f"id {_show(meta['id'])} is not an integer")
    if article_id not in ARTICLE_IDS:
        raise _Refused(f"id {article_id} is out of range (ids are 64-bit integers)")
    question = _required_text(meta, "question")
    answer = decode_answer(_required_text(meta, "answer"))
    seo_value = meta.get("seo")
    seo: dict[Any, Any] = seo_value if isinstance(seo_value, dict) else {}
    # Names from the file system can hold escape sequences too.
    slug = _text(meta.get("file_name")).removesuffix(".md") or clean_text(path.stem)
    parent = path.parent
    folder = clean_text(parent.name) if parent != root else ""
    return ArticleFile(
        path=path,
        id=article_id,
        subject=_text(meta.get("subject")) or subject_from_folder(folder),
        title=_text(meta.get("title")) or question,
        question=question,
        answer=answer,  # cleaned before decoding, which adds only newlines
        date=_as_date(meta.get("date")),
        keywords=tuple(
            k for k in (p.strip() for p in _text(seo.get("page_keywords")).split(",")) if k
        ),
        description=_text(seo.get("page_description")),
        slug=slug,
        url=_text(meta.get("url")) or f"/learn/{folder or 'library'}/questions/{slug}",
        score=_as_float(meta.get("score")),
        no_index=meta.get("no_index") is True,
        related=_related(meta, article_id),
        size=size,
        mtime_ns=mtime_ns,
    )


def _read_front_matter(front: str) -> Any:
    """The fields of a front matter; raises :class:`_Refused` if it is no YAML.

    Nearly every real file is machine-written in one regular shape, which the strict reader
    of that shape reads in a fraction of YAML's time; it declines the rest, which YAML reads.
    """
    meta = fast_front_matter(front)
    if meta is not None:
        return meta
    try:
        return load_front_matter(front)
    except yaml.YAMLError as error:
        if not _RAW_CONTROL.search(front):
            raise _Refused(_yaml_reason(error)) from None
    # YAML refuses control bytes anywhere in a stream; they are noise in text, so drop
    # them (with any escape sequence they start) rather than lose the article.
    try:
        return load_front_matter(clean_text(front))
    except yaml.YAMLError as error:
        raise _Refused(_yaml_reason(error)) from None


def _front_matter(text: str) -> str:
    """The front matter of a file that starts with a ``---`` line, as python-frontmatter's
    YAML handler splits it. The usual layout (``---`` lines on their own) is found with two
    string searches; anything else goes through the handler's own pattern."""
    end = text.find("\n---", 3)
    if text.startswith("---\n") and text[4:5] not in _BLANK and end != -1:
        line_end = text.find("\n", end + 4)
        closing = text[end + 1 : line_end if line_end != -1 else len(text)]
        if not closing.strip("-").strip():  # dashes, then nothing but blanks
            return text[3 : end + 1]
    try:
        return _handler().split(text)[0]
    except ValueError:
        raise _Refused("front matter is not closed (no second --- line)") from None


_BLANK = frozenset(" \t\r\n\f\v")

#: Node budget for one front matter: a real one has under 100 nodes; aliases can make a
#: small file stand for billions of them (an "alias bomb"), or loop.
MAX_NODES = 5000
MAX_DEPTH = 20
#: The reason for a front matter nested deeper than that: found by qtreader, or first by
#: libyaml, whose parser reads far ahead of the events and stops at its own limit.
_NESTED = f"nested more than {MAX_DEPTH} levels deep"
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "binary")
)
_TYPED_FIELDS = frozenset({"id", "date", "score", "no_index"})
_STR = "tag:yaml.org,2002:str"
#: A number YAML 1.1 reads as a float, and Python's float() reads the same way.
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")


def load_front_matter(text: str) -> Any:
    """Load front matter with PyYAML's C parser: the same result as ``yaml.load`` with
    ``CSafeLoader`` for the fields qtreader reads, in a little over half the time.

    Values are built straight from the parser's events: composing nodes and then
    constructing from them is most of ``yaml.load``'s cost on these files. Plain scalars
    stay text except in the four fields that have a type (``id``, ``date``, ``score``,
    ``no_index``), which CSafeLoader's own resolver and constructor read. The parser keeps
    its own stack, so no nesting can overflow the C stack (PyYAML's composer recurses).

    Raises ``yaml.YAMLError`` for bad YAML, for tags other than YAML's own (no Python
    objects are ever constructed), past :data:`MAX_NODES` nodes (an alias counts the nodes
    it stands for) and past :data:`MAX_DEPTH` levels.
    """
    loader = yaml.CSafeLoader(text)
    try:
        get = loader.get_event
        get()  # stream start
        if isinstance(get(), yaml.StreamEndEvent):
            return None  # empty: no document
        result = _build(loader)
        get()  # document end
        if not isinstance(get(), yaml.StreamEndEvent):
            raise yaml.YAMLError("expected a single document in the stream, found another")
        return result
    finally:
        loader.dispose()


class _Open:
    """A mapping or sequence being built, and what its next value is for."""

    __slots__ = ("anchor", "height", "is_map", "key", "keyed", "opened_at", "typed", "value")

    def __init__(self, value: Any, is_map: bool, anchor: str | None, budget: int) -> None:
        self.value = value
        self.is_map = is_map
        self.anchor = anchor
        self.opened_at = budget  # the node budget before it: its size is the difference
        self.height = 1  # levels of nesting, itself included
        self.key: Any = None
        self.keyed = False  # a mapping's key is read: its value comes next
        self.typed = False  # and that value is one of the typed fields


def _build(loader: yaml.CSafeLoader) -> Any:
    """The value of the document's one node, from the parser's events. One flat loop with
    local names: this runs for every event of every file of a cold index. What the loop
    reads at each event of the innermost open mapping or sequence (the container itself,
    its kind, its pending key) is kept in locals, and in its :class:`_Open` only while a
    container inside it is open."""
    get = loader.get_event
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    typed_fields = _TYPED_FIELDS
    budget = MAX_NODES
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> value, nodes, levels
    stack: list[_Open] = []  # the open containers, outermost first
    innermost: _Open | None = None
    container: Any = None
    is_map = keyed = typed = False
    key: Any = None
    while True:
        event: Any = get()
        kind = type(event)
        if kind is scalar_event:
            budget -= 1
            if budget < 0 or len(stack) > MAX_DEPTH:
                _over_limits(budget, len(stack))
            tag = event.tag
            if (tag is None or tag == "!") and not (typed and event.implicit[0]):
                value = event.value  # text, as written
            else:
                value = _typed_scalar(loader, event)
            if event.anchor is not None:
                _anchor(anchors, event.anchor, (value, 1, 1))
        elif kind is mapping_start or kind is sequence_start:
            budget -= 1
            if budget < 0 or len(stack) > MAX_DEPTH:
                _over_limits(budget, len(stack))
            _check_tag(event.tag)
            if innermost is not None:
                innermost.key, innermost.keyed, innermost.typed = key, keyed, typed
            is_map = kind is mapping_start
            container = {} if is_map else []
            innermost = _Open(container, is_map, event.anchor, budget + 1)
            stack.append(innermost)
            key, keyed, typed = None, False, False
            continue
        elif kind is alias_event:
            if event.anchor not in anchors:
                if any(open_.anchor == event.anchor for open_ in stack):  # of itself
                    _over_limits(budget, MAX_DEPTH + 1)
                raise yaml.YAMLError(f"found undefined alias {event.anchor!r}")
            value, nodes, height = anchors[event.anchor]
            budget -= nodes
            if budget < 0 or len(stack) + height - 1 > MAX_DEPTH:
                _over_limits(budget, len(stack) + height - 1)
            if innermost is not None:
                innermost.height = max(innermost.height, height + 1)
        else:  # the end of a mapping or sequence
            done = stack.pop()
            value = done.value
            if done.anchor is not None:
                _anchor(anchors, done.anchor, (value, done.opened_at - budget, done.height))
            if stack:
                innermost = stack[-1]
                innermost.height = max(innermost.height, done.height + 1)
                container, is_map = innermost.value, innermost.is_map
                key, keyed, typed = innermost.key, innermost.keyed, innermost.typed
            else:
                innermost = None
        if innermost is None:
            return value
        if not is_map:
            container.append(value)
        elif keyed:
            container[key] = value
            keyed = typed = False
        else:
            if not isinstance(value, str | int):
                raise yaml.YAMLError("a mapping key that is not text")
            key, keyed, typed = value, True, value in typed_fields


def _over_limits(budget: int, depth: int) -> None:
    if budget < 0:
        raise yaml.YAMLError(f"more than {MAX_NODES} YAML nodes (an alias bomb?)")
    if depth > MAX_DEPTH:
        raise yaml.YAMLError(f"YAML {_NESTED}")


def _anchor(
    anchors: dict[str, tuple[Any, int, int]], name: str, entry: tuple[Any, int, int]
) -> None:
    if name in anchors:
        raise yaml.YAMLError(f"found duplicate anchor {name!r}")
    anchors[name] = entry


def _check_tag(tag: str | None) -> None:
    if tag is not None and tag != "!" and tag not in _CORE_TAGS:
        raise yaml.YAMLError(f"YAML tag {tag} is not allowed")


def _typed_scalar(loader: yaml.CSafeLoader, event: Any) -> Any:
    """A scalar with a tag, or a plain one in a typed field (resolved as YAML would).

    A value YAML cannot construct (a date that does not exist, ``!!int x``) stays text,
    where ``yaml.load`` raises: the field is then reported or ignored on its own, and the
    rest of the article still loads."""
    tag = event.tag
    value = event.value
    try:
        if tag is None or tag == "!":
            # The two forms of nearly every typed field, read as YAML 1.1 reads them: a
            # decimal id (a leading 0 would make it octal) and a date. The rest go through
            # the resolver.
            if value.isdigit() and value.isascii() and (value[0] != "0" or value == "0"):
                return int(value)
            if len(value) == 10 and value[4] == value[7] == "-" and value.isascii():
                year, month, day = value[:4], value[5:7], value[8:]
                if year.isdigit() and month.isdigit() and day.isdigit():
                    return datetime.date(int(year), int(month), int(day))
            if _PLAIN_DECIMAL.fullmatch(value):  # the score, -1.0 in most files
                return float(value)
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        _check_tag(tag)
        if tag == _STR:
            return value
        return loader.construct_object(yaml.ScalarNode(tag, value, style=event.style))
    except ValueError:
        return value


def subject_from_folder(folder: str) -> str:
    """A display subject for a folder slug: ``computer-science`` gives ``Computer Science``."""
    words = folder.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] for word in words) or "Unsorted"


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if "could not determine a constructor" in str(problem) or "tag" in str(problem):
        problem = f"{problem} (YAML tags are not allowed)"
    elif "nesting depth" in str(problem):  # libyaml's own limit (1000 levels)
        problem = f"YAML {_NESTED}"
    where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark is not None else ""
    return clean_text(f"YAML error{where}: {problem}")


def _required_text(meta: dict[Any, Any], field: str) -> str:
    value = meta.get(field)
    if value is None:
        raise _Refused(f"no {field}")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Refused(f"{field} is {_kind(value)}, not text")
    text = clean_text(str(value)).strip()
    if not text:  # blank, or nothing but control characters ("\e" in YAML)
        raise _Refused(f"no {field}")
    return text


def _text(value: object) -> str:
    if isinstance(value, str):
        return clean_text(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _as_id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _related(meta: dict[Any, Any], article_id: int) -> tuple[LinkRecord, ...]:
    """The related links in the order listed, each article once and never the article
    itself: 16% of real files list one article twice, and the reader, ``show`` and JSON
    all number what is left 1..k."""
    seen = {article_id}
    links = []
    for key in _RELATED_KEYS:
        link = _as_link(meta.get(key))
        if link is not None and link.id not in seen:
            seen.add(link.id)
            links.append(link)
    return tuple(links)


def _as_link(value: object) -> LinkRecord | None:
    if not isinstance(value, dict):
        return None
    link_id = _as_id(value.get("id"))
    if link_id is None:
        return None
    return LinkRecord(
        id=link_id,
        title=_text(value.get("title")) or f"Article {link_id}",
        subject=_text(value.get("subject")),
        url=_text(value.get("url")),
    )


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"a single {type(value).__name__} value"


def _show(value: object) -> str:
    shown = clean_text(repr(value))
    return shown if len(shown) <= 40 else shown[:37] + "..."
