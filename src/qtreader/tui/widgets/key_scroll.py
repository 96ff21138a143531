"""A vertical scroll where every key press counts, however fast they come."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.containers import VerticalScroll

__all__ = ["KeyScroll"]


class KeyScroll(VerticalScroll):
    """Scrolls by keys from where the previous key left the target, at once.

    Textual's ``scroll_down`` reads ``scroll_target_y + 1`` when the key is handled but
    scrolls only after the next refresh: 20 downs arriving in one read of the terminal all
    asked for line 1, and ``scroll_page_down`` counts from the current position, so pages
    pressed during an animation were lost too. Here each key moves the target it finds.
    """

    def _step(self, lines: float) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_to(y=self.scroll_target_y + lines, animate=False, immediate=True)

    def action_scroll_down(self) -> None:
        self._step(1)

    def action_scroll_up(self) -> None:
        self._step(-1)

    def action_page_down(self) -> None:
        self._step(self.scrollable_content_region.height)

    def action_page_up(self) -> None:
        self._step(-self.scrollable_content_region.height)
