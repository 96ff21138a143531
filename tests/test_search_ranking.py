"""Search ranking made from parts (bm25 is a sum over the phrases of a match): the same hits
in the same order as one FTS5 query per tier, on a library of many articles sharing words;
and the ranking of a query matching much of a library, by the question and title first."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import qtreader.library.index as index_module
import qtreader.library.store as store
from qtreader.library.index import BM25_WEIGHTS, TOKENIZER, search_columns, search_text
from qtreader.library.query import parse_query
from qtreader.library.store import Library, load_library

WORDS = (
    "light reactions enzyme membrane signal protein energy transport cycle carbon water "
    "cell plant growth heat pressure wave field charge force motion market price supply "
    "trade labour capital value"
).split()


def _write(
    root: Path,
    article_id: int,
    question: str,
    answer: str,
    *,
    keywords: str = "study",
    no_index: bool = False,
    subject: str = "Science",
) -> None:
    slug = f"article-{article_id}"
    path = root / "learn" / subject.lower() / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    flag = "no_index: true\n" if no_index else ""
    path.write_text(
        f"---\nid: {article_id}\n{flag}title: >-\n    {question}\nseo:\n  page_keywords: >-\n"
        f"    {keywords}\nquestion: >-\n    {question}\nanswer: >-\n    {answer}\n"
        f"subject: {subject}\nfile_name: {slug}.md\n"
        f"url: /learn/{subject.lower()}/questions/{slug}\n---\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """300 articles made of few words, so that most queries match many of them, with ties."""
    root = tmp_path_factory.mktemp("crowded")
    chooser = random.Random(11)
    for article_id in range(1, 301):
        question = " ".join(chooser.choices(WORDS, k=chooser.randint(3, 7)))
        answer = " ".join(chooser.choices(WORDS, k=chooser.randint(10, 80)))
        keywords = ", ".join(chooser.sample(WORDS, 3))
        _write(root, article_id, f"How does {question} work?", answer + ".", keywords=keywords)
    return load_library(root, memory=True)


def _tier_by_tier(library: Library, text: str, limit: int = 20) -> list[tuple[int, str]]:
    """The hits as one FTS5 query per tier gives them, each ranked by its own bm25, for a
    query matching fewer articles than the threshold (the plan search used until now)."""
    query = parse_query(text)
    hidden = "({}) NOT (flags : hidden)"
    everything = hidden.format(f"{{question title keywords description answer}} : ({query.match})")
    in_title = f"({everything}) AND ({hidden.format(f'{{question title}} : ({query.required})')})"
    tiers = [in_title, everything]
    if query.pairs:
        pairs = hidden.format(f"{{question title}} : ({query.pairs})")
        tiers.insert(0, f"({in_title}) AND ({pairs})")
    found: list[tuple[int, str]] = []
    for tier in tiers:
        taken = ",".join(str(i) for i, _ in found)
        others = f"AND d.id NOT IN ({taken}) " if found else ""
        found.extend(
            (row[0], tier)
            for row in library.index.db.execute(
                "SELECT d.id FROM search s CROSS JOIN docs d ON d.doc = s.rowid "
                f"WHERE search MATCH ? {others}"
                f"ORDER BY bm25(s.search, {BM25_WEIGHTS}) LIMIT ?",
                (tier, limit - len(found)),
            )
        )
    return found


QUERIES = [
    "light reactions",
    "enzyme",
    "membrane transport",
    "plant growth energy",
    "carbon cycle",
    '"heat pressure"',
    "mark*",
    "difference between supply and price",
    "explain wave motion",
    "force field charge",
    "labour capital value",
]


@pytest.mark.parametrize("text", QUERIES)
def test_the_same_hits_in_the_same_order_as_a_query_per_tier(crowded: Library, text: str) -> None:
    expected = _tier_by_tier(crowded, text)
    assert expected, text  # the query finds something in this library
    assert [hit.id for hit in crowded.search(text)] == [i for i, _ in expected]


def _all_texts(library: Library) -> sqlite3.Connection:
    """Every article's search row, as the index makes it, in an FTS5 table with its text."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE texts (id INTEGER PRIMARY KEY, question, title, keywords, description, "
        "answer, flags)"
    )
    db.execute(
        f"CREATE VIRTUAL TABLE search USING fts5 (question, title, keywords, description, "
        f"answer, flags, tokenize = '{TOKENIZER}', content = 'texts', content_rowid = 'id')"
    )
    for article_id in range(1, len(library) + 1):
        article = library.article(article_id)
        assert article is not None
        columns = search_columns(
            article.question,
            article.title,
            "\x1f".join(article.keywords),
            article.description,
            search_text(library.answer(article_id)),
            article.no_index,
        )
        db.execute("INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?, ?)", (article_id, *columns))
    db.execute("INSERT INTO search (search) VALUES ('rebuild')")
    return db


