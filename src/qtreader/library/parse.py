"""Parsing one article file into an :class:`ArticleFile`, or a :class:`Problem` saying why not.

Pure functions of a file's bytes, so that a process pool can run them; nothing here raises
for bad input.
"""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from qtreader.library.decode import clean_text, decode_answer, lazy_pattern
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


# Only for front matter YAML refused.
_raw_control = lazy_pattern(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
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
        from qtreader.library.yaml_front import NESTED

        return None, Problem(path, f"front matter is {NESTED}")
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
    of that shape reads in a fraction of YAML's time; it declines the rest, which YAML reads
    (PyYAML is imported only then).
    """
    meta = fast_front_matter(front)
    if meta is not None:
        return meta
    from qtreader.library.yaml_front import YAMLError, load_front_matter, yaml_reason

    try:
        return load_front_matter(front)
    except YAMLError as error:
        if not _raw_control().search(front):
            raise _Refused(yaml_reason(error)) from None
    # YAML refuses control bytes anywhere in a stream; they are noise in text, so drop
    # them (with any escape sequence they start) rather than lose the article.
    try:
        return load_front_matter(clean_text(front))
    except YAMLError as error:
        raise _Refused(yaml_reason(error)) from None


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


def subject_from_folder(folder: str) -> str:
    """A display subject for a folder slug: ``computer-science`` gives ``Computer Science``."""
    words = folder.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] for word in words) or "Unsorted"


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
