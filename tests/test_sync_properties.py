"""Sync converges: three machines, each with its own data folder and its own copy of the
sync folder (as Syncthing keeps one per machine), review, bookmark, read and write, rewrite
or remove notes at random, copy each other's files at random, often half-written, under
temporary or conflict names, and sync in random order. Once everything is copied and
synced, all three hold the same state, the state a fresh machine gets by merging every file
at once, and the state an independent model of the events gives: no review is missing, and
each note is its latest change."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fsrs import Scheduler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qtreader.library.state import CardRecord, StateStore, open_state, to_text
from qtreader.library.study import Grade, schedule
from qtreader.library.sync import device_id, sync

from .clock import NOON

ARTICLES = (501, 502, 503)
NAMES = (
    "{}.jsonl",
    ".syncthing.{}.jsonl.tmp",
    "~{}.jsonl",
    "{}.sync-conflict-20240101-123456-ABC.jsonl",
)

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("review"), st.integers(0, 2), st.sampled_from(ARTICLES), st.integers(1, 4)
        ),
        st.tuples(st.just("bookmark"), st.integers(0, 2), st.sampled_from(ARTICLES)),
        st.tuples(st.just("open"), st.integers(0, 2), st.sampled_from(ARTICLES)),
        # A note written, rewritten, or removed (blank text).
        st.tuples(
            st.just("note"), st.integers(0, 2), st.sampled_from(ARTICLES),
            st.sampled_from(("", " \n", "first", "second\n[b]x[/b]")),
        ),
        st.tuples(st.just("sync"), st.integers(0, 2)),
        # Machine a's file reaches machine b's folder: cut at a fraction, under a name.
        st.tuples(
            st.just("copy"), st.integers(0, 2), st.integers(0, 2),
            st.floats(0, 1), st.sampled_from(NAMES),
        ),
    ),
    max_size=30,
)  # fmt: skip


class Machine:
    def __init__(self, root: Path) -> None:
        self.data = root / "data"
        self.folder = root / "sync"
        self.folder.mkdir(parents=True)
        self.store = open_state(self.data / "state.db").store
        self.device = device_id(self.data)

    def sync(self) -> None:
        sync(self.store, self.folder)

    def copy_to(self, other: Machine, cut: float, name: str) -> None:
        source = self.folder / f"{self.device}.jsonl"
        if not source.exists():
            return
        data = source.read_bytes()
        (other.folder / name.format(self.device)).write_bytes(data[: round(len(data) * cut)])


def state_of(store: StateStore) -> dict[str, Any]:
    """Everything sync merges, without the local row ids."""
    db = store._db
    return {
        "reviews": sorted(
            tuple(row)
            for row in db.execute(
                "SELECT article_id, grade, reviewed_at, answer_hash, state_before, due_after "
                "FROM reviews"
            )
        ),
        "cards": sorted(tuple(row) for row in db.execute("SELECT * FROM cards")),
        "bookmarks": sorted(tuple(row) for row in db.execute("SELECT * FROM bookmarks")),
        "reads": sorted(tuple(row) for row in db.execute("SELECT * FROM read_marks")),
        "history": sorted(
            tuple(row)
            for row in db.execute("SELECT article_id, subject, opened_at, scroll FROM history")
        ),
        "notes": sorted(tuple(row) for row in db.execute("SELECT * FROM notes")),
        "shown notes": [(n.article_id, n.text, n.updated) for n in store.notes()],
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions, st.lists(st.integers(1, 3 * 86400), min_size=40, max_size=40))
def test_three_machines_converge_to_the_replay_of_every_event(
    steps: list[tuple[Any, ...]], gaps: list[int]
) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        machines = [Machine(root / f"m{number}") for number in range(3)]
        clock: datetime = NOON
        made_reviews: list[tuple[int, datetime, int, str]] = []
        toggles: dict[int, tuple[datetime, bool]] = {}
        opens: list[tuple[int, datetime]] = []
        notes: dict[int, tuple[str, datetime]] = {}
        fuzzed = Scheduler()  # as the app grades: with fuzz, which a sync replays without
        for step, gap in zip(steps, gaps * 2, strict=False):
            clock += timedelta(seconds=gap)
            kind, machine = step[0], machines[step[1]]
            if kind == "review":
                article, grade, hashed = step[2], Grade(step[3]), f"h{step[1]}"
                now = clock

                def graded(
                    card: Any,
                    a: int = article,
                    g: Grade = grade,
                    n: datetime = now,
                    h: str = hashed,
                ) -> Any:
                    return schedule(fuzzed, card, a, g, n, h)

                machine.store.review(article, int(grade), now, hashed, graded)
                made_reviews.append((article, now, int(grade), hashed))
            elif kind == "bookmark":
                toggles[step[2]] = (clock, machine.store.toggle_bookmark(step[2], clock))
            elif kind == "open":
                machine.store.record_open(step[2], "Physics", clock)
                opens.append((step[2], clock))
            elif kind == "note":
                before = machine.store.note(step[2])
                machine.store.save_note(step[2], step[3], clock)
                after = machine.store.note(step[2])
                if after != before:  # a save that changed nothing on its machine is no event
                    notes[step[2]] = (after.text if after else "", clock)
            elif kind == "sync":
                machine.sync()
            else:  # a syncs, its file reaches b (perhaps half-written), b syncs
                machine.sync()
                machine.copy_to(machines[step[2]], step[3], step[4])
                machines[step[2]].sync()

        # Then everything is copied, whole, and every machine syncs twice.
        for _round in range(2):
            for machine in machines:
                machine.sync()
            for source in machines:
                for target in machines:
                    if source is not target:
                        source.copy_to(target, 1.0, NAMES[0])
        for machine in machines:
            machine.sync()
        states = [state_of(machine.store) for machine in machines]
        assert states[0] == states[1] == states[2]

        # A fresh machine merging every file at once gets the same state.
        fresh = Machine(root / "fresh")
        for machine in machines:
            machine.copy_to(fresh, 1.0, NAMES[0])
        fresh.sync()
        assert state_of(fresh.store) == states[0]

        # And so does the model: every review, replayed in time order; the latest toggle of
        # a bookmark; the first opening of an article; every opening.
        state = states[0]
        assert sorted((r[0], r[2], r[1], r[3]) for r in state["reviews"]) == sorted(
            (a, to_text(t), g, h) for a, t, g, h in made_reviews
        )
        plain = Scheduler(enable_fuzzing=False)
        cards: dict[int, CardRecord] = {}
        for article, now, mark, hashed in sorted(made_reviews, key=lambda r: r[1]):
            cards[article] = schedule(plain, cards.get(article), article, Grade(mark), now, hashed)
        assert {card[0]: (card[5], card[8]) for card in state["cards"]} == {
            a: (to_text(c.due), c.reviews) for a, c in cards.items()
        }
        assert state["bookmarks"] == sorted((a, to_text(t)) for a, (t, on) in toggles.items() if on)
        first: dict[int, datetime] = {}
        for article, when in opens:
            first[article] = min(first.get(article, when), when)
        assert state["reads"] == sorted((a, to_text(t)) for a, t in first.items())
        assert state["history"] == sorted((a, "Physics", to_text(t), 0.0) for a, t in opens)
        # The latest change of each note, a removal included, and only what is left shown.
        assert state["notes"] == sorted((a, text, to_text(t)) for a, (text, t) in notes.items())
        assert state["shown notes"] == sorted(
            ((a, text, t) for a, (text, t) in notes.items() if text),
            key=lambda note: note[2],
            reverse=True,
        )
        for machine in [*machines, fresh]:
            machine.store.close()
    finally:
        shutil.rmtree(root)
