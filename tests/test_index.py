"""The index: warm starts read no files, refreshes parse only what changed, damaged indexes
are rebuilt, and search understands words, phrases, prefixes and subjects."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from qtreader.library import index as index_module
from qtreader.library import store as store_module
from qtreader.library.index import index_file, search_text
from qtreader.library.query import parse_query
from qtreader.library.store import AnswerUnavailable, Library, load_library

from .conftest import LIBRARY


def _touch_forward(path: Path) -> None:
    """Make a change visible to the size/mtime check even within one clock tick."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the index parses."""
    seen: list[str] = []
    real = index_module._index_row

    def recording(relative: str, root: Path) -> index_module.IndexedFile:
        seen.append(relative)
        return real(relative, root)

    monkeypatch.setattr(index_module, "_index_row", recording)
    return seen


def test_warm_start_reads_no_article_file(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_library(library_copy)
    from qtreader.library import parse

    read: list[str] = []
    real = parse.parse_file

    def recording(path: Path, root: Path) -> object:
        read.append(path.relative_to(root).as_posix())
        return real(path, root)

    monkeypatch.setattr(parse, "parse_file", recording)
    library = Library.open(library_copy)
    assert library.subjects[0].name == "Computer Science"
    assert len(library) == 8
    assert library.titles_in("physics")[0] == (502, "How does a lens focus light?")
    article = library.article(503)
    assert article is not None and article.subjects == ("Mathematics", "Physics")
    assert read == []
    # The index keeps no answers: a search reads the answers of its hits, for their
    # snippets (parse_answer: test_snippets_read_each_hit_file_once_while_it_is_unchanged),
    # and an answer is read from its file.
    assert [hit.id for hit in library.search("doppler")] == [501]
    assert "convex lens" in library.answer(502)
    assert read == ["learn/physics/how-does-a-lens-focus-light.md"]


def test_an_answer_changed_since_the_refresh_is_read_from_its_file(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = load_library(library_copy)
    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    lens.write_text(lens.read_text().replace("A convex lens", "A converging lens"))
    _touch_forward(lens)
    assert "A converging lens" in library.answer(502)  # before any refresh
    lens.unlink()
    with pytest.raises(AnswerUnavailable, match=r"how-does-a-lens-focus-light\.md"):
        library.answer(502)


def test_refresh_parses_only_added_changed_and_removed(
    library_copy: Path, parsed: list[str]
) -> None:
    library = load_library(library_copy)
    assert len(parsed) == 9
    parsed.clear()
    report = library.refresh()
    assert (report.added, report.changed, report.removed, parsed) == (0, 0, 0, [])

    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    lens.write_text(lens.read_text().replace("A convex lens", "A converging lens"))
    _touch_forward(lens)
    (library_copy / "learn/medicine/can-you-diagnose-my-rash.md").unlink()
    new = library_copy / "learn/history/what-was-the-hanseatic-league.md"
    new.write_text(
        "---\nid: 600\nquestion: What was the Hanseatic League?\n"
        "answer: >-\n    A trading network of towns around the Baltic.\nsubject: History\n---\n"
    )
    report = library.refresh()
    assert (report.added, report.changed, report.removed) == (1, 1, 1)
    assert sorted(parsed) == [
        "learn/history/what-was-the-hanseatic-league.md",
        "learn/physics/how-does-a-lens-focus-light.md",
    ]
    assert 507 not in library and 600 in library
    assert "converging lens" in library.answer(502)
    assert [h.id for h in library.search("converging")] == [502]
    assert library.search("convex") == []
    assert [h.id for h in library.search("baltic")] == [600]
    assert library.search("clinician", include_no_index=True) == []
    assert [(s.name, s.count) for s in library.subjects if s.name in ("History", "Medicine")] == [
        ("History", 2)
    ]


def test_removing_one_listing_keeps_the_article_and_its_search_row(
    library_copy: Path, parsed: list[str]
) -> None:
    library = load_library(library_copy)
    parsed.clear()
    (library_copy / "learn/mathematics/what-is-a-gradient.md").unlink()
    library.refresh()
    assert parsed == ["learn/physics/what-is-a-gradient.md"]  # its remaining listing
    gradient = library.article(503)
    assert gradient is not None and gradient.subjects == ("Physics",)
    assert [h.id for h in library.search("gradient")] == [503]
    assert library.subject("Mathematics") is None


def _gradient(
    library_copy: Path, folder: str, answer: str, question: str = "What is a gradient?"
) -> Path:
    """Write a file of article 503 (the gradient, listed under mathematics and physics)."""
    path = library_copy / "learn" / folder / "what-is-a-gradient.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nid: 503\nquestion: {question}\nanswer: >-\n    {answer}\n"
        f"subject: {folder.title()}\n---\n"
    )
    _touch_forward(path)
    return path


def _search_ids(library: Library, word: str) -> list[int]:
    return [hit.id for hit in library.search(word, include_no_index=True)]


def _expected_search_rows(library: Library) -> list[tuple[object, ...]]:
    """Every word (term, article id, column, position) that indexing the first file of
    each article as it is now gives, from a table of its own."""
    from qtreader.library.parse import parse_file

    memory = sqlite3.connect(":memory:")
    memory.execute(
        "CREATE VIRTUAL TABLE expected USING fts5 (question, title, keywords, "
        f"description, answer, flags, tokenize = '{index_module.TOKENIZER}')"
    )
    for article_id, path in library.index.db.execute("SELECT id, path FROM articles"):
        parsed, _ = parse_file(library.root / index_module.file_name(path), library.root)
        assert parsed is not None
        columns = index_module.search_columns(
            parsed.question,
            parsed.title,
            "\x1f".join(parsed.keywords),
            parsed.description,
            index_module.search_text(parsed.answer),
            parsed.no_index,
        )
        memory.execute(
            "INSERT INTO expected (rowid, question, title, keywords, description, answer, "
            "flags) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, *columns),
        )
    memory.execute("CREATE VIRTUAL TABLE wanted USING fts5vocab(expected, instance)")
    return memory.execute("SELECT * FROM wanted ORDER BY 1, 2, 3, 4").fetchall()


def _held_search_rows(library: Library) -> list[tuple[object, ...]]:
    """Every word the index holds for a live article (term, article id, column, position):
    rows of articles that changed or went are still there, but no search reaches them."""
    db = library.index.db
    db.execute("CREATE VIRTUAL TABLE temp.held USING fts5vocab(main, search, instance)")
    try:
        return db.execute(
            "SELECT h.term, d.id, h.col, h.offset FROM temp.held h JOIN docs d ON d.doc = h.doc "
            "ORDER BY 1, 2, 3, 4"
        ).fetchall()
    finally:
        db.execute("DROP TABLE temp.held")


def test_search_rows_follow_every_kind_of_change(library_copy: Path) -> None:
    """The search table keeps no text, and none of its rows is ever changed: an article
    whose text changes gets a new row. After each kind of change, the words of the live
    rows must be what indexing the text of each article's first file now gives."""
    library = load_library(library_copy)

    def consistent(what: str) -> None:
        wanted = _expected_search_rows(library)
        held = _held_search_rows(library)
        live = library.index.db.execute("SELECT count(*) FROM docs").fetchone()[0]
        assert len(wanted) > 100
        assert held == wanted, what
        assert live == len(library), what

    consistent("the first load")
    steps: list[tuple[str, Callable[[], object], str, str]] = [
        (
            "the first file of a cross-listed article changes",
            lambda: _gradient(library_copy, "mathematics", "Steepest ascent, says the aardvark."),
            "aardvark",
            "nabla",
        ),
        (
            "a new first file for it, in a folder that sorts before",
            lambda: _gradient(library_copy, "astronomy", "Steepest ascent, says the bandicoot."),
            "bandicoot",
            "aardvark",
        ),
        (
            "a new file for it that is not its first",
            lambda: _gradient(library_copy, "zoology", "Steepest ascent, says the cassowary."),
            "bandicoot",
            "cassowary",
        ),
        (
            "its first file is removed",
            lambda: (library_copy / "learn/astronomy/what-is-a-gradient.md").unlink(),
            "aardvark",
            "bandicoot",
        ),
        (
            "its first file takes another question (its other files become conflicts)",
            lambda: _gradient(library_copy, "mathematics", "A dingo.", question="What is a dingo?"),
            "dingo",
            "aardvark",
        ),
    ]
    for what, change, found, gone in steps:
        change()
        library.refresh()
        assert library.index.notice is None, what  # not rebuilt from scratch as damaged
        consistent(what)
        assert _search_ids(library, found) == [503], what
        assert _search_ids(library, gone) == [], what
    library.refresh(rebuild=True)
    consistent("a rebuild")
    assert _search_ids(library, "dingo") == [503]


def test_stale_when_a_file_is_added_and_fresh_after_refresh(library_copy: Path) -> None:
    library = load_library(library_copy)
    assert not library.is_stale()
    (library_copy / "learn/physics/new.md").write_text(
        "---\nid: 700\nquestion: Q?\nanswer: A.\n---\n"
    )
    assert library.is_stale()
    library.refresh()
    assert not library.is_stale() and 700 in library


def test_rebuild_parses_everything(library_copy: Path, parsed: list[str]) -> None:
    library = load_library(library_copy)
    parsed.clear()
    report = library.refresh(rebuild=True)
    assert report.total == 9 and len(parsed) == 9
    assert len(library) == 8 and [h.id for h in library.search("doppler")] == [501]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"this is not a database at all" * 100), id="garbage"),
        pytest.param(
            lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 3]), id="truncated"
        ),
        pytest.param(
            lambda p: sqlite3.connect(p).execute("PRAGMA user_version = 99").connection.commit(),
            id="other-schema",
        ),
        pytest.param(
            lambda p: (p.unlink(), sqlite3.connect(p).execute("CREATE TABLE x (y)")),
            id="foreign",
        ),
    ],
)
def test_damaged_index_is_rebuilt_with_a_notice(
    library_copy: Path, damage: Callable[[Path], object]
) -> None:
    first = load_library(library_copy)
    first.index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    first.index.close()
    path = index_file(library_copy)
    damage(path)
    library = load_library(library_copy)
    assert library.notice is not None and library.notice.startswith("Rebuilding the index (")
    assert str(path) in library.notice and "\n" not in library.notice
    assert len(library) == 8 and [h.id for h in library.search("doppler")] == [501]


