"""Front matter read by PyYAML's C parser: for the files that the strict reader of the
regular shape (:mod:`qtreader.library.fast_front`) declines. Imported only for them, which
keeps PyYAML out of the start of ``show`` and ``search``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import yaml
from yaml import YAMLError

from qtreader.library.decode import clean_text
from qtreader.library.fast_front import TYPED_FIELDS

__all__ = ["MAX_DEPTH", "MAX_NODES", "NESTED", "YAMLError", "load_front_matter", "yaml_reason"]

#: Node budget for one front matter: a real one has under 100 nodes; aliases can make a
#: small file stand for billions of them (an "alias bomb"), or loop.
MAX_NODES = 5000
MAX_DEPTH = 20
#: The reason for a front matter nested deeper than that: found by qtreader, or first by
#: libyaml, whose parser reads far ahead of the events and stops at its own limit.
NESTED = f"nested more than {MAX_DEPTH} levels deep"
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "binary")
)
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
    typed_fields = TYPED_FIELDS
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
        raise yaml.YAMLError(f"YAML {NESTED}")


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


def yaml_reason(error: yaml.YAMLError) -> str:
    """Why YAML refused a front matter, with where (its line in the file)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if "could not determine a constructor" in str(problem) or "tag" in str(problem):
        problem = f"{problem} (YAML tags are not allowed)"
    elif "nesting depth" in str(problem):  # libyaml's own limit (1000 levels)
        problem = f"YAML {NESTED}"
    where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark is not None else ""
    return clean_text(f"YAML error{where}: {problem}")
