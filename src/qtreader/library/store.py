"""The content store: finds a library's article files and answers lookups over its index.

No Textual here: the command line and the app share this layer. :class:`Library` reads the
catalog in :mod:`qtreader.library.index`; an article's answer comes from the index while its file is
unchanged, and from the file otherwise, when asked for.
"""

from __future__ import annotations

import bisect
import datetime
import json
import random
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from qtreader.library.decode import clean_text, escape_controls
from qtreader.library.index import (
    TOKENIZER,
    Index,
    RefreshReport,
    decode_related,
    file_name,
    open_index,
    replace_index,
    search_text,
)
from qtreader.library.models import (
    Article,
    Listing,
    RelatedLink,
    SearchHit,
    Subject,
    is_article_id,
    subject_key,
)
from qtreader.library.pool import ProgressCallback
from qtreader.library.scan import scan_library

if TYPE_CHECKING:
    from qtreader.library.models import Problem
    from qtreader.library.query import SearchQuery

__all__ = [
    "AnswerUnavailable",
    "Library",
    "ProgressCallback",
    "load_library",
    "scan_library",
    "subject_key",
]


#: An article id as typed: digits, with a minus sign for the negative ids of real libraries.
_ID_TEXT = re.compile(r"-?[0-9]+")


def load_library(
    root: Path, progress: ProgressCallback | None = None, *, memory: bool = False
) -> Library:
    """Open the library at ``root`` and bring its index up to date (parsing what changed).

    Bad files become problems; nothing is ever written into the library folder.
    """
    library = Library.open(root, memory=memory)
    library.refresh(progress)
    return library


class AnswerUnavailable(Exception):
    """An article's file can no longer be read as it was indexed; the message says why."""


