"""Parsing one article file into an :class:`ArticleFile`, or a :class:`Problem` saying why not.

Pure functions of a file's bytes, so that a process pool can run them; nothing here raises
for bad input.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from qtreader.decode import clean_text, decode_answer
from qtreader.models import ArticleFile, LinkRecord, Problem

__all__ = ["MAX_FILE_BYTES", "ParseResult", "parse_bytes", "parse_file", "subject_from_folder"]

#: Files larger than this are refused: real articles are 3-8 KB, and a huge file is a mistake
#: or an attack, not an article. A 2 MB answer still loads.
MAX_FILE_BYTES = 4 * 1024 * 1024

_HANDLER = YAMLHandler()
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
            data = handle.read(MAX_FILE_BYTES + 1)
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
        return None, Problem(path, "front matter is nested too deeply")
    except Exception as error:
        return None, Problem(path, f"unexpected {type(error).__name__}: {error}")
    return article, warning


def _parse_text(text: str, path: Path, root: Path, *, size: int, mtime_ns: int) -> ArticleFile:
    if not text.strip():
        raise _Refused("empty file")
    text = text.removeprefix("\ufeff")
    if not _HANDLER.detect(text):
        raise _Refused("no front matter (the file does not start with a --- line)")
    try:
        front, _body = _HANDLER.split(text)
    except ValueError:
        raise _Refused("front matter is not closed (no second --- line)") from None
    if _RAW_CONTROL.search(front):
        # YAML refuses control bytes anywhere in a stream; they are noise in text, so drop
        # them (with any escape sequence they start) rather than lose the article.
        front = clean_text(front)
    try:
        meta = load_front_matter(front)
    except yaml.YAMLError as error:
        raise _Refused(_yaml_reason(error)) from None
    if not isinstance(meta, dict):
        raise _Refused(f"front matter is {_kind(meta)}, not a mapping of fields")

    article_id = _as_id(meta.get("id"))
    if article_id is None:
        if "id" not in meta:
            raise _Refused("no id")
        raise _Refused(f"id {_show(meta['id'])} is not an integer")
    question = _required_text(meta, "question")
    answer = decode_answer(_required_text(meta, "answer"))
    seo_value = meta.get("seo")
    seo: dict[Any, Any] = seo_value if isinstance(seo_value, dict) else {}
    # Names from the file system can hold escape sequences too.
    slug = _text(meta.get("file_name")).removesuffix(".md") or clean_text(path.stem)
    folder = clean_text(path.parent.name) if path.parent != root else ""
    return ArticleFile(
        path=path,
        id=article_id,
        subject=_text(meta.get("subject")) or subject_from_folder(folder),
        title=_text(meta.get("title")) or question,
        question=question,
        answer=clean_text(answer),
        date=_as_date(meta.get("date")),
        keywords=tuple(
            k for k in (p.strip() for p in _text(seo.get("page_keywords")).split(",")) if k
        ),
        description=_text(seo.get("page_description")),
        slug=slug,
        url=_text(meta.get("url")) or f"/learn/{folder or 'library'}/questions/{slug}",
        score=_as_float(meta.get("score")),
        no_index=meta.get("no_index") is True,
        related=tuple(link for key in _RELATED_KEYS if (link := _as_link(meta.get(key)))),
        size=size,
        mtime_ns=mtime_ns,
    )


#: Node budget for one front matter: a real one has under 100 nodes; aliases can make a
#: small file stand for billions of them (an "alias bomb"), or loop.
MAX_NODES = 5000
MAX_DEPTH = 20
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "binary")
)
_TYPED_FIELDS = frozenset({"id", "date", "score", "no_index"})
_STR = "tag:yaml.org,2002:str"


class _FrontMatterLoader(yaml.CSafeLoader):
    """``CSafeLoader`` that leaves plain scalars as strings while composing.

    Resolving every scalar's implicit type and running the generic constructor is most of
    the cost of ``yaml.load`` on these files; only four fields need a type, and
    :func:`load_front_matter` resolves and constructs those with this same loader.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _STR
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


def load_front_matter(text: str) -> Any:
    """Load front matter with PyYAML's C parser: the same result as ``yaml.load`` with
    ``CSafeLoader`` for the fields qtreader reads, in about half the time.

    Raises ``yaml.YAMLError`` for bad YAML, for tags other than YAML's own (no Python
    objects are ever constructed), and past :data:`MAX_NODES` nodes.
    """
    if len(text) > _SCAN_ABOVE or sum(map(text.count, _NESTING_MARKS)) > _SCAN_MARKS:
        _check_depth(text)
    loader = _FrontMatterLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _construct(loader, node, [MAX_NODES], typed=False, depth=0)
    finally:
        loader.dispose()


# PyYAML's C composer recurses once per level of nesting and can overflow the C stack (a
# crash, not an exception) at a few thousand levels in a thread: 100,000 ``[`` do it in
# 200 KB. A front matter that could be nested that deep (a level costs one of these marks,
# or a line indented one more) is first measured with the parser, which does not recurse.
_NESTING_MARKS = ("[", "{", "- ", "-\n", "-\t", "? ", "?\n", "?\t")
_SCAN_MARKS = 256
_SCAN_ABOVE = 16 * 1024


def _check_depth(text: str) -> None:
    """Raise ``yaml.YAMLError`` if collections nest more than :data:`MAX_DEPTH` deep."""
    loader = yaml.CSafeLoader(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise yaml.YAMLError(f"YAML nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.StreamEndEvent):
                break
    finally:
        loader.dispose()


def _construct(
    loader: _FrontMatterLoader, node: yaml.Node, budget: list[int], *, typed: bool, depth: int
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise yaml.YAMLError(f"more than {MAX_NODES} YAML nodes (an alias bomb?)")
    if depth > MAX_DEPTH:
        raise yaml.YAMLError(f"YAML nested more than {MAX_DEPTH} levels deep")
    if node.tag not in _CORE_TAGS:
        raise yaml.YAMLError(f"YAML tag {node.tag} is not allowed")
    if isinstance(node, yaml.ScalarNode):
        if typed and node.tag == _STR and not node.style:  # plain: style "" (or None)
            # A plain scalar in a typed field: resolve and construct it as YAML would.
            resolve = yaml.CSafeLoader.resolve
            tag = resolve(loader, yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
            return loader.construct_object(yaml.ScalarNode(tag, node.value))
        if node.tag != _STR:
            return loader.construct_object(node)
        return node.value
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node, budget, typed=False, depth=depth + 1)
            if not isinstance(key, str | int):
                raise yaml.YAMLError("a mapping key that is not text")
            typed = key in _TYPED_FIELDS
            mapping[key] = _construct(loader, value_node, budget, typed=typed, depth=depth + 1)
        return mapping
    return [_construct(loader, item, budget, typed=False, depth=depth + 1) for item in node.value]


def subject_from_folder(folder: str) -> str:
    """A display subject for a folder slug: ``computer-science`` gives ``Computer Science``."""
    words = folder.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] for word in words) or "Unsorted"


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if "could not determine a constructor" in str(problem) or "tag" in str(problem):
        problem = f"{problem} (YAML tags are not allowed)"
    where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark is not None else ""
    return clean_text(f"YAML error{where}: {problem}")


def _required_text(meta: dict[Any, Any], field: str) -> str:
    value = meta.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _Refused(f"no {field}")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Refused(f"{field} is {_kind(value)}, not text")
    return clean_text(str(value)).strip()


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