def test_apps_started_at_once_share_one_new_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several openers of a library that has no index yet (apps started together, or the
    app's own threads) create it once: none sees half a schema and takes the index for a
    foreign file to remove under the others."""
    import threading

    for round_ in range(4):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache{round_}"))
        start = threading.Barrier(6)
        notices: list[str | None] = []

        def open_one(start: threading.Barrier, notices: list[str | None]) -> None:
            start.wait()
            index = index_module.open_index(LIBRARY)
            notices.append(index.notice)
            index.validate()
            index.close()

        threads = [threading.Thread(target=open_one, args=(start, notices)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert notices == [None] * 6


def test_unwritable_cache_falls_back_to_memory(
    library_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    library = load_library(library_copy)
    assert library.index.in_memory
    assert library.notice is not None and "using an in-memory index" in library.notice
    assert len(library) == 8 and [h.id for h in library.search("doppler")] == [501]


# Search --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(LIBRARY, memory=True)


def test_all_words_must_match(library: Library) -> None:
    assert [h.id for h in library.search("frequency source")] == [501]
    assert library.search("frequency lens") == []


def test_phrases_and_prefixes(library: Library) -> None:
    assert [h.id for h in library.search('"load factor"')] == [505]
    assert library.search('"factor load"') == []
    assert {h.id for h in library.search("refract*")} == {502}
    # Stemmed: "refract", "refracting" and "refractions" are the word "refraction".
    for word in ("refract", "refracting", "refractions"):
        assert [h.id for h in library.search(word)] == [502]


def test_subject_filter_in_query_and_option(library: Library) -> None:
    # 503 is cross-listed: found under either subject, and shown under the one asked for.
    assert [h.subject for h in library.search("gradient")] == ["Mathematics"]
    assert [h.subject for h in library.search("gradient subject:physics")] == ["Physics"]
    assert [h.subject for h in library.search('gradient subject:"mathematics"')] == ["Mathematics"]
    assert [h.subject for h in library.search("gradient", subject="Physics")] == ["Physics"]
    assert library.search("gradient subject:history") == []
    assert library.search("gradient subject:nosuchsubject") == []
    assert [h.id for h in library.search("frequency subject:phys")] == [501]  # a name prefix


def test_subject_filter_alone_lists_the_subject(library: Library) -> None:
    assert [h.id for h in library.search("subject:computer-science")] == [504, 505, 506]


def test_question_and_title_outrank_keywords_and_the_answer(tmp_path: Path) -> None:
    def article(name: str, article_id: int, question: str, keywords: str, answer: str) -> None:
        path = tmp_path / "learn/earth" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\nid: {article_id}\nquestion: {question}\nseo:\n  page_keywords: {keywords}\n"
            f"answer: >-\n    {answer}\nsubject: Earth\n---\n"
        )

    article("a", 1, "Why do rivers meander?", "erosion", "Bends grow, and tides play no part.")
    article("b", 2, "What causes tides?", "moon", "The Moon pulls the oceans.")
    article("c", 3, "How do harbours work?", "tides, ports", "Ships dock there.")
    library = load_library(tmp_path, memory=True)
    assert [h.id for h in library.search("tides")] == [2, 3, 1]


def test_no_index_left_out_unless_asked(library: Library) -> None:
    assert library.search("rash") == []
    hits = library.search("rash", include_no_index=True)
    assert [h.id for h in hits] == [507] and hits[0].no_index


def test_snippet_highlights_the_matched_words(library: Library) -> None:
    (hit,) = library.search("redshift")
    assert hit.highlights
    for start, end in hit.highlights:
        assert hit.snippet[start:end].lower() == "redshift"
    assert "\x02" not in hit.snippet and "\x03" not in hit.snippet
    assert hit.snippet == " ".join(hit.snippet.split())  # one line, single spaces


def test_search_syntax_never_errors(library: Library) -> None:
    for text in ['"', "AND", "OR NOT", "(", "a:b", "*", "-x", "NEAR(a b)", "^", "''", "subject:"]:
        library.search(text)  # no sqlite3.OperationalError


def test_parse_query() -> None:
    query = parse_query('Hash  "load factor" colli* subject:"computer science" AND')
    assert query.match == '"Hash" AND "load factor" AND "colli"*'
    assert query.subjects == ("computer science",)
    assert parse_query("subject:computer-science").subjects == ("computer science",)
    assert parse_query("c++ (x)").match == '"c" AND "x"'


def test_search_text_strips_math_and_markup() -> None:
    text = search_text(
        "### Heading\n\n1. **Bold** and `code`, $\\nabla f$ and\n$$\nx = \\frac{1}{2}\n$$\n"
        "A [link](https://example.org) <br> | cell |"
    )
    assert " ".join(text.split()) == "Heading Bold and code , and A link cell"


def test_random_stays_in_its_subject(library: Library) -> None:
    for _ in range(10):
        article = library.random("physics")
        assert article is not None and "Physics" in article.subjects
    assert library.random("no such subject") is None


def test_fuzzy_titles(library: Library) -> None:
    assert [row[0] for row in library.fuzzy_titles("hshtbl", 5)] == [505]
    assert library.fuzzy_titles("%", 5) == []


def test_index_damaged_in_use_is_rebuilt_on_refresh(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = load_library(library_copy)
    damaged_index = library.index
    real_refresh = index_module.Index.refresh

    def failing_once(
        self: index_module.Index,
        progress: index_module.ProgressCallback | None = None,
        *,
        rebuild: bool = False,
    ) -> index_module.RefreshReport:
        if self is damaged_index:  # what SQLite raises on a page it cannot read
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real_refresh(self, progress, rebuild=rebuild)

    monkeypatch.setattr(index_module.Index, "refresh", failing_once)
    (library_copy / "learn/physics/new.md").write_text(
        "---\nid: 700\nquestion: What is new?\nanswer: Something.\n---\n"
    )
    library.refresh()  # meets the damage, starts a new index, never raises
    assert library.index is not damaged_index
    assert library.notice == (
        f"Rebuilding the index (database disk image is malformed): {index_file(library_copy)}"
    )
    assert len(library) == 9 and 700 in library
    assert [h.id for h in library.search("doppler")] == [501]


def test_bulk_refresh_merges_once_and_restores_automerge(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "_BULK", 1)
    library = load_library(library_copy)
    for table in ("search", "heads"):
        config = dict(library.index.db.execute(f"SELECT k, v FROM {table}_config").fetchall())
        assert config.get("automerge") == 4
    assert [h.id for h in library.search("doppler")] == [501]
    (library_copy / "learn/physics/new.md").write_text(
        "---\nid: 700\nquestion: What is a tachyon?\nanswer: A hypothetical particle.\n---\n"
    )
    library.refresh()
    assert [h.id for h in library.search("tachyon")] == [700]


def test_search_text_keeps_dollars_inside_code() -> None:
    """Math is found as the decoder and the renderer find it: never inside code."""
    text = search_text("Shell:\n\n```sh\necho $HOME$USER\n```\n\nand $x^2$ here")
    assert " ".join(text.split()) == "Shell: sh echo $HOME$USER and here"


def test_index_files_are_named_by_path_and_never_shared(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "library", tmp_path / "b" / "library"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    assert index_file(first) == index_file(first)
    assert index_file(first) != index_file(second)  # same ending, other path
    assert re.fullmatch(r".*-a-library-[0-9a-f]{16}\.sqlite3", index_file(first).name)


def test_problem_figures_follow_a_refresh(library_copy: Path) -> None:
    library = load_library(library_copy)
    before = len(library.problems)
    assert len(library) == 8
    (library_copy / "learn/physics/broken.md").write_text("---\nid: [\n---\n")
    (library_copy / "learn/physics/more.md").write_text(
        "---\nid: 700\nquestion: What is a lever?\nanswer: >-\n    A bar on a pivot.\n---\n"
    )
    library.refresh()
    assert len(library.problems) == before + 1
    assert len(library) == 9


def test_indexes_named_the_old_way_are_removed(library_copy: Path) -> None:
    folder = index_file(library_copy).parent
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "0123456789abcdef01234567.sqlite3"
    other = folder / "notes.sqlite3"
    for path in (old, Path(f"{old}-wal"), other):
        path.write_bytes(b"")
    load_library(library_copy)
    assert not old.exists() and not Path(f"{old}-wal").exists()
    assert other.exists() and index_file(library_copy).exists()


def test_names_that_are_not_utf8_are_kept_whole() -> None:
    names = ["a/b.md", "caf\u00e9/\u00e9t\u00e9.md", "ph\udcffysics/bad\udcfe.md", "x\udc80"]
    stored = index_module.stored_names(names)
    for name in stored:
        name.encode("utf-8")  # SQLite takes it
    assert stored[:2] == names[:2]  # UTF-8 names are kept as they are
    assert [index_module.file_name(name) for name in stored] == names
    plain = ["a.md", "b/\u00e9.md"]
    assert index_module.stored_names(plain) is plain  # nothing to do: the same list


def test_a_library_folder_whose_name_is_not_utf8(tmp_path: Path, parsed: list[str]) -> None:
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/lib\xff"))
    (root / "learn" / "ph\udcffysics").mkdir(parents=True)
    (root / "learn" / "ph\udcffysics" / "a\udcfe.md").write_text(
        "---\nid: 1\nquestion: Q?\nanswer: A.\n---\n"
    )
    library = load_library(root)
    article = library.article(1)
    assert article is not None and article.subjects == ("Ph\\xffysics",)
    assert library.answer(1) == "A."
    assert not library.is_stale()
    # Opened again, the index is this library's (its folder's name is kept whole too).
    parsed.clear()
    again = load_library(root)
    assert again.notice is None and parsed == [] and again.article(1) is not None


def _rewrite(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))
    _touch_forward(path)


def _stale_rows(library: Library) -> int:
    db = library.index.db
    rows = db.execute("SELECT count(*) FROM search_docsize").fetchone()[0]
    return int(rows) - int(db.execute("SELECT count(*) FROM docs").fetchone()[0])


def test_a_file_edited_twice_is_found_by_its_last_words_only(library_copy: Path) -> None:
    library = load_library(library_copy)
    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    assert _search_ids(library, "convex") == [502]
    _rewrite(lens, "A convex lens", "A quokka lens")
    library.refresh()
    _rewrite(lens, "A quokka lens", "A wombat lens")
    library.refresh()
    assert _search_ids(library, "wombat") == [502]
    for gone in ("convex", "quokka"):
        assert _search_ids(library, gone) == [], gone
        assert library.count_matches(gone, include_no_index=True) == 0, gone
    # Both older rows are still in the table, out of reach: the words held for the
    # article are those of its file now.
    assert _stale_rows(library) == 2
    assert _held_search_rows(library) == _expected_search_rows(library)
    assert library.search("wombat")[0].snippet.startswith("A wombat lens")


def test_a_cold_build_then_a_file_removed(library_copy: Path) -> None:
    library = load_library(library_copy)
    assert _search_ids(library, "doppler") == [501]
    assert library.count_matches("doppler") == 1
    (library_copy / "learn/physics/what-is-the-doppler-effect.md").unlink()
    library.refresh()
    assert 501 not in library
    assert _search_ids(library, "doppler") == []
    assert library.count_matches("doppler", include_no_index=True) == 0
    assert _held_search_rows(library) == _expected_search_rows(library)


def test_rows_out_of_reach_past_their_share_rebuild_the_search_table(
    library_copy: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "_STALE_MIN", 2)
    monkeypatch.setattr(index_module, "_STALE_SHARE", 0.2)  # 2 of 8 articles is past it
    library = load_library(library_copy)
    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    _rewrite(lens, "A convex lens", "A quokka lens")
    library.refresh()
    assert _stale_rows(library) == 1
    parsed.clear()
    _rewrite(lens, "A quokka lens", "A wombat lens")
    library.refresh()
    assert _stale_rows(library) == 2 and len(parsed) == 1  # not yet: the share is checked first
    parsed.clear()
    library.refresh()  # nothing changed, but the table is rebuilt from the files
    assert len(parsed) == 9 and _stale_rows(library) == 0
    assert _search_ids(library, "wombat") == [502] and _search_ids(library, "quokka") == []
    assert _held_search_rows(library) == _expected_search_rows(library)


def old_index(library_copy: Path, version: int, tables: str) -> Path:
    """Write an index of an older schema ``version`` for the library: its ``tables`` (SQL),
    a meta table naming the library, and the application id."""
    path = index_file(library_copy)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
        f"{tables}PRAGMA application_id = {index_module.APPLICATION_ID}; "
        f"PRAGMA user_version = {version};"
    )
    old.execute("INSERT INTO meta VALUES ('root', ?)", (str(library_copy.resolve()),))
    old.commit()
    old.close()
    return path


def rebuilt_notice(version: int, path: Path) -> str:
    return (
        f"Rebuilding the index (schema version {version}, this qtreader needs "
        f"{index_module.SCHEMA_VERSION}): {path}"
    )


def test_an_index_of_the_previous_schema_is_rebuilt_with_a_notice(library_copy: Path) -> None:
    """Schema 11 kept every answer (and its search table read them through a view): such
    an index is rebuilt in the new shape, with the one-line notice."""
    path = old_index(
        library_copy,
        11,
        "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER);"
        "CREATE TABLE answers (path TEXT PRIMARY KEY, body TEXT NOT NULL);",
    )
    library = load_library(library_copy)
    assert library.notice == rebuilt_notice(11, path)
    tables = {row[0] for row in library.index.db.execute("SELECT name FROM sqlite_master")}
    assert "answers" not in tables and "docs" in tables
    assert [h.id for h in library.search("doppler")] == [501]


def test_snippets_read_each_hit_file_once_while_it_is_unchanged(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = load_library(library_copy)
    from qtreader.library import parse

    read: list[tuple[str, str]] = []
    real_file, real_answer = parse.parse_file, parse.parse_answer

    def whole(path: Path, root: Path) -> object:
        read.append(("whole", path.name))
        return real_file(path, root)

    def answer_only(data: bytes) -> str | None:
        read.append(("answer", ""))
        return real_answer(data)

    monkeypatch.setattr(parse, "parse_file", whole)
    monkeypatch.setattr(parse, "parse_answer", answer_only)
    assert library.search("convex")[0].snippet.startswith("A convex lens")
    assert library.search("convex lens")[0].snippet.startswith("A convex lens")
    # As the index read it: only its answer is read again, once.
    assert read == [("answer", "")]
    # Changed since the refresh: the snippet is made from the file as it is now, parsed
    # whole (it may no longer be an article).
    _rewrite(
        library_copy / "learn/physics/how-does-a-lens-focus-light.md", "convex", "convex, bright"
    )
    assert "convex, bright" in library.search("convex")[0].snippet
    assert read == [("answer", ""), ("whole", "how-does-a-lens-focus-light.md")]


def test_the_answer_alone_is_the_answer_of_the_whole_parse() -> None:
    from qtreader.library.parse import parse_answer, parse_bytes

    roots = [LIBRARY, Path(__file__).parent / "hostile"]
    files = [path for root in roots for path in sorted(root.rglob("*.md"))]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        article, _ = parse_bytes(data, path, path.parent, size=len(data), mtime_ns=0)
        if article is not None:
            assert parse_answer(data) == article.answer, path


def test_a_hit_whose_file_broke_since_the_refresh_keeps_a_snippet(library_copy: Path) -> None:
    library = load_library(library_copy)
    doppler = library_copy / "learn/physics/what-is-the-doppler-effect.md"
    doppler.write_text("---\nid: [this is not\n---\n")
    _touch_forward(doppler)
    (hit,) = library.search("doppler")
    assert hit.id == 501
    # The catalog's fields still hold the word; the answer, unreadable now, adds nothing.
    assert "doppler" in hit.snippet.lower() and hit.highlights
    doppler.unlink()
    assert [h.id for h in library.search("doppler")] == [501]  # until the next refresh
    library.refresh()
    assert library.search("doppler") == []


def _file_links(library: Library, article_id: int) -> list[tuple[int, str, str, str]]:
    """The related links of an article's first file as parsing gives them."""
    from qtreader.library.parse import parse_file

    article = library.article(article_id)
    assert article is not None
    parsed, _ = parse_file(article.path, library.root)
    assert parsed is not None
    return [(r.id, r.title, r.subject, r.url) for r in parsed.related]


def _kept_links(library: Library, article_id: int) -> bytes | None:
    row = library.index.db.execute(
        "SELECT k.data FROM article_rows a LEFT JOIN links k ON k.file = a.file WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    assert row is not None and (row[0] is None or isinstance(row[0], bytes))
    return row[0]


def test_related_links_naming_articles_of_the_library_are_kept_by_id(library: Library) -> None:
    assert _kept_links(library, 506) is None  # no related links: nothing kept
    kept = _kept_links(library, 501)
    assert kept is not None
    # 502 and 503 by their ids (their titles, subjects and urls are theirs), 999 (not in
    # the library) whole.
    assert b"How does a lens" not in kept and b"gradient" not in kept
    assert index_module.link_ids(kept) == [502, 503, 999]
    doppler = library.article(501)
    assert doppler is not None
    assert [(r.id, r.title, r.subject, r.url) for r in doppler.related] == _file_links(library, 501)
    assert [r.available for r in doppler.related] == [True, True, False]


def test_links_that_differ_from_the_article_they_name_are_kept_whole(library_copy: Path) -> None:
    """A link with another title, a subject or url of no listing, or naming a listing that
    is not the first (503 is listed under Mathematics, then Physics), reads back exactly as
    its file has it."""
    doppler = library_copy / "learn/physics/what-is-the-doppler-effect.md"
    text = doppler.read_text()
    text = text.replace(
        "        How does a lens focus light?\n", "        How do lenses focus light?\n"
    )
    text = text.replace(
        "    subject: Mathematics\n    url: /learn/mathematics/questions/what-is-a-gradient",
        "    subject: Physics\n    url: /learn/physics/questions/what-is-a-gradient",
    )
    doppler.write_text(text)
    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    lens.write_text(
        lens.read_text().replace(
            "url: /learn/physics/questions/what-is-the-doppler-effect",
            "url: /learn/physics/questions/the-doppler-effect",
        )
    )
    library = load_library(library_copy)
    for article_id in (501, 502):
        article = library.article(article_id)
        assert article is not None
        links = [(r.id, r.title, r.subject, r.url) for r in article.related]
        assert links == _file_links(library, article_id)
    doppler_links = _file_links(library, 501)
    assert doppler_links[0][1] == "How do lenses focus light?"
    assert doppler_links[1][2:] == ("Physics", "/learn/physics/questions/what-is-a-gradient")
    # Round trips of the encoding itself, whatever the text.
    target = {7: ("Seven", [("Physics", "/learn/physics/questions/seven"), ("Maths", "/m/7")])}
    links = [
        (7, "Seven", "Physics", "/learn/physics/questions/seven"),
        (7, "Seven", "Maths", "/m/7"),
        (7, "Seven", "maths", "/m/7"),
        (8, "Ünïcode \u2013 \u201cquoted\u201d", "", ""),
    ]
    for chosen in ([links[0]], [links[1]], links[2:], links, links[3:]):
        kept = index_module.encode_links(chosen, target.get)
        assert index_module.decode_links(kept, lambda ids: target) == chosen
    assert index_module.encode_links([], target.get) is None
    assert index_module.decode_links(None, lambda ids: target) == []


def test_a_link_reads_as_its_file_has_it_after_the_article_it_names_changed(
    library_copy: Path,
) -> None:
    """501 keeps its link to 502 by id; 502's title then changes (501's file does not, and
    is not parsed again): the link still shows the title 501's file gives it."""
    load_library(library_copy)
    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    lens.write_text(
        lens.read_text().replace(
            "title: How does a lens focus light?\n", "title: Lenses, briefly\n"
        )
    )
    _touch_forward(lens)
    library = Library.open(library_copy)
    library.refresh()
    lens_article = library.article(502)
    assert lens_article is not None and lens_article.title == "Lenses, briefly"
    doppler = library.article(501)
    assert doppler is not None
    assert doppler.related[0].title == "How does a lens focus light?"
    assert [(r.id, r.title, r.subject, r.url) for r in doppler.related] == _file_links(library, 501)


def test_slugs_and_urls_are_kept_only_where_the_path_does_not_give_them(
    library_copy: Path,
) -> None:
    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    lens.write_text(
        lens.read_text()
        .replace("file_name: how-does-a-lens-focus-light.md", "file_name: lenses.md")
        .replace(
            "url: /learn/physics/questions/how-does-a-lens-focus-light",
            "url: /learn/optics/questions/lenses",
        )
    )
    library = load_library(library_copy)
    kept = {
        path: (slug, url)
        for path, slug, url in library.index.db.execute("SELECT path, slug, url FROM files")
    }
    assert kept["learn/physics/how-does-a-lens-focus-light.md"] == (
        "lenses",
        "/learn/optics/questions/lenses",
    )
    assert kept["learn/physics/what-is-the-doppler-effect.md"] == (None, None)
    lens_article = library.article(502)
    assert lens_article is not None
    assert (lens_article.slug, lens_article.url) == ("lenses", "/learn/optics/questions/lenses")
    doppler = library.article(501)
    assert doppler is not None
    assert doppler.slug == "what-is-the-doppler-effect"
    assert doppler.url == "/learn/physics/questions/what-is-the-doppler-effect"
    # Found by what they are, not by what the path would give.
    assert library.resolve("lenses") == lens_article
    assert library.resolve("/learn/optics/questions/lenses/") == lens_article
    assert library.resolve("how-does-a-lens-focus-light") is None
    assert library.resolve("what-is-the-doppler-effect") == doppler
    assert library.resolve("/learn/physics/questions/what-is-the-doppler-effect") == doppler
    gradient = library.resolve("/learn/physics/questions/what-is-a-gradient")
    assert gradient is not None and gradient.id == 503
    assert gradient.url == "/learn/mathematics/questions/what-is-a-gradient"  # its first
    assert [listing.url for listing in gradient.listings] == [
        "/learn/mathematics/questions/what-is-a-gradient",
        "/learn/physics/questions/what-is-a-gradient",
    ]


def test_an_index_of_schema_17_is_rebuilt_with_a_notice(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 17 had no heads table, which search asks of a large library: rebuilt."""
    load_library(library_copy).index.close_all()
    path = index_file(library_copy)
    old = sqlite3.connect(path)
    old.executescript("DROP TABLE heads; PRAGMA user_version = 17;")
    old.close()
    library = load_library(library_copy)
    assert library.notice == rebuilt_notice(17, path)
    monkeypatch.setattr(store_module, "_HEAVY_TERM", 1)  # searched in the heads table
    monkeypatch.setattr(store_module, "_LARGE_LIBRARY", 1)
    assert [h.id for h in library.search("doppler")] == [501]


def test_an_index_of_schema_16_is_rebuilt_with_a_notice(library_copy: Path) -> None:
    """Schema 16 kept every link whole in files.related and listings by path and title:
    such an index is rebuilt in the new shape, with the one-line notice."""
    path = old_index(
        library_copy,
        16,
        "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
        "related BLOB, answer_hash TEXT);"
        "CREATE TABLE listings (subject_key TEXT, position INTEGER, id INTEGER, path TEXT, "
        "title TEXT, PRIMARY KEY (subject_key, position)) WITHOUT ROWID;",
    )
    library = load_library(library_copy)
    assert library.notice == rebuilt_notice(16, path)
    columns = {row[1] for row in library.index.db.execute("PRAGMA table_info(files)")}
    assert "related" not in columns and "answer_hash" not in columns
    doppler = library.article(501)
    assert doppler is not None and [r.id for r in doppler.related] == [502, 503, 999]
    assert library.titles_in("physics")[0] == (502, "How does a lens focus light?")


def test_a_title_is_kept_once_and_keywords_and_description_compressed(
    library_copy: Path,
) -> None:
    doppler = library_copy / "learn/physics/what-is-the-doppler-effect.md"
    doppler.write_text(
        doppler.read_text().replace(
            "title: >-\n    What is the Doppler effect?\narticle_title",
            "title: >-\n    Doppler shift, briefly\narticle_title",
        )
    )
    library = load_library(library_copy)
    db = library.index.db
    rows = {i: (t, s) for i, t, s in db.execute("SELECT id, title, seo FROM files")}
    # The title is kept only where it is not the question; the fields read the same.
    assert rows[502][0] is None and rows[501][0] == "Doppler shift, briefly"
    lens, shift = library.article(502), library.article(501)
    assert lens is not None and lens.title == lens.question == "How does a lens focus light?"
    assert shift is not None and shift.title == "Doppler shift, briefly"
    assert library.titles_in("physics")[0] == (501, "Doppler shift, briefly")
    first = library.search("lens focus")[0]
    assert (first.id, first.title) == (502, lens.title)
    assert [(h.id, h.title) for h in library.search("shift briefly")] == [(501, shift.title)]
    # Keywords and description: one compressed value, none for an article without them.
    assert rows[508][1] is None
    keywords, description = index_module.decode_seo(rows[502][1])
    assert (keywords, description) == (lens.keywords, lens.description)
    assert keywords and description
    assert index_module.decode_seo(index_module.encode_seo(("a", "b, c"), "")) == (
        ("a", "b, c"),
        "",
    )
    assert index_module.decode_seo(index_module.encode_seo((), "Only text")) == ((), "Only text")


def test_an_article_is_found_by_any_url_its_files_give_without_an_index_of_urls(
    library_copy: Path,
) -> None:
    lens = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    _rewrite(
        lens,
        "url: /learn/physics/questions/how-does-a-lens-focus-light",
        "url: /learn/optics/lenses-explained",
    )
    library = load_library(library_copy)
    names = {row[0] for row in library.index.db.execute("SELECT name FROM sqlite_master")}
    assert "listings_url" not in names
    # A url that ends in its file's slug, one that does not, with or without a slash.
    found = library.by_url("/learn/physics/questions/what-is-the-doppler-effect/")
    assert found is not None and found.id == 501
    found = library.by_url("/learn/optics/lenses-explained")
    assert found is not None and found.id == 502 and found.url == "/learn/optics/lenses-explained"
    assert library.by_url("/learn/physics/questions/how-does-a-lens-focus-light") is None
    # Cited by and Similar give each article's url from its file as well.
    cited = library.cited_by(501)
    assert cited and all(library.by_url(link.url) is not None for link in cited)


def test_a_bulk_refresh_gives_back_the_pages_left_free(
    library_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages left free in the file (FTS5's merges leave many at 250,000 articles) are given
    back after a bulk refresh; the index answers as before."""
    library = load_library(library_copy)
    db = library.index.db
    with library.index.transaction():
        db.execute("CREATE TABLE scratch (data BLOB)")
        db.executemany("INSERT INTO scratch VALUES (?)", [(bytes(10_000),)] * 400)
    with library.index.transaction():
        db.execute("DROP TABLE scratch")
    free, pages = db.execute("SELECT * FROM pragma_freelist_count, pragma_page_count").fetchone()
    assert free * index_module._FREE_SHARE > pages
    monkeypatch.setattr(index_module, "_BULK", 1)  # the fixture library counts as bulk
    library.refresh(rebuild=True)
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert [h.id for h in library.search("doppler")] == [501]
