"""Text reaches the UI as data, never as markup: a check of the UI's source.

Every argument where Textual or Rich would parse a ``str`` as markup (a widget's content,
an option's prompt, a palette hit, a table cell, a tree label, a border title or tooltip)
must be one of:

- a string literal without ``[`` (fixed text of ours, nothing to parse);
- a call of ``data``, ``cell``, ``palette_help`` or ``highlight`` (qtreader.tui.widgets.plain), of
  ``Text`` / ``Content`` or their ``assemble`` / ``styled`` / ``from_rich_text``;
- a call of a function of the same module annotated to return ``Text`` or ``Content``;
- a name that the enclosing function binds only to such values (or annotates so);
- ``a if c else b`` of such values.

Anything else (an f-string, ``%``, ``.format``, a str variable, an attribute) fails here,
whoever writes it. Notifications are safe by ``QTReaderApp.notify`` (never markup), which
the pilot tests check with hostile titles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "qtreader" / "tui"
UI_MODULES = sorted(
    [
        *SOURCE.joinpath("screens").glob("*.py"),
        *SOURCE.joinpath("widgets").glob("*.py"),
        SOURCE / "app.py",
        SOURCE / "commands.py",
    ]
)

#: Calls whose first positional argument is parsed as markup when a str.
FIRST_ARGUMENT = {
    "update", "Static", "Label", "Option", "Button", "Checkbox", "RadioButton", "Tooltip",
    "DiscoveryHit", "set_label", "add_leaf", "Markdown", "Link", "Digits",
}  # fmt: skip
#: ``TreeNode.add(label, data)``; ``set.add(x)`` has one argument and is no widget.
TREE_ADD = "add"
#: Calls whose every positional argument is parsed (Rich's Table renders str cells so).
EVERY_ARGUMENT = {"add_row"}
#: Calls and the index of the argument parsed.
NTH_ARGUMENT = {"Hit": 1}
#: Keyword arguments parsed as markup, in any of the calls above.
KEYWORDS = {"prompt", "content", "renderable", "label", "help", "match_display", "display"}
#: Attributes whose assigned str is parsed.
ATTRIBUTES = {"border_title", "border_subtitle", "tooltip"}

#: ``render_answer`` (qtreader.render.markdown) builds the answer's Rich renderables from Markdown
#: tokens as ``Text``, never parsing markup (tests/test_render.py); ``MarkedWords`` styles
#: the segments of what it wraps; ``report_renderable`` (qtreader.render.progress) builds its
#: calendar, charts and table from ``Text`` (tests/test_progress.py); a ``Table`` is safe
#: when its cells are, which ``add_row`` checks; ``AnswerLines`` holds the segments
#: ``render_answer`` rendered; ``key_table`` (the help) is a ``Table`` of ``cell`` rows.
SAFE_CALLS = {
    *("data", "cell", "palette_help", "highlight"),
    *("Text", "Content", "render_answer", "Table", "MarkedWords", "report_renderable"),
    *("AnswerLines", "key_table"),
}
SAFE_CLASS_METHODS = {"Text": {"assemble", "styled", "from_rich_text"}, "Table": {"grid"}}
SAFE_CLASS_METHODS["Content"] = SAFE_CLASS_METHODS["Text"]
SAFE_TYPES = {"Text", "Content"}
#: Types whose attribute holds a safe renderable: ``RenderedAnswer.renderable`` is what
#: ``render_answer`` built (kept to be shown again, or rendered ahead in a thread).
SAFE_HOLDERS = {"RenderedAnswer": "renderable"}


@cache
def _text_functions() -> frozenset[str]:
    """Functions and methods of the UI annotated to return ``Text`` or ``Content``: what
    they return is data whichever UI module calls them."""
    names = set()
    for path in UI_MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and _annotation(node.returns) in SAFE_TYPES:
                names.add(node.name)
    return frozenset(names)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _annotation(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node)


def from_keywords(call: ast.Call, keyword: str) -> ast.expr:
    return next((k.value for k in call.keywords if k.arg == keyword), ast.Constant(None))


class Checker:
    """Finds markup-parsed arguments that are not data in one module."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(), str(path))
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.text_functions = _text_functions() | {
            node.name
            for node in ast.walk(self.tree)
            if isinstance(node, ast.FunctionDef) and _annotation(node.returns) in SAFE_TYPES
        }

    def _scope(self, node: ast.AST) -> ast.AST:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return node
        return self.tree

    def safe(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> bool:
        if isinstance(node, ast.Constant):
            return node.value is None or (isinstance(node.value, str) and "[" not in node.value)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body, seen) and self.safe(node.orelse, seen)
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name):
                return function.id in SAFE_CALLS or function.id in self.text_functions
            if isinstance(function, ast.Attribute):
                owner = function.value
                if isinstance(owner, ast.Name) and owner.id in SAFE_CLASS_METHODS:
                    return function.attr in SAFE_CLASS_METHODS[owner.id]
                return (
                    isinstance(owner, ast.Name)
                    and owner.id in {"self", "cls"}
                    and (function.attr in self.text_functions)
                )
            return False
        if isinstance(node, ast.Name):
            return node.id not in seen and self._safe_name(node, seen | {node.id})
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            holder = self._annotation_of(node.value)
            return holder in SAFE_HOLDERS and SAFE_HOLDERS[holder] == node.attr
        return False

    def _annotation_of(self, node: ast.Name) -> str | None:
        """The one annotation the name is given in its function, if any."""
        found = {
            _annotation(inner.annotation)
            for inner in ast.walk(self._scope(node))
            if isinstance(inner, ast.AnnAssign)
            and isinstance(inner.target, ast.Name)
            and inner.target.id == node.id
        }
        return found.pop() if len(found) == 1 else None

    def _safe_name(self, node: ast.Name, seen: frozenset[str]) -> bool:
        """Every binding of the name in its function is safe, and there is one."""
        scope = self._scope(node)
        values: list[ast.expr | None] = []
        annotations: list[str | None] = []
        target: ast.expr | None  # a name, a tuple, or a `with` without `as`
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = scope.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if argument.arg == node.id:
                    annotations.append(_annotation(argument.annotation))
        for inner in ast.walk(scope):
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    if isinstance(target, ast.Name) and target.id == node.id:
                        values.append(inner.value)
                    elif any(isinstance(n, ast.Name) and n.id == node.id for n in ast.walk(target)):
                        values.append(None)  # unpacked: unknown
            elif isinstance(inner, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                target = inner.target
                if isinstance(target, ast.Name) and target.id == node.id:
                    if isinstance(inner, ast.AnnAssign):
                        annotations.append(_annotation(inner.annotation))
                    if isinstance(inner, ast.AugAssign):
                        values.append(None)
                    elif inner.value is not None:
                        values.append(inner.value)
            elif isinstance(inner, ast.For | ast.comprehension | ast.withitem):
                target = (
                    inner.target if not isinstance(inner, ast.withitem) else inner.optional_vars
                )
                if target is not None and any(
                    isinstance(n, ast.Name) and n.id == node.id for n in ast.walk(target)
                ):
                    values.append(None)
        if any(annotation in SAFE_TYPES for annotation in annotations):
            return all(v is None or self.safe(v, seen) for v in values) or not values
        if not values or annotations:
            return False
        return all(value is not None and self.safe(value, seen) for value in values)

    def arguments(self, call: ast.Call) -> Iterator[ast.expr]:
        name = _name(call.func)
        if name in FIRST_ARGUMENT and call.args:
            yield call.args[0]
        if name == TREE_ADD and (len(call.args) > 1 or call.keywords):
            yield call.args[0] if call.args else from_keywords(call, "label")
        if name in EVERY_ARGUMENT:
            yield from call.args
        if name in NTH_ARGUMENT and len(call.args) > NTH_ARGUMENT[name]:
            yield call.args[NTH_ARGUMENT[name]]
        if name in FIRST_ARGUMENT | EVERY_ARGUMENT | set(NTH_ARGUMENT) | {TREE_ADD}:
            yield from (k.value for k in call.keywords if k.arg in KEYWORDS)

    def problems(self) -> Iterator[str]:
        for node in ast.walk(self.tree):
            checked: list[ast.expr] = []
            if isinstance(node, ast.Call):
                checked = list(self.arguments(node))
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Attribute) and t.attr in ATTRIBUTES for t in targets):
                    checked = [node.value] if node.value is not None else []
            for argument in checked:
                if not self.safe(argument):
                    where = f"{self.path.relative_to(SOURCE.parent)}:{argument.lineno}"
                    yield f"{where}: {ast.unparse(argument)}"


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: p.name)
def test_text_reaches_widgets_as_data(path: Path) -> None:
    assert list(Checker(path).problems()) == []


