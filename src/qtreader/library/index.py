"""The library index: a SQLite catalog and FTS5 search table, one per library, in the cache.

A warm start reads the catalog and never the files. :func:`refresh` finds files added,
changed (size, mtime) or removed since the last run and parses only those, on every core.
Answers are not kept: an article's answer, and the snippets of the hits a search shows, are
read from its file (a millisecond or two), which keeps the index smaller than the library.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import re
import shutil
import sqlite3
import threading
import traceback
import weakref
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from platformdirs import user_cache_path

from qtreader.library.decode import escape_controls, lazy_pattern, math_spans
from qtreader.library.models import Problem, is_article_id, subject_key
from qtreader.library.pool import parse_in_pool, shut_down_when_started, start_pool_early
from qtreader.library.scan import scan_folders

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor


__all__ = [
    "BM25_WEIGHTS",
    "HEADS_DOC_BITS",
    "SCHEMA_VERSION",
    "Index",
    "IndexedFile",
    "RefreshReport",
    "cache_full",
    "decode_links",
    "decode_seo",
    "encode_links",
    "encode_seo",
    "file_name",
    "file_slug_url",
    "index_file",
    "link_ids",
    "open_index",
    "replace_index",
    "search_columns",
    "search_text",
    "stored_names",
    "write_edges",
]

#: Bump when the schema or the meaning of a column changes: older indexes are rebuilt.
SCHEMA_VERSION = 18
#: ``PRAGMA application_id``: tells our index from any other SQLite file ("QTRD").
APPLICATION_ID = 0x51545244

ProgressCallback = Callable[[int, int], None]

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- One row per .md file found, with what parsing it gave (id is null when refused). Other
-- tables name a file by its number (file): an integer is a tenth of the size of its path.
CREATE TABLE files (
    file INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    problem TEXT,
    id INTEGER,
    subject TEXT,
    title TEXT, -- null when it is the question, as it is in most files
    question TEXT,
    date TEXT,
    seo BLOB, -- keywords and description (encode_seo), null when both are empty
    slug TEXT, -- null when it is the file's own name (file_slug), as nearly always
    url TEXT, -- null when it is /learn/<folder>/questions/<slug> (usual_url), as nearly always
    score REAL,
    no_index INTEGER
);
-- The few slugs that are not their file's name (by_slug finds the others by path).
CREATE INDEX files_slug ON files (slug) WHERE slug IS NOT NULL;
-- The few files with a problem, without a scan of the catalog (the status line asks).
CREATE INDEX files_problem ON files (path) WHERE problem IS NOT NULL;
-- A file's related links (encode_links): most name an article of the library by its own
-- title, subject and url, and are kept as its id alone. No row for a file without links.
CREATE TABLE links (file INTEGER PRIMARY KEY, data BLOB NOT NULL);

-- Derived from files after each change: cross-listed files merged into one article,
-- shown from its first file; the views give the fields kept once, in files and subjects.
CREATE TABLE article_rows (
    id INTEGER PRIMARY KEY,
    file INTEGER NOT NULL,
    title_key TEXT NOT NULL,
    no_index INTEGER NOT NULL
);
CREATE TABLE listing_rows (
    subject_key TEXT NOT NULL,
    position INTEGER NOT NULL,
    id INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    file INTEGER NOT NULL,
    PRIMARY KEY (subject_key, position)
) WITHOUT ROWID;
CREATE INDEX listings_id ON listing_rows (id, rank);
CREATE TABLE subjects (key TEXT PRIMARY KEY, name TEXT NOT NULL, count INTEGER NOT NULL)
    WITHOUT ROWID;
-- LEFT JOINs on unique keys: a query that reads none of their columns skips them.
CREATE VIEW articles AS
    SELECT a.id, f.path, a.title_key, a.no_index, a.file
    FROM article_rows a LEFT JOIN files f ON f.file = a.file;
CREATE VIEW listings AS
    SELECT l.subject_key, l.position, l.id, l.rank, s.name AS subject, f.path,
        coalesce(f.title, f.question) AS title, l.file
    FROM listing_rows l LEFT JOIN subjects s ON s.key = l.subject_key
        LEFT JOIN files f ON f.file = l.file;
CREATE TABLE conflicts (path TEXT NOT NULL, reason TEXT NOT NULL);
-- Related links as edges, for "Cited by": an article's links (from its shown file), each
-- target once, never itself. Keyed by target: the one lookup is "who names this article".
-- A target need not exist (about 3% of links dangle): it may be added later.
CREATE TABLE related_edges (
    target INTEGER NOT NULL,
    source INTEGER NOT NULL,
    PRIMARY KEY (target, source)
) WITHOUT ROWID;
-- Folders and files the scan could not read (loops, broken links): replaced at each refresh.
CREATE TABLE scan_problems (path TEXT NOT NULL, reason TEXT NOT NULL);
-- Every folder scanned and its mtime: a file added or removed changes its folder's mtime.
CREATE TABLE folders (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL) WITHOUT ROWID;

-- Words are stemmed (porter): "reactions" finds "reaction", "maxwells" finds "Maxwell's".
-- flags holds "hidden" for no_index articles: "... NOT flags : hidden" leaves them out
-- in C, at the cost of a tiny posting list.
-- No prefix indexes: FTS5 uses one only for prefixes of exactly its length, and they
-- doubled the cost of building the index; prefix queries need three letters or more.
--
-- No text is kept (content ''): the answer is in its file, and keeping it (or any form
-- an FTS5 delete could take out again) cost more than the full-text index itself. SQLite
-- 3.40 cannot delete a row of a contentless table, so a row is never changed: an article
-- whose text changes gets a new row (a doc), and docs maps the live ones to articles;
-- the old row stays, unreachable, until there are enough of them for a rebuild
-- (_STALE_SHARE). Snippets are made for the hits shown, from their files (store.py).
CREATE VIRTUAL TABLE search USING fts5 (
    question, title, keywords, description, answer, flags,
    tokenize = '{tokenizer}', content = ''
);
-- Question and title count most, then keywords, then the description, then the answer.
INSERT INTO search (search, rank) VALUES ('rank', 'bm25({weights})');
-- Each doc's question, title and flags again, keyed by the length of its question and
-- title, then its doc (heads_key): in a large library a common word is in the titles of
-- tens of thousands of articles, and bm25 of each cost hundreds of ms; here the shortest
-- titles holding the words come first in rowid order, read no further than the 20 shown.
-- 3% of the index at 50,000 articles: no answers, descriptions or keywords, and no sizes
-- of its rows (columnsize = 0): they are for bm25, never asked of this table.
CREATE VIRTUAL TABLE heads USING fts5 (
    question, title, flags, tokenize = '{tokenizer}', content = '', columnsize = 0
);
-- The live row of each article in search (a doc is never reused).
CREATE TABLE docs (doc INTEGER PRIMARY KEY, id INTEGER NOT NULL);
CREATE UNIQUE INDEX docs_id ON docs (id);
"""
#: How the search table splits text into words; the words of a query are stemmed alike.
TOKENIZER = "porter unicode61 remove_diacritics 2"
#: The bm25 weights of the search columns, in order (the table's own ``rank``).
BM25_WEIGHTS = "10.0, 8.0, 4.0, 2.0, 1.0, 0.0"
_SCHEMA = _SCHEMA.replace("{tokenizer}", TOKENIZER).replace("{weights}", BM25_WEIGHTS)


