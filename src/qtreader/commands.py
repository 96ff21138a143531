"""Command palette (ctrl+p): jump to any article by title, or to any subject."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from qtreader.screens.reader import ReaderScreen

__all__ = ["ArticleCommands"]

#: Candidates found per keystroke before fuzzy scoring (titles holding the text typed
#: first): Textual's Matcher takes about 0.1 ms a title, and scoring 300 took most of a
#: keystroke's 200-390 ms at 36,000 titles.
CANDIDATES = 40


class ArticleCommands(Provider):
    """Titles matched fuzzily (letters in order); subjects by name."""

    def _reader(self) -> ReaderScreen | None:
        from qtreader.screens.reader import ReaderScreen

        screen = self.screen
        return screen if isinstance(screen, ReaderScreen) and screen.library else None

    async def startup(self) -> None:
        """Make the library's list of titles while the palette opens, off the event loop."""
        reader = self._reader()
        if reader is not None and reader.library is not None:
            await asyncio.to_thread(reader.library.title_list)

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
