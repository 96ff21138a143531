"""A study card: what kind of card it is, the question, then (once revealed) the answer and
when each grade would bring the card back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from qtreader.library.study import Grade, StudyCard
from qtreader.tui.widgets.article_view import shown_part
from qtreader.tui.widgets.key_scroll import KeyScroll

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
        from qtreader.render.markdown import render_answer

        widget = self.query_one("#card-answer", Static)
        widget.set_class(False, "-hidden")
        widget.update(render_answer(shown_part(answer, article_id)))

    def reveal_summary(self, summary: str) -> None:
        """Show the article's own one-paragraph summary, and how to see the whole answer."""
        body = Text(summary)
        body.append("\n\n")
        body.append_text(
            Text.assemble(("f", "bold"), " or ", ("space", "bold"), " shows the full answer.")
        )
        widget = self.query_one("#card-answer", Static)
        widget.set_class(False, "-hidden")
        widget.update(body)
        self.scroll_home(animate=False)


def grade_line(preview: dict[Grade, str] | None, width: int = 0) -> Text:
    """The grade keys, each with when it would bring the card back (``None``: not yet).
    ``width``: the room there is; the first of ever shorter forms that fits is used."""
    if preview is None:
        return Text.assemble(("space", "bold"), " show the answer   ", ("escape", "bold"), " end")
    forms = [_grades(preview, "   ", long=True), _grades(preview, "  ", long=True)]
    forms += [_grades(preview, "  ", long=False), _grades(preview, " ", long=False)]
    return next((form for form in forms if not width or form.cell_len <= width), forms[-1])


def _grades(preview: dict[Grade, str], gap: str, *, long: bool) -> Text:
    line = Text()
    for grade in Grade:
        if line:
            line.append(gap)
        line.append(f"{int(grade)} ", "bold")
        line.append(grade.label if long else grade.label[0])
        if grade in preview:
            interval = preview[grade] if long else preview[grade].replace(" ", "")
            line.append(f" {interval}", "dim")
    return line
