"""Command palette (ctrl+p): jump to any article by title, or to any subject."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider

from qtreader.tui.screens.tint import quick_tint
from qtreader.tui.widgets.plain import data, highlight, palette_help

if TYPE_CHECKING:
    from qtreader.tui.screens.reader import ReaderScreen

__all__ = ["ArticleCommands", "Palette"]

#: Candidates found per keystroke before fuzzy scoring (titles holding the text typed
#: first): Textual's Matcher takes about 0.1 ms a title, and scoring 300 took most of a
#: keystroke's 200-390 ms at 36,000 titles.
CANDIDATES = 40


class ArticleCommands(Provider):
    """Titles matched fuzzily (letters in order); subjects by name."""

    def _reader(self) -> ReaderScreen | None:
        from qtreader.tui.screens.reader import ReaderScreen

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
                data(f"Subject: {subject.name}"),
                partial(reader.go_to_subject, subject.name),
                help=palette_help(f"{subject.count} articles"),
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
                    highlight(matcher, f"Subject: {subject.name}"),
                    partial(reader.go_to_subject, subject.name),
                    help=palette_help(f"{subject.count} articles"),
                )
        for article_id, title, subject_name in reader.library.fuzzy_titles(query, CANDIDATES):
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, title),
                    partial(reader.open_article, article_id, subject_name),
                    help=palette_help(subject_name),
                )


class Palette(CommandPalette):
    """Textual's command palette, shown at once and taking page keys that arrive before its
    list is laid out.

    Textual keeps the palette's box hidden until its first list (the discovery hits) is
    gathered, and that gathering polls its providers' queue in steps of 0.1 s: the palette
    took 470 ms to appear at 50,000 articles, the input unseen while keys were typed into
    it. The box now shows on mount; the list joins it when gathered.

    The palette fills its list from a worker while keys are handled: a burst of page-downs
    right after a letter reached ``OptionList._move_page`` once options were added but
    before the next layout gave the list a height. It then has no lines yet
    (``_update_lines`` waits for a size), and looking up the highlighted option's line
    raised ``KeyError``. Such a key now waits for the layout.
    """

    def on_mount(self) -> None:
        self.add_class("-ready")  # Textual's class for "show the box"

    def render(self) -> RenderableType:
        return quick_tint(super().render())

    def _action_command_list(self, action: str) -> None:
        self._command_list_action(action, waited=False)

    def _command_list_action(self, action: str, *, waited: bool) -> None:
        commands = self.query_one(CommandList)
        laid_out = bool(commands.scrollable_content_region)
        if action in ("page_up", "page_down") and commands.option_count and not laid_out:
            if not waited:  # once: a list that never gets a height has no page to move
                self.call_after_refresh(self._command_list_action, action, waited=True)
            return
        super()._action_command_list(action)