def index_file(root: Path) -> Path:
    """Where the index of the library at ``root`` lives: keyed by its resolved path."""
    resolved = str(root.resolve())
    # Readable, and 64 bits of checksum to tell apart two paths with the same ending; a
    # collision costs a rebuild, never wrong results: the index records its library's path.
    readable = "".join(c if c.isalnum() else "-" for c in resolved).strip("-")[-60:]
    data = resolved.encode("utf-8", "surrogateescape")
    key = f"{readable}-{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return user_cache_path("qtreader", appauthor=False) / "indexes" / f"{key}.sqlite3"


# Paths in the index -----------------------------------------------------------------------
#
# The index names files by their path under the library, as text. A name that is not UTF-8
# comes from os.scandir with a lone surrogate per bad byte (\udc80-\udcff), which SQLite
# cannot take; such a byte is kept as NUL and two hex digits (no path holds a NUL, so this
# can never be a real name), and turned back into the same surrogate to reach the file.

_stored_byte = lazy_pattern("[\udc80-\udcff]")
_kept_byte = lazy_pattern("\x00([0-9a-f]{2})")


def stored_names(names: list[str]) -> list[str]:
    """``names`` (paths under the library, as the file system gave them) as the index
    keeps them. The same list when every name is UTF-8, as it nearly always is: checked
    for all of them at once, in C."""
    joined = "/".join(names)
    if joined.isascii():
        return names
    try:
        joined.encode()
    except UnicodeEncodeError:
        return [_stored_name(name) for name in names]
    return names


def _stored_name(name: str) -> str:
    return _stored_byte().sub(lambda m: f"\x00{ord(m.group()) - 0xDC00:02x}", name)


def file_name(stored: str) -> str:
    """The path under the library of a name the index keeps (see :func:`stored_names`)."""
    if "\x00" not in stored:
        return stored
    return _kept_byte().sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), stored)


# Search text ------------------------------------------------------------------------------

_MARKUP_CHARS = str.maketrans(dict.fromkeys("*_`|~#", " "))


# Compiled on first use: a lookup (``qtreader show``) that opens the index needs none.
_link = lazy_pattern(r"!?\[([^\]]*)\]\([^)]*\)")
_html = lazy_pattern(r"</?[A-Za-z][^>]*>")
# Line-start markers, found after a newline: a pattern that starts with a literal is
# searched for far faster than a MULTILINE ^ (search_text puts a newline first).
_line_markers = lazy_pattern(r"\n[ \t]*(?:[>+-]|\d+[.)])[ \t]+|\n-{3,}[ \t]*(?=\n|\Z)")


def search_text(markdown: str) -> str:
    """An answer as words for the full-text index: no math, markup, link targets or tags.

    Each pass runs only when its marker occurs: this is a quarter of a cold index's work.
    The index's view gives the text of its rows through this function, also to take them
    out: a change to what it returns needs a new :data:`SCHEMA_VERSION`.
    """
    text = markdown
    if "$" in text or "\\(" in text or "\\[" in text:
        # The decoder's own notion of math (never inside code), as the renderer uses it.
        kept, end = [], 0
        for span in math_spans(text):
            kept.append(text[end : span.start])
            end = span.end
        text = " ".join([*kept, text[end:]])
    if "](" in text:
        text = _link().sub(r"\1", text)
    if "<" in text:
        text = _html().sub(" ", text)
    # Runs of spaces and line breaks stay: the tokenizer skips them, and the few snippets
    # shown are put on one line then (store._highlights).
    return _line_markers().sub("\n ", "\n" + text.translate(_MARKUP_CHARS))[1:]


# Parsing for the index (runs in worker processes) -----------------------------------------


class IndexedFile(NamedTuple):
    """What the index keeps of one file: its ``files`` row, and its search columns if it
    is an article (made in the worker: search_text is a quarter of a cold index's work)."""

    row: tuple[object, ...]
    #: question, title, keywords, description, answer (as :func:`search_text`), flags.
    search: tuple[str, str, str, str, str, str] | None = None
    #: Its related links whole (:func:`links_text`): kept by :func:`encode_links` once
    #: the whole catalog is known.
    links: str | None = None


def search_columns(
    question: str, title: str, keywords: str, description: str, words: str, no_index: bool
) -> tuple[str, str, str, str, str, str]:
    """The text of one article's row of the search table, from its catalog fields (keywords
    split by US) and its answer as :func:`search_text` gives it: the one
    definition, for the index and for the snippets made from the files of the hits shown."""
    flags = "hidden" if no_index else ""
    return (question, title, keywords.replace("\x1f", ", "), description, words, flags)


# Fields the index keeps only where they are not what they usually are --------------------


def stored_stem(stored: str) -> str | None:
    """The slug that a file's name gives (its name less ``.md``), by its name as the index
    keeps it; None for another ending."""
    name = stored.rpartition("/")[2]
    return name[:-3] if name.endswith(".md") else None


def usual_url(stored: str, slug: str) -> str:
    """The url most files give: ``/learn/<folder>/questions/<slug>``, the folder being the
    one the file is in (by the name the index keeps)."""
    head = stored.rpartition("/")[0]
    return f"/learn/{head.rpartition('/')[2] if head else 'library'}/questions/{slug}"


