"""The Anki deck of ``qtreader export anki``, written with genanki.

Every id is derived from fixed strings (the model, ``QuickTakes::<subject>``) and each
note's guid from its article id, so a second export of the same articles updates the
notes already in Anki instead of adding copies.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import genanki

from qtreader.library.export import ExportItem, anki_tags, stable_id
from qtreader.render.html import answer_html, text_html

__all__ = ["PARENT_DECK", "build_package", "deck_name", "note_guid", "write_package"]

PARENT_DECK = "QuickTakes"
#: Changing it makes a new note type in Anki: keep it.
MODEL_NAME = "QuickTakes article (qtreader)"
FIELDS = ("Question", "Answer", "Subject", "Related")

_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
.subject { color: #888; font-size: 14px; }
table { border-collapse: collapse; } th, td { border: 1px solid #aaa; padding: 2px 6px; }
pre { background: #f4f4f4; padding: 6px; overflow-x: auto; }"""


def _model() -> genanki.Model:
    return genanki.Model(
        stable_id(f"qtreader model {MODEL_NAME}"),
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[
            {
                "name": "Question and answer",
                "qfmt": '<div class="subject">{{Subject}}</div>{{Question}}',
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}'
                "{{#Related}}<h4>Related</h4>{{Related}}{{/Related}}",
            }
        ],
        css=_CSS,
    )


def deck_name(subject: str) -> str:
    """The subdeck of a subject under the QuickTakes parent (``::`` would nest deeper)."""
    return f"{PARENT_DECK}::{' '.join(subject.replace('::', ':').split())}"


def note_guid(article_id: int) -> str:
    return str(genanki.guid_for("qtreader article", article_id))


def _related_html(item: ExportItem) -> str:
    if not item.article.related:
        return ""
    rows = "".join(
        f"<li>{text_html(link.title)} ({text_html(link.subject)})</li>"
        for link in item.article.related
    )
    return f"<ul>{rows}</ul>"


def build_package(
    articles: Iterable[tuple[ExportItem, str]],
    progress: Callable[[], None] = lambda: None,
) -> genanki.Package:
    """One note per article, in its subject's deck; ``progress`` is called after each."""
    model = _model()
    decks: dict[str, genanki.Deck] = {}
    parent = genanki.Deck(stable_id(f"qtreader deck {PARENT_DECK}"), PARENT_DECK)
    for item, answer in articles:
        name = deck_name(item.subject)
        deck = decks.get(name.casefold())
        if deck is None:
            deck = decks[name.casefold()] = genanki.Deck(
                stable_id(f"qtreader deck {name.casefold()}"), name
            )
        article = item.article
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[
                    text_html(article.question or article.title),
                    answer_html(answer),
                    text_html(item.subject),
                    _related_html(item),
                ],
                tags=anki_tags(article.keywords),
                guid=note_guid(article.id),
            )
        )
        progress()
    return genanki.Package([parent, *decks.values()])


def write_package(package: genanki.Package, path: Path) -> None:
    """Write the .apkg: the zip of the SQLite collection and an empty media list.

    Not ``Package.write_to_file``: genanki 0.13 leaves its temporary database behind in
    the temp folder on every call (as large as the deck).
    """
    timestamp = time.time()
    with tempfile.TemporaryDirectory(prefix="qtreader-anki-") as folder:
        database = Path(folder, "collection.anki2")
        connection = sqlite3.connect(database)
        try:
            package.write_to_db(
                connection.cursor(), timestamp, itertools.count(int(timestamp * 1000))
            )
            connection.commit()
        finally:
            connection.close()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "collection.anki2")
            archive.writestr("media", json.dumps({}))
