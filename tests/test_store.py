"""The content store on fixtures in the published format: one test per fact of the format."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qtreader.library import pool as pool_module
from qtreader.library.parse import MAX_FILE_BYTES
from qtreader.library.store import Library, load_library, subject_key

from .conftest import LIBRARY, refuse_to_open


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(LIBRARY)


def _write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _article_text(
    article_id: object, *, subject: str = "Physics", answer: str = "An answer."
) -> str:
    return (
        "---\n_schema: default\n"
        f"id: {article_id}\n"
        "question: >-\n    A question?\n"
        f"answer: >-\n    {answer}\n"
        f"subject: {subject}\n"
        "---\n\n&nbsp;"
    )


# The published format --------------------------------------------------------------------


def test_fields_of_the_example_format(library: Library) -> None:
    article = library.article(501)
    assert article is not None
    assert article.question == "What is the Doppler effect?"
    assert article.title == "What is the Doppler effect?"
    assert article.date == datetime.date(2024, 12, 11)
    assert article.keywords == ("Doppler effect", "frequency", "sound", "waves")
    assert article.description.startswith("How the frequency of a wave changes")
    assert article.slug == "what-is-the-doppler-effect"
    assert article.url == "/learn/physics/questions/what-is-the-doppler-effect"
    assert article.score == -1.0
    assert article.path == LIBRARY / "learn/physics/what-is-the-doppler-effect.md"


def test_answer_is_decoded_with_math_intact(library: Library) -> None:
    answer = library.answer(501)
    assert "\n$$\nf' = f \\frac{v}{v - v_s}\n$$\n" in answer
    assert "$v_s \\neq 0$" in answer and "$\\nu' = \\nu \\times" in answer
    assert "\n   - Sirens" in answer
    assert "\\n" not in answer.replace("\\neq", "").replace("\\nu", "")


def test_plain_and_folded_titles_load_alike(library: Library) -> None:
    plain = library.article(502)
    assert plain is not None and plain.title == "How does a lens focus light?"
    assert plain.question == plain.title


def test_missing_score_and_spacing_of_keywords(library: Library) -> None:
    lens = library.article(502)
    assert lens is not None and lens.score is None
    assert lens.keywords == ("lens", "refraction", "focal length", "optics")


def test_subject_case_variants_are_one_subject(library: Library) -> None:
    names = [subject.name for subject in library.subjects]
    assert names.count("Computer Science") == 1
    assert "Computer science" not in names
    subject = library.subject("computer SCIENCE")
    assert subject is not None and subject.name == "Computer Science" and subject.count == 3
    hash_table = library.article(505)
    assert hash_table is not None and hash_table.subjects == ("Computer Science",)


def test_cross_listed_id_is_one_article_under_each_subject(library: Library) -> None:
    gradient = library.article(503)
    assert gradient is not None
    assert gradient.subjects == ("Mathematics", "Physics")
    assert [listing.url for listing in gradient.listings] == [
        "/learn/mathematics/questions/what-is-a-gradient",
        "/learn/physics/questions/what-is-a-gradient",
    ]
    assert gradient in library.articles_in("Physics")
    assert gradient in library.articles_in("Mathematics")
    assert [a.id for a in library.cross_listed] == [503]
    assert len(library) == 8  # distinct ids, though there are nine files
    assert not library.problems


def test_related_links_resolve_and_dangling_ones_are_marked(library: Library) -> None:
    doppler = library.article(501)
    assert doppler is not None
    assert [(link.id, link.available) for link in doppler.related] == [
        (502, True),
        (503, True),
        (999, False),
    ]
    assert doppler.related[2].title == "What is a sonic boom?"
    assert doppler.related[1].subject == "Mathematics"  # a link into another subject
    dangling = [(a.id, link.id) for a, link in library.dangling_links]
    assert dangling == [(501, 999), (505, 998)]


def test_related_subject_spelling_is_the_canonical_one(library: Library) -> None:
    printf = library.article(504)
    assert printf is not None and printf.related[0].subject == "Computer Science"


def test_article_without_related_links(library: Library) -> None:
    recursion = library.article(506)
    assert recursion is not None and recursion.related == ()


def test_no_index_flag(library: Library) -> None:
    refusal = library.article(507)
    assert refusal is not None and refusal.no_index
    assert library.answer(507).startswith("I cannot answer this question")
    doppler = library.article(501)
    assert doppler is not None and not doppler.no_index


def test_subject_comes_from_the_folder_when_missing(library: Library) -> None:
    press = library.article(508)
    assert press is not None and press.subjects == ("History",)


def test_escape_sequences_are_stripped_from_every_field(library: Library) -> None:
    press = library.article(508)
    assert press is not None
    assert press.title == "Why did the printing press spread quickly?"
    assert press.question == "Why did the printing press spread quickly?"
    for article in library.articles():
        for text in (article.title, article.question, library.answer(article.id)):
            assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
            assert "\x1b" not in text and "\x9b" not in text


# Lookups -----------------------------------------------------------------------------


def test_lookups_by_id_slug_and_url(library: Library) -> None:
    assert library.resolve("503") == library.article(503)
    assert library.resolve("what-is-a-hash-table") == library.article(505)
    assert library.resolve("what-is-a-hash-table.md") == library.article(505)
    assert library.resolve("/learn/physics/questions/what-is-a-gradient") == library.article(503)
    assert library.resolve("/learn/mathematics/questions/what-is-a-gradient/") == library.article(
        503
    )
    assert library.resolve("4242") is None
    assert library.resolve("no-such-article") is None
    assert library.resolve("/learn/x/questions/no-such-article") is None


def test_subjects_with_counts_sorted_by_name(library: Library) -> None:
    assert [(s.name, s.count) for s in library.subjects] == [
        ("Computer Science", 3),
        ("History", 1),
        ("Mathematics", 1),
        ("Medicine", 1),
        ("Physics", 3),
    ]


def test_articles_of_a_subject_are_sorted_by_title(library: Library) -> None:
    titles = [a.title for a in library.articles_in("physics")]
    assert titles == [
        "How does a lens focus light?",
        "What is a gradient?",
        "What is the Doppler effect?",
    ]


def test_neighbours_within_a_subject(library: Library) -> None:
    after = library.neighbour(502, "Physics", 1)
    assert after is not None and after.id == 503
    assert library.neighbour(502, "Physics", -1) is None
    assert library.neighbour(501, "Physics", 1) is None


def test_subject_key_ignores_case_and_spacing() -> None:
    assert subject_key(" Computer  science ") == subject_key("Computer Science")


# Bad input ----------------------------------------------------------------------------


BROKEN = {
    "empty.md": "",
    "no-front-matter.md": "# Just Markdown\n\nNo front matter here.\n",
    "unterminated.md": "---\nid: 1\nquestion: Q?\n",
    "bad-yaml.md": "---\nid: 2\nquestion: [unclosed\nanswer: x\n---\n",
    "list.md": "---\n- a\n- b\n---\n",
    "scalar.md": "---\njust a string\n---\n",
    "no-question.md": "---\nid: 3\nanswer: An answer.\n---\n",
    "no-answer.md": "---\nid: 4\nquestion: Q?\n---\n",
    "bad-id.md": "---\nid: twelve\nquestion: Q?\nanswer: A.\n---\n",
    "no-id.md": "---\nquestion: Q?\nanswer: A.\n---\n",
    "answer-mapping.md": "---\nid: 5\nquestion: Q?\nanswer:\n  a: 1\n---\n",
    "python-tag.md": (
        "---\nid: !!python/object/apply:os.system ['true']\nquestion: Q?\nanswer: A.\n---\n"
    ),
}

REASONS = {
    "empty.md": "empty file",
    "no-front-matter.md": "no front matter",
    "unterminated.md": "front matter is not closed",
    "bad-yaml.md": "YAML error at line",
    "list.md": "front matter is a list, not a mapping",
    "scalar.md": "front matter is a single str value, not a mapping",
    "no-question.md": "no question",
    "no-answer.md": "no answer",
    "bad-id.md": "id 'twelve' is not an integer",
    "no-id.md": "no id",
    "answer-mapping.md": "answer is a mapping, not text",
    "python-tag.md": "YAML tags are not allowed",
}


def test_each_broken_file_is_a_problem_and_the_rest_load(tmp_path: Path) -> None:
    _write(tmp_path, "learn/physics/good.md", _article_text(1))
    for name, content in BROKEN.items():
        _write(tmp_path, f"learn/physics/{name}", content)
    library = load_library(tmp_path)
    assert [a.id for a in library.articles()] == [1]
    reasons = {problem.path.name: problem.reason for problem in library.problems}
    assert set(reasons) == set(BROKEN)
    for name, expected in REASONS.items():
        assert expected in reasons[name], (name, reasons[name])


def test_non_utf8_bytes_load_with_a_warning(tmp_path: Path) -> None:
    data = _article_text(7, answer="caf\xe9 au lait").encode("latin-1")
    path = _write(tmp_path, "learn/food/cafe.md", data)
    library = load_library(tmp_path)
    assert library.answer(7) == "caf\ufffd au lait"
    assert [(p.path, p.reason.split(";")[0]) for p in library.problems] == [
        (path, f"not valid UTF-8 (byte 0xe9 at offset {data.index(0xE9)})")
    ]


def test_raw_control_bytes_in_yaml_are_dropped_not_fatal(tmp_path: Path) -> None:
    _write(tmp_path, "learn/x/a.md", _article_text(8, answer="bold \x1b[1mtext\x1b[0m here"))
    library = load_library(tmp_path)
    assert library.answer(8) == "bold text here"
    assert not library.problems


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "learn/x/huge.md", _article_text(9, answer="x" * (MAX_FILE_BYTES + 10)))
    two_mb = _write(tmp_path, "learn/x/big.md", _article_text(10, answer="y" * 2_000_000))
    library = load_library(tmp_path)
    assert [a.id for a in library.articles()] == [10]
    assert two_mb.stat().st_size > 2_000_000
    (problem,) = library.problems
    assert problem.path.name == "huge.md" and "over the 4 MB limit" in problem.reason


def test_a_file_that_grew_since_its_stat_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read asks for as many bytes as stat said; a file written to meanwhile is still
    read to its end (up to the size limit)."""
    import os

    from qtreader.library.parse import parse_file

    path = _write(tmp_path, "learn/x/a.md", _article_text(12, answer="A long answer " * 50))
    real_stat = Path.stat

    def stat_before_it_grew(self: Path, **options: bool) -> os.stat_result:
        result = real_stat(self, **options)
        if self != path:
            return result
        fields = list(result)
        fields[6] = 40  # st_size: only the first lines were written then
        return os.stat_result(fields)

    monkeypatch.setattr(Path, "stat", stat_before_it_grew)
    article, problem = parse_file(path, tmp_path)
    assert problem is None and article is not None
    assert article.answer == ("A long answer " * 50).strip()