def kept_slug_url(stored: str, slug: str, url: str) -> tuple[str | None, str | None]:
    """What the index keeps of a file's slug and url: None for each that is what its path
    gives (:func:`file_slug_url` makes it again)."""
    return (
        None if slug == stored_stem(stored) else slug,
        None if url == usual_url(stored, slug) else url,
    )


def file_slug_url(stored: str, slug: str | None, url: str | None) -> tuple[str, str]:
    """A file's slug and url from what the index keeps (:func:`kept_slug_url`)."""
    if slug is None:
        slug = stored_stem(stored) or ""
    return slug, url if url is not None else usual_url(stored, slug)


# Related links ------------------------------------------------------------------------
#
# Nearly every link names an article of the library by its own title and one of its
# listings' subject and url: such a link is kept as the article's id (and the listing's
# rank if it is not the first), the others whole. A link's target can change without its
# file: the exact links (all fields) are hashed, and a list that no longer expands to them
# is read from its file again (store.py).

Link = tuple[int, str, str, str]
#: What a link can be kept as the id of: an article's title, and the subject and url of
#: each of its listings, by rank.
Target = tuple[str, list[tuple[str, str]]]

_LINKS_WHOLE = b"W"  # every link whole, deflated
_LINKS_IDS = b"I"  # digest, then every link by id, as text
_LINKS_MIXED = b"M"  # digest, then links by id and whole, deflated
_DIGEST = 4  # bytes of a list's digest (CRC-32)


def _deflate(data: bytes) -> bytes:
    # Raw deflate: zlib's header and checksum are 6 bytes a row, and SQLite checks pages.
    return zlib.compress(data, 9, wbits=-15)


def _inflate(data: bytes) -> bytes:
    return zlib.decompress(data, -15)


def links_text(links: list[Link]) -> str:
    """Links whole, as one text: fields split by US, links by RS."""
    return "\x1e".join("\x1f".join((str(i), t, s, u)) for i, t, s, u in links)


def links_of_text(text: str) -> list[Link]:
    """The links of :func:`links_text`."""
    return [(int(i), t, s, u) for i, t, s, u in (link.split("\x1f") for link in text.split("\x1e"))]


def _links_digest(links: list[Link]) -> bytes:
    # Tells a list made again from its targets from the one the file holds: a check, not
    # a defence, and zlib is loaded already (hashlib loads OpenSSL, on every lookup).
    return zlib.crc32(links_text(links).encode()).to_bytes(_DIGEST, "big")


def encode_links(links: list[Link], target: Callable[[int], Target | None]) -> bytes | None:
    """Related links as the index keeps them (see above), None for none; ``target`` gives
    what a link may be kept as the id of. Fields are split by US, links by RS (article
    text holds neither: ``clean_text`` removes control characters)."""
    if not links:
        return None
    parts: list[str] = []
    by_id = whole = 0
    for link_id, title, subject, url in links:
        found = target(link_id)
        if found is not None and found[0] == title and (subject, url) in found[1]:
            rank = found[1].index((subject, url))
            parts.append(f"{link_id}\x1f{rank}" if rank else str(link_id))
            by_id += 1
        else:
            parts.append("\x1f".join((str(link_id), title, subject, url)))
            whole += 1
    text = "\x1e".join(parts).encode()
    if not by_id:
        return _LINKS_WHOLE + _deflate(text)
    if not whole:
        return _LINKS_IDS + _links_digest(links) + text
    return _LINKS_MIXED + _links_digest(links) + _deflate(text)


def _link_parts(data: bytes) -> list[list[str]]:
    kind = data[:1]
    if kind == _LINKS_WHOLE:
        text = _inflate(data[1:])
    elif kind == _LINKS_IDS:
        text = data[1 + _DIGEST :]
    else:
        text = _inflate(data[1 + _DIGEST :])
    return [link.split("\x1f") for link in text.decode().split("\x1e")]


def link_ids(data: bytes | None) -> list[int]:
    """The ids of the links :func:`encode_links` kept, without the rest of them."""
    if not data:
        return []
    if data[:1] == _LINKS_IDS:  # most lists: no inflating
        links = data[1 + _DIGEST :].decode().split("\x1e")
        return [int(link.partition("\x1f")[0]) for link in links]
    return [int(parts[0]) for parts in _link_parts(data)]


def decode_links(
    data: bytes | None, targets: Callable[[list[int]], dict[int, Target]], *, exact: bool = True
) -> list[Link] | None:
    """The links :func:`encode_links` kept, those kept by id made whole again from
    ``targets`` (given the ids, what each is now); None if that is not what was kept: a
    target changed or went since. Not ``exact``: what they can be made of now (a target
    gone is named by its id), for a file gone too."""
    if not data:
        return []
    parts = _link_parts(data)
    if data[:1] == _LINKS_WHOLE:
        return [(int(p[0]), p[1], p[2], p[3]) for p in parts]
    found = targets([int(p[0]) for p in parts if len(p) < 4])
    links: list[Link] = []
    for p in parts:
        link_id = int(p[0])
        if len(p) == 4:
            links.append((link_id, p[1], p[2], p[3]))
            continue
        target = found.get(link_id)
        rank = int(p[1]) if len(p) == 2 else 0
        if target is None or rank >= len(target[1]):
            if exact:
                return None
            target = (f"Article {link_id}", [("", "")])
            rank = 0
        links.append((link_id, target[0], *target[1][rank]))
    return links if not exact or _links_digest(links) == data[1 : 1 + _DIGEST] else None


def encode_seo(keywords: tuple[str, ...], description: str) -> bytes | None:
    """An article's keywords and description as one compressed column, None when both
    are empty: keywords split by US, then RS and the description (neither character is
    in article text), then deflated: together they compress to 60% (apart, to 75%)."""
    if not keywords and not description:
        return None
    return _deflate(("\x1f".join(keywords) + "\x1e" + description).encode())


def decode_seo(data: bytes | None) -> tuple[tuple[str, ...], str]:
    """The keywords and description :func:`encode_seo` wrote."""
    if not data:
        return (), ""
    keywords, description = _inflate(data).decode().split("\x1e")
    return (tuple(keywords.split("\x1f")) if keywords else ()), description


