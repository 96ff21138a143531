"""Links both ways: "Cited by" (the related edges of the index) and "Similar" (the full-text
index), on libraries in the real format."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from textual.widgets import Static

from qtreader.cli import main
from qtreader.library.models import LinksBothWays
from qtreader.library.store import Library, load_library, similar_words
from qtreader.tui.app import QTReaderApp
from qtreader.tui.widgets.article_view import ArticleView, RelatedList

from .articles import Related, Spec, front_matter, write_article
from .conftest import FIXTURES
from .pilot import loaded, screen_lines, settled

RELATED = FIXTURES / "related-library"


def _ids(links: tuple[object, ...]) -> list[int]:
    return [link.id for link in links]  # type: ignore[attr-defined]


def test_cited_by_counts_a_repeated_link_once_and_never_the_article_itself() -> None:
    library = load_library(RELATED)
    # 702 names 701 three times; 701 names itself.
    assert _ids(library.cited_by(701)) == [702]
    assert _ids(library.cited_by(702)) == [701]
    # 703 names itself only: 701 is the one other article naming it.
    assert _ids(library.cited_by(703)) == [701]
    assert library.cited_by(799) != ()  # a dangling target still knows who names it
    assert library.cited_by(2**70) == ()


def _write_hidden(root: Path, spec: Spec) -> None:
    """``spec`` with ``no_index: true``, as the rare real files have it."""
    meta = front_matter(spec) | {"no_index": True}
    path = root / "learn" / "subject" / f"article-{spec.id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(f"---\n{dumped}---\n\n&nbsp;\n", encoding="utf-8")


def _cited_library(root: Path) -> None:
    target = Related(1, "What is a lens?", "Physics")
    write_article(root, Spec(1, "What is a lens?", "Physics"))
    write_article(root, Spec(2, "Why is the sky blue?", "Physics", related=(target,)))
    write_article(root, Spec(3, "How do eyes focus?", "Biology", related=(target, target)))
    write_article(root, Spec(4, "Are mirrors lenses?", "Physics", related=(target,)))
    _write_hidden(root, Spec(5, "Can you fix my glasses?", "Physics", related=(target,)))


def test_cited_by_is_ordered_by_subject_then_title_and_keeps_no_index_articles(
    tmp_path: Path,
) -> None:
    _cited_library(tmp_path)
    library = load_library(tmp_path)
    cited = library.cited_by(1)
    # Biology before Physics; in Physics by title. A no_index article is still an article
    # of the library whose link names this one (the tree lists it too).
    assert [(c.id, c.subject) for c in cited] == [
        (3, "Biology"),
        (4, "Physics"),
        (5, "Physics"),
        (2, "Physics"),
    ]
    assert cited[0].title == "How do eyes focus?" and cited[0].available


def test_cited_by_follows_files_changed_added_and_removed(tmp_path: Path) -> None:
    _cited_library(tmp_path)
    library = load_library(tmp_path)
    assert _ids(library.cited_by(1)) == [3, 4, 5, 2]

    # 2 no longer names 1, 6 comes and does, 4 goes: a small refresh (not a rebuild).
    changed = write_article(tmp_path, Spec(2, "Why is the sky blue?", "Physics"))
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    write_article(
        tmp_path, Spec(6, "What is a prism?", "Physics", related=(Related(1, "x", "Physics"),))
    )
    (tmp_path / "learn" / "subject" / "article-4.md").unlink()
    report = library.refresh()
    assert (report.added, report.changed, report.removed) == (1, 1, 1)
    assert _ids(library.cited_by(1)) == [3, 5, 6]
    # A new process reads the same from the index on disk.
    assert _ids(Library.open(tmp_path).cited_by(1)) == [3, 5, 6]


def _similar_library(root: Path) -> None:
    write_article(
        root,
        Spec(
            1,
            "How does photosynthesis capture light?",
            "Biology",
            question="How does photosynthesis capture light energy in chloroplasts?",
            keywords=("photosynthesis", "chlorophyll"),
            related=(Related(4, "Chlorophyll and photosynthesis pigments", "Biology"),),
        ),
    )
    write_article(root, Spec(2, "What do chloroplasts hold?", "Biology"))
    write_article(
        root,
        Spec(3, "Photosynthesis in light and dark", "Biology", keywords=("photosynthesis",)),
    )
    write_article(root, Spec(4, "Chlorophyll and photosynthesis pigments", "Biology"))
    _write_hidden(root, Spec(5, "Photosynthesis light chlorophyll chloroplasts", "Biology"))
    write_article(root, Spec(6, "What is a tax?", "Economics", keywords=("money",)))


def test_similar_ranks_shared_words_and_leaves_out_self_related_and_no_index(
    tmp_path: Path,
) -> None:
    _similar_library(tmp_path)
    library = load_library(tmp_path)
    article = library.article(1)
    assert article is not None
    similar = library.similar(article)
    # 3 shares photosynthesis and light in its title and keywords, 2 only chloroplasts;
    # 4 is related already, 5 is no_index, 6 shares nothing.
    assert _ids(similar) == [3, 2]
    assert similar[0].title == "Photosynthesis in light and dark"
    assert similar[0].subject == "Biology"
    assert library.similar(article, limit=1) == similar[:1]


def test_similar_words_are_the_significant_ones_once() -> None:
    library = load_library(RELATED)
    article = library.article(701)
    assert article is not None
    words = similar_words(article)
    assert "why" not in words and "do" not in words and "and" not in words
    assert len(words) == len(set(words))
    assert "leaves" in words


# The reader ---------------------------------------------------------------------------------


def _question(app: QTReaderApp) -> str:
    return "\n".join(screen_lines(app.screen.query_one("#question", Static))).strip()


def _listed(app: QTReaderApp, list_id: str) -> list[str]:
    listed = app.screen.query_one(list_id, RelatedList)
    return [str(option.prompt) for option in listed.options] if listed.display else []


async def test_the_reader_lists_similar_articles_and_6_opens_the_first(tmp_path: Path) -> None:
    _similar_library(tmp_path)
    app = QTReaderApp(tmp_path, start_article="1")
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot)
        assert _question(app).startswith("How does photosynthesis capture light")
        assert _listed(app, "#similar") == [
            "6 Photosynthesis in light and dark  Biology",
            "7 What do chloroplasts hold?  Biology",
        ]
        await pilot.press("8")  # there is no third
        await pilot.press("6")
        await settled(pilot)
        assert _question(app) == "Photosynthesis in light and dark"
        await pilot.press("left_square_bracket")
        await settled(pilot)
        await pilot.press("7")
        await settled(pilot)
        assert _question(app) == "What do chloroplasts hold?"
        messages = [str(n.message) for n in app._notifications]
        assert any("no similar article 3" in m for m in messages)


async def test_the_reader_shows_cited_by_and_c_then_enter_opens_one(tmp_path: Path) -> None:
    _cited_library(tmp_path)
    app = QTReaderApp(tmp_path, start_article="1")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await loaded(pilot)
        assert _listed(app, "#cited-by") == [
            "How do eyes focus?  Biology",
            "Are mirrors lenses?  Physics",
            "Can you fix my glasses?  Physics",
            "Why is the sky blue?  Physics",
        ]
        heading = screen.query_one("#cited-by-heading", Static)
        assert heading.display and screen_lines(heading)[0].strip() == "Cited by"
        await pilot.press("c", "down", "enter")
        await settled(pilot)
        assert _question(app) == "Are mirrors lenses?"
        # Nothing names 4: no section.
        assert _listed(app, "#cited-by") == []
        assert not screen.query_one("#cited-by-heading", Static).display


async def test_no_similar_section_when_five_articles_are_related(tmp_path: Path) -> None:
    related = tuple(Related(i, f"Lenses part {i}", "Physics") for i in range(2, 7))
    write_article(tmp_path, Spec(1, "What is a lens?", "Physics", related=related))
    for i in range(2, 8):
        write_article(tmp_path, Spec(i, f"Lenses part {i}", "Physics"))
    app = QTReaderApp(tmp_path, start_article="1")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await loaded(pilot)
        assert len(_listed(app, "#related")) == 5
        # 7 would be similar ("lenses"), but the related list is full.
        assert _listed(app, "#similar") == []
        assert not screen.query_one("#similar-heading", Static).display
        await pilot.press("6")
        await settled(pilot)
        assert _question(app) == "What is a lens?"


def test_show_prints_cited_by_and_similar_as_the_reader_lists_them(tmp_path: Path) -> None:
    _similar_library(tmp_path)
    write_article(
        tmp_path, Spec(7, "Leaves", "Biology", related=(Related(1, "Photosynthesis", "Biology"),))
    )
    runner = CliRunner()
    shown = runner.invoke(main, ["show", "1", "--format", "plain", "--library", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    lines = [line.strip() for line in shown.output.splitlines()]
    cited = lines.index(next(line for line in lines if line.startswith("Cited by")))
    similar = lines.index(next(line for line in lines if line.startswith("Similar")))
    assert lines[cited + 1] == "7  Leaves  Biology"
    # The reader's list, with its keys as numbers.
    library = load_library(tmp_path)
    article = library.article(1)
    assert article is not None
    links = library.links_both_ways(article)
    assert sorted(_ids(links.similar)) == [2, 3]
    assert lines[similar + 1 :] == [
        f"{key}.{link.id:>8}  {link.title}  {link.subject}"
        for key, link in zip("67", links.similar, strict=True)
    ]
    as_json = runner.invoke(main, ["show", "1", "--json", "--library", str(tmp_path)])
    found = json.loads(as_json.output)
    assert [x["id"] for x in found["cited_by"]] == [7]
    assert [x["id"] for x in found["similar"]] == _ids(links.similar)


def test_similar_takes_words_that_are_query_syntax_as_words(tmp_path: Path) -> None:
    """Titles hold quotes, FTS5 operators and stars: each word is quoted, never syntax."""
    title = 'NEAR(lens "focus" AND mirror* OR {title} : __ x² NOT'
    write_article(tmp_path, Spec(1, title, "Physics", keywords=('"quoted"', "a*b")))
    write_article(tmp_path, Spec(2, "How does a lens focus light near a mirror?", "Physics"))
    library = load_library(tmp_path)
    article = library.article(1)
    assert article is not None
    assert "near" in similar_words(article) and "lens" in similar_words(article)
    assert _ids(library.similar(article)) == [2]


def test_an_index_from_before_the_edges_is_rebuilt_with_the_usual_message(tmp_path: Path) -> None:
    import sqlite3

    from qtreader.library.index import SCHEMA_VERSION, index_file

    _cited_library(tmp_path)
    load_library(tmp_path).index.close_all()
    # An index of the previous schema: no related_edges table.
    old = sqlite3.connect(index_file(tmp_path))
    old.execute("DROP TABLE related_edges")
    old.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    old.commit()
    old.close()
    library = load_library(tmp_path)
    assert library.notice is not None
    assert library.notice.startswith(f"Rebuilding the index (schema version {SCHEMA_VERSION - 1}")
    assert _ids(library.cited_by(1)) == [3, 4, 5, 2]


async def test_tab_goes_to_the_related_list_first_however_soon_cited_by_appears(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cited by is filled once the article is on screen: a Tab pressed in the same moment
    goes from the article to its related list, the first list under it, as at any time."""
    from qtreader.tui.screens.reader import ReaderScreen

    from .conftest import LIBRARY

    found: list[tuple[ReaderScreen, int, LinksBothWays]] = []

    def held(screen: ReaderScreen, article_id: int, links: LinksBothWays) -> None:
        found.append((screen, article_id, links))  # shown below, when the test says

    monkeypatch.setattr(ReaderScreen, "_links_found", held)
    app = QTReaderApp(LIBRARY, start_article="501")  # cited by the printing press
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert isinstance(app.focused, ArticleView)
        assert found and found[-1][2].cited_by
        screen.query_one(ArticleView).show_links_both_ways(found[-1][2])
        screen.focus_next()  # what Tab does, here before Textual lays out the lists again
        assert screen.focused is screen.query_one("#related", RelatedList)
