"""``qtreader check --render`` through the real entry point: every article rendered as the
pane and ``show`` render it, each failure and each formula left as raw TeX reported."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from markdown_it.token import Token
from rich.console import RenderableType
from rich.markdown import MarkdownContext

from qtreader.cli import main
from qtreader.render import check as check_render
from qtreader.render import markdown as render_markdown
from qtreader.render import texmath
from qtreader.render.markdown import formula_outcomes

from .conftest import LIBRARY

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def article(article_id: int, question: str, answer: str) -> str:
    """An article file in the published format, with ``answer`` stored as it is encoded."""
    encoded = answer.replace("\n", "\\n")
    slug = re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")
    return (
        f"---\n_schema: default\nid: {article_id}\ndate: 2025-01-02\ntitle: >-\n    {question}\n"
        f"question: >-\n    {question}\nanswer: >-\n    {encoded}\nsubject: Physics\n"
        f"file_name: {slug}.md\nurl: /learn/physics/questions/{slug}\n---\n\n&nbsp;"
    )


def test_the_fixture_library_renders_cleanly() -> None:
    code, out = run("check", str(LIBRARY), "--render")
    assert code == 0, out
    summary = next(line for line in out.splitlines() if line.startswith("rendered:"))
    assert re.fullmatch(
        r"rendered: +8 articles in [\d.]+ s; 20 formulas drawn, 0 left as raw TeX "
        r"\(in 0 articles\); 0 articles failed",
        summary,
    )


def test_without_render_the_report_is_unchanged() -> None:
    code, out = run("check", str(LIBRARY), "--json")
    assert code == 0
    assert "render" not in json.loads(out)


def test_a_formula_left_as_raw_tex_names_the_file_and_exits_1(library_copy: Path) -> None:
    odd = library_copy / "learn/physics/what-is-foobar.md"
    odd.write_text(
        article(900, "What is foobar?", "It is $\\foobar{x}$, drawn as\n\n$$\nE = mc^2\n$$")
    )
    code, out = run("check", str(library_copy), "--render")
    assert code == 1
    assert f"{odd}: formula left as raw TeX: \\foobar{{x}}" in out.splitlines()
    assert "21 formulas drawn, 1 left as raw TeX (in 1 articles); 0 articles failed" in out

    code, out = run("check", str(library_copy), "--render", "--json")
    assert code == 1
    rendered = json.loads(out)["render"]
    assert rendered["articles"] == 9
    assert (rendered["formulas"], rendered["drawn"], rendered["raw"]) == (22, 21, 1)
    assert rendered["findings"] == [
        {"path": str(odd), "id": 900, "raw_tex": "\\foobar{x}", "display": False}
    ]


def test_an_exception_while_rendering_is_reported_with_its_file_and_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = texmath.display_pieces

    def breaks_on_doppler(tex: str, width: int) -> tuple[texmath.Rendered, ...]:
        if "v_s" in tex:
            raise RuntimeError("renderer broke on purpose")
        return real(tex, width)

    monkeypatch.setattr(texmath, "display_pieces", breaks_on_doppler)
    code, out = run("check", str(LIBRARY), "--render")
    assert code == 1
    doppler = LIBRARY / "learn/physics/what-is-the-doppler-effect.md"
    findings = [line for line in out.splitlines() if ": rendering failed: " in line]
    assert findings == [f"{doppler}: rendering failed: RuntimeError: renderer broke on purpose"]
    assert "; 1 articles failed" in out  # and the seven others rendered

    code, out = run("check", str(LIBRARY), "--render", "--json")
    rendered = json.loads(out)["render"]
    assert rendered["failed"] == 1
    assert rendered["findings"] == [
        {
            "path": str(doppler),
            "id": 501,
            "error": "RuntimeError: renderer broke on purpose",
        }
    ]


def _failed(out: str) -> dict[str, str]:
    """The files reported as failing to render, with their error."""
    failed = {}
    for line in out.splitlines():
        path, found, error = line.partition(": rendering failed: ")
        if found:
            failed[path] = error
    return failed


def test_a_failure_only_the_pane_meets_is_reported(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pane puts a click action on each link, ``show`` does not: a renderer that breaks
    on that alone is found, in the file with the link and nowhere else."""
    linked = library_copy / "learn/physics/what-is-a-link.md"
    linked.write_text(
        article(901, "What is a link?", "See [the lens](/learn/physics/questions/lens) for more.")
    )
    real = render_markdown._AnswerMarkdown._link_open

    def breaks_with_an_action(
        self: render_markdown._AnswerMarkdown, context: MarkdownContext, token: Token
    ) -> None:
        if self.link_action is not None:
            raise RuntimeError("pane link broke")
        real(self, context, token)

    monkeypatch.setattr(render_markdown._AnswerMarkdown, "_link_open", breaks_with_an_action)
    code, out = run("check", str(library_copy), "--render")
    assert code == 1
    assert _failed(out) == {str(linked): "RuntimeError: pane link broke"}
    # ``show`` prints the same article without a fault: only the pane's path has one.
    code, out = run("show", "901", "--library", str(library_copy), "--format", "plain")
    assert code == 0, out
    assert "See the lens [1] for more." in out