@pytest.mark.parametrize(
    "source",
    [
        'Static(f"{title}")',
        'widget.update("Bookmarked %s" % title)',
        'widget.update("{}".format(title))',
        "widget.update(title)",
        "Option(article.title)",
        'Hit(1, matcher.highlight(title), run, help="x")',
        "Hit(1, data(title), run, help=subject)",
        "DiscoveryHit(f'Subject: {name}', run)",
        'box.border_title = f"Bookmarks ({count})"',
        "box.tooltip = path",
        "table.add_row(data(key), description)",
        "Text.from_markup(title).plain and widget.update(Text.from_markup(title))",
        'Static("[b]fixed[/b]")',
        "node.set_label(label)",
        "self.root.add(f'{name}', data=1)",
        "Static(Text.from_markup(title))",
        "widget.update(article.renderable)",
        "shown: RenderedAnswer = article\n    widget.update(shown.links)",
    ],
)
def test_the_check_finds_markup_strings(source: str, tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(f"def show(title, count, article, name, path, label):\n    {source}\n")
    checker = Checker(module)
    checker.path = SOURCE / "screens" / "module.py"  # only to name it
    assert list(checker.problems()), source


@pytest.mark.parametrize(
    "source",
    [
        "widget.update(data(title))",
        'Static("Related articles")',
        "Option(Text.assemble(('1 ', 'bold'), title))",
        "box.border_title = data(f'Bookmarks ({count})')",
        "prompt = Text(title)\n    prompt.append(subject)\n    Option(prompt)",
        "Hit(1, highlight(matcher, title), run, help=palette_help(subject))",
        "widget.update(data(title) if title else 'nothing')",
        "seen.add(title)",
        "table = Table.grid()\n    table.add_row(Text(title))\n    Static(table)",
        "shown: RenderedAnswer = title\n    widget.update(shown.renderable)",
    ],
)
def test_the_check_accepts_data(source: str, tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(f"def show(title, count, subject, matcher, run):\n    {source}\n")
    checker = Checker(module)
    checker.path = SOURCE / "screens" / "module.py"
    assert list(checker.problems()) == [], source
