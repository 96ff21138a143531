"""A study card: what kind of card it is, the question, then (once revealed) the answer and
when each grade would bring the card back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from qtreader.study import Grade, StudyCard
from qtreader.widgets.article_view import shown_part
from qtreader.widgets.key_scroll import KeyScroll

__all__ = ["CardView"]


class CardView(KeyScroll):
    """Shows one card. It knows nothing of sessions: the study screen tells it what to show."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="card.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="card.up"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="card-kind")
        yield Static(id="card-question")
        yield Static(id="card-subject")
        yield Static(id="card-answer")

    def show_card(self, card: StudyCard) -> None:
        """Show the question of ``card``, the answer hidden."""
        kind = Text("New card" if card.is_new else "Review", style="bold")
        if card.answer_changed:
            kind.append("  ⚠ The answer has changed since your last review", "bold italic")
        self.set_class(card.answer_changed, "-changed")
        self.query_one("#card-kind", Static).update(kind)
        self.query_one("#card-question", Static).update(Text(card.question))
        self.query_one("#card-subject", Static).update(Text(card.subject))
        hint = Text.assemble("Recall the answer, then press ", ("space", "bold"), " to see it.")
        answer = self.query_one("#card-answer", Static)
        answer.update(hint)
        answer.set_class(True, "-hidden")
        self.scroll_home(animate=False)

    def reveal(self, answer: str, article_id: int) -> None:
        """Show the answer of article ``article_id``, rendered as the reader renders answers
        (formulas, tables, code), and cut where the reader cuts a huge one."""
        from qtreader.render import render_answer

        widget = self.query_one("#card-answer", Static)
        widget.set_class(False, "-hidden")
        widget.update(render_answer(shown_part(answer, article_id)))


def grade_line(preview: dict[Grade, str] | None) -> Text:
    """The grade keys, each with when it would bring the card back (``None``: not yet)."""
    if preview is None:
        return Text.assemble(("space", "bold"), " show the answer   ", ("escape", "bold"), " end")
    line = Text()
    for grade in Grade:
        if line:
            line.append("   ")
        line.append(f"{int(grade)} ", "bold")
        line.append(grade.label)
        if grade in preview:
            line.append(f" {preview[grade]}", "dim")
    return line