def test_a_failure_only_raw_tex_meets_is_reported(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader's ``x`` shows formulas as TeX, a path ``show`` never takes: a renderer
    that breaks there is found in every file with a formula, and only there."""
    display = library_copy / "learn/physics/what-is-energy.md"
    display.write_text(article(902, "What is energy?", "Mass:\n\n$$\nE = mc^2\n$$\n\nDone."))
    real = render_markdown._raw_math_panel

    def breaks(source: str, theme: str, width: int) -> RenderableType:
        raise RuntimeError("raw TeX broke")

    monkeypatch.setattr(render_markdown, "_raw_math_panel", breaks)
    code, out = run("check", str(library_copy), "--render", "--json")
    monkeypatch.setattr(render_markdown, "_raw_math_panel", real)
    assert code == 1
    failed = {f["path"]: f["error"] for f in json.loads(out)["render"]["findings"]}
    assert failed[str(display)] == "RuntimeError: raw TeX broke"
    for path in (library_copy / "learn").rglob("*.md"):
        answer = yaml.load(path.read_text().split("---\n")[1], Loader=yaml.CSafeLoader)["answer"]
        displayed = any(formula.display for formula in formula_outcomes(answer))
        if not displayed:  # (a file listed in two subjects is one article, named once)
            assert str(path) not in failed, path
    assert len(failed) >= 3  # the fixture's own display formulas too


def test_a_generated_library_renders_on_every_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    generate.generate(tmp_path, 300, 40, seed=11, workers=1, manifest=None)
    monkeypatch.setattr(check_render, "POOL_FROM", 0)  # worker processes, even for 300
    code, out = run("check", str(tmp_path), "--render", "--json")
    report = json.loads(out)
    rendered = report["render"]
    assert report["problems"] == []
    assert rendered["articles"] == report["articles"] == 300
    assert rendered["failed"] == 0
    assert rendered["drawn"] + rendered["raw"] == rendered["formulas"]

    def bare(text: str) -> str:
        """Without newlines, stored (``\\n``) or not, nor spaces: comparable either way."""
        return re.sub(r"\s", "", text.replace("\\n", ""))

    answers = {}
    for path in (tmp_path / "learn").rglob("*.md"):
        meta = yaml.load(path.read_text().split("---\n")[1], Loader=yaml.CSafeLoader)
        answers[str(path)] = meta["answer"]
    # Every answer with display math holds a formula at least.
    assert rendered["formulas"] >= sum("$$" in answer for answer in answers.values())
    # Each raw formula is named with the file that holds it, as written there.
    for finding in rendered["findings"]:
        assert bare(finding["raw_tex"]) in bare(answers[finding["path"]])
    assert code == (1 if rendered["findings"] else 0)