class Library:
    """A library as its index knows it: subjects, articles, lookups, search and problems.

    Safe to use from several threads (each gets its own SQLite connection).
    """

    def __init__(self, index: Index) -> None:
        self.index = index
        self.root = index.root
        # Asked for on every paint of the status line; each is a scan: kept until a refresh.
        self._subjects: list[Subject] | None = None
        self._length: int | None = None
        self._problems: list[Problem] | None = None
        self._told: str | None = None
        self._titles: tuple[str, list[int], list[int]] | None = None
        # The notes of the last search, made searchable: the app searches as the reader
        # types, with the same notes every time.
        self._notes: tuple[dict[int, str], _NoteSearch] | None = None

    @classmethod
    def open(cls, root: Path, *, memory: bool = False) -> Library:
        """Open the index of the library at ``root`` without reading any article file."""
        root = Path(root).expanduser().absolute()
        if not root.is_dir():
            raise NotADirectoryError(f"library folder not found: {root}")
        return cls(open_index(root, memory=memory))

    def is_stale(self) -> bool:
        """Whether files may have been added or removed since the last refresh (a folder's
        mtime changed), or the index was never filled. Costs one stat per folder."""
        return self.index.is_stale()

    @property
    def notice(self) -> str | None:
        """A one-line message about the index (rebuilt, in memory), if there is one."""
        return self.index.notice

    def untold_notice(self) -> str | None:
        """:attr:`notice`, the first time it is asked for: each message is told once, also
        one that a refresh brings (the cache disk filled up, a damaged index rebuilt)."""
        notice = self.index.notice
        if notice is None or notice == self._told:
            return None
        self._told = notice
        return notice

    def refresh(
        self, progress: ProgressCallback | None = None, *, rebuild: bool = False
    ) -> RefreshReport:
        """Parse the files added or changed since the last refresh (all, with ``rebuild``)."""
        while True:
            try:
                report = self.index.refresh(progress, rebuild=rebuild)
                break
            except sqlite3.DatabaseError as error:
                if self.index.in_memory:
                    raise
                # Damaged while in use (a disk error, a truncated copy): start it afresh;
                # a full cache disk: in memory (which cannot fail this way: the loop ends).
                self.index = replace_index(self.index, error)
                rebuild = True
        self._subjects = None
        self._length = None
        self._problems = None
        self._titles = None
        return report

    @property
    def _db(self) -> sqlite3.Connection:
        return self.index.db

    # Subjects ---------------------------------------------------------------------------

    @property
    def subjects(self) -> list[Subject]:
        """Every subject with its article count, sorted by name."""
        if self._subjects is None:
            rows = self._db.execute("SELECT name, key, count FROM subjects").fetchall()
            self._subjects = sorted(
                (Subject(name, key, count) for name, key, count in rows),
                key=lambda subject: subject.name.casefold(),
            )
        return list(self._subjects)

    def subject(self, name: str) -> Subject | None:
        """The subject of that name, in any case."""
        key = subject_key(name)
        return next((s for s in self.subjects if s.key == key), None)

    def subjects_matching(self, name: str) -> list[Subject]:
        """The subjects a name given by the user means: the one of that name in any case,
        else every subject whose name starts with it (``phys``: Physics)."""
        key = subject_key(name)
        exact = [s for s in self.subjects if s.key == key]
        return exact or [s for s in self.subjects if s.key.startswith(key)]

    def _subject_name(self, name: str) -> str:
        """How the library spells a subject (its most common spelling), else ``name``: one
        lookup by key, without building the list of subjects."""
        row = self._db.execute(
            "SELECT name FROM subjects WHERE key = ?", (subject_key(name),)
        ).fetchone()
        return str(row[0]) if row else name

    # Articles ---------------------------------------------------------------------------

    def __len__(self) -> int:
        if self._length is None:
            self._length = self.index.article_count()
        return self._length

    def __contains__(self, article_id: object) -> bool:
        return (
            is_article_id(article_id)
            and self._db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            is not None
        )

    def article(self, article_id: int) -> Article | None:
        """The article with that id, if the library has it."""
        if not is_article_id(article_id):
            return None  # no article has it: parsing refuses such an id
        row = self._db.execute(_ARTICLE_SQL + " WHERE a.id = ?", (article_id,)).fetchone()
        return self._article(row) if row else None

    def articles(self) -> Iterator[Article]:
        """Every article once, in id order."""
        for row in self._db.execute(_ARTICLE_SQL + " ORDER BY a.id").fetchall():
            yield self._article(row)

    def _article(self, row: tuple[object, ...]) -> Article:
        (article_id, title, question, slug, date, keywords, description, score, no_index,
         related) = row  # fmt: skip
        listings = tuple(
            Listing(subject, url, self.root / file_name(path))
            for subject, url, path in self._db.execute(
                "SELECT subject, url, path FROM listings WHERE id = ? ORDER BY rank",
                (article_id,),
            )
        )
        links = decode_related(str(related or ""))
        # An id SQLite cannot hold is in no library: its link stays, as not available.
        ids = [link[0] for link in links if is_article_id(link[0])]
        present = {
            found
            for (found,) in self._db.execute(
                f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(ids))})", ids
            )
        }
        return Article(
            id=int(article_id),  # type: ignore[call-overload]
            title=str(title),
            question=str(question),
            slug=str(slug),
            date=datetime.date.fromisoformat(str(date)) if date else None,
            keywords=tuple(str(keywords).split("\x1f")) if keywords else (),
            description=str(description or ""),
            score=float(score) if score is not None else None,  # type: ignore[arg-type]
            no_index=bool(no_index),
            listings=listings,
            related=tuple(
                RelatedLink(i, t, self._subject_name(s), u, i in present) for i, t, s, u in links
            ),
        )

    def answer(self, article_id: int) -> str:
        """The decoded Markdown answer of an article: as indexed while its file is
        unchanged (one stat), else read from the file now.

        Raises :class:`AnswerUnavailable` if the file went or no longer parses.
        """
        row = (
            self._db.execute("SELECT path FROM articles WHERE id = ?", (article_id,)).fetchone()
            if is_article_id(article_id)
            else None
        )
        if row is None:
            raise AnswerUnavailable(f"no article {article_id} in {escape_controls(self.root)}")
        stored = self.index.stored_answer(row[0])
        if stored is not None:
            return stored
        from qtreader.library.parse import parse_file  # YAML is imported only when a file is read

        path = self.root / file_name(row[0])
        parsed, problem = parse_file(path, self.root)
        if parsed is None:
            reason = problem.reason if problem else "unreadable"
            raise AnswerUnavailable(escape_controls(f"{path}: {reason}"))
        return parsed.answer

    # Lookups ----------------------------------------------------------------------------

    def by_slug(self, slug: str) -> Article | None:
        """The article whose ``file_name`` (without ``.md``) is ``slug``."""
        row = self._db.execute(
            "SELECT f.id FROM files f JOIN articles a ON a.id = f.id WHERE f.slug = ? "
            "ORDER BY f.path LIMIT 1",
            (slug.removesuffix(".md"),),
        ).fetchone()
        return self.article(row[0]) if row else None

    def by_url(self, url: str) -> Article | None:
        """The article listed at that ``/learn/<subject>/questions/<slug>`` url."""
        url = url.rstrip("/")
        row = self._db.execute("SELECT id FROM listings WHERE url IN (?, ?)", (url, url + "/"))
        found = row.fetchone()
        return self.article(found[0]) if found else None

    def resolve(self, reference: str) -> Article | None:
        """An article by id, url or slug, whichever ``reference`` is."""
        reference = reference.strip()
        if _ID_TEXT.fullmatch(reference):  # real libraries have negative ids too
            return self.article(int(reference))
        if "/" in reference:
            found = self.by_url(reference)
            if found is None and "/questions/" in reference:
                found = self.by_slug(reference.rstrip("/").rsplit("/", 1)[-1])
            return found
        return self.by_slug(reference)

    def titles_in(self, subject: str) -> list[tuple[int, str]]:
        """(id, title) of the articles listed under a subject, sorted by title: what a tree
        needs, without building whole articles."""
        rows: list[tuple[int, str]] = self._db.execute(
            "SELECT id, title FROM listings WHERE subject_key = ? ORDER BY position",
            (subject_key(subject),),
        ).fetchall()
        return rows

    def fuzzy_titles(self, text: str, limit: int) -> list[tuple[int, str, str]]:
        """(id, title, subject) of up to ``limit`` articles whose title holds the letters
        of ``text`` in order: those holding ``text`` itself first, then the others.

        Runs in C over every title at once (:meth:`title_list`, one string): a LIKE scan
        of the catalog and fuzzy scoring of its first 300 hits took 200-390 ms per
        keystroke at 36,000 titles.
        """
        letters = [c for c in text.casefold() if not c.isspace()]
        if not letters:
            return []
        joined, starts, rows = self.title_list()
        found: dict[int, None] = {}

        def line_of(position: int) -> int:
            return bisect.bisect_right(starts, position) - 1

        needle = " ".join(text.casefold().split())
        position = joined.find(needle)
        while position != -1 and len(found) < limit:
            line = line_of(position)
            found[line] = None
            position = joined.find(needle, starts[line + 1]) if line + 1 < len(starts) else -1
        if len(found) < limit:
            # Each letter's first occurrence after the last (possessive: no backtracking),
            # tried once per line: linear in the titles whatever is typed.
            pattern = re.compile(
                "(?m)^" + "".join(f"[^\n{re.escape(c)}]*+{re.escape(c)}" for c in letters)
            )
            position = 0
            while len(found) < limit:
                match = pattern.search(joined, position)
                if match is None:
                    break
                line = line_of(match.start())
                found[line] = None
                if line + 1 >= len(starts):
                    break
                position = starts[line + 1]
        ids = [rows[line] for line in found]
        shown = {
            row[0]: row
            for row in self._db.execute(
                "SELECT id, title, subject FROM listings WHERE rank = 0 AND id IN "
                f"({','.join('?' * len(ids))})",
                ids,
            )
        }
        return [shown[i] for i in ids if i in shown]

    def title_list(self) -> tuple[str, list[int], list[int]]:
        """Every title in lower case, one a line in one string, shortest first; where each
        line starts; and the article id of each line. Made once per refresh from the
        articles' own lower-case titles (the narrowest rows: reading the listings' titles
        took ten times as long at 250,000 articles); the palette makes it as it opens."""
        if self._titles is None:
            rows: list[tuple[int, str]] = self._db.execute(
                "SELECT id, title_key FROM articles"
            ).fetchall()
            rows.sort(key=lambda row: (len(row[1]), row[1]))  # short titles first
            keys = [key.replace("\n", " ") for _, key in rows]
            starts, position = [], 0
            for key in keys:
                starts.append(position)
                position += len(key) + 1
            self._titles = ("\n".join(keys), starts, [article_id for article_id, _ in rows])
        return self._titles

    def articles_in(self, subject: str) -> list[Article]:
        """The articles listed under a subject (any case), sorted by title."""
        return [a for i, _ in self.titles_in(subject) if (a := self.article(i)) is not None]

    def neighbour(self, article_id: int, subject: str, step: int) -> Article | None:
        """The article ``step`` places after (or before) this one in a subject's title order."""
        if not is_article_id(article_id):
            return None
        key = subject_key(subject)
        row = self._db.execute(
            "SELECT n.id FROM listings l JOIN listings n ON n.subject_key = l.subject_key "
            "AND n.position = l.position + ? WHERE l.subject_key = ? AND l.id = ?",
            (step, key, article_id),
        ).fetchone()
        return self.article(row[0]) if row else None

    def random(self, subject: str | None = None) -> Article | None:
        """An article chosen at random, from one subject if given."""
        if subject is None:
            count = len(self)
            if not count:
                return None
            row = self._db.execute(
                "SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET ?", (random.randrange(count),)
            ).fetchone()
        else:
            found = self.subject(subject)
            if found is None or not found.count:
                return None
            row = self._db.execute(
                "SELECT id FROM listings WHERE subject_key = ? AND position = ?",
                (found.key, random.randrange(found.count)),
            ).fetchone()
        return self.article(row[0]) if row else None

    # Search -------------------------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        subject: str | None = None,
        limit: int = 20,
        include_no_index: bool = False,
        notes: Mapping[int, str] | None = None,
    ) -> list[SearchHit]:
        """Articles matching ``text`` (see :mod:`qtreader.library.query`), best first: those whose
        question or title holds every word, then the others, each by bm25.

        ``notes`` are the user's notes (article id: text; the library keeps none of its
        own). An article whose note holds every word is found as well, and comes first:
        the reader wrote about it. Its hit is marked ``in_note`` and its snippet is from
        the note. ``note:`` filters keep only the articles whose note matches; without
        ``notes`` nothing does.

        Articles marked ``no_index`` are left out unless ``include_no_index``. Raises
        :class:`qtreader.library.query.QueryError` for text that cannot be searched as typed.
        """

        plan = self._plan(text, subject, include_no_index, notes)
        if plan is None:
            return []
        query, keys, filters, parameters, noted = plan
        in_notes = self._note_hits(noted, keys, include_no_index)[:limit]
        if not query.match:
            if query.note:
                return in_notes
            if not keys:
                return []
            return [
                SearchHit(a.id, a.title, self._subject_name(keys[0]), a.description, (), a.no_index)
                for a in self.articles_in(keys[0])[:limit]
                if include_no_index or not a.no_index
            ]

        def expression(columns: str, match: str = query.match) -> str:
            # User words match only the text columns; no_index articles are left out by
            # their flag, in FTS5 itself.
            found = f"{{{columns}}} : ({match})"
            return found if include_no_index else f"({found}) NOT (flags : hidden)"

        # Tiers, best first, each ranked by bm25 and filled up to the limit by the next:
        # the articles whose question or title holds two words as typed side by side and
        # every word; those holding every word; then the others. bm25 alone put
        # "light-independent reactions" before "light reactions". Each tier is an FTS5
        # query of its own: ordering every match by tier costs bm25 for each of them.
        everything = expression("question title keywords description answer")
        in_title = f"({everything}) AND ({expression('question title', query.required)})"
        tiers = [in_title]
        if query.pairs:
            tiers.insert(0, f"({in_title}) AND ({expression('question title', query.pairs)})")
        rows: list[tuple[int, str]] = []
        wanted = limit - len(in_notes)

        def fill(tier: str) -> None:
            taken = [hit.id for hit in in_notes] + [row[0] for row in rows]
            others = f" AND s.rowid NOT IN ({','.join('?' * len(taken))})" if taken else ""
            rows.extend(
                self._db.execute(
                    "SELECT s.rowid, snippet(search, -1, char(2), char(3), '…', 14) "
                    f"FROM search s WHERE search MATCH ?{filters}{others} "
                    "ORDER BY s.rank LIMIT ?",
                    (tier, *parameters, *taken, wanted - len(rows)),
                )
            )

        for tier in tiers:
            fill(tier)  # none when the notes' hits fill the limit (LIMIT 0)
            if len(rows) >= wanted:
                break
        else:
            # bm25 is computed for every match of a tier before the LIMIT: for a query that
            # matches a large part of the library, rank first among the articles that match
            # in the question, title or keywords (the heavily weighted columns).
            many = self._db.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search s "
                f"WHERE search MATCH ?{filters} LIMIT ?)",
                (everything, *parameters, _TIER_THRESHOLD),
            ).fetchone()[0]
            if many >= _TIER_THRESHOLD:
                fill(expression("question title keywords"))
            if len(rows) < wanted:
                fill(everything)
        hits = list(in_notes)
        for article_id, snippet in rows:
            row = self._db.execute(
                "SELECT f.title, f.no_index, l.subject FROM articles a "
                "JOIN files f ON f.path = a.path JOIN listings l ON l.id = a.id "
                "WHERE a.id = ? ORDER BY "
                + (f"l.subject_key NOT IN ({','.join('?' * len(keys))}), " if keys else "")
                + "l.rank LIMIT 1",
                (article_id, *(keys or ())),
            ).fetchone()
            if row is not None:
                text_, spans = _highlights(snippet)
                hits.append(SearchHit(article_id, row[0], row[2], text_, spans, bool(row[1])))
        return hits

    def count_matches(
        self,
        text: str,
        *,
        subject: str | None = None,
        include_no_index: bool = False,
        notes: Mapping[int, str] | None = None,
    ) -> int:
        """How many articles :meth:`search` finds for ``text`` in all, not only the best."""
        plan = self._plan(text, subject, include_no_index, notes)
        if plan is None:
            return 0
        query, keys, filters, parameters, noted = plan
        in_notes = [hit.id for hit in self._note_hits(noted, keys, include_no_index)]
        if not query.match:
            if query.note:
                return len(in_notes)
            if not keys:
                return 0
            hidden = "" if include_no_index else " AND NOT a.no_index"
            found = self._db.execute(
                "SELECT count(DISTINCT l.id) FROM listings l JOIN articles a ON a.id = l.id "
                f"WHERE l.subject_key = ?{hidden}",
                (keys[0],),
            ).fetchone()
            return int(found[0])
        match = f"{{question title keywords description answer}} : ({query.match})"
        if not include_no_index:
            match = f"({match}) NOT (flags : hidden)"
        found = self._db.execute(
            f"SELECT count(*) FROM search s WHERE search MATCH ?{filters}", (match, *parameters)
        ).fetchone()
        if not in_notes:
            return int(found[0])
        # Found by their notes, less those the index finds as well.
        both = self._db.execute(
            f"SELECT count(*) FROM search s WHERE search MATCH ?{filters} "
            "AND s.rowid IN (SELECT value FROM json_each(?))",
            (match, *parameters, json.dumps(in_notes)),
        ).fetchone()
        return int(found[0]) + len(in_notes) - int(both[0])

    def _plan(
        self,
        text: str,
        subject: str | None,
        include_no_index: bool,
        notes: Mapping[int, str] | None = None,
    ) -> tuple[SearchQuery, list[str] | None, str, list[object], list[tuple[int, str]]] | None:
        """The parsed query, subject keys, SQL filter and its parameters of a search, and
        the notes found (id and marked snippet, best first); None when a subject asked for
        does not exist, or no note matches a ``note:`` filter."""
        from qtreader.library.query import parse_query

        query = parse_query(text)
        names = [*query.subjects, *([subject] if subject else [])]
        keys = self._subject_keys(names) if names else None
        if keys == []:
            return None  # a subject that does not exist
        filters = ""
        parameters: list[object] = []
        if keys:
            filters = (
                " AND s.rowid IN (SELECT id FROM listings WHERE subject_key IN "
                f"({','.join('?' * len(keys))}))"
            )
            parameters.extend(keys)
        noted: list[tuple[int, str]] = []
        if notes and (query.note or query.match):
            searched = self._searchable(notes)
            if query.note:
                noted = searched.match(query.note)
                if not noted:
                    return None
                filters += " AND s.rowid IN (SELECT value FROM json_each(?))"
                parameters.append(json.dumps([article_id for article_id, _ in noted]))
            if query.match:
                kept = {article_id for article_id, _ in noted} if query.note else None
                noted = [
                    found
                    for found in searched.match(query.match)
                    if kept is None or found[0] in kept
                ]
        elif query.note:
            return None  # no notes: none matches
        return query, keys, filters, parameters, noted

    def _searchable(self, notes: Mapping[int, str]) -> _NoteSearch:
        """``notes`` made searchable, or as they were for the last search if they are the
        same (comparing them costs far less than making them searchable again)."""
        given = dict(notes)
        cached = self._notes
        if cached is not None and cached[0] == given:
            return cached[1]
        searched = _NoteSearch(given)
        self._notes = (given, searched)
        return searched

    def _note_hits(
        self, noted: list[tuple[int, str]], keys: list[str] | None, include_no_index: bool
    ) -> list[SearchHit]:
        """The hits of the articles found by their notes, in the order found: those in the
        library (a note outlives its article), in the subjects asked for, and not
        ``no_index`` unless it is asked for."""
        if not noted:
            return []
        marks = ",".join("?" * len(keys or ()))
        ordered = f"l.subject_key NOT IN ({marks}), " if keys else ""
        among = f" AND a.id IN (SELECT id FROM listings WHERE subject_key IN ({marks}))"
        among = among if keys else ""
        hidden = "" if include_no_index else " AND NOT f.no_index"
        rows = self._db.execute(
            "SELECT a.id, f.title, f.no_index, (SELECT l.subject FROM listings l "
            f"WHERE l.id = a.id ORDER BY {ordered}l.rank LIMIT 1) "
            "FROM articles a JOIN files f ON f.path = a.path "
            f"WHERE a.id IN (SELECT value FROM json_each(?)){among}{hidden}",
            (*(keys or ()), json.dumps([article_id for article_id, _ in noted]), *(keys or ())),
        ).fetchall()
        found = {row[0]: row for row in rows}
        hits = []
        for article_id, snippet in noted:
            row = found.get(article_id)
            if row is not None:
                text_, spans = _highlights(snippet)
                hits.append(
                    SearchHit(article_id, row[1], row[3], text_, spans, bool(row[2]), in_note=True)
                )
        return hits

    def _subject_keys(self, names: list[str]) -> list[str]:
        """Subject keys for names: an exact name, else every subject starting with it."""
        keys: list[str] = []
        for name in names:
            keys.extend(s.key for s in self.subjects_matching(name))
        return keys

    # Figures for ``qtreader check`` -----------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        """Every file with a problem, sorted by path."""
        if self._problems is None:
            self._problems = self.index.problems()
        return list(self._problems)

    @property
    def cross_listed(self) -> list[Article]:
        """Articles listed under more than one subject."""
        ids = self._db.execute(
            "SELECT id FROM listings GROUP BY id HAVING count(*) > 1 ORDER BY id"
        ).fetchall()
        return [a for (i,) in ids if (a := self.article(i)) is not None]

    @property
    def dangling_links(self) -> list[tuple[Article, RelatedLink]]:
        """Related links that point to an id the library does not contain."""
        return [
            (article, link)
            for article in self.articles()
            for link in article.related
            if not link.available
        ]


