"""The content store: finds a library's article files and answers lookups over its index.

No Textual here: the command line and the app share this layer. :class:`Library` reads the
catalog in :mod:`qtreader.library.index`; an article's answer, and the snippets of the
search hits shown, come from its file when asked for.
"""

from __future__ import annotations

import bisect
import datetime
import random
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from qtreader.library.decode import clean_text, escape_controls
from qtreader.library.index import (
    BM25_WEIGHTS,
    HEADS_DOC_BITS,
    TOKENIZER,
    Index,
    RefreshReport,
    Target,
    decode_links,
    decode_seo,
    file_name,
    file_slug_url,
    open_index,
    replace_index,
    search_columns,
    search_text,
)
from qtreader.library.models import (
    Article,
    LinksBothWays,
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
#: How many similar articles an article shows at most.
SIMILAR = 5


def load_library(
    root: Path, progress: ProgressCallback | None = None, *, memory: bool = False
) -> Library:
    """Open the library at ``root`` and bring its index up to date (parsing what changed).

    Bad files become problems; nothing is ever written into the library folder.
    """
    library = Library.open(root, memory=memory)
    library.refresh(progress)
    return library


def _json_array(values: list[Any]) -> str:
    """``values`` as a JSON array, for SQLite's ``json_each``: lookups by slug and searches
    with notes. json is imported here only, as ``qtreader show ID`` never needs it."""
    import json

    return json.dumps(values)


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
        # The answers of recent hits as search text, by path, with the size and mtime of
        # the file read: a query typed a letter at a time finds the same files again.
        self._hit_texts: dict[str, tuple[int, int, str]] = {}

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
        (article_id, title, question, path, slug, date, seo, score, no_index, links) = row
        assert isinstance(article_id, int)
        keywords, description = decode_seo(seo if isinstance(seo, bytes) else None)
        listings = tuple(
            Listing(subject, url, self.root / file_name(listed))
            for subject, listed, url in self._listings([article_id]).get(article_id, [])
        )
        related = self._related(str(path), links if isinstance(links, bytes) else None)
        # An id SQLite cannot hold is in no library: its link stays, as not available.
        ids = [link[0] for link in related if is_article_id(link[0])]
        present = {
            found
            for (found,) in self._db.execute(
                f"SELECT id FROM article_rows WHERE id IN ({','.join('?' * len(ids))})", ids
            )
        }
        return Article(
            id=article_id,
            title=str(title),
            question=str(question),
            slug=file_slug_url(str(path), slug if isinstance(slug, str) else None, "")[0],
            date=datetime.date.fromisoformat(str(date)) if date else None,
            keywords=keywords,
            description=description,
            score=float(score) if score is not None else None,  # type: ignore[arg-type]
            no_index=bool(no_index),
            listings=listings,
            related=tuple(
                RelatedLink(i, t, self._subject_name(s), u, i in present) for i, t, s, u in related
            ),
        )

    def _listings(self, ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        """The listings of these articles, by id, each in rank order: subject, the path
        of its file (as the index keeps it) and its url."""
        found: dict[int, list[tuple[str, str, str]]] = {}
        rows = self._db.execute(
            "SELECT l.id, s.name, f.path, f.slug, f.url FROM listing_rows l "
            "JOIN subjects s ON s.key = l.subject_key JOIN files f ON f.file = l.file "
            f"WHERE l.id IN ({','.join('?' * len(ids))}) ORDER BY l.id, l.rank",
            ids,
        )
        for article_id, subject, path, slug, url in rows:
            found.setdefault(article_id, []).append(
                (subject, path, file_slug_url(path, slug, url)[1])
            )
        return found

    def _targets(self, ids: list[int]) -> dict[int, Target]:
        """What the links kept by id name (see index.encode_links): each article's title and
        the raw subject and url of each of its listings, by rank."""
        found: dict[int, Target] = {}
        rows = self._db.execute(
            "SELECT l.id, l.rank, coalesce(f.title, f.question), f.subject, f.path, f.slug, "
            "f.url FROM listing_rows l JOIN files f ON f.file = l.file "
            f"WHERE l.id IN ({','.join('?' * len(ids))}) ORDER BY l.id, l.rank",
            ids,
        )
        for article_id, rank, title, subject, path, slug, url in rows:
            if rank == 0:  # the article's first file, whose title it has
                found[article_id] = (title, [])
            found[article_id][1].append((subject, file_slug_url(path, slug, url)[1]))
        return found

    def _related(self, path: str, data: bytes | None) -> list[tuple[int, str, str, str]]:
        """An article's related links as its file (at ``path``) lists them: as the index
        keeps them, or, where an article they name by id has changed since, read from the
        file again."""
        links = decode_links(data, self._targets)
        if links is not None:
            return links
        from qtreader.library.parse import parse_file  # YAML only when a file is read

        parsed, _ = parse_file(self.root / file_name(path), self.root)
        if parsed is None:  # gone since: the links as the index can still name them
            return decode_links(data, self._targets, exact=False) or []
        return [(r.id, r.title, r.subject, r.url) for r in parsed.related]

    def answer_path(self, article_id: int) -> Path | None:
        """The file :meth:`answer` reads the article's answer from; None if no article has
        that id."""
        row = (
            self._db.execute("SELECT path FROM articles WHERE id = ?", (article_id,)).fetchone()
            if is_article_id(article_id)
            else None
        )
        return None if row is None else self.root / file_name(row[0])

    def answer(self, article_id: int) -> str:
        """The decoded Markdown answer of an article, read from its file now.

        Raises :class:`AnswerUnavailable` if the file went or no longer parses.
        """
        path = self.answer_path(article_id)
        if path is None:
            raise AnswerUnavailable(f"no article {article_id} in {escape_controls(self.root)}")
        from qtreader.library.parse import parse_file  # YAML is imported only when a file is read

        parsed, problem = parse_file(path, self.root)
        if parsed is None:
            reason = problem.reason if problem else "unreadable"
            raise AnswerUnavailable(escape_controls(f"{path}: {reason}"))
        return parsed.answer

    # Lookups ----------------------------------------------------------------------------

    def by_slug(self, slug: str) -> Article | None:
        """The article whose ``file_name`` (without ``.md``) is ``slug``."""
        found = self._files_by_slug(slug.removesuffix(".md"))
        return self.article(found[0][1]) if found else None

    def _files_by_slug(self, slug: str) -> list[tuple[str, int, str | None, str | None]]:
        """(path, id, slug and url as kept) of the files of articles whose slug is ``slug``,
        by path. The index keeps a slug only where it is not its file's name: the others are
        found by their paths, one lookup in each folder."""
        if not slug:
            return []
        folders = [path for (path,) in self._db.execute("SELECT path FROM folders")]
        named = [f"{folder}/{slug}.md" if folder else f"{slug}.md" for folder in folders]
        rows: list[tuple[str, int, str | None, str | None]] = self._db.execute(
            "SELECT f.path, f.id, f.slug, f.url FROM files f JOIN article_rows a ON a.id = f.id "
            "WHERE f.slug = ? UNION "
            "SELECT f.path, f.id, f.slug, f.url FROM files f JOIN article_rows a ON a.id = f.id "
            "WHERE f.path IN (SELECT value FROM json_each(?)) AND f.slug IS NULL ORDER BY 1",
            (slug, _json_array(named)),
        ).fetchall()
        return rows

    def by_url(self, url: str) -> Article | None:
        """The article listed at that ``/learn/<subject>/questions/<slug>`` url."""
        url = url.rstrip("/")
        wanted = (url, url + "/")
        # No index of urls: a url nearly always ends in its file's slug, by which the
        # files are looked up; any other is found by a scan of the urls the index keeps.
        for path, article_id, slug, kept in self._files_by_slug(url.rsplit("/", 1)[-1]):
            if file_slug_url(path, slug, kept)[1] in wanted and self._listed(article_id, path):
                return self.article(article_id)
        found = self._db.execute(
            "SELECT l.id FROM listing_rows l JOIN files f ON f.file = l.file "
            "WHERE f.url IN (?, ?) LIMIT 1",
            wanted,
        ).fetchone()
        return self.article(found[0]) if found else None

    def _listed(self, article_id: int, path: str) -> bool:
        """Whether the file at ``path`` (as the index keeps it) is one of that article's
        listings (not one refused as a duplicate or conflict)."""
        return (
            self._db.execute(
                "SELECT 1 FROM listing_rows l JOIN files f ON f.file = l.file "
                "WHERE l.id = ? AND f.path = ?",
                (article_id, path),
            ).fetchone()
            is not None
        )

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

    # Links both ways ----------------------------------------------------------------------

    def links_both_ways(self, article: Article) -> LinksBothWays:
        """Cited by, and Similar when the related list has room (fewer than
        :data:`SIMILAR` links): what the reader and ``qtreader show`` list under it."""
        short = len(article.related) < SIMILAR
        return LinksBothWays(self.cited_by(article.id), self.similar(article) if short else ())

    def cited_by(self, article_id: int) -> tuple[RelatedLink, ...]:
        """The articles whose related links name this one: each once, never itself, by
        subject then title (as the tree lists them). An index lookup (related_edges)."""
        if not is_article_id(article_id):
            return ()
        rows = self._db.execute(
            "SELECT l.id, coalesce(f.title, f.question), s.name, f.path, f.slug, f.url "
            "FROM related_edges e JOIN listing_rows l ON l.id = e.source AND l.rank = 0 "
            "JOIN subjects s ON s.key = l.subject_key JOIN files f ON f.file = l.file "
            "WHERE e.target = ? ORDER BY l.subject_key, lower(coalesce(f.title, f.question)), l.id",
            (article_id,),
        ).fetchall()
        return tuple(
            RelatedLink(i, t, s, file_slug_url(path, slug, url)[1], True)
            for i, t, s, path, slug, url in rows
        )

    def similar(self, article: Article, limit: int = SIMILAR) -> tuple[RelatedLink, ...]:
        """Up to ``limit`` articles the full-text index finds for this one's question, title
        and keywords: any of their :data:`SIMILAR_TERMS` rarest significant words
        (:func:`similar_words`), best bm25 first (question and title weigh most); never the
        article itself, one of its related articles or one marked ``no_index``."""
        words = self._rarest(similar_words(article))
        if not words or limit <= 0:
            return ()
        anywhere = " OR ".join(f'"{word}"' for word in words)
        columns = "{question title keywords description answer}"
        match = f"({columns} : ({anywhere})) NOT flags : hidden"
        left_out = [article.id, *(link.id for link in article.related if is_article_id(link.id))]
        rows = self._db.execute(
            f"SELECT d.id FROM {_LIVE_ROWS} WHERE search MATCH ? "
            f"AND d.id NOT IN ({','.join('?' * len(left_out))}) ORDER BY {_RANKED} LIMIT ?",
            (match, *left_out, limit),
        ).fetchall()
        found = []
        for (found_id,) in rows:
            row = self._db.execute(
                "SELECT coalesce(f.title, f.question), s.name, f.path, f.slug, f.url "
                "FROM listing_rows l JOIN subjects s ON s.key = l.subject_key "
                "JOIN files f ON f.file = l.file WHERE l.id = ? AND l.rank = 0",
                (found_id,),
            ).fetchone()
            if row is not None:
                url = file_slug_url(row[2], row[3], row[4])[1]
                found.append(RelatedLink(found_id, row[0], row[1], url, True))
        return tuple(found)

    def _rarest(self, words: list[str]) -> list[str]:
        """The :data:`SIMILAR_TERMS` words of ``words`` that the fewest articles hold, of
        those that another article holds too and no more than :data:`SIMILAR_COMMON` of
        the library. Rare words say what an article is about, and they keep the query
        cheap: bm25 is computed for every article matched, and an OR of all the words
        matched nearly every article (1.4 s at 50,000 articles)."""
        most = max(SIMILAR_COMMON_FLOOR, int(len(self) * SIMILAR_COMMON))
        counted = []
        for position, word in enumerate(words):
            (count,) = self._db.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {_LIVE_ROWS} WHERE search MATCH ? LIMIT ?)",
                (f'"{word}"', most + 1),
            ).fetchone()
            if 1 < count <= most:
                counted.append((count, position, word))
        return [word for _, _, word in sorted(counted)[:SIMILAR_TERMS]]

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
        query, keys, kept, noted = plan
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

        rows = self._ranked(
            query,
            kept,
            {hit.id for hit in in_notes},
            limit - len(in_notes),
            include_no_index,
        )
        hits = list(in_notes)
        if not rows:
            return hits
        # Every hit's fields and first listing (in the subjects asked for) in one query.
        ordered = f"l.subject_key NOT IN ({','.join('?' * len(keys))}), " if keys else ""
        found = self._db.execute(
            "SELECT a.id, f.path, f.size, f.mtime_ns, f.question, "
            "coalesce(f.title, f.question), f.seo, f.no_index, "
            "(SELECT l.subject FROM listings l WHERE l.id = a.id "
            f"ORDER BY {ordered}l.rank LIMIT 1) "
            "FROM article_rows a JOIN files f ON f.file = a.file "
            f"WHERE a.id IN ({','.join('?' * len(rows))})",
            (*(keys or ()), *(article_id for article_id, _ in rows)),
        ).fetchall()
        by_id = {row[0]: row for row in found if row[8] is not None}
        snippets = self._snippets(rows, by_id)
        for article_id, _ in rows:
            row = by_id.get(article_id)
            if row is not None:
                text_, spans = _highlights(snippets.get(article_id, ""))
                hits.append(SearchHit(article_id, row[5], row[8], text_, spans, bool(row[7])))
        return hits

    def _ranked(
        self,
        query: SearchQuery,
        kept: _Kept,
        taken: set[int],
        wanted: int,
        include_no_index: bool,
    ) -> list[tuple[int, str]]:
        """The ``wanted`` best hits of ``query`` but the ids ``taken``, best first: (article
        id, the match expression of the tier that found it, for its snippet).

        Tiers, best first: the articles whose question or title holds two words as typed
        side by side and every word; those holding every word; then the others. bm25 alone
        put "light-independent reactions" before "light reactions". Within a tier, bm25 of
        the tier's expression: the query anywhere, and the words, then the pairs, in the
        question or title. bm25 is a sum over the phrases of an expression, so each part is
        read once, in a CTE of one statement, and SQLite adds them up: a statement per tier
        read every common word once per tier, and again for its bm25 weights.

        A query matching :data:`_TIER_THRESHOLD` articles or more costs bm25 for each of them,
        and its words are common, weighing little anywhere: its question and title tiers are
        ranked by bm25 there alone (the order within them can differ from the rest's), then
        come those holding the words in the question, title or keywords, then the others.
        So is a prefix held by :data:`_PREFIX_TITLES` titles or more, without counting its
        matches (FTS5 reads every word of a prefix before the first match).

        A query with a word in :data:`_HEAVY_TERM` articles or more, or a prefix, in a
        library of :data:`_LARGE_LIBRARY` articles or more is not ranked by bm25 at all (see
        :meth:`_by_length`)."""
        if wanted <= 0:
            return []

        def expression(columns: str, match: str) -> str:
            # User words match only the text columns; no_index articles are left out by
            # their flag, in FTS5 itself.
            found = f"{{{columns}}} : ({match})" if columns else f"({match})"
            return found if include_no_index else f"({found}) NOT (flags : hidden)"

        # The expressions of the tiers, as snippets find the words of each.
        everything = expression(_TEXT_COLUMNS, query.match)
        title = expression("question title", query.required)
        in_title = f"({everything}) AND ({title})"
        paired = f"({in_title}) AND ({expression('question title', query.pairs)})"
        # The column filter costs a third of reading a common word; without it, a word
        # matches the same rows with the same bm25 (flags weighs 0) unless it can match
        # the flags column's only word.
        anywhere = everything if _may_match_flags(query.words) else expression("", query.match)
        db = self._db
        if self._heavy(query.words):
            return self._by_length(
                query,
                kept,
                taken,
                wanted,
                include_no_index,
                (paired, in_title, everything, anywhere),
            )
        filters, parameters = kept.sql()
        pairs = f"{{question title}} : ({query.pairs})"
        common = "*" in query.match and (
            db.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ? LIMIT ?)",
                (title, _PREFIX_TITLES),
            ).fetchone()[0]
            >= _PREFIX_TITLES
        )
        common = (
            common
            or db.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {_LIVE_ROWS} "
                f"WHERE search MATCH ?{filters} LIMIT ?)",
                (anywhere, *parameters, _TIER_THRESHOLD),
            ).fetchone()[0]
            >= _TIER_THRESHOLD
        )
        taken_ids = ",".join("?" * len(taken))
        others = f" AND d.id NOT IN ({taken_ids})" if taken else ""
        if not common:
            # Every match scored, each part of the bm25 of its tier read once: the words
            # anywhere, in the question or title, and the pairs there; ties in rowid order,
            # as FTS5 gives them.
            tiers = (paired, in_title, everything)
            parts = [f"t (doc, score) AS MATERIALIZED ({_SCORED})"]
            tier, score, join = "WHEN t.doc IS NULL THEN 2 ELSE 1", "coalesce(t.score, 0)", ""
            if query.pairs:
                parts.append(f"p (doc, score) AS MATERIALIZED ({_SCORED})")
                tier = "WHEN t.doc IS NULL THEN 2 WHEN p.doc IS NULL THEN 1 ELSE 0"
                score += " + coalesce(p.score, 0)"
                join = " LEFT JOIN p ON p.doc = t.doc"
            found = db.execute(
                f"WITH {', '.join(parts)} SELECT d.id, CASE {tier} END AS tier "
                f"FROM {_LIVE_ROWS} LEFT JOIN t ON t.doc = s.rowid{join} "
                f"WHERE search MATCH ?{filters}{others} "
                f"ORDER BY tier, {_RANKED} + {score}, s.rowid LIMIT ?",
                (title, *([pairs] if query.pairs else []), anywhere, *parameters, *taken, wanted),
            )
            return [(article_id, tiers[tier]) for article_id, tier in found]
        # The tiers of the question and title in one query: those holding a pair first,
        # with the bm25 of the pairs added, each part read once; then each other tier in
        # a query of its own. Sorted in SQLite, cheaper than in Python for the thousands of
        # articles a tier can hold here; ties in rowid order, as FTS5 gives them.
        if query.pairs:
            found = db.execute(
                f"WITH p (doc, score) AS MATERIALIZED ({_SCORED}) "
                f"SELECT d.id, p.doc IS NOT NULL FROM {_LIVE_ROWS} "
                f"LEFT JOIN p ON p.doc = s.rowid WHERE search MATCH ?{filters}{others} "
                f"ORDER BY p.doc IS NULL, {_RANKED} + coalesce(p.score, 0), s.rowid LIMIT ?",
                (pairs, expression("question title", query.match), *parameters, *taken, wanted),
            )
        else:
            found = db.execute(
                f"SELECT d.id, 0 FROM {_LIVE_ROWS} WHERE search MATCH ?{filters}{others} "
                f"ORDER BY {_RANKED}, s.rowid LIMIT ?",
                (expression("question title", query.match), *parameters, *taken, wanted),
            )
        rows = [(article_id, paired if is_paired else in_title) for article_id, is_paired in found]
        for tier, shown in (
            (expression("question title keywords", query.match), ""),
            (anywhere, everything),
        ):
            if len(rows) >= wanted:
                break
            left_out = [*taken, *(article_id for article_id, _ in rows)]
            others = f" AND d.id NOT IN ({','.join('?' * len(left_out))})"
            rows.extend(
                (article_id, shown or tier)
                for (article_id,) in db.execute(
                    f"SELECT d.id FROM {_LIVE_ROWS} WHERE search MATCH ?{filters}{others} "
                    f"ORDER BY {_RANKED} LIMIT ?",
                    (tier, *parameters, *left_out, wanted - len(rows)),
                )
            )
        return rows

    def _heavy(self, words: tuple[str, ...]) -> bool:
        """Whether bm25 of a query of ``words`` (as :class:`SearchQuery` marks them) would
        read a posting list of :data:`_HEAVY_TERM` articles or more: a word that common,
        or a prefix* (FTS5 reads all of its words first), in a library of
        :data:`_LARGE_LIBRARY` articles or more. Each word counted no further than that:
        2 ms at a million articles."""
        if len(self) < _LARGE_LIBRARY:
            return False
        for word in words:
            if word.endswith("*"):
                return True
            (count,) = self._db.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ? LIMIT ?)",
                (f'"{word}"', _HEAVY_TERM),
            ).fetchone()
            if count >= _HEAVY_TERM:
                return True
        return False

    def _by_length(
        self,
        query: SearchQuery,
        kept: _Kept,
        taken: set[int],
        wanted: int,
        include_no_index: bool,
        shown: tuple[str, str, str, str],
    ) -> list[tuple[int, str]]:
        """:meth:`_ranked` for a query of common words (see :meth:`_heavy`): the same tiers,
        each in an order that needs no score, read no further than the hits wanted.

        bm25 reads every posting list of its words whole (for their weights) and scores
        every match: a word in most of a million articles is in the titles of tens of
        thousands, and ranking them took 100-300 ms. Here the question and title tiers
        come from the heads table, shortest question and title first (its rowid order:
        heads_key), the ones holding a pair before the others: of titles that all hold
        the words, the short ones are the most about them, as bm25 would have it within
        the titles alone. The other articles follow in the order of the index (by path,
        then those changed since it was built), which FTS5 reads no further than needed:
        at this size nearly every query fills its page from the titles. ``shown``: the
        expressions of the tiers for the snippets (paired, in the title, anywhere) and the
        one to match anywhere."""
        paired, in_title, everything, anywhere = shown
        hidden = "" if include_no_index else " NOT (flags : hidden)"
        tiers = [(f"({{question title}} : ({query.required})){hidden}", in_title)]
        if query.pairs:
            both = f"({query.required}) AND ({query.pairs})"
            tiers.insert(0, (f"({{question title}} : ({both})){hidden}", paired))
        doc = f"h.rowid & {(1 << HEADS_DOC_BITS) - 1}"
        # Each hit's subjects looked up: a few hundred rows are read, not a subject's ids
        # all (45 ms for the 75,000 of the largest subject of a million articles).
        filters, parameters = kept.sql(per_hit=True)
        rows: list[tuple[int, str]] = []
        for table, rowid, (match, tier) in [
            *((f"heads h CROSS JOIN docs d ON d.doc = {doc}", "h.rowid", t) for t in tiers),
            (_LIVE_ROWS, "s.rowid", (anywhere, everything)),
        ]:
            if len(rows) >= wanted:
                break
            left_out = [*taken, *(article_id for article_id, _ in rows)]
            others = f" AND d.id NOT IN ({','.join('?' * len(left_out))})" if left_out else ""
            name = table.split()[0]
            rows.extend(
                (article_id, tier)
                for (article_id,) in self._db.execute(
                    f"SELECT d.id FROM {table} WHERE {name} MATCH ?{filters}{others} "
                    f"ORDER BY {rowid} LIMIT ?",
                    (match, *parameters, *left_out, wanted - len(rows)),
                )
            )
        return rows

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
        query, keys, kept, noted = plan
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
        # No column filter unless a word can match the flags (see _ranked): the same count,
        # for half the time of reading a common word.
        filters, parameters = kept.sql()
        match = f"({query.match})"
        if _may_match_flags(query.words):
            match = f"{{{_TEXT_COLUMNS}}} : {match}"
        if not include_no_index:
            match = f"({match}) NOT (flags : hidden)"
        found = self._db.execute(
            f"SELECT count(*) FROM {_LIVE_ROWS} WHERE search MATCH ?{filters}",
            (match, *parameters),
        ).fetchone()
        if not in_notes:
            return int(found[0])
        # Found by their notes, less those the index finds as well.
        both = self._db.execute(
            f"SELECT count(*) FROM {_LIVE_ROWS} WHERE search MATCH ?{filters} "
            "AND d.id IN (SELECT value FROM json_each(?))",
            (match, *parameters, _json_array(in_notes)),
        ).fetchone()
        return int(found[0]) + len(in_notes) - int(both[0])

    def _snippets(
        self, rows: list[tuple[int, str]], found: dict[int, tuple[object, ...]]
    ) -> dict[int, str]:
        """FTS5's snippet of each hit (article id, the match expression that found it),
        marked with STX and ETX, by id; ``found`` is each hit's row as search read it (id,
        path, size, mtime, question, title, seo, no_index, subject). The
        index keeps no text: each hit's first file is read, its row made as the index made
        it, and FTS5 picks the snippet from that in a table in memory, as it would have
        from the index."""
        shown = _shown_table()
        texts = []
        for article_id, path, size, mtime, question, title, seo, no_index, _ in found.values():
            keywords, description = decode_seo(seo if isinstance(seo, bytes) else None)
            answer = self._hit_text(str(path), size, mtime)
            columns = search_columns(
                str(question),
                str(title),
                "\x1f".join(keywords),
                description,
                answer,
                bool(no_index),
            )
            texts.append((article_id, *columns))
        # One transaction: FTS5 writes the words of all the rows as one segment, not one a
        # row that every snippet query then reads (half the time of the snippets).
        shown.execute("BEGIN")
        with shown:  # committed, or rolled back on an error
            # Emptied without reading the old text back (a DELETE would tokenize it again).
            shown.execute("INSERT INTO shown (shown) VALUES ('delete-all')")
            shown.execute("DELETE FROM shown_text")
            shown.executemany("INSERT INTO shown_text VALUES (?, ?, ?, ?, ?, ?, ?)", texts)
            shown.executemany(
                "INSERT INTO shown (rowid, question, title, keywords, description, answer, "
                "flags) VALUES (?, ?, ?, ?, ?, ?, ?)",
                texts,
            )
        # One query per tier, for the hits it found.
        tiers: dict[str, list[int]] = {}
        for article_id, tier in rows:
            tiers.setdefault(tier, []).append(article_id)
        snippets: dict[int, str] = {}
        for tier, tier_ids in tiers.items():
            snippets.update(
                (article_id, str(snippet or ""))
                for article_id, snippet in shown.execute(
                    "SELECT rowid, snippet(shown, -1, char(2), char(3), '…', 14) FROM shown "
                    f"WHERE shown MATCH ? AND rowid IN ({','.join('?' * len(tier_ids))})",
                    (tier, *tier_ids),
                )
            )
        return snippets

    def _hit_text(self, path: str, size: object, mtime_ns: object) -> str:
        """The answer of the file at ``path`` (as the index keeps it) as search text, read
        from the file: empty if it no longer parses (its other fields still show).

        A file of the size and mtime the index has for it (``size``, ``mtime_ns``) parsed
        whole when it was indexed: only its answer is read again, the fifth of parsing
        it that snippets need. Any other is parsed whole, as an article first."""
        from qtreader.library.parse import parse_answer, parse_file  # YAML only when read

        file = self.root / file_name(path)
        try:
            stat = file.stat()
        except OSError:
            return ""
        now = (stat.st_size, stat.st_mtime_ns)
        kept = self._hit_texts.get(path)
        if kept is not None and kept[:2] == now:
            return kept[2]
        answer: str | None = None
        if now == (size, mtime_ns):
            try:
                answer = parse_answer(file.read_bytes())
            except OSError:
                return ""
        else:
            parsed, _ = parse_file(file, self.root)
            answer = parsed.answer if parsed is not None else None
        text = search_text(answer) if answer is not None else ""
        if len(self._hit_texts) >= _HIT_TEXTS:
            self._hit_texts.clear()
        self._hit_texts[path] = (*now, text)
        return text

    def _plan(
        self,
        text: str,
        subject: str | None,
        include_no_index: bool,
        notes: Mapping[int, str] | None = None,
    ) -> tuple[SearchQuery, list[str] | None, _Kept, list[tuple[int, str]]] | None:
        """The parsed query, subject keys, the articles a search keeps, and the notes found
        (id and marked snippet, best first); None when a subject asked for does not exist,
        or no note matches a ``note:`` filter."""
        from qtreader.library.query import parse_query

        query = parse_query(text)
        names = [*query.subjects, *([subject] if subject else [])]
        keys = self._subject_keys(names) if names else None
        if keys == []:
            return None  # a subject that does not exist
        noted_ids: list[int] | None = None
        noted: list[tuple[int, str]] = []
        if notes and (query.note or query.match):
            searched = self._searchable(notes)
            if query.note:
                noted = searched.match(query.note)
                if not noted:
                    return None
                noted_ids = [article_id for article_id, _ in noted]
            if query.match:
                kept = {article_id for article_id, _ in noted} if query.note else None
                noted = [
                    found
                    for found in searched.match(query.match)
                    if kept is None or found[0] in kept
                ]
        elif query.note:
            return None  # no notes: none matches
        return query, keys, _Kept(keys, noted_ids), noted

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
            "SELECT a.id, coalesce(f.title, f.question), f.no_index, "
            "(SELECT l.subject FROM listings l "
            f"WHERE l.id = a.id ORDER BY {ordered}l.rank LIMIT 1) "
            "FROM article_rows a JOIN files f ON f.file = a.file "
            f"WHERE a.id IN (SELECT value FROM json_each(?)){among}{hidden}",
            (*(keys or ()), _json_array([article_id for article_id, _ in noted]), *(keys or ())),
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