def _index_row(relative: str, root: Path) -> IndexedFile:
    """The index's rows for the file at ``relative`` (a POSIX path under ``root``, as the
    index keeps it: see :func:`stored_names`)."""
    from qtreader.library.parse import parse_file  # YAML only where files are parsed

    path = root / file_name(relative)
    article, problem = parse_file(path, root)
    reason = problem.reason if problem else None
    if article is None:
        try:
            stat = path.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:
            size, mtime = -1, -1
        return IndexedFile((relative, size, mtime, reason, *([None] * 10)))
    slug, url = kept_slug_url(relative, article.slug, article.url)
    keywords = "\x1f".join(article.keywords)
    row = (
        relative,
        article.size,
        article.mtime_ns,
        reason,
        article.id,
        article.subject,
        article.title if article.title != article.question else None,
        article.question,
        article.date.isoformat() if article.date else None,
        encode_seo(article.keywords, article.description),
        slug,
        url,
        article.score,
        int(article.no_index),
    )
    words = search_text(article.answer)
    search = search_columns(
        article.question, article.title, keywords, article.description, words, article.no_index
    )
    links = [(r.id, r.title, r.subject, r.url) for r in article.related]
    return IndexedFile(row, search, links_text(links) if links else None)


def index_chunk(relatives: list[str], root: Path) -> list[IndexedFile]:
    """Parse a chunk of files (paths relative to ``root``, in POSIX form) into index rows:
    a process pool's unit of work."""
    return [_index_row(relative, root) for relative in relatives]


# Opening -------------------------------------------------------------------------------


class IndexError_(Exception):
    """The index cannot be used as it is (corrupt, foreign or older); it will be rebuilt."""


class RefreshReport(NamedTuple):
    """What a refresh found: file counts and whether anything changed."""

    added: int
    changed: int
    removed: int
    total: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class _Connection(sqlite3.Connection):
    """A connection an :class:`Index` can hold weakly (``sqlite3.Connection`` cannot)."""


