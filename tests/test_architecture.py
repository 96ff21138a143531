"""The shape of the code, as ARCHITECTURE.md states it. The layers are import-linter's
contracts (pyproject.toml, run by .ci/run); this checks what they cannot see: names."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).parent.parent / "src" / "qtreader"


def private_imports(path: Path) -> list[str]:
    """Each ``from qtreader.x import _name`` in ``path``: a module reaching for another
    module's private names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qtreader"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno}: {alias.name}")
    return found


def test_no_module_imports_the_private_names_of_another() -> None:
    found = [line for path in sorted(SOURCE.rglob("*.py")) for line in private_imports(path)]
    assert found == []


def test_a_private_import_is_seen(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from qtreader.cli.common import _hidden, shown\n")
    assert private_imports(module) == ["module.py:2: _hidden"]
