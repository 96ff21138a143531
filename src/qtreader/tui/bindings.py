"""The keys of the app and of the reader, one :class:`Binding` with an id each (ids let a
keymap rebind them)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from qtreader.render.output import SIMILAR_NUMBERS

__all__ = ["APP_BINDINGS", "NOTE_BINDINGS", "NOTE_TEXT_BINDINGS", "READER_BINDINGS"]

#: The app's keys, active on every screen.
APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", tooltip="Quit qtreader", id="quit"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="Show every key", id="help"),
    # After q and ?: a narrow footer cuts from the end, and those two must stay in sight.
    Binding("P", "progress", "Progress", tooltip="Progress: calendar, forecast", id="progress"),
]

READER_BINDINGS: list[BindingType] = [
    Binding(
        "left_square_bracket,backspace,alt+left",
        "back",
        "Back",
        key_display="[",
        tooltip="Back to the article read before",
        id="back",
    ),
    Binding(
        "right_square_bracket,alt+right",
        "forward",
        "Forward",
        show=False,  # the footer keeps q and ? in sight down to 60 columns
        key_display="]",
        tooltip="Forward again after going back",
        id="forward",
    ),
    Binding(
        "n",
        "neighbour(1)",
        "Next",
        show=False,
        tooltip="Next article in this subject",
        id="next",
    ),
    Binding(
        "p",
        "neighbour(-1)",
        "Prev",
        show=False,
        tooltip="Previous article in this subject",
        id="previous",
    ),
    Binding(
        "slash",
        "search",
        "Search",
        key_display="/",
        tooltip="Search every article",
        id="search",
    ),
    Binding(
        "y",
        "copy_article",
        "Copy",
        show=False,
        tooltip="Copy the question and answer as Markdown (works over SSH)",
        id="copy",
    ),
    Binding(
        "r",
        "random",
        "Random",
        show=False,
        tooltip="Open a random article (of the selected subject)",
        id="random",
    ),
    Binding("t", "toggle_tree", "Tree", tooltip="Hide or show the subject tree", id="toggle-tree"),
    Binding(
        "less_than_sign",
        "tree_width(-4)",
        "Narrower",
        show=False,
        key_display="<",
        tooltip="Make the subject tree narrower (remembered)",
        id="tree-narrower",
    ),
    Binding(
        "greater_than_sign",
        "tree_width(4)",
        "Wider",
        show=False,
        key_display=">",
        tooltip="Make the subject tree wider (remembered)",
        id="tree-wider",
    ),
    Binding(
        "e",
        "problems",
        "Problems",
        show=False,  # the status line says "e to list" whenever there are problems
        tooltip="List the files of the library that have problems",
        id="problems",
    ),
    Binding(
        "x",
        "toggle_tex",
        "TeX",
        show=False,
        tooltip="Show the formulas of this article as raw TeX, or rendered again",
        id="toggle-tex",
    ),
    Binding(
        "l",
        "links",
        "Links",
        show=False,
        tooltip="List the links of this answer to follow one",
        id="links",
    ),
    Binding(
        "s",
        "study",
        "Study",
        tooltip="Study: the selected subject, the bookmarks or the whole library",
        id="study",
    ),
    Binding(
        "m",
        "bookmark",
        "Bookmark",
        show=False,
        tooltip="Bookmark the open article, or remove its bookmark",
        id="bookmark",
    ),
    Binding(
        "b",
        "bookmarks",
        "Bookmarks",
        show=False,
        tooltip="List the bookmarked articles",
        id="bookmarks",
    ),
    Binding(
        "a",
        "edit_note",
        "Note",
        show=False,
        tooltip="Write a note on the open article (shown under its answer)",
        id="note",
    ),
    Binding(
        "A",
        "external_note",
        "Note in $EDITOR",
        show=False,
        tooltip="Write the note of the open article in $VISUAL or $EDITOR",
        id="note-external",
    ),
    Binding(
        "ctrl+r",
        "refresh",
        "Refresh",
        show=False,
        tooltip="Read the library folder again: files added, changed or deleted",
        id="refresh",
    ),
    *(
        Binding(str(n), f"related({n})", f"Related {n}", show=False, id=f"related-{n}")
        for n in range(1, 6)
    ),
    # Keys that never move: 6 is the first similar article however many are related.
    *(
        Binding(key, f"similar({n})", f"Similar {n}", show=False, id=f"similar-{n}")
        for n, key in enumerate(SIMILAR_NUMBERS, start=1)
    ),
    Binding(
        "c",
        "cited_by",
        "Cited by",
        show=False,
        tooltip="Go to the articles whose related links name this one",
        id="cited-by",
    ),
]

#: The note editor's keys. None has ``priority``: a priority key runs before the text
#: area has taken the keys typed just before it, and would save the text without them.
NOTE_BINDINGS: list[BindingType] = [
    Binding("ctrl+s", "save", "Save", tooltip="Save the note", id="note.save"),
    Binding(
        "escape",
        "leave",
        "Back",
        tooltip="Back to the article (asks first if the note has unsaved text)",
        id="note.leave",
    ),
    Binding(
        "ctrl+e",
        "external",
        "$EDITOR",
        tooltip="Go on writing in $VISUAL or $EDITOR; what it saves is saved here",
        id="note.external",
    ),
]

#: The note's text area takes ctrl+e from TextArea (end of line there; the end key still
#: is) for the screen's ctrl+e above. A ``screen.`` action: the help lists it.
NOTE_TEXT_BINDINGS: list[BindingType] = [
    Binding(
        "ctrl+e",
        "screen.external",
        "$EDITOR",
        tooltip="Go on writing in $VISUAL or $EDITOR; what it saves is saved here",
        id="note-text.external",
    ),
]