#: The words of an article a "Similar" query is made of, at most: each OR'ed word is one
#: more posting list to read and rank.
SIMILAR_WORDS = 16
#: The words of a "Similar" query, at most: the rarest of :data:`SIMILAR_WORDS`.
SIMILAR_TERMS = 6
#: A word held by more than this share of the library says little of what an article is
#: about (in generated libraries: "personal", "technical"); small libraries keep their
#: words up to :data:`SIMILAR_COMMON_FLOOR` articles.
SIMILAR_COMMON = 0.05
SIMILAR_COMMON_FLOOR = 100
_SIMILAR_WORD = re.compile(r"\w+")


def similar_words(article: Article) -> list[str]:
    """The significant words of an article's question, title and keywords, in that order,
    each once: no stop words or words that only ask (the search's own lists), no lone
    letters or numbers."""
    from qtreader.library.query import SOFT_WORDS, STOP_WORDS

    text = " ".join([article.question, article.title, *article.keywords]).casefold()
    words: dict[str, None] = {}
    for word in _SIMILAR_WORD.findall(text):
        if len(word) > 1 and not word.isdigit() and word not in STOP_WORDS | SOFT_WORDS:
            words[word] = None
    return list(words)[:SIMILAR_WORDS]


#: The search table's rows of live articles, ``d.id`` the article's: FTS5 first (CROSS JOIN),
#: so that its own ORDER BY rank and MATCH lead, and each row found is looked up by doc.
_LIVE_ROWS = "search s CROSS JOIN docs d ON d.doc = s.rowid"
#: The table's rank, called directly: a quarter faster than ``s.rank``, which looks the
#: rank function up again for each row (bench/bench_search.py), and the same order.
_RANKED = f"bm25(s.search, {BM25_WEIGHTS})"
#: Each match of an expression (the parameter) with its bm25, by rowid: a part of a sum.
_SCORED = f"SELECT rowid, {_RANKED} FROM search s WHERE search MATCH ?"


