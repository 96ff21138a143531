"""Browser-like back/forward history of the articles opened in one run of the reader."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BrowseHistory", "Visit"]


@dataclass(frozen=True, slots=True)
class Visit:
    """An article as it was opened: its id and the subject it was read under."""

    article_id: int
    subject: str


class BrowseHistory:
    """Visits in order with a cursor; opening an article drops the forward part, as in a browser."""

    def __init__(self) -> None:
        self._visits: list[Visit] = []
        self._index = -1
        self._scrolls: dict[int, float] = {}

    @property
    def current(self) -> Visit | None:
        """The visit being shown, if any."""
        return self._visits[self._index] if self._visits else None

    @property
    def can_go_back(self) -> bool:
        return self._index > 0

    @property
    def can_go_forward(self) -> bool:
        return self._index < len(self._visits) - 1

    def visit(self, visit: Visit) -> None:
        """Record a newly opened article (re-opening the current one records nothing)."""
        if visit == self.current:
            return
        del self._visits[self._index + 1 :]
        self._scrolls = {i: y for i, y in self._scrolls.items() if i <= self._index}
        self._visits.append(visit)
        self._index += 1

    @property
    def scroll(self) -> float:
        """How far down the current visit was read when it was left (0 at first)."""
        return self._scrolls.get(self._index, 0.0)

    def remember_scroll(self, y: float) -> None:
        """Note how far down the current visit is read, for coming back to it."""
        if self._visits:
            self._scrolls[self._index] = y

    def back(self) -> Visit | None:
        """Step back; ``None`` at the start."""
        if not self.can_go_back:
            return None
        self._index -= 1
        return self._visits[self._index]

    def forward(self) -> Visit | None:
        """Step forward; ``None`` at the end."""
        if not self.can_go_forward:
            return None
        self._index += 1
        return self._visits[self._index]