#: Matches above which search ranks the question/title/keywords tier first (see search).
_TIER_THRESHOLD = 3000

_ARTICLE_SQL = (
    "SELECT a.id, f.title, f.question, f.slug, f.date, f.keywords, f.description, f.score, "
    "f.no_index, f.related FROM articles a JOIN files f ON f.path = a.path"
)


class _NoteSearch:
    """The user's notes in an FTS5 table of their own, in memory, their text made and
    split into words as the index's answers are, so that a query means the same in both.
    Made again only when the notes change (see ``bench/bench_note_search.py``); used from
    any thread, one search at a time."""

    def __init__(self, notes: Mapping[int, str]) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE notes USING fts5 (text, tokenize = '{TOKENIZER}')")
        self._db.executemany(
            "INSERT INTO notes (rowid, text) VALUES (?, ?)",
            (
                (article_id, search_text(clean_text(text)))
                for article_id, text in notes.items()
                if text.strip()
            ),
        )
        self._db.commit()

    def match(self, expression: str) -> list[tuple[int, str]]:
        """The notes matching an FTS5 expression, best first, with a marked snippet."""
        with self._lock:
            return self._db.execute(
                "SELECT rowid, snippet(notes, 0, char(2), char(3), '…', 14) FROM notes "
                "WHERE notes MATCH ? ORDER BY rank",
                (expression,),
            ).fetchall()


def _highlights(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn FTS5's marked snippet (STX ... ETX around matches) into one line of text and
    the spans of the matches in it."""
    snippet = " ".join(snippet.split())  # runs of white space as one space, as \s+ did
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    for index, part in enumerate(snippet.split("\x02")):
        matched, _, rest = part.partition("\x03") if index else ("", "", part)
        if matched:
            spans.append((length, length + len(matched)))
            text.append(matched)
            length += len(matched)
        text.append(rest)
        length += len(rest)
    return "".join(text), tuple(spans)