class _Kept(NamedTuple):
    """The articles a search keeps (``d.id`` in its SQL): those listed in these subjects
    (keys), and those whose note matched a ``note:`` filter (ids); None: no such filter."""

    subject_keys: list[str] | None
    noted_ids: list[int] | None

    def sql(self, *, per_hit: bool = False) -> tuple[str, list[object]]:
        """The SQL filter and its parameters. The subjects' ids are read once, for a query
        that reads every match; ``per_hit``: asked of each match instead (listings_id
        covers it), for one that reads no further than the hits shown. Of listing_rows,
        not the listings view: its joins cost 6x the reading here, for no column."""
        filters = ""
        parameters: list[object] = []
        if self.subject_keys:
            marks = ",".join("?" * len(self.subject_keys))
            filters = (
                " AND EXISTS (SELECT 1 FROM listing_rows l WHERE l.id = d.id "
                f"AND l.subject_key IN ({marks}))"
                if per_hit
                else f" AND d.id IN (SELECT id FROM listing_rows WHERE subject_key IN ({marks}))"
            )
            parameters.extend(self.subject_keys)
        if self.noted_ids is not None:
            filters += " AND d.id IN (SELECT value FROM json_each(?))"
            parameters.append(_json_array(self.noted_ids))
        return filters, parameters