def test_same_id_with_another_question_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "learn/a/one.md", _article_text(11))
    _write(tmp_path, "learn/b/two.md", _article_text(11).replace("A question?", "Another?"))
    library = load_library(tmp_path)
    article = library.article(11)
    assert article is not None and article.subjects == ("Physics",)
    (problem,) = library.problems
    assert problem.path.name == "two.md" and "already used by" in problem.reason


def test_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    _write(tmp_path, "learn/physics/a.md", _article_text(12))
    (tmp_path / "learn/physics/loop").symlink_to(tmp_path / "learn")
    (tmp_path / "learn/dangling.md").symlink_to(tmp_path / "nowhere.md")
    library = load_library(tmp_path)
    assert [a.id for a in library.articles()] == [12]
    reasons = {p.path.name: p.reason for p in library.problems}
    assert "symlink loop" in reasons["loop"]
    assert reasons["dangling.md"] == "cannot read: broken symlink"


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = _write(tmp_path, "learn/x/secret.md", _article_text(13))
    _write(tmp_path, "learn/x/open.md", _article_text(14))
    refuse_to_open(monkeypatch, secret)
    library = load_library(tmp_path)
    assert [a.id for a in library.articles()] == [14]
    assert [(p.path, p.reason) for p in library.problems] == [
        (secret, "cannot read: Permission denied")
    ]


