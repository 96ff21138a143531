"""The reader drawn dimmed under a modal screen, at a dictionary lookup per segment.

Textual draws the screen under a modal through ``BackgroundScreen``, which blends the tint
into every segment's colours anew at each frame: about a third of the time a modal screen
took to open at 80x24. The blend depends only on the segment's style and the tint, and the
reader holds a few dozen styles, so each is blended once (by Textual's own code) and kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Generic, TypeVar

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen

__all__ = ["TintedModal", "quick_tint"]

ResultType = TypeVar("ResultType")


class _KeptTint(BackgroundScreen):
    """Textual's ``BackgroundScreen`` with each style's tinted style kept."""

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterable[Segment]:
        tint = _tinter(color)
        for segment in segments:
            text, style, control = segment
            yield segment if control else Segment(text, tint(style), control)


@lru_cache(maxsize=16)
def _tinter(color: Color) -> Callable[[Style | None], Style | None]:
    """A function giving ``style`` as Textual tints it with ``color``, each style once."""

    @lru_cache(maxsize=4096)
    def tint(style: Style | None) -> Style | None:
        blended = BackgroundScreen.process_segments([Segment(" ", style)], color)
        return next(iter(blended)).style

    return tint


def quick_tint(drawn: RenderableType) -> RenderableType:
    """A screen's background as Textual renders it, with the tint of its styles kept."""
    if isinstance(drawn, BackgroundScreen) and not isinstance(drawn, _KeptTint):
        return _KeptTint(drawn.screen, drawn.color)
    return drawn


class TintedModal(ModalScreen[ResultType], Generic[ResultType]):
    """A modal screen whose dimmed reader underneath is drawn with :func:`quick_tint`."""

    def render(self) -> RenderableType:
        return quick_tint(super().render())