_shown_tables = threading.local()
#: How many hits' texts a library keeps (see Library._hit_text): a few screens of results.
_HIT_TEXTS = 200


def _shown_table() -> sqlite3.Connection:
    """This thread's in-memory FTS5 table for the snippets of the hits shown: the search
    table's columns and tokenizer, and text of its own."""
    connection: sqlite3.Connection | None = getattr(_shown_tables, "connection", None)
    if connection is None:
        connection = sqlite3.connect(":memory:", isolation_level=None)
        connection.execute(
            "CREATE TABLE shown_text (id INTEGER PRIMARY KEY, question, title, keywords, "
            "description, answer, flags)"
        )
        connection.execute(
            "CREATE VIRTUAL TABLE shown USING fts5 (question, title, keywords, description, "
            f"answer, flags, tokenize = '{TOKENIZER}', content = 'shown_text', "
            "content_rowid = 'id')"
        )
        _shown_tables.connection = connection
    return connection


#: Matches from which search ranks by the question and title first (see Library._ranked).
_TIER_THRESHOLD = 3000
#: Titles holding a prefix* from which search ranks by the question and title first.
_PREFIX_TITLES = 300
#: Articles holding a word from which bm25 costs too much to rank by (see Library._heavy):
#: reading its posting list takes 2 ms, and bm25 reads it once for each of its parts.
_HEAVY_TERM = 50_000
#: Articles from which a query's words are counted to tell whether they are that common:
#: below, bm25 of any query is fast enough (p95 16-18 ms at 50,000 articles, with snippets:
#: bench/bench_search.py), and counting the words of each would only add to it.
_LARGE_LIBRARY = 100_000
#: The columns of the search table that hold words of the article (not its flags).
_TEXT_COLUMNS = "question title keywords description answer"


def _may_match_flags(words: tuple[str, ...]) -> bool:
    """Whether a word searched for (lower case, a prefix ending with ``*``) could match a
    word of the flags column, "hidden": its stem or a prefix* of it starts with "hid" (the
    tokenizer drops diacritics; stemming only changes the end of a word; a prefix has three
    letters or more)."""
    for word in words:
        plain = "".join(
            c
            for c in unicodedata.normalize("NFKD", word.casefold())
            if not unicodedata.combining(c)
        )
        if plain.startswith("hid"):
            return True
    return False


_ARTICLE_SQL = (
    "SELECT a.id, coalesce(f.title, f.question), f.question, f.path, f.slug, f.date, f.seo, "
    "f.score, f.no_index, k.data FROM article_rows a JOIN files f ON f.file = a.file "
    "LEFT JOIN links k ON k.file = a.file"
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
