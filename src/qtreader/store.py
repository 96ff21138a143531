"""The content store: finds a library's article files, parses them and answers lookups.

No Textual here: the command line and the app share this layer.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from qtreader.models import Article, ArticleFile, Listing, Problem, RelatedLink, Subject
from qtreader.parse import ParseResult, parse_file

__all__ = ["Library", "ProgressCallback", "load_library", "scan_library", "subject_key"]

#: Called with (files done, files in all) while a library loads; it may raise to stop the load.
ProgressCallback = Callable[[int, int], None]

# Below this many files a process pool costs more to start than it saves.
_POOL_THRESHOLD = 1500
_CHUNK = 250


def subject_key(name: str) -> str:
    """The identity of a subject: its name without regard to case or spacing."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class FileEntry:
    """An article file found in a library folder."""

    path: Path
    size: int
    mtime_ns: int


def scan_library(root: Path) -> tuple[list[FileEntry], list[Problem]]:
    """Find every ``.md`` file under ``root``, following folder symlinks but never in a loop.

    Hidden files and folders (``.git``) are skipped. The result is sorted by path.
    """
    files: list[FileEntry] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, int], Path] = {}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            identity = folder.stat()
        except OSError as error:
            problems.append(Problem(folder, f"cannot open folder: {error.strerror or error}"))
            continue
        key = (identity.st_dev, identity.st_ino)
        if key in seen:
            problems.append(
                Problem(folder, f"folder symlink loop: leads back to {seen[key]}, not followed")
            )
            continue
        seen[key] = folder
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            problems.append(Problem(folder, f"cannot read folder: {error.strerror or error}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    stack.append(path)
                    continue
                if not entry.name.lower().endswith(".md"):
                    continue
                stat = entry.stat()
            except OSError as error:
                reason = "broken symlink" if entry.is_symlink() else error.strerror or str(error)
                problems.append(Problem(path, f"cannot read: {reason}"))
                continue
            files.append(FileEntry(path, stat.st_size, stat.st_mtime_ns))
    files.sort(key=lambda entry: entry.path)
    problems.sort(key=lambda problem: problem.path)
    return files, problems


def _parse_chunk(paths: list[Path], root: Path) -> list[ParseResult]:
    return [parse_file(path, root) for path in paths]


def parse_files(
    paths: list[Path], root: Path, progress: ProgressCallback | None = None
) -> Iterator[ParseResult]:
    """Parse files in order, on every core when there are many of them."""
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    total = len(paths)
    chunks = [paths[i : i + _CHUNK] for i in range(0, total, _CHUNK)]
    done = 0
    if total < _POOL_THRESHOLD or not workers or workers < 2:
        for chunk in chunks:
            yield from _parse_chunk(chunk, root)
            done += len(chunk)
            if progress:
                progress(done, total)
        return
    # forkserver: safe to start from a thread of a running app, and cheap per worker.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver"))
    try:
        for results in pool.map(_parse_chunk, chunks, [root] * len(chunks)):
            yield from results
            done += len(results)
            if progress:
                progress(done, total)
    finally:
        # If the caller stops early (the progress callback raised), drop the queued chunks.
        pool.shutdown(wait=True, cancel_futures=True)


def load_library(root: Path, progress: ProgressCallback | None = None) -> Library:
    """Load every article under ``root``. Bad files become problems; nothing is written."""
    root = Path(root).expanduser().absolute()
    if not root.is_dir():
        raise NotADirectoryError(f"library folder not found: {root}")
    entries, problems = scan_library(root)
    files: list[ArticleFile] = []
    for article, problem in parse_files([entry.path for entry in entries], root, progress):
        if article is not None:
            files.append(article)
        if problem is not None:
            problems.append(problem)
    return Library.build(root, files, problems)


class Library:
    """A loaded library: articles by id, subjects, lookups, and the problems met on the way."""

    def __init__(
        self,
        root: Path,
        articles: dict[int, Article],
        answers: dict[int, str],
        subjects: list[Subject],
        members: dict[str, list[int]],
        problems: list[Problem],
    ) -> None:
        self.root = root
        self._articles = articles
        self._answers = answers
        self._subjects = subjects
        self._subject_by_key = {subject.key: subject for subject in subjects}
        self._members = members
        self.problems = problems
        self._by_url: dict[str, int] = {}
        self._by_slug: dict[str, int] = {}
        for article in articles.values():
            self._by_slug.setdefault(article.slug, article.id)
            for listing in article.listings:
                self._by_url.setdefault(listing.url.rstrip("/"), article.id)

    @classmethod
    def build(cls, root: Path, files: Iterable[ArticleFile], problems: list[Problem]) -> Library:
        """Merge parsed files into articles: cross-listed ids become one article."""
        by_id: dict[int, list[ArticleFile]] = defaultdict(list)
        for file in sorted(files, key=lambda f: f.path):
            by_id[file.id].append(file)

        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for group in by_id.values():
            for file in group:
                spellings[subject_key(file.subject)][file.subject] += 1
        names = {
            # Most common spelling; on a tie, the one with capitals ("Computer Science").
            key: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
            for key, counter in spellings.items()
        }

        problems = list(problems)
        kept: dict[int, tuple[ArticleFile, list[Listing]]] = {}
        for article_id, group in by_id.items():
            first = group[0]
            listings = [Listing(names[subject_key(first.subject)], first.url, first.path)]
            for other in group[1:]:
                if other.question != first.question:
                    problems.append(
                        Problem(
                            other.path,
                            f"id {article_id} is already used by {first.path} for another "
                            "question; this file is not shown",
                        )
                    )
                    continue
                subject = names[subject_key(other.subject)]
                if any(listing.subject == subject for listing in listings):
                    problems.append(
                        Problem(other.path, f"duplicate of {first.path} (same id and subject)")
                    )
                    continue
                listings.append(Listing(subject, other.url, other.path))
            kept[article_id] = (first, listings)

        articles: dict[int, Article] = {}
        answers: dict[int, str] = {}
        for article_id, (file, listings) in kept.items():
            related = tuple(
                RelatedLink(
                    id=link.id,
                    title=link.title,
                    subject=names.get(subject_key(link.subject), link.subject),
                    url=link.url,
                    available=link.id in kept,
                )
                for link in file.related
            )
            articles[article_id] = Article(
                id=article_id,
                title=file.title,
                question=file.question,
                slug=file.slug,
                date=file.date,
                keywords=file.keywords,
                description=file.description,
                score=file.score,
                no_index=file.no_index,
                listings=tuple(listings),
                related=related,
            )
            answers[article_id] = file.answer

        members: dict[str, list[int]] = defaultdict(list)
        for article in articles.values():
            for listing in article.listings:
                members[subject_key(listing.subject)].append(article.id)
        for ids in members.values():
            ids.sort(key=lambda i: (articles[i].title.casefold(), i))
        subjects = sorted(
            (Subject(names[key], key, len(ids)) for key, ids in members.items()),
            key=lambda subject: subject.name.casefold(),
        )
        problems.sort(key=lambda problem: problem.path)
        return cls(root, articles, answers, subjects, dict(members), problems)

    # Lookups -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._articles)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._articles

    @property
    def subjects(self) -> list[Subject]:
        """Every subject with its article count, sorted by name."""
        return list(self._subjects)

    def subject(self, name: str) -> Subject | None:
        """The subject of that name, in any case."""
        return self._subject_by_key.get(subject_key(name))

    def articles(self) -> Iterator[Article]:
        """Every article once, in id order."""
        return (self._articles[i] for i in sorted(self._articles))

    def article(self, article_id: int) -> Article | None:
        """The article with that id, if the library has it."""
        return self._articles.get(article_id)

    def answer(self, article_id: int) -> str:
        """The decoded Markdown answer of an article."""
        return self._answers[article_id]

    def by_slug(self, slug: str) -> Article | None:
        """The article whose ``file_name`` (without ``.md``) is ``slug``."""
        found = self._by_slug.get(slug.removesuffix(".md"))
        return self._articles[found] if found is not None else None

    def by_url(self, url: str) -> Article | None:
        """The article listed at that ``/learn/<subject>/questions/<slug>`` url."""
        found = self._by_url.get(url.rstrip("/"))
        return self._articles[found] if found is not None else None

    def resolve(self, reference: str) -> Article | None:
        """An article by id, url or slug, whichever ``reference`` is."""
        reference = reference.strip()
        if reference.isdigit():
            return self.article(int(reference))
        if "/" in reference:
            found = self.by_url(reference)
            if found is None and "/questions/" in reference:
                found = self.by_slug(reference.rstrip("/").rsplit("/", 1)[-1])
            return found
        return self.by_slug(reference)

    def articles_in(self, subject: str) -> list[Article]:
        """The articles listed under a subject (any case), sorted by title."""
        return [self._articles[i] for i in self._members.get(subject_key(subject), [])]

    def neighbour(self, article_id: int, subject: str, step: int) -> Article | None:
        """The article ``step`` places after (or before) this one in a subject's title order."""
        ids = self._members.get(subject_key(subject), [])
        try:
            index = ids.index(article_id) + step
        except ValueError:
            return None
        return self._articles[ids[index]] if 0 <= index < len(ids) else None

    # Figures for ``qtreader check`` -----------------------------------------------------

    @property
    def cross_listed(self) -> list[Article]:
        """Articles listed under more than one subject."""
        return [article for article in self.articles() if len(article.listings) > 1]

    @property
    def dangling_links(self) -> list[tuple[Article, RelatedLink]]:
        """Related links that point to an id the library does not contain."""
        return [
            (article, link)
            for article in self.articles()
            for link in article.related
            if not link.available
        ]
