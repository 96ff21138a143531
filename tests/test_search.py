"""Search that finds what a student means: query parsing (stop words, numerals, prefixes),
ranking on a library written in the real format, and ``qtreader search`` in the shell."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library.query import QueryError, parse_query
from qtreader.library.store import Library, load_library

# Query parsing -------------------------------------------------------------------------


def test_joiners_and_question_words_are_left_out() -> None:
    assert parse_query("mitosis vs meiosis").match == '"mitosis" AND "meiosis"'
    assert parse_query("mitosis versus meiosis").match == '"mitosis" AND "meiosis"'
    assert parse_query("what is mitosis and how does it work").required == '"mitosis"'
    # FTS5's operators typed in any case are words, and joiners at that.
    assert parse_query("mitosis or meiosis").match == '"mitosis" AND "meiosis"'
    assert parse_query("mitosis NOT meiosis").match == '"mitosis" AND "meiosis"'


def test_a_query_of_stop_words_only_searches_them() -> None:
    assert parse_query("the and of").match == '"the" AND "and" AND "of"'
    assert parse_query("what is it").required == '"what" AND "is" AND "it"'


def test_soft_words_rank_but_need_not_match() -> None:
    query = parse_query("what is the difference between ionic and covalent bonds")
    assert query.required == '"ionic" AND "covalent" AND "bonds"'
    assert query.match == query.required + ' AND ("difference" OR "ionic")'
    assert parse_query("explain").match == '"explain"'  # nothing else: it is required


def test_numbers_and_roman_numerals_are_one() -> None:
    assert parse_query("world war 1").required == '"world" AND ("war 1" OR "war i")'
    assert parse_query("World War II").required == '"World" AND ("war ii" OR "war 2")'
    assert parse_query("type 2 diabetes").required == '("type 2" OR "type ii") AND "diabetes"'
    assert parse_query("2nd law").required == '("2nd" OR "second") AND "law"'
    assert parse_query("henry viii").words == ("henry", "viii", "8")
    # Alone, "i" is the pronoun and "1" only 1; "v" and "x" are letters.
    assert parse_query("i").match == '"i"'
    assert parse_query("1").match == '"1"'
    assert parse_query("x axis").match == '"x" AND "axis"'
    assert "i" not in parse_query("world war 1").words  # never marks every "I"


def test_words_typed_next_to_each_other_are_pairs_for_ranking() -> None:
    assert parse_query("photosynthesis light reactions").pairs == (
        '"photosynthesis light" OR "light reactions"'
    )
    assert parse_query("causes of inflation").pairs == ""  # "of" was between them
    assert parse_query("inflation").pairs == ""


def test_possessives_are_the_word() -> None:
    assert parse_query("newton's laws").required == '"newton" AND "laws"'


@pytest.mark.parametrize("text", ["en*", "e*", "x en*", "c++*", '"a phrase" of*'])
def test_a_prefix_under_three_letters_is_refused(text: str) -> None:
    with pytest.raises(QueryError, match="3 letters or more"):
        parse_query(text)


def test_prefixes_of_three_letters_and_lone_stars_are_fine() -> None:
    assert parse_query("ent*").match == '"ent"*'
    assert parse_query("*").match == ""


# Ranking on a library ------------------------------------------------------------------


def _write(root: Path, article_id: int, question: str, answer: str, keywords: str = "") -> None:
    slug = "-".join("".join(c for c in question.lower() if c.isalnum() or c == " ").split())
    path = root / "learn/biology" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nid: {article_id}\ntitle: >-\n    {question}\nseo:\n  page_keywords: >-\n"
        f"    {keywords or 'study'}\nquestion: >-\n    {question}\nanswer: >-\n    {answer}\n"
        f"subject: Biology\nfile_name: {slug}.md\nurl: /learn/biology/questions/{slug}\n---\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("library")
    _write(root, 1, "What is the difference between mitosis and meiosis?", "Both divide cells.")
    _write(root, 2, "How do mitosis and meiosis compare in plants?", "Plants use both.")
    _write(root, 3, "Which is faster: mitosis or meiosis?", "Mitosis, by far.")
    _write(root, 4, "How are chess openings named?", "The Sicilian vs the French defence.")
    _write(
        root,
        5,
        "What are the light-independent reactions of photosynthesis?",
        "The Calvin cycle fixes carbon; light reactions feed it ATP and NADPH. Photosynthesis "
        "needs light reactions first, and the light-independent reactions after them.",
    )
    _write(
        root,
        6,
        "What happens to water and to the energy of sunlight in the light reactions of "
        "photosynthesis in green plants?",
        "Photosystems in the thylakoid membranes absorb photons, split water into oxygen, "
        "protons and electrons, and pass the electrons along a transport chain that pumps "
        "protons; the gradient drives ATP synthase, and the chain ends by reducing NADP+.",
    )
    _write(
        root,
        7,
        "What caused World War II?",
        "The war began in 1939. Historians compare it with World War I, the war of 1914, "
        "and the treaty that ended World War I; World War I left debts.",
    )
    _write(root, 8, "What caused World War I?", "Alliances and an assassination.")
    _write(root, 9, "How do enzymes speed up a reaction?", "They lower the activation energy.")
    return load_library(root, memory=True)


def _ids(library: Library, text: str) -> list[int]:
    return [hit.id for hit in library.search(text)]


def test_a_plural_finds_the_singular_and_back(library: Library) -> None:
    assert _ids(library, "reactions") == _ids(library, "reaction")
    assert 9 in _ids(library, "reactions")  # "a reaction" in the question of 9


def test_mitosis_vs_meiosis_finds_the_articles_comparing_them(library: Library) -> None:
    found = _ids(library, "mitosis vs meiosis")
    assert sorted(found) == [1, 2, 3]  # not the chess article, which holds "vs"
    assert sorted(_ids(library, "what is the difference between mitosis and meiosis")) == [
        1,
        2,
        3,
    ]
    # "difference" need not match, but what holds it ranks first.
    assert _ids(library, "difference between mitosis and meiosis")[0] == 1


def test_world_war_1_ranks_the_article_on_world_war_i_first(library: Library) -> None:
    assert _ids(library, "world war 1") == [8, 7]
    assert _ids(library, "world war II") == [7]
    assert _ids(library, "world war 2") == [7]


def test_question_holding_every_word_ranks_first(library: Library) -> None:
    # 5 says "light reactions" more often, but 6's question is about them.
    assert _ids(library, "photosynthesis light reactions")[0] == 6


def test_count_matches_counts_every_match(library: Library) -> None:
    assert library.count_matches("mitosis vs meiosis") == 3
    assert library.count_matches("photosynthesis") == 2
    assert library.count_matches("nothingatall") == 0
    assert library.count_matches("subject:biology") == 9
    assert library.count_matches("mitosis subject:physics") == 0


# The shell -----------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_search_understands_a_students_question() -> None:
    code, out, _ = _run(
        "search", "mitosis vs meiosis", "--library", str(Path(__file__).parents[1] / "content")
    )
    assert code == 0
    assert out.splitlines()[0].startswith("3004\tWhat is the difference between mitosis")


def test_cli_search_ranks_world_war_1_first() -> None:
    content = str(Path(__file__).parents[1] / "content")
    code, out, _ = _run("search", "world war 1", "--library", content, "--format", "plain")
    assert code == 0 and out.splitlines()[0].split("\t")[0] == "3027"


def test_cli_search_says_a_prefix_is_too_short() -> None:
    content = str(Path(__file__).parents[1] / "content")
    code, out, err = _run("search", "en*", "--library", content)
    assert code == 2 and out == ""
    assert err.splitlines() == [err.strip()] and err.startswith("qtreader: 'en*': a prefix*")
    code, out, err = _run("show", "en*", "--library", content)
    assert code == 2 and err.startswith("qtreader: 'en*'")


def test_palette_titles_put_titles_holding_the_text_first(library: Library) -> None:
    assert {row[0] for row in library.fuzzy_titles("world war", 5)} == {7, 8}
    assert [row[0] for row in library.fuzzy_titles("light reactions", 5)] == [6, 5]
    # Letters in order, across words: the shorter title first.
    assert [row[0] for row in library.fuzzy_titles("lightreac", 5)] == [5, 6]
    assert {row[0] for row in library.fuzzy_titles("wwi", 10)} >= {7, 8}
    assert len(library.fuzzy_titles("a", 3)) == 3
    for text in ("]", "\\", "^", "%", "[a-z]"):
        assert library.fuzzy_titles(text, 5) == []  # never a regex or LIKE pattern


def test_palette_titles_follow_a_refresh(tmp_path: Path) -> None:
    _write(tmp_path, 1, "What is osmosis?", "Water moves.")
    library = load_library(tmp_path)
    assert [row[0] for row in library.fuzzy_titles("osmosis", 5)] == [1]
    assert library.fuzzy_titles("diffusion", 5) == []
    _write(tmp_path, 2, "What is diffusion?", "Particles spread.")
    library.refresh()
    assert [row[:2] for row in library.fuzzy_titles("diffusion", 5)] == [(2, "What is diffusion?")]
