"""``qtreader export anki`` and ``qtreader export markdown`` through the real entry point, on
the fixture library (math, tables, code, a cross-listed article, dangling links)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from pytest import MonkeyPatch

from qtreader.cli import main
from qtreader.library.export import folder_name
from qtreader.library.state import open_state

from .conftest import LIBRARY

FIELD_SEPARATOR = "\x1f"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def read_apkg(
    path: Path, tmp_path: Path
) -> tuple[dict[str, tuple[list[str], list[str]]], dict[int, str], dict[str, int]]:
    """The notes (guid: fields, tags), decks (id: name) and models (name: id) of a package."""
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist()
        target = tmp_path / f"{path.stem}.anki2"
        target.write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(target)
    try:
        notes = {
            guid: (fields.split(FIELD_SEPARATOR), tags.split())
            for guid, fields, tags in db.execute("SELECT guid, flds, tags FROM notes")
        }
        decks_json, models_json = db.execute("SELECT decks, models FROM col").fetchone()
        card_decks = {did for (did,) in db.execute("SELECT did FROM cards")}
    finally:
        db.close()
    decks = {int(key): deck["name"] for key, deck in json.loads(decks_json).items()}
    assert card_decks <= set(decks)
    models = {model["name"]: int(key) for key, model in json.loads(models_json).items()}
    return notes, decks, models


def note_with(
    notes: dict[str, tuple[list[str], list[str]]], question: str
) -> tuple[list[str], list[str]]:
    return next(note for note in notes.values() if note[0][0] == question)


def test_anki_deck_holds_one_note_per_article_with_html_math_and_tags(tmp_path: Path) -> None:
    out = tmp_path / "all.apkg"
    code, stdout, _ = run("export", "anki", "--library", str(LIBRARY), "--all", str(out))
    assert code == 0, stdout
    notes, decks, _models = read_apkg(out, tmp_path)
    assert len(notes) == 8  # the cross-listed gradient article once
    assert set(decks.values()) >= {
        "QuickTakes",
        "QuickTakes::Computer Science",
        "QuickTakes::History",
        "QuickTakes::Mathematics",
        "QuickTakes::Medicine",
        "QuickTakes::Physics",
    }
    fields, tags = note_with(notes, "What is the Doppler effect?")
    _question, answer, subject, related = fields
    assert subject == "Physics"
    assert tags == ["Doppler_effect", "frequency", "sound", "waves"]
    assert "<strong>Doppler effect</strong>" in answer
    assert "\\[f' = f \\frac{v}{v - v_s}\\]" in answer  # display math for MathJax
    assert "\\(v_s \\neq 0\\)" in answer  # inline math, its _ not read as emphasis
    assert "<ol>" in answer and "<ul>" in answer
    assert "What is a gradient? (Mathematics)" in related

    fields, tags = note_with(notes, "How does printf format integers?")
    answer = fields[1]
    assert "<table>" in answer and "<th>Specifier</th>" in answer
    assert '<pre><code class="language-c">#include &lt;stdio.h&gt;' in answer
    assert "printf(&quot;%d\\n&quot;, x);" in answer  # the code block kept as it is
    assert "conversion_specifier" in tags

    fields, _ = note_with(notes, "What is a gradient?")
    assert "c &amp; d \\end{pmatrix}\\]" in fields[1]  # TeX escaped for HTML


def test_a_second_export_gives_the_same_guids_and_ids(tmp_path: Path) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert run("export", "anki", "--library", str(LIBRARY), "--all", str(first))[0] == 0
    assert (
        run("export", "anki", "--library", str(LIBRARY), "--subject", "phys", str(second))[0] == 0
    )
    notes_a, decks_a, models_a = read_apkg(first, tmp_path)
    notes_b, decks_b, models_b = read_apkg(second, tmp_path)
    assert len(set(notes_a)) == 8
    assert set(notes_b) < set(notes_a)  # the physics notes keep their guids
    assert {note[0][0] for note in notes_b.values()} == {
        "How does a lens focus light?",
        "What is a gradient?",
        "What is the Doppler effect?",
    }
    assert models_a == models_b
    ids_a = {name: deck_id for deck_id, name in decks_a.items()}
    ids_b = {name: deck_id for deck_id, name in decks_b.items()}
    assert ids_b["QuickTakes::Physics"] == ids_a["QuickTakes::Physics"]
    assert ids_b["QuickTakes"] == ids_a["QuickTakes"]
    assert len(set(ids_a.values())) == len(ids_a)  # no two decks share an id


def test_article_text_never_becomes_markup(library_copy: Path, tmp_path: Path) -> None:
    path = library_copy / "learn/physics/what-is-the-doppler-effect.md"
    text = path.read_text()
    text = text.replace(
        "question: >-\n    What is the Doppler effect?",
        "question: >-\n    Is <script>alert(1)</script> the Doppler effect?",
    )
    text = text.replace("The **Doppler effect** is", "The <img src=x onerror=alert(1)> effect is")
    path.write_text(text)
    out = tmp_path / "x.apkg"
    assert run("export", "anki", "--library", str(library_copy), "--all", str(out))[0] == 0
    notes, _, _ = read_apkg(out, tmp_path)
    fields, _ = note_with(notes, "Is &lt;script&gt;alert(1)&lt;/script&gt; the Doppler effect?")
    assert "<script" not in "".join(fields)
    assert "<img" not in fields[1] and "&lt;img src=x onerror=alert(1)&gt;" in fields[1]


def test_existing_out_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    out.write_bytes(b"mine")
    code, _, err = run("export", "anki", "--library", str(LIBRARY), "--all", str(out))
    assert code == 2
    assert err == f"qtreader: {out} exists; --force to overwrite\n"
    assert out.read_bytes() == b"mine"
    code, _, _ = run("export", "anki", "--library", str(LIBRARY), "--all", "--force", str(out))
    assert code == 0 and zipfile.is_zipfile(out)

    folder = tmp_path / "md"
    folder.mkdir()
    code, _, err = run("export", "markdown", "--library", str(LIBRARY), "--all", str(folder))
    assert code == 2 and err == f"qtreader: {folder} exists; --force to overwrite\n"
    assert list(folder.iterdir()) == []


def test_unknown_subject_and_no_choice_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "x.apkg"
    code, _, err = run("export", "anki", "--library", str(LIBRARY), "--subject", "chem", str(out))
    assert code == 2
    assert "no subject 'chem' in this library" in err
    code, _, err = run("export", "anki", "--library", str(LIBRARY), str(out))
    assert code == 2 and "choose one of --subject, --bookmarks or --all" in err
    assert not out.exists()


def test_subject_matches_by_prefix_in_any_case(tmp_path: Path) -> None:
    out = tmp_path / "md"
    code, _, _ = run("export", "markdown", "--library", str(LIBRARY), "--subject", "M", str(out))
    assert code == 0
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert files == ["mathematics/what-is-a-gradient.md", "medicine/can-you-diagnose-my-rash.md"]


def test_markdown_files_by_subject_with_heading_date_answer_and_related(tmp_path: Path) -> None:
    out = tmp_path / "md"
    code, stdout, _ = run("export", "markdown", "--library", str(LIBRARY), "--all", str(out))
    assert code == 0
    assert stdout == f"8 articles written to {out}\n"
    doppler = (out / "physics/what-is-the-doppler-effect.md").read_text()
    assert doppler.startswith("# What is the Doppler effect?\n\n*Physics · 2024-12-11*\n\n")
    assert "$$\nf' = f \\frac{v}{v - v_s}\n$$" in doppler  # the decoded answer, math as TeX
    assert (
        "## Related\n\n- [How does a lens focus light?](<how-does-a-lens-focus-light.md>)"
        in doppler
    )
    assert (
        "- [What is a gradient?](<../mathematics/what-is-a-gradient.md>) (Mathematics)" in doppler
    )
    # A dangling link (no such article) stays as its title, with no link to follow.
    related = doppler.split("## Related")[1]
    assert related.count("](") == 2 and related.count("\n- ") == 3
    table = (out / "computer-science/how-does-printf-format-integers.md").read_text()
    assert "| Specifier | Meaning |" in table


def test_markdown_escapes_a_question_that_looks_like_html(
    library_copy: Path, tmp_path: Path
) -> None:
    path = library_copy / "learn/physics/how-does-a-lens-focus-light.md"
    text = path.read_text().replace(
        "question: How does a lens focus light?",
        "question: Why did <script>x</script> spread *quickly*?",
    )
    path.write_text(text)
    out = tmp_path / "md"
    assert run("export", "markdown", "--library", str(library_copy), "--all", str(out))[0] == 0
    first = (out / "physics/how-does-a-lens-focus-light.md").read_text().splitlines()[0]
    assert first == "# Why did \\<script\\>x\\</script\\> spread \\*quickly\\*?"
    # The fixture's question holding a terminal title sequence reaches no file.
    press = (out / "history/why-did-the-printing-press-spread-quickly.md").read_text()
    assert press.startswith("# Why did the printing press spread quickly?\n")


def test_bookmarks_export_only_the_bookmarked(tmp_path: Path) -> None:
    out = tmp_path / "b.apkg"
    code, _, err = run("export", "anki", "--library", str(LIBRARY), "--bookmarks", str(out))
    assert code == 1 and "no bookmarked articles" in err
    store = open_state(now=datetime(2026, 1, 1, tzinfo=UTC)).store
    store.toggle_bookmark(505, datetime(2026, 1, 1, tzinfo=UTC))
    store.toggle_bookmark(507, datetime(2026, 1, 2, tzinfo=UTC))
    store.close()
    code, _, _ = run("export", "anki", "--library", str(LIBRARY), "--bookmarks", str(out))
    assert code == 0
    notes, decks, _ = read_apkg(out, tmp_path)
    assert sorted(note[0][0] for note in notes.values()) == [
        "Can you diagnose my rash?",
        "What is a hash table?",
    ]
    assert "QuickTakes::Medicine" in decks.values()


def test_an_article_broken_since_indexing_is_named_and_the_others_exported(
    library_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "md"
    assert run("export", "markdown", "--library", str(library_copy), "--all", str(out))[0] == 0
    broken = library_copy / "learn/medicine/can-you-diagnose-my-rash.md"
    broken.write_text("---\nid: x\n---\n")  # the folder's mtime stays: the index keeps it
    code, stdout, err = run(
        "export", "markdown", "--library", str(library_copy), "--all", "--force", str(out)
    )
    assert code == 0
    assert f"qtreader: {broken}: id 'x' is not an integer; left out\n" in err
    assert stdout == f"7 articles written to {out}\n"


def test_a_deck_that_cannot_be_written_is_said_and_nothing_left(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "deck.apkg"
    code, _, err = run("export", "anki", "--library", str(LIBRARY), "--all", str(out))
    assert code == 2
    assert err == f"qtreader: cannot write {out}: No such file or directory\n"
    folder = tmp_path / "taken"
    folder.mkdir()
    code, _, err = run("export", "anki", "--library", str(LIBRARY), "--all", "--force", str(folder))
    assert code == 2 and "Is a directory" in err
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_an_export_leaves_no_temporary_file(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    # genanki's own writer leaves its temporary database behind on every export.
    temporary = tmp_path / "temp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    out = tmp_path / "deck.apkg"
    assert run("export", "anki", "--library", str(LIBRARY), "--all", str(out))[0] == 0
    # (pymp-*: the folder of the indexing pool, removed when this process ends.)
    assert [p for p in temporary.iterdir() if not p.name.startswith("pymp-")] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg", "temp"]


def test_folder_names_keep_letters_of_any_script_and_never_leave_the_folder() -> None:
    assert folder_name("Économie & Société", "subject") == "économie-société"
    assert folder_name("../..", "subject") == "subject"
    assert folder_name("a_b/c\\d", "subject") == "a-b-c-d"
