"""Command palette (ctrl+p): jump to any article by title, or to any subject."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from qtreader.screens.reader import ReaderScreen

__all__ = ["ArticleCommands"]

#: Candidates fetched from the index per keystroke before fuzzy scoring: enough for the
#: best matches, few enough to score instantly in a library of 250,000 titles.
CANDIDATES = 300


class ArticleCommands(Provider):
    """Titles matched fuzzily (letters in order); subjects by name."""

    def _reader(self) -> ReaderScreen | None:
        from qtreader.screens.reader import ReaderScreen

        screen = self.screen
        return screen if isinstance(screen, ReaderScreen) and screen.library else None

    async def discover(self) -> Hits:
        reader = self._reader()
        if reader is None or reader.library is None:
            return
        for subject in reader.library.subjects:
            yield DiscoveryHit(
                f"Subject: {subject.name}",
                partial(reader.go_to_subject, subject.name),
                help=f"{subject.count} articles",
            )

    async def search(self, query: str) -> Hits:
        reader = self._reader()
        if reader is None or reader.library is None or not query.strip():
            return
        matcher = self.matcher(query)
        for subject in reader.library.subjects:
            score = matcher.match(f"Subject: {subject.name}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"Subject: {subject.name}"),
                    partial(reader.go_to_subject, subject.name),
                    help=f"{subject.count} articles",
                )
        for article_id, title, subject_name in reader.library.fuzzy_titles(query, CANDIDATES):
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(reader.open_article, article_id, subject_name),
                    help=subject_name,
                )