def test_loading_writes_nothing_into_the_library(library_copy: Path) -> None:
    def snapshot() -> dict[str, tuple[int, int]]:
        return {
            str(path): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in library_copy.rglob("*")
        }

    before = snapshot()
    load_library(library_copy)
    assert snapshot() == before


def test_hidden_folders_and_other_files_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "learn/x/a.md", _article_text(15))
    _write(tmp_path, ".git/x.md", "not an article")
    _write(tmp_path, "learn/x/notes.txt", "not markdown")
    library = load_library(tmp_path)
    assert [a.id for a in library.articles()] == [15]
    assert not library.problems


def test_missing_library_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="library folder not found"):
        load_library(tmp_path / "nope")


def test_parallel_parse_gives_the_same_library(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = load_library(LIBRARY, memory=True)
    monkeypatch.setattr(pool_module, "_POOL_THRESHOLD", 1)
    monkeypatch.setattr(pool_module, "_CHUNK", 2)
    seen: list[tuple[int, int]] = []
    parallel = load_library(
        LIBRARY, progress=lambda done, total: seen.append((done, total)), memory=True
    )
    assert list(parallel.articles()) == list(serial.articles())
    assert [parallel.answer(a.id) for a in parallel.articles()] == [
        serial.answer(a.id) for a in serial.articles()
    ]
    assert seen == [(0, 9), (2, 9), (4, 9), (6, 9), (8, 9), (9, 9)]


def test_shipped_library_loads_without_problems() -> None:
    from qtreader.library.resources import shipped_library

    library = load_library(shipped_library())
    assert len(library) >= 60
    assert len(library.subjects) >= 8
    assert not library.problems, library.problems[:3]
    assert library.cross_listed
    assert library.dangling_links
    assert os.access(shipped_library(), os.R_OK)


# The front-matter loader ---------------------------------------------------------------


def test_front_matter_loader_matches_yaml_load_on_real_format_files() -> None:
    import yaml

    from qtreader.library.resources import shipped_library
    from qtreader.library.yaml_front import load_front_matter

    files = sorted(LIBRARY.rglob("*.md")) + sorted(shipped_library().rglob("*.md"))
    for path in files:
        front = path.read_text(encoding="utf-8").split("\n---", 1)[0].removeprefix("---\n")
        assert load_front_matter(front) == yaml.load(front, Loader=yaml.CSafeLoader), path


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("a: &a [*a]", "nested more than 20 levels"),
        (
            "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: [*d, *d, *d, *d, *d, *d, *d, *d]",
            "more than 5000 YAML nodes",
        ),
        ("id: !!python/object/apply:os.system ['true']", "is not allowed"),
        ("? [a, b]\n: c", "a mapping key that is not text"),
        ("a: *x", "undefined alias"),
        ("a: &x 1\nb: &x 2", "duplicate anchor"),
    ],
)
def test_front_matter_loader_refuses_hostile_yaml(document: str, reason: str) -> None:
    import yaml

    from qtreader.library.yaml_front import load_front_matter

    with pytest.raises(yaml.YAMLError, match=reason):
        load_front_matter(document)


