"""Every article of a generated library opened in the reader, and each of its related keys
pressed: the facts of real libraries (a related id listed twice, negative ids, links that
dangle or lead into another subject, rare formulas) must never crash the app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from qtreader.tui.app import QTReaderApp

from .pilot import loaded

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 300
#: The first articles get their related keys pressed through the pilot, each target painted;
#: the others run the action the key is bound to (a paint costs 20-40 ms).
PRESSED = 20


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    root = tmp_path_factory.mktemp("whole")
    generate.generate(root, ARTICLES, 40, seed=7, workers=1, manifest=None)
    return root


def repeats_a_related_id(root: Path) -> bool:
    """Whether some file of the library lists one related id twice."""
    for path in root.rglob("*.md"):
        matter = yaml.load(path.read_text().split("---")[1], Loader=yaml.CSafeLoader)
        ids = [
            matter[f"related_article{n}"]["id"]
            for n in range(1, 6)
            if f"related_article{n}" in matter
        ]
        if len(set(ids)) < len(ids):
            return True
    return False


@pytest.mark.slow
async def test_every_article_opens_and_every_related_key_works(generated: Path) -> None:
    app = QTReaderApp(generated)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        library = screen.library
        assert library is not None and not library.problems
        articles = list(library.articles())
        assert len(articles) == ARTICLES
        # The facts the generator guarantees are all here.
        assert any(article.id < 0 for article in articles)
        assert repeats_a_related_id(generated)  # shown once each (the reader de-duplicates)
        assert any(not link.available for a in articles for link in a.related)
        opened = followed = 0
        for position, article in enumerate(articles):
            screen.open_article(article.id)  # the app's own navigation, then painted
            await pilot.pause()
            assert screen.history.current is not None
            assert screen.history.current.article_id == article.id
            opened += 1
            for number in range(1, 6):
                if position < PRESSED:
                    await pilot.press(str(number))  # a real key: binding, action, paint
                else:  # the action key N is bound to; painting every target costs minutes
                    screen.action_related(number)
                current = screen.history.current.article_id
                link = article.related[number - 1] if number <= len(article.related) else None
                if link is not None and link.available:
                    assert current == link.id, (article.id, number)
                    followed += 1
                    screen.action_back()
                    assert screen.history.current.article_id == article.id
                else:  # no such link, or not in the library: a notice, and nothing opens
                    assert current == article.id, (article.id, number)
            app.clear_notifications()  # a notice per missing link would pile up otherwise
        await pilot.pause()
        assert opened == ARTICLES
        assert followed > ARTICLES  # most articles have related links that open