class Index:
    """A connection factory for one library's index: one SQLite connection per thread."""

    def __init__(self, root: Path, database: str, *, uri: bool, notice: str | None) -> None:
        self.root = root
        self.database = database
        self._uri = uri
        #: A one-line message about how the index was opened (rebuilt, in memory), if any.
        self.notice = notice
        self._local = threading.local()
        self._keepalive: sqlite3.Connection | None = None
        # Every connection still open, of every thread: a full disk closes them all
        # (close_all). Weakly held: a thread's connection closes when the thread ends.
        self._connections: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        self._connections_lock = threading.Lock()
        #: Whether this run created the file: a failed build of it leaves nothing behind.
        self.made_here = False
        if uri:  # a shared in-memory database lives while one connection is open
            self._keepalive = self._connect()

    @property
    def in_memory(self) -> bool:
        return self._uri

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.database,
            uri=self._uri,
            timeout=_BUSY_SECONDS,
            check_same_thread=False,
            factory=_Connection,
        )
        try:
            self._set_up(connection)
        except BaseException:
            # Never handed out, so close_all would not find it: the error's frames would
            # keep the file open, removed or not, until the cycle collector ran.
            connection.close()
            raise
        with self._connections_lock:
            self._connections.add(connection)
        return connection

    def _set_up(self, connection: sqlite3.Connection) -> None:
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_SECONDS * 1000}")
        if not self._uri:
            # Only a new, empty file takes it (WAL fixes the page size): 16 KB pages
            # quarter the pages a cold build writes into the WAL and copies out of it at
            # its commit, which took half the time (0.53 s for 1.11 s at 50,000 articles).
            connection.execute("PRAGMA page_size = 16384")
            _switch_to_wal(connection)
            # A cache, not a record: never waiting for the disk (fsync) halves a cold
            # build, whose commit checkpoints hundreds of MB. The journal still makes each
            # refresh atomic for a crash of qtreader; a crash of the whole system may leave
            # a damaged index, which is found at the next open or use and rebuilt.
            connection.execute("PRAGMA synchronous = OFF")

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.commit()

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
            with self._connections_lock:
                self._connections.discard(connection)

    def close_all(self) -> None:
        """Close the connections of every thread: the index is given up, and its files
        must not stay open (removed, they would keep their space until closed)."""
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        self._local = threading.local()

    # Checks ---------------------------------------------------------------------------

    def validate(self, *, create: bool = True) -> None:
        """Raise :class:`IndexError_` unless this is a current index of this library;
        an empty database (a new file) gets the schema first, if ``create``."""
        try:
            db = self.db
            # One statement, one snapshot: read apart, the two could straddle another
            # opener's creating the index, and look like a foreign file.
            application_id, version = db.execute(
                "SELECT * FROM pragma_application_id, pragma_user_version"
            ).fetchone()
            if application_id == 0 and version == 0 and create:
                if self._create():
                    return
                # Not empty after all, or no longer: another opener may have just written
                # it. Read it again, now that it is whole.
                self.validate(create=False)
                return
            if application_id != APPLICATION_ID:
                raise IndexError_("not a qtreader index")
            if version != SCHEMA_VERSION:
                raise IndexError_(f"schema version {version}, this qtreader needs {SCHEMA_VERSION}")
            root = db.execute("SELECT value FROM meta WHERE key = 'root'").fetchone()
            if root is None or root[0] != _stored_name(str(self.root)):
                raise IndexError_("made for another library folder")
            db.execute("SELECT count(*) FROM subjects").fetchone()
            # A term lookup reads the full-text index's own tables; a scan would read the
            # view, making search text for its first row (with patterns compiled for it),
            # at every start and every `qtreader show`.
            db.execute("SELECT rowid FROM search WHERE search MATCH 'qtreader'").fetchall()
        except sqlite3.DatabaseError as error:
            if _busy(error):  # in use by another opener: nothing wrong with the index
                raise
            if cache_full(error, Path(self.database).parent):  # nor on a full disk
                raise
            raise IndexError_(str(error)) from None

    def _create(self) -> bool:
        """Write the schema into this empty database, all in one transaction; false if
        another connection wrote something first.

        Openers of a new index (apps started at once, or one app's threads) wait for the
        first one's lock, then find a whole index: a schema written a table at a time
        showed them a file with tables and no application id, which they removed as
        foreign under the first one's open connections (a crash: SQLite had the files
        mapped in memory).
        """
        db = self.db
        with self.transaction():
            if _tables(db):
                return False
            for statement in _statements(_SCHEMA):
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("INSERT INTO meta VALUES ('root', ?)", (_stored_name(str(self.root)),))
        return True

    # Refresh --------------------------------------------------------------------------

    def refresh(
        self, progress: ProgressCallback | None = None, *, rebuild: bool = False
    ) -> RefreshReport:
        """Bring the index up to date with the folder, parsing only what changed.

        Parsed chunks are written as they arrive, in one transaction: readers keep seeing
        the previous catalog until it commits, and an interrupted refresh leaves it intact.
        """
        # Building from nothing parses every file: the pool starts while the scan runs.
        rebuild = rebuild or self._too_stale()
        cold = rebuild or self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
        pool_starting = start_pool_early() if cold else None
        try:
            return self._refresh(progress, rebuild, pool_starting, cold=cold)
        finally:
            if pool_starting is not None:  # shut down already if the parse used it: no harm
                shut_down_when_started(pool_starting)

    def _refresh(
        self,
        progress: ProgressCallback | None,
        rebuild: bool,
        pool_starting: Future[ProcessPoolExecutor | None] | None,
        *,
        cold: bool,
    ) -> RefreshReport:
        # Every file is parsed from nothing: parsing finds their sizes and mtimes.
        entries, scan_problems, scanned = scan_folders(self.root, sizes=not cold)
        folders = dict(zip(stored_names(list(scanned)), scanned.values(), strict=True))
        db = self.db
        # path: (size, mtime, id, file)
        known: dict[str, tuple[int, int, int | None, int]] = {}
        if not rebuild:
            known = {
                path: (size, mtime, article_id, file)
                for file, path, size, mtime, article_id in db.execute(
                    "SELECT file, path, size, mtime_ns, id FROM files"
                )
            }
        names = stored_names([entry.relative for entry in entries])
        on_disk = dict(zip(names, entries, strict=True))
        added = [p for p in on_disk if p not in known]
        changed = [
            p for p, e in on_disk.items() if p in known and known[p][:2] != (e.size, e.mtime_ns)
        ]
        removed = [p for p in known if p not in on_disk]
        report = RefreshReport(len(added), len(changed), len(removed), len(on_disk))
        scan_rows = sorted(
            (_stored_name(problem.path.relative_to(self.root).as_posix()), problem.reason)
            for problem in scan_problems
        )
        same_scan = scan_rows == db.execute("SELECT * FROM scan_problems ORDER BY 1").fetchall()
        if not (rebuild or report.changed_anything):
            if not same_scan or folders != self._folders():
                with self.transaction() as db:
                    _replace_scan_problems(db, scan_rows)
                    _replace_folders(db, folders)
            if progress:
                progress(len(on_disk), len(on_disk))
            return report

        # The search row of an id whose file changed or went is replaced: its remaining
        # files (cross-listings) are parsed again to have the text to write.
        old_ids = {i for p in changed + removed if (i := known[p][2]) is not None}
        siblings = {p for p, k in known.items() if k[2] in old_ids} & set(on_disk)
        to_parse = sorted(set(added) | set(changed) | siblings)
        with _collector_calm(), self.transaction() as db:
            # Each article's search row has the text of its first file by path (the one
            # shown, see _derive): ``indexed`` holds that path for every article with a row.
            if rebuild:
                indexed: dict[int, str] = {}
                db.execute("INSERT INTO search (search) VALUES ('delete-all')")
                db.execute("INSERT INTO heads (heads) VALUES ('delete-all')")
                for table in ("docs", "files", "links"):
                    db.execute(f"DELETE FROM {table}")
                stale = 0
            else:
                indexed = dict(
                    db.execute("SELECT d.id, a.path FROM docs d JOIN articles a USING (id)")
                )
                stale = self._stale()
            retired = [(i,) for i in old_ids if indexed.pop(i, None) is not None]
            db.executemany("DELETE FROM docs WHERE id = ?", retired)
            stale += len(retired)
            last = db.execute("SELECT max(id) FROM search_docsize").fetchone()[0]
            next_doc = int(last or 0) + 1
            bulk = len(to_parse) >= _BULK
            if bulk:  # merge segments once at the end, not all along
                # Fewer, larger segments to merge: FTS5 writes its words out at each MB.
                _set_merging(db, automerge=0, hashsize=_BULK_HASH)
            # Files parsed again get rows of their own (and numbers) again.
            gone = [(known[p][3],) for p in removed + to_parse if p in known]
            db.executemany("DELETE FROM files WHERE file = ?", gone)
            db.executemany("DELETE FROM links WHERE file = ?", gone)
            next_file = int(db.execute("SELECT max(file) FROM files").fetchone()[0] or 0) + 1
            # Links wait here, whole, until every file's title and url are known: not in
            # memory (a library's links are hundreds of MB at a million articles) and not
            # in the index (rows written twice, and pages left part empty).
            db.execute(_WAITING_LINKS)
            db.execute("DELETE FROM temp.waiting_links")
            chunks = parse_in_pool(
                to_parse, self.root, index_chunk, progress, pool_starting=pool_starting
            )
            parsed_ids: set[int] = set()  # their related edges are written again
            for chunk in chunks:
                numbered = range(next_file, next_file + len(chunk))
                next_file += len(chunk)
                db.executemany(
                    _INSERT_FILE, [(n, *item.row) for n, item in zip(numbered, chunk, strict=True)]
                )
                db.executemany(
                    "INSERT INTO temp.waiting_links VALUES (?, ?)",
                    [
                        (n, item.links)
                        for n, item in zip(numbered, chunk, strict=True)
                        if item.links
                    ],
                )
                rows, docs, replaced = [], [], []
                for item in chunk:
                    if item.search is None:
                        continue
                    article_id, path = item.row[4], str(item.row[0])
                    assert isinstance(article_id, int)
                    parsed_ids.add(article_id)
                    first = indexed.get(article_id)
                    if first is not None and first <= path:
                        continue  # indexed by a file that sorts before: its first file
                    if first is not None:  # this one sorts before: it is the first now
                        replaced.append((article_id,))
                    indexed[article_id] = path
                    rows.append((next_doc, *item.search))
                    docs.append((next_doc, article_id))
                    next_doc += 1
                db.executemany("DELETE FROM docs WHERE id = ?", replaced)
                stale += len(replaced)
                db.executemany(_INSERT_SEARCH, rows)
                db.executemany(
                    _INSERT_HEADS,
                    [(heads_key(row[1], row[2], row[0]), row[1], row[2], row[6]) for row in rows],
                )
                db.executemany("INSERT INTO docs VALUES (?, ?)", docs)
            catalog = _catalog_rows(db)
            if bulk:
                # Merging is C that lets go of the GIL: the catalog is derived meanwhile.
                derived = _while_merging(db, lambda: _derive(catalog, self.root))
                _set_merging(db, automerge=_AUTOMERGE, hashsize=_HASH)
            else:
                derived = _derive(catalog, self.root)
            _replace_scan_problems(db, scan_rows)
            _replace_folders(db, folders)
            _write_derived(db, derived)
            _write_links(db, derived.targets)
            touched = old_ids | parsed_ids
            write_edges(db, None if bulk or rebuild else touched)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('stale', ?)", (str(stale),))
        if bulk:
            self._give_back_free_pages()
        return report

    def _give_back_free_pages(self) -> None:
        """After a bulk refresh, give back the pages left free in the file when they are
        many: FTS5's merges left a sixth of it free at 250,000 articles (none at 50,000).
        VACUUM took 3 s there, for a build of minutes; it is a transaction of its own, and
        one that fails (a full disk, a reader in the way) leaves the index as it was."""
        db = self.db
        free, pages = db.execute(
            "SELECT * FROM pragma_freelist_count, pragma_page_count"
        ).fetchone()
        if free * _FREE_SHARE > pages:
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("VACUUM")

    def _stale(self) -> int:
        """How many rows of the search table belong to no article any more."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'stale'").fetchone()
        return int(row[0]) if row else 0

    def _too_stale(self) -> bool:
        stale = self._stale()
        return stale >= _STALE_MIN and stale > _STALE_SHARE * self.article_count()

    def article_count(self) -> int:
        """How many articles the catalog holds (cross-listed ones once)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'articles'").fetchone()
        if row is None:  # never refreshed
            return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])
        return int(row[0])

    def _folders(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT path, mtime_ns FROM folders"))

    def is_stale(self) -> bool:
        """Whether the folders changed since the last refresh, or there never was one."""
        folders = self._folders()
        if not folders:  # the library's own folder is one: never refreshed
            return True
        for relative, mtime in folders.items():
            try:
                if (self.root / file_name(relative)).stat().st_mtime_ns != mtime:
                    return True
            except OSError:
                return True
        return False

    def problems(self) -> list[Problem]:
        """Every file with a problem, and every id conflict, sorted by path."""

        rows = self.db.execute(
            "SELECT path, problem FROM files WHERE problem IS NOT NULL "
            "UNION ALL SELECT path, reason FROM conflicts "
            "UNION ALL SELECT path, reason FROM scan_problems ORDER BY 1"
        ).fetchall()
        return [Problem(self.root / file_name(path), reason) for path, reason in rows]


class _Derived(NamedTuple):
    """The rows of the tables derived from the catalog of files, before they are written."""

    articles: list[tuple[int, int, str, int]]
    listings: list[tuple[str, int, int, int, int]]
    subjects: list[tuple[str, str, int]]
    conflicts: list[tuple[str, str]]
    #: What a related link may be kept as the id of, by article id (see encode_links).
    targets: dict[int, Target]


# path, file, id, subject, title (or question), question, slug, url, no_index
_CatalogRow = tuple[str, int, int, str, str, str, str | None, str | None, int]


def _catalog_rows(db: sqlite3.Connection) -> list[_CatalogRow]:
    """What :func:`_derive` needs of every file that is an article."""
    rows: list[_CatalogRow] = db.execute(
        "SELECT path, file, id, subject, coalesce(title, question), question, slug, url, "
        "no_index FROM files WHERE id IS NOT NULL"
    ).fetchall()
    return rows


def _derive(rows: list[_CatalogRow], root: Path) -> _Derived:
    """Articles (cross-listed files merged into one), listings, subjects and conflicts,
    from the catalog's files. No database, so that it can run while the search index
    merges (see :func:`_while_merging`)."""

    rows.sort()  # by path (unique): five times faster than ORDER BY through the index
    # A library has a few dozen spellings of subjects: each is keyed once, not per file.
    keys = {subject: subject_key(subject) for subject in {row[3] for row in rows}}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        spellings[keys[row[3]]][row[3]] += 1
    names = {
        key: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        for key, counter in spellings.items()
    }
    first: dict[int, tuple[str, int, str, str, int]] = {}  # path, file, title, question, no_index
    listed: dict[int, list[tuple[str, int, str, str]]] = {}  # key, file, subject, url
    conflicts: list[tuple[str, str]] = []
    for path, file, article_id, subject, title, question, slug, url, no_index in rows:
        key = keys[subject]
        listing = (key, file, subject, file_slug_url(path, slug, url)[1])
        if article_id not in first:
            first[article_id] = (path, file, title, question, no_index)
            listed[article_id] = [listing]
            continue
        first_path, _, _, first_question, _ = first[article_id]
        if question != first_question:
            conflicts.append(
                (
                    path,
                    f"id {article_id} is already used by "
                    f"{escape_controls(root / file_name(first_path))} for "
                    "another question; this file is not shown",
                )
            )
        elif any(existing[0] == key for existing in listed[article_id]):
            shown = escape_controls(root / file_name(first_path))
            conflicts.append((path, f"duplicate of {shown} (same id and subject)"))
        else:
            listed[article_id].append(listing)
    members: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for article_id, listings in listed.items():
        title_key = first[article_id][2].casefold()
        for key, *_ in listings:
            members[key].append((title_key, article_id))
    for ids in members.values():
        ids.sort()
    positions = {
        (key, article_id): position
        for key, ids in members.items()
        for position, (_, article_id) in enumerate(ids)
    }
    # Rows go in in the order of their table's key: each insert appends to its B-tree.
    return _Derived(
        articles=sorted((i, f[1], f[2].casefold(), f[4]) for i, f in first.items()),
        listings=sorted(
            (key, positions[(key, article_id)], article_id, rank, file)
            for article_id, listings in listed.items()
            for rank, (key, file, _, _) in enumerate(listings)
        ),
        subjects=[(key, names[key], len(ids)) for key, ids in members.items()],
        conflicts=conflicts,
        targets={
            article_id: (first[article_id][2], [(s, u) for _, _, s, u in listings])
            for article_id, listings in listed.items()
        },
    )


def _write_derived(db: sqlite3.Connection, derived: _Derived) -> None:
    """Replace the derived tables."""
    for table in ("article_rows", "listing_rows", "subjects", "conflicts"):
        db.execute(f"DELETE FROM {table}")
    db.executemany("INSERT INTO article_rows VALUES (?, ?, ?, ?)", derived.articles)
    db.executemany("INSERT INTO listing_rows VALUES (?, ?, ?, ?, ?)", derived.listings)
    db.executemany("INSERT INTO subjects VALUES (?, ?, ?)", derived.subjects)
    db.executemany("INSERT INTO conflicts VALUES (?, ?)", derived.conflicts)
    # Shown at every start: count(*) would scan the table (30 ms at 250,000 articles).
    db.execute("INSERT OR REPLACE INTO meta VALUES ('articles', ?)", (str(len(derived.articles)),))


def _write_links(db: sqlite3.Connection, targets: dict[int, Target]) -> None:
    """Keep the links of the files parsed in this refresh (waiting whole in a temporary
    table), now that every article's title and listings are known."""
    waiting = db.execute("SELECT file, text FROM temp.waiting_links ORDER BY file")
    while batch := waiting.fetchmany(2000):
        db.executemany(
            "INSERT INTO links VALUES (?, ?)",
            [(file, encode_links(links_of_text(text), targets.get)) for file, text in batch],
        )
    db.execute("DELETE FROM temp.waiting_links")


def write_edges(db: sqlite3.Connection, touched: set[int] | None) -> None:
    """Bring the related edges up to date with the articles (each one's links are those of
    its first file, the one shown): all of them again (``touched`` None: a bulk refresh),
    else those of the articles whose files changed, came or went (in one scan of the
    table: an index by source would double its size)."""
    shown = "SELECT a.id, l.data FROM article_rows a JOIN links l ON l.file = a.file"
    if touched is None:
        db.execute("DELETE FROM related_edges")
        rows = db.execute(shown)
    else:
        if not touched:
            return
        ids = "[" + ",".join(map(str, sorted(touched))) + "]"  # a JSON array: any length
        db.execute(
            "DELETE FROM related_edges WHERE source IN (SELECT value FROM json_each(?))", (ids,)
        )
        rows = db.execute(shown + " WHERE a.id IN (SELECT value FROM json_each(?))", (ids,))
    edges = {
        (target, source)
        for source, data in rows.fetchall()
        for target in link_ids(data)
        if target != source and is_article_id(target)  # SQLite holds no larger id
    }
    db.executemany("INSERT INTO related_edges VALUES (?, ?)", sorted(edges))


def _while_merging(db: sqlite3.Connection, work: Callable[[], _Derived]) -> _Derived:
    """Merge the search index's segments into one (FTS5 optimize) on a thread of its own
    while ``work`` runs on this one; ``work`` must not use ``db``."""
    failed: list[BaseException] = []

    def merge() -> None:
        try:
            db.execute("INSERT INTO search (search) VALUES ('optimize')")
            db.execute("INSERT INTO heads (heads) VALUES ('optimize')")
        except BaseException as error:  # raised here, on the refresh's own thread
            failed.append(error)

    merging = threading.Thread(target=merge, name="qtreader-merge")
    merging.start()
    try:
        result = work()
    finally:
        merging.join()
    if failed:
        raise failed[0]
    return result


#: How long a connection waits for another one's lock before it gives up.
_BUSY_SECONDS = 30

#: The full-text tables' words held in memory before they are written, in a bulk refresh
#: (bytes), and FTS5's own settings, restored after it.
_BULK_HASH = 16 << 20
_HASH = 1 << 20
_AUTOMERGE = 4


def _set_merging(db: sqlite3.Connection, *, automerge: int, hashsize: int) -> None:
    """Set how both full-text tables merge their segments and when they write them."""
    for table in ("search", "heads"):
        for name, value in (("automerge", automerge), ("hashsize", hashsize)):
            db.execute(f"INSERT INTO {table} ({table}, rank) VALUES (?, ?)", (name, value))


#: A bulk refresh gives back its free pages when they are more than 1/_FREE_SHARE of them.
_FREE_SHARE = 8

#: From this many files parsed in one refresh, the search table is merged once at the end
#: (automerge off, then optimize): a fifth cheaper, and one segment to query.
_BULK = 1000

_WAITING_LINKS = "CREATE TEMP TABLE IF NOT EXISTS waiting_links (file INTEGER PRIMARY KEY, text)"
_INSERT_FILE = "INSERT INTO files VALUES (" + ",".join("?" * 15) + ")"
_INSERT_SEARCH = (
    "INSERT INTO search (rowid, question, title, keywords, description, answer, flags) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_HEADS = "INSERT INTO heads (rowid, question, title, flags) VALUES (?, ?, ?, ?)"

#: The bits of a heads rowid that hold its doc: the length of its question and title is
#: above them (see heads_key).
HEADS_DOC_BITS = 32
#: Lengths (characters) from this one are one: the order of titles this long matters little.
_HEADS_LONGEST = (1 << 16) - 1


def heads_key(question: object, title: object, doc: object) -> int:
    """The rowid of a doc's row of the heads table: the characters of its question and
    title (the title once if it is the question), then its doc, so that rowid order is
    shortest first."""
    assert isinstance(question, str) and isinstance(title, str) and isinstance(doc, int)
    length = len(question) + (len(title) if title != question else 0)
    return min(length, _HEADS_LONGEST) << HEADS_DOC_BITS | doc


#: A refresh rebuilds the search table from the files when its rows no longer reachable
#: (their articles changed or went) are more than this share of the live ones, and at
#: least _STALE_MIN: each costs space, and a little in every search that matches it.
_STALE_SHARE = 0.25
_STALE_MIN = 500


@contextmanager
def _collector_calm() -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects alive now (the scan's catalog of
    every file, the app's own) while a refresh runs. Each chunk parsed or received makes
    thousands of short-lived tuples, which set off collections that walked all of them
    again and again: a fifth of a cold index on one core. The objects still die by
    reference counting, and new cycles are still collected. Unfreezing at the end also
    returns what the launcher froze (qtreader.cli.launch): those are modules and classes that
    live as long as the process, and the app's objects must be collectable again."""
    gc.collect(0)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _replace_folders(db: sqlite3.Connection, folders: dict[str, int]) -> None:
    db.execute("DELETE FROM folders")
    db.executemany("INSERT INTO folders VALUES (?, ?)", folders.items())


def _replace_scan_problems(db: sqlite3.Connection, rows: list[tuple[str, str]]) -> None:
    db.execute("DELETE FROM scan_problems")
    db.executemany("INSERT INTO scan_problems VALUES (?, ?)", rows)


def _busy(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    """Put the database in WAL mode (a no-op once it is). Making a new file WAL needs it to
    itself, and SQLite answers "locked" at once rather than wait: while another opener
    holds it, try again, for as long as the busy timeout waits for anything else."""
    import time

    deadline = time.monotonic() + _BUSY_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of ``script``, one by one (``executescript`` would commit first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def _tables(db: sqlite3.Connection) -> list[str]:
    return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def open_index(
    root: Path,
    *,
    location: Path | None = None,
    memory: bool = False,
    damaged: str | None = None,
) -> Index:
    """Open (creating or rebuilding as needed) the index of the library at ``root``.

    A corrupt, truncated, foreign or older index (or one found ``damaged`` in use, with
    that reason) is replaced by a new one, with a one-line :attr:`Index.notice`; a cache
    folder that cannot be written, or whose disk is full, gives an in-memory index with a
    warning (an index file this call began is removed). Never raises for the index's own
    sake.
    """
    root = root.resolve()
    if memory:
        return _memory_index(root, None)
    path = location or index_file(root)
    index: Index | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if location is None and not path.exists():
            _remove_obsolete(path.parent)
        if damaged is not None:
            raise IndexError_(damaged)
        made_here = not path.exists()
        index = Index(root, str(path), uri=False, notice=None)
        index.made_here = made_here
        index.validate()
        return index
    except IndexError_ as problem:
        if index is not None:
            index.close_all()
        notice = f"Rebuilding the index ({problem}): {path}"
        index = None
        try:
            _remove_database(path)
            index = Index(root, str(path), uri=False, notice=notice)
            index.made_here = True
            index.validate()
            return index
        except (OSError, sqlite3.Error, IndexError_) as error:
            _release_frames(error)
            if isinstance(error, IndexError_) or not cache_full(error, path.parent):
                _give_up(index, path)
                return _memory_index(root, f"{notice}; failed ({error}), using an in-memory index")
            return _full_cache_index(root, path, index)
    except (OSError, sqlite3.Error) as error:
        _release_frames(error)
        if cache_full(error, path.parent):
            return _full_cache_index(root, path, index)
        _give_up(index, path)
        reason = getattr(error, "strerror", None) or str(error)
        return _memory_index(
            root, f"Cannot write the index in {path.parent} ({reason}); using an in-memory index"
        )


# A full cache disk ----------------------------------------------------------------------------


def cache_full(error: BaseException, folder: Path) -> bool:
    """Whether ``error`` comes of a full disk under ``folder``: SQLite's SQLITE_FULL, the
    system's ENOSPC, or an I/O error (SQLite says "disk I/O error" when it cannot grow its
    shared-memory file) with no space left there."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
        return True
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    if code is not None and code & 0xFF == sqlite3.SQLITE_IOERR:
        try:
            return shutil.disk_usage(folder).free == 0
        except OSError:
            return False
    return False


def replace_index(index: Index, error: sqlite3.DatabaseError) -> Index:
    """A new index for one that failed in use with ``error``: in memory if its disk is
    full (removing its file if this run made it), else rebuilt on disk. All of the old
    one's connections are closed first."""
    path = Path(index.database)
    _release_frames(error)
    if cache_full(error, path.parent):
        return _full_cache_index(index.root, path, index)
    index.close_all()
    return open_index(index.root, damaged=str(error))


def _release_frames(error: BaseException) -> None:
    """Drop what the frames of ``error``'s traceback hold before the index is given up:
    a cursor there keeps its statement, and a statement not finalized keeps SQLite's file
    open past close() (removed, it would hold its space), until the cycle collector runs
    (a context manager's frame in the traceback refers back to the error)."""
    traceback.clear_frames(error.__traceback__)


def _full_cache_index(root: Path, path: Path, index: Index | None) -> Index:
    """The in-memory index of a run whose cache disk is full. The files of an index this
    run began are removed (they hold nothing of use, and take the space); an index that
    was whole before is left for the next run."""
    if index is not None:
        index.close_all()
    if index is None or index.made_here:
        with contextlib.suppress(OSError):
            _remove_database(path)
    return _memory_index(
        root,
        f"Cannot write the index: the cache disk is full ({path.parent}); "
        "using an in-memory index for this run",
    )


def _give_up(index: Index | None, path: Path) -> None:
    """Close an index that is replaced by one in memory; remove its file if this run made
    it and it is still empty of anything of use."""
    if index is None:
        return
    index.close_all()
    if index.made_here:
        with contextlib.suppress(OSError):
            _remove_database(path)


def _memory_index(root: Path, notice: str | None) -> Index:
    import uuid

    name = f"file:qtreader-{uuid.uuid4().hex}?mode=memory&cache=shared"
    index = Index(root, name, uri=True, notice=notice)
    index.validate()
    return index


def _remove_obsolete(folder: Path) -> None:
    # Indexes of qtreader before schema 5 were named by 24 hex digits of a SHA-256: no later
    # version opens them, so they are removed when a library gets its first index of this one.
    obsolete_name = re.compile(r"[0-9a-f]{24}\.sqlite3")
    for old in folder.glob("*.sqlite3"):
        if obsolete_name.fullmatch(old.name):
            with contextlib.suppress(OSError):
                _remove_database(old)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
