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

from qtreader.cli import main
from qtreader.render import check as check_render
from qtreader.render import texmath

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