def test_each_hit_has_the_snippet_of_the_tier_that_found_it(crowded: Library) -> None:
    texts = _all_texts(crowded)
    for text in QUERIES:
        for hit, (article_id, tier) in zip(
            crowded.search(text), _tier_by_tier(crowded, text), strict=True
        ):
            (marked,) = texts.execute(
                "SELECT snippet(search, -1, char(2), char(3), '…', 14) FROM search "
                "WHERE search MATCH ? AND rowid = ?",
                (tier, article_id),
            ).fetchone()
            plain = " ".join(marked.split()).replace("\x02", "").replace("\x03", "")
            assert (hit.id, hit.snippet) == (article_id, plain), text
            assert hit.highlights


def _common(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query counts as matching much of the library."""
    monkeypatch.setattr(store, "_TIER_THRESHOLD", 1)
    monkeypatch.setattr(store, "_PREFIX_TITLES", 1)


@pytest.fixture
def common_words(tmp_path: Path) -> Library:
    _write(tmp_path, 1, "Why do plants need light?", "Light reactions make ATP in plants.")
    _write(tmp_path, 2, "What are the light reactions?", "They split water.")
    _write(tmp_path, 3, "What are reactions of light metals?", "Light metals react.")
    _write(
        tmp_path, 4, "How do enzymes work?", "They speed up reactions.", keywords="light, reactions"
    )
    _write(
        tmp_path, 5, "What is glucose?", "A sugar. Light reactions and light feed the reactions."
    )
    _write(tmp_path, 6, "What are light reactions for?", "Not shown.", no_index=True)
    _write(tmp_path, 7, "Who wrote on light?", "Newton.", subject="History")
    _write(tmp_path, 8, "Which reactions did light start?", "Fires.", subject="History")
    return load_library(tmp_path, memory=True)


def _heavy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every word counts as held by so much of the library that bm25 would cost too much."""
    monkeypatch.setattr(store, "_HEAVY_TERM", 1)
    monkeypatch.setattr(store, "_LARGE_LIBRARY", 1)


@pytest.mark.parametrize(
    "common", [False, True, "heavy"], ids=["few matches", "many matches", "common words"]
)
def test_tiers_hold_for_a_query_matching_much_of_the_library(
    common_words: Library, monkeypatch: pytest.MonkeyPatch, common: bool | str
) -> None:
    if common:
        _common(monkeypatch)
    if common == "heavy":
        _heavy(monkeypatch)
    # The words side by side in the question, then both in it, then (for a common query)
    # in the keywords, then anywhere; never the no_index article.
    found = [hit.id for hit in common_words.search("light reactions", subject="science")]
    assert found[:2] == [2, 3] and sorted(found[2:]) == [1, 4, 5]
    assert [hit.id for hit in common_words.search("light reactions subject:history")] == [8]
    if common is True:
        assert found[2] == 4
    if common == "heavy":  # the others in the order of the index
        assert found == [2, 3, 1, 4, 5]
    with_hidden = common_words.search("light reactions", subject="science", include_no_index=True)
    assert sorted(hit.id for hit in with_hidden[:2]) == [2, 6]
    assert [hit.id for hit in with_hidden[2:]] == found[1:]
    assert [hit.id for hit in common_words.search("light reactions", limit=2)] == [2, 8]
    assert [hit.id for hit in common_words.search("reac*", subject="science")][:2] == [2, 3]
    # A note's hit comes first, and only once.
    noted = common_words.search(
        "light reactions", subject="science", notes={5: "about light reactions"}
    )
    assert [hit.id for hit in noted] == [5, *(i for i in found if i != 5)]
    assert noted[0].in_note


def _by_length(library: Library, text: str, limit: int = 20) -> list[int]:
    """The hits of a query of common words as the rule says, found without the heads table:
    the articles whose question or title holds the words side by side, then those holding
    them all there, each shortest question and title first; then the others in the order
    of the index."""
    query = parse_query(text)
    texts = _all_texts(library)

    def matching(match: str) -> set[int]:
        return {
            row[0]
            for row in texts.execute("SELECT rowid FROM search WHERE search MATCH ?", (match,))
        }

    in_title = matching(f"{{question title}} : ({query.required})")
    paired = in_title & matching(f"{{question title}} : ({query.pairs})") if query.pairs else set()
    anywhere = matching(f"{{question title keywords description answer}} : ({query.match})")
    order = [row[0] for row in library.index.db.execute("SELECT id FROM docs ORDER BY doc")]
    place = {article_id: n for n, article_id in enumerate(order)}

    def length(article_id: int) -> tuple[int, int]:
        article = library.article(article_id)
        assert article is not None
        shown = len(article.title) if article.title != article.question else 0
        return (len(article.question) + shown, place[article_id])

    found = sorted(paired, key=length) + sorted(in_title - paired, key=length)
    found += sorted(anywhere - in_title, key=place.__getitem__)
    return found[:limit]


@pytest.mark.parametrize("text", QUERIES)
def test_common_words_find_the_shortest_titles_then_the_rest_in_index_order(
    crowded: Library, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    expected = _by_length(crowded, text)
    assert len(expected) == 20, text  # more hits than shown: the order decides which
    before = [hit.id for hit in crowded.search(text)]
    _heavy(monkeypatch)
    found = [hit.id for hit in crowded.search(text)]
    assert found == expected
    assert found != before  # bm25 ranked them otherwise
    # Each hit's snippet marks the words, whatever the tier that found it.
    assert all(hit.highlights for hit in crowded.search(text))


def test_a_query_of_rarer_words_is_still_ranked_by_bm25(
    common_words: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "light" is in all eight articles (one no_index), "reactions" in seven, "glucose" in one.
    ranked = [hit.id for hit in common_words.search("light reactions")]
    monkeypatch.setattr(store, "_LARGE_LIBRARY", 9)  # a library of eight is not large
    monkeypatch.setattr(store, "_HEAVY_TERM", 1)
    assert [hit.id for hit in common_words.search("light reactions")] == ranked
    monkeypatch.setattr(store, "_LARGE_LIBRARY", 8)
    monkeypatch.setattr(store, "_HEAVY_TERM", 9)
    assert [hit.id for hit in common_words.search("light reactions")] == ranked
    monkeypatch.setattr(store, "_HEAVY_TERM", 8)
    assert [hit.id for hit in common_words.search("glucose sugar")] == [5]
    # From here "light" weighs too little to rank by: the others in the order of the index.
    assert [hit.id for hit in common_words.search("light reactions")] == [2, 8, 3, 1, 4, 5]
    assert ranked == [2, 8, 3, 4, 1, 5]


@pytest.mark.parametrize("bulk", [False, True], ids=["a few files", "in bulk"])
def test_common_words_find_titles_as_they_are_after_a_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    _heavy(monkeypatch)
    if bulk:
        monkeypatch.setattr(index_module, "_BULK", 1)
    library_root = tmp_path / "library"
    _write(library_root, 1, "What does a long enzyme chain fold into?", "Shapes.")
    _write(library_root, 2, "Why are enzymes fast?", "Catalysis.")
    _write(library_root, 3, "What is heat?", "Energy: an enzyme works best warm.")
    library = load_library(library_root)
    assert [hit.id for hit in library.search("enzyme")] == [2, 1, 3]
    _write(library_root, 1, "Enzymes?", "Shapes.")
    _write(library_root, 2, "What did a slow enzyme wait for?", "Catalysis.")
    _write(library_root, 3, "What is cold?", "No heat.")
    library.refresh()
    assert [hit.id for hit in library.search("enzyme")] == [1, 2]
    # The rows of the old texts are left behind in the table, never found.
    assert [hit.id for hit in library.search("heat")] == [3]
    reopened = Library.open(library_root)
    assert [hit.id for hit in reopened.search("enzyme")] == [1, 2]


def test_the_flags_word_finds_only_the_articles_saying_it(tmp_path: Path) -> None:
    # The flags column holds "hidden" for a no_index article: a search for that word, or a
    # prefix of it, must not find an article for its flag.
    _write(tmp_path, 1, "Where are the keys?", "They are hidden under the mat.")
    _write(tmp_path, 2, "What is a secret?", "Something kept.", no_index=True)
    _write(tmp_path, 3, "What is privacy?", "Keeping out of sight.", no_index=True)
    library = load_library(tmp_path, memory=True)
    for text in ("hidden", "hid*", "hidd*", "HÏDDEN"):
        assert [hit.id for hit in library.search(text, include_no_index=True)] == [1], text
        assert library.count_matches(text, include_no_index=True) == 1, text
    assert [hit.id for hit in library.search("secret hidden", include_no_index=True)] == []