def test_front_matter_types_only_where_yaml_gives_them() -> None:
    from qtreader.library.yaml_front import load_front_matter

    loaded = load_front_matter(
        "id: 12\nno_index: true\nscore: !!float 1\ndate: 2024-12-11\nquestion: 5\nurl: 'x'"
    )
    assert loaded == {
        "id": 12,
        "no_index": True,
        "score": 1.0,
        "date": datetime.date(2024, 12, 11),
        "question": "5",  # text fields stay as written
        "url": "x",
    }


def test_pool_starts_where_stderr_has_no_descriptor() -> None:
    """Inside a running Textual app sys.stderr is a capture object whose fileno() is -1;
    multiprocessing's helpers, started for the first time in a process, refuse it ("bad
    value(s) in fds_to_keep"). A fresh process, so that no helper is running yet."""
    script = (
        "import io, sys\n"
        "from pathlib import Path\n"
        "from qtreader.library import pool, store\n"
        "class Captured(io.StringIO):\n"
        "    def fileno(self): return -1\n"
        "sys.stderr = Captured()\n"
        "pool._POOL_THRESHOLD, pool._CHUNK = 1, 2\n"
        "started = []\n"
        "real = pool._start_pool\n"
        "pool._start_pool = lambda w: started.append(real(w)) or started[-1]\n"
        "library = store.load_library(Path(sys.argv[1]), memory=True)\n"
        "assert isinstance(sys.stderr, Captured)\n"
        "print(len(library), started[0] is not None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(LIBRARY)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["8", "True"]  # parsed in a pool, all articles


def test_parse_falls_back_to_this_process_when_no_pool_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_pool(workers: int) -> None:
        return None

    monkeypatch.setattr(pool_module, "_POOL_THRESHOLD", 1)
    monkeypatch.setattr(pool_module, "_start_pool", no_pool)
    seen: list[tuple[int, int]] = []
    library = load_library(LIBRARY, progress=lambda d, t: seen.append((d, t)), memory=True)
    assert len(library) == 8 and seen[0] == (0, 9) and seen[-1] == (9, 9)


@pytest.mark.parametrize(
    "text",
    [
        "---\na: 1\n---",
        "---\na: 1\n----  \nbody",
        "---\na: 1\n--- x\nb: 2\n---\n",
        "---\n\na: 1\n---\n",
        "---\na: 1\n---\t\n",
        "---\na: 1\n---\r\nx",
        "---\r\na: 1\r\n---\r\n",
        "---\na: 1\n---  x\n---\n",
        "---\na: 1\n",
    ],
)
def test_front_matter_is_split_as_python_frontmatter_splits_it(text: str) -> None:
    from frontmatter.default_handlers import YAMLHandler

    from qtreader.library import parse

    try:
        expected: str | None = YAMLHandler().split(text)[0]
    except ValueError:
        expected = None
    try:
        found: str | None = parse._front_matter(text)
    except parse._Refused:
        found = None
    assert found == expected


def test_front_matter_split_matches_python_frontmatter_on_real_format_files() -> None:
    from frontmatter.default_handlers import YAMLHandler

    from qtreader.library import parse
    from qtreader.library.resources import shipped_library

    handler = YAMLHandler()
    for path in sorted(LIBRARY.rglob("*.md")) + sorted(shipped_library().rglob("*.md")):
        text = path.read_bytes().decode("utf-8", "replace")
        if handler.detect(text):
            assert parse._front_matter(text) == handler.split(text)[0], path


@pytest.mark.parametrize(
    "document",
    [
        "id: 12",
        "id: 0",
        "id: 012",  # octal in YAML 1.1
        "id: 0x1f",
        "id: 1_000",
        "id: ١٢",  # digits, but not ASCII ones: text
        "id: +5",
        "id: '12'",
        "date: 2024-12-11",
        "date: 2024-1-11",
        "date: 2024-12-11 10:00:00",
        "date: 2024-12-1x",
        "score: 1.5",
        "score: -1.0",
        "score: 01.50",
        "score: -1.",
        "score: 1_0.5",
        "score: -1.0e+3",
        "score: \u0661.\u0665",  # digits, but not ASCII ones: text
        "no_index: yes",
    ],
)
def test_typed_fields_are_read_as_yaml_reads_them(document: str) -> None:
    import yaml

    from qtreader.library.yaml_front import load_front_matter

    assert load_front_matter(document) == yaml.load(document, Loader=yaml.CSafeLoader)


def test_a_typed_field_yaml_cannot_construct_stays_text(tmp_path: Path) -> None:
    """yaml.load raises for a date that does not exist; the article still loads, without
    a date, and an id YAML cannot read is reported as the field's problem."""
    import yaml

    from qtreader.library.parse import parse_bytes
    from qtreader.library.yaml_front import load_front_matter

    with pytest.raises(ValueError, match=r"month must be in 1\.\.12"):
        yaml.load("date: 2024-13-45", Loader=yaml.CSafeLoader)
    assert load_front_matter("date: 2024-13-45") == {"date": "2024-13-45"}
    article, problem = parse_bytes(
        b"---\nid: 9\ndate: 2024-13-45\nquestion: Q?\nanswer: A.\n---\n",
        tmp_path / "a.md",
        tmp_path,
        size=0,
        mtime_ns=0,
    )
    assert problem is None and article is not None and article.date is None
    article, problem = parse_bytes(
        b"---\nid: !!int nine\nquestion: Q?\nanswer: A.\n---\n",
        tmp_path / "b.md",
        tmp_path,
        size=0,
        mtime_ns=0,
    )
    assert (
        article is None and problem is not None and problem.reason == "id 'nine' is not an integer"
    )
