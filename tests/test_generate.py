"""The benchmark generator (``bench/generate.py``) writes every fact of real libraries
(ARTICLE-FORMAT.md, last section) at about its real rate, and a small library still has
each rare one. Files are read back with PyYAML, not through qtreader, so that a reader bug
cannot hide a generator bug; then qtreader must load the library without a problem."""

from __future__ import annotations

import collections
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402  (bench/ is not a package)

ARTICLES = 400
MATH_COMMANDS = Path("/work/shared/format/math-commands.tsv")


@dataclass(frozen=True)
class GeneratedFile:
    path: Path
    text: str
    meta: dict[str, Any]

    @property
    def related(self) -> list[dict[str, Any]]:
        keys = (f"related_article{n}" for n in range(1, 6))
        return [self.meta[key] for key in keys if key in self.meta]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate.generate(root, ARTICLES, 40, seed=3, workers=1, manifest=None)
    return root


@pytest.fixture(scope="module")
def files(library: Path) -> list[GeneratedFile]:
    out = []
    for path in sorted((library / "learn").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front = text.split("---\n")[1]
        out.append(GeneratedFile(path, text, yaml.load(front, Loader=yaml.CSafeLoader)))
    return out


def share(files: list[GeneratedFile], test: Callable[[GeneratedFile], object]) -> float:
    return sum(1 for f in files if test(f)) / len(files)


def test_the_output_is_the_same_whatever_the_number_of_workers(
    tmp_path: Path, library: Path
) -> None:
    generate.generate(tmp_path, ARTICLES, 40, seed=3, workers=2, manifest=None)
    ours = sorted(p.relative_to(tmp_path) for p in (tmp_path / "learn").rglob("*.md"))
    theirs = sorted(p.relative_to(library) for p in (library / "learn").rglob("*.md"))
    assert ours == theirs
    assert all((tmp_path / p).read_bytes() == (library / p).read_bytes() for p in ours)


def test_related_counts_follow_the_real_shares(files: list[GeneratedFile]) -> None:
    counts = collections.Counter(len(f.related) for f in files)
    shares = {n: counts[n] / len(files) for n in range(6)}
    real = {0: 0.27, 1: 0.05, 2: 0.07, 3: 0.10, 4: 0.15, 5: 0.36}
    for n, rate in real.items():
        assert rate / 2 < shares[n] < rate * 1.6, (n, shares[n])


def test_a_sixth_of_files_list_one_related_id_twice(files: list[GeneratedFile]) -> None:
    def repeats(f: GeneratedFile) -> bool:
        ids = [link["id"] for link in f.related]
        return len(set(ids)) < len(ids)

    assert 0.08 < share(files, repeats) < 0.26
    assert not any(f.meta["id"] in {link["id"] for link in f.related} for f in files)


def test_negative_ids_sit_in_one_subject(files: list[GeneratedFile]) -> None:
    negative = [f for f in files if f.meta["id"] < 0]
    assert negative, "a library of a few hundred articles has at least one negative id"
    assert {f.meta["id"] for f in negative} <= set(range(-13, 0))
    assert len({f.path.parent for f in negative}) == 1


def test_inline_math_with_spaces_inside_the_dollars(files: list[GeneratedFile]) -> None:
    spaced = re.compile(r"(?<!\$)\$ [^$]+? \$(?!\$)")
    assert 0.03 < share(files, lambda f: bool(spaced.search(f.meta["answer"]))) < 0.11


@pytest.mark.parametrize(
    "pattern",
    [
        r"\\left\[\\begin\{array\}\{c+\|c+\}",  # augmented matrix
        r"\\ce\{",
        r"\\xrightarrow\{",
        r"\\overline\{",
        r"\\tag\{",
        r"(costs|from) \$\d+ (and|to) .*\$\d+",  # prices in prose
    ],
)
def test_each_rare_fact_is_in_a_small_library(files: list[GeneratedFile], pattern: str) -> None:
    found = [f for f in files if re.search(pattern, f.meta["answer"])]
    assert found
    # At its rate (6 to 22 files in 36,000; prices 1%): a quota, not a flood.
    assert len(found) <= max(3, len(files) // 50)


def test_subscripts_without_a_unicode_form_are_common(files: list[GeneratedFile]) -> None:
    # F_z, f_Y, a_y, \vec{b}_x: letters subscripted with z, Y, y ..., which Unicode lacks.
    subscript = re.compile(r"(?:[A-Za-z]|\\vec\{[a-z]\})_\{?[bcdfgqwyzA-Z]\b")
    formulas = sum(len(subscript.findall(f.meta["answer"])) for f in files)
    assert formulas >= 4


def test_formulas_use_the_leading_commands(files: list[GeneratedFile]) -> None:
    used = collections.Counter(
        name for f in files for name in set(re.findall(r"\\([A-Za-z]+)", f.meta["answer"]))
    )
    for command in ("text", "frac", "times", "cdot", "sqrt"):
        assert used[command] >= 2, command


def test_built_formulas_follow_the_real_command_distribution() -> None:
    rng = random.Random(5)
    formulas = [generate.built_formula(rng) for _ in range(20_000)]
    files_of = {name: count for name, count, _ in generate.COMMANDS}
    total = sum(files_of.values())
    seen = collections.Counter(
        name for formula in formulas for name in set(re.findall(r"\\([A-Za-z]+)", formula))
    )
    for name, count in files_of.items():
        assert seen[name], f"\\{name} never appears"
        if count >= 100:  # enough draws for the share to be measured
            expected = count / total * 1.8 * len(formulas)  # 1.8 fragments per formula
            assert expected / 2 < seen[name] < expected * 2.5, (name, seen[name], expected)


@pytest.mark.skipif(not MATH_COMMANDS.exists(), reason="the format folder is not on this machine")
def test_every_command_of_five_files_or_more_is_generated() -> None:
    real = {}
    for line in MATH_COMMANDS.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _occurrences, files_count = line.split("\t")
            real[name] = int(files_count)
    paired = {"right": "left", "end": "begin", "rangle": "langle"}
    rare = set(generate.QUOTA_FACTS)  # placed by quota, not by weight
    table = {name: count for name, count, _ in generate.COMMANDS}
    for name, count in real.items():
        if count >= 5 and name not in paired and name not in rare:
            assert table.get(name) == count, name


def test_the_other_facts_of_real_libraries(files: list[GeneratedFile]) -> None:
    # Subject names in two cases.
    spellings: dict[str, set[str]] = collections.defaultdict(set)
    for f in files:
        spellings[f.meta["subject"].casefold()].add(f.meta["subject"])
    assert any(len(names) > 1 for names in spellings.values())
    # Cross-listing: the same id in two or three folders, the same answer in each.
    folders: dict[int, list[GeneratedFile]] = collections.defaultdict(list)
    for f in files:
        folders[f.meta["id"]].append(f)
    assert len(folders) == ARTICLES
    crossed = [group for group in folders.values() if len(group) > 1]
    assert 0.03 < len(crossed) / ARTICLES < 0.12
    assert all(len(group) <= 3 for group in crossed)
    for group in crossed:
        assert len({f.meta["answer"] for f in group}) == 1
        assert len({f.meta["url"] for f in group}) == len(group)
    # Related links: some dangle, many lead into another subject.
    links = [(f, link) for f in files for link in f.related]
    dangling = sum(1 for _, link in links if link["id"] not in folders)
    assert 0.01 < dangling / len(links) < 0.06
    elsewhere = sum(1 for f, link in links if link["subject"] != f.meta["subject"])
    assert elsewhere / len(links) > 0.1
    # Titles plain in some files, folded in others.
    assert 0.1 < share(files, lambda f: "\ntitle: >-\n" in f.text) < 0.9
    # No score line in about a fifth of the files.
    assert 0.12 < share(files, lambda f: "score" not in f.meta) < 0.28
    # no_index is rare, and such an answer is a refusal.
    refusing = [f for f in files if f.meta.get("no_index")]
    assert 1 <= len(refusing) <= 3
    assert all(f.meta["answer"].startswith("I cannot answer") for f in refusing)


def test_quota_keeps_the_rate_and_one_of_each_from_a_hundred_articles() -> None:
    assert generate.quota(6, 36_000) == 6
    assert generate.quota(22, 72_000) == 44
    assert generate.quota(2, 300) == 1
    assert generate.quota(2, 99) == 0


def test_the_generated_library_loads_in_qtreader_without_a_problem(library: Path) -> None:
    from qtreader.library.store import load_library

    loaded = load_library(library)
    assert loaded.problems == []
    assert len(loaded) == ARTICLES
    assert any(article.id < 0 for article in loaded.articles())
