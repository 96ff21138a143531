"""Study sessions: every article is a flashcard (its question, then its answer), scheduled
by FSRS (the ``fsrs`` package).

A session over a subject, the bookmarks or the whole library shows the cards that are due
first (oldest due first), then new cards up to the daily limit, then again the cards that
a grade left in FSRS's short learning steps. Each grade is committed to the state database
before the next card is shown. The time comes from an injectable clock, so tests can fix it.

No Textual here: the command line and the app share this layer.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Literal

from qtreader.library.clock import Clock, utc_now
from qtreader.library.config import (
    DEFAULT_DESIRED_RETENTION,
    DEFAULT_NEW_PER_DAY,
    ConfigError,
    desired_retention,
)
from qtreader.library.state import CardRecord, StateStore
from qtreader.library.store import AnswerUnavailable, Library, subject_key

if TYPE_CHECKING:
    from fsrs import Card, Scheduler

#: ``fsrs.State.Review`` as the state database stores it (tests pin it to fsrs's value).
#: The tree's counts need only this, so fsrs itself is imported when a card is scheduled,
#: not before the reader's first paint.
REVIEW_STATE = 2

#: A learned card whose interval is this long or longer is mature (as Anki counts it).
MATURE_INTERVAL = timedelta(days=21)

__all__ = [
    "DEFAULT_NEW_PER_DAY",
    "LEARN_AHEAD",
    "Clock",
    "Grade",
    "Overview",
    "Progress",
    "Scope",
    "SessionSummary",
    "StudyCard",
    "StudyRequest",
    "StudySession",
    "answer_hash",
    "describe_due",
    "describe_interval",
    "order_new",
    "overview",
    "start_of_day",
    "utc_now",
]

#: A card left in a learning step due within this time is shown again in the same session
#: once nothing else is left (as Anki does).
LEARN_AHEAD = timedelta(minutes=20)


def answer_hash(answer: str) -> str:
    """A short fingerprint of an answer, kept with each card and each review."""
    from hashlib import sha256

    return sha256(answer.encode("utf-8")).hexdigest()[:16]


def start_of_day(now: datetime) -> datetime:
    """Local midnight at the start of ``now``'s day (the daily limit starts again then)."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def describe_due(due: datetime, now: datetime) -> str:
    """When a card is due, the way people say it: ``now``, ``in 10 minutes``, ``in 3 days``."""
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return "now"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(seconds / 86400)
    return f"in {days} day{'s' if days != 1 else ''}"


def describe_interval(delta: timedelta) -> str:
    """A span as a grade shows it: ``1 min``, ``10 min``, ``5 h``, ``3 days``, ``4 months``."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h"
    days = round(seconds / 86400)
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{round(days / 30.4)} months"
    return f"{days / 365:.1f} years"


class Grade(IntEnum):
    """How well the answer was remembered; the keys 1-4 in a session."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        """The grade's name as shown: ``Again``, ``Hard``, ``Good``, ``Easy``."""
        return self.name.capitalize()


@dataclass(frozen=True, slots=True)
class Scope:
    """What a session studies: one subject, the bookmarks, or the whole library."""

    kind: Literal["subject", "bookmarks", "library"]
    subject: str | None = None

    @classmethod
    def of_subject(cls, name: str) -> Scope:
        """A session over one subject."""
        return cls("subject", name)

    @property
    def label(self) -> str:
        """The scope as a title: the subject's name, ``Bookmarks`` or ``Whole library``."""
        if self.kind == "subject":
            return self.subject or ""
        return "Bookmarks" if self.kind == "bookmarks" else "Whole library"

    def members(self, library: Library, store: StateStore) -> list[tuple[int, str]]:
        """The articles in scope that the library holds, each once, with the subject to
        show it under: title order in a subject, bookmark order, or id order."""
        if self.kind == "subject":
            subject = library.subject(self.subject or "")
            if subject is None:
                return []
            return [(article_id, subject.name) for article_id, _ in library.titles_in(subject.name)]
        if self.kind == "bookmarks":
            found = (library.article(mark.article_id) for mark in store.bookmarks())
            return [(article.id, article.subjects[0]) for article in found if article]
        return list(_by_subject(library).items())


def _by_subject(library: Library) -> dict[int, str]:
    """Every article of the library once, subject by subject in name order and by title
    within each; a cross-listed article comes under the first of its subjects so met."""
    members: dict[int, str] = {}
    for subject in library.subjects:
        for article_id, _ in library.titles_in(subject.name):
            members.setdefault(article_id, subject.name)
    return members


def order_new(
    library: Library, unseen: list[tuple[int, str]], order: str, *, seed: str
) -> list[int]:
    """The order new cards come in, from the unseen articles of a scope with their subjects.

    ``interleaved``: one card of each subject in turn (a subject of many articles does not
    fill a day on its own), the subjects and each subject's cards shuffled; ``random``: all
    of them shuffled; ``date``: oldest article first, undated ones last. The shuffles are
    seeded with ``seed`` (the day): a session started again the same day meets the same
    cards, and a title order (a dozen "What is…" in a row) never decides.
    """
    import random

    if order == "date":
        dated = sorted(unseen, key=lambda member: (_date_key(library, member[0]), member[0]))
        return [article_id for article_id, _ in dated]
    if order == "random":
        ids = sorted(article_id for article_id, _ in unseen)
        random.Random(f"{seed}:random").shuffle(ids)
        return ids
    groups: dict[str, list[int]] = {}
    for article_id, subject in unseen:
        groups.setdefault(subject_key(subject), []).append(article_id)
    subjects = sorted(groups)
    random.Random(f"{seed}:subjects").shuffle(subjects)
    queues = []
    for key in subjects:
        ids = sorted(groups[key])
        random.Random(f"{seed}:{key}").shuffle(ids)
        queues.append(deque(ids))
    ordered: list[int] = []
    while queues:
        for queue in queues:
            ordered.append(queue.popleft())
        queues = [queue for queue in queues if queue]
    return ordered


def _date_key(library: Library, article_id: int) -> str:
    article = library.article(article_id)
    return article.date.isoformat() if article is not None and article.date else "9999"


LIBRARY_SCOPE = Scope("library")
BOOKMARKS_SCOPE = Scope("bookmarks")


@dataclass(frozen=True, slots=True)
class StudyRequest:
    """A session asked for on the command line: its scope, and how many new cards it may
    show (``None``: what is left of the daily limit)."""

    scope: Scope
    new_cards: int | None = None


@dataclass(frozen=True, slots=True)
class StudyCard:
    """A card as a session shows it. ``answer_changed``: the answer is not the one that was
    reviewed last time."""

    article_id: int
    subject: str
    question: str
    is_new: bool
    answer_changed: bool


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """What is left in a session, the card on screen included."""

    due: int
    new: int
    learning: int

    @property
    def total(self) -> int:
        return self.due + self.new + self.learning


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """What a session did, and when the next cards of its scope are due."""

    scope: str
    cards: int
    reviews: int
    remembered: int
    now: datetime
    next_due: datetime | None
    due_within_day: int

    @property
    def share_remembered(self) -> float | None:
        """Reviews not graded *again*, as a share of all the session's reviews."""
        return self.remembered / self.reviews if self.reviews else None


# Scheduling -----------------------------------------------------------------------------


def _fsrs_card(record: CardRecord | None, article_id: int, now: datetime) -> Card:
    from fsrs import Card, State

    if record is None:
        return Card(card_id=article_id, due=now)
    return Card(
        card_id=article_id,
        state=State(record.state),
        step=record.step,
        stability=record.stability,
        difficulty=record.difficulty,
        due=record.due,
        last_review=record.last_review,
    )


def schedule(
    scheduler: Scheduler,
    record: CardRecord | None,
    article_id: int,
    grade: Grade,
    now: datetime,
    current_hash: str,
) -> CardRecord:
    """The card after one review graded ``grade`` at ``now``, as FSRS schedules it."""
    from fsrs import Rating

    now = now.astimezone(UTC)
    card, _log = scheduler.review_card(_fsrs_card(record, article_id, now), Rating(grade), now)
    lapsed = record is not None and record.state == REVIEW_STATE and grade == Grade.AGAIN
    return CardRecord(
        article_id=article_id,
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        answer_hash=current_hash,
        reviews=(record.reviews if record else 0) + 1,
        lapses=(record.lapses if record else 0) + lapsed,
    )


def configured_retention() -> float:
    """``desired_retention`` of ``config.toml``; FSRS's default when that value is not
    usable (the reader and ``qtreader stats`` say what is wrong with it)."""
    try:
        return desired_retention()
    except ConfigError:
        return DEFAULT_DESIRED_RETENTION


def _without_fuzz(scheduler: Scheduler) -> Scheduler:
    from fsrs import Scheduler

    settings = scheduler.to_dict()
    settings["enable_fuzzing"] = False
    return Scheduler.from_dict(settings)


class StudySession:
    """One session: a queue of cards, graded one at a time. Build it with :meth:`start`
    (which reads the state database: call it off the event loop, as :meth:`grade`)."""

    def __init__(
        self,
        library: Library,
        store: StateStore,
        scope: Scope,
        members: list[tuple[int, str]],
        due: list[int],
        new: list[int],
        *,
        clock: Clock = utc_now,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.library = library
        self.store = store
        self.scope = scope
        self.clock = clock
        if scheduler is None:
            from fsrs import Scheduler

            scheduler = Scheduler(desired_retention=configured_retention())
        self.scheduler = scheduler
        self._preview = _without_fuzz(self.scheduler)
        self._subjects = dict(members)
        self._queue = deque([*due, *new])
        self._new = set(new)
        self._learning: list[tuple[datetime, int]] = []
        self._seen: set[int] = set()
        self.reviews = 0
        self.remembered = 0
        self.current: StudyCard | None = None
        self._current_is_learning = False
        self._shown_at = clock()
        self._advance()

    @classmethod
    def start(
        cls,
        library: Library,
        store: StateStore,
        scope: Scope,
        *,
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        new_cards: int | None = None,
        new_order: str = "interleaved",
        clock: Clock = utc_now,
        scheduler: Scheduler | None = None,
    ) -> StudySession:
        """Plan a session: the due cards of ``scope``, oldest due first, then new cards in
        ``new_order`` (see :func:`order_new`), as many as ``new_cards`` or, when that is
        ``None``, what is left of ``new_per_day`` today."""
        now = clock()
        if scope.kind == "subject" and (found := library.subject(scope.subject or "")):
            scope = Scope.of_subject(found.name)  # as the library spells it
        members = scope.members(library, store)
        cards = store.cards(article_id for article_id, _ in members)
        due = sorted(
            (article_id for article_id, card in cards.items() if card.due <= now),
            key=lambda article_id: (cards[article_id].due, article_id),
        )
        if new_cards is None:
            new_cards = max(0, new_per_day - store.new_cards_since(start_of_day(now)))
        unseen = [
            (article_id, subject) for article_id, subject in members if article_id not in cards
        ]
        day = start_of_day(now).date().isoformat()
        if scope.kind != "bookmarks":  # bookmarks come in the order they were made
            unseen = [(i, "") for i in order_new(library, unseen, new_order, seed=day)]
        new = [article_id for article_id, _ in unseen][:new_cards]
        return cls(library, store, scope, members, due, new, clock=clock, scheduler=scheduler)

    # The queue --------------------------------------------------------------------------

    def _advance(self) -> None:
        now = self.clock()
        self._learning.sort()
        article_id: int | None = None
        learning = bool(self._learning) and (
            self._learning[0][0] <= now
            or (not self._queue and self._learning[0][0] <= now + LEARN_AHEAD)
        )
        if learning:
            article_id = self._learning.pop(0)[1]
        elif self._queue:
            article_id = self._queue.popleft()
        self._current_is_learning = learning
        self.current = self._card(article_id) if article_id is not None else None
        self._shown_at = now

    def _card(self, article_id: int) -> StudyCard:
        article = self.library.article(article_id)
        record = self.store.card(article_id)
        question = article.question if article else f"Article {article_id}"
        current = self._hash(article_id)
        changed = record is not None and current is not None and record.answer_hash != current
        return StudyCard(article_id, self._subjects[article_id], question, record is None, changed)

    def _hash(self, article_id: int) -> str | None:
        """The hash of the answer as the library has it now; ``None`` if it cannot be read."""
        try:
            return answer_hash(self.library.answer(article_id))
        except AnswerUnavailable:
            return None

    def counts(self) -> QueueCounts:
        """Cards left: due reviews, new cards, and cards back from a learning step."""
        ids = list(self._queue)
        learning = len(self._learning)
        if self.current is not None and self._current_is_learning:
            learning += 1
        elif self.current is not None:
            ids.append(self.current.article_id)
        new = sum(1 for article_id in ids if article_id in self._new)
        return QueueCounts(len(ids) - new, new, learning)

    @property
    def finished(self) -> bool:
        """No card left to show."""
        return self.current is None

    def answer(self) -> str:
        """The decoded Markdown answer of the card on screen."""
        if self.current is None:
            raise LookupError("the session has no card left")
        return self.library.answer(self.current.article_id)

    def preview(self) -> dict[Grade, datetime]:
        """When the card on screen would be due again after each grade (without fuzz)."""
        if self.current is None:
            return {}
        now = self.clock()
        article_id = self.current.article_id
        record = self.store.card(article_id)
        return {
            grade: schedule(self._preview, record, article_id, grade, now, "").due
            for grade in Grade
        }

    # Grading ----------------------------------------------------------------------------

    def grade(self, grade: Grade) -> CardRecord:
        """Grade the card on screen: the review is committed before this returns; then the
        next card is put on screen (or none: :attr:`finished`)."""
        if self.current is None:
            raise LookupError("the session has no card left")
        article_id = self.current.article_id
        now = self.clock()
        # An answer that cannot be read now keeps the hash of the one reviewed last time.
        current_hash = self._hash(article_id)
        if current_hash is None:
            before = self.store.card(article_id)
            current_hash = before.answer_hash if before else ""
        known = current_hash
        duration = max(0, round((now - self._shown_at).total_seconds() * 1000))
        record = self.store.review(
            article_id,
            int(grade),
            now,
            known,
            lambda stored: schedule(self.scheduler, stored, article_id, grade, now, known),
            duration_ms=duration,
        )
        self.reviews += 1
        self.remembered += grade != Grade.AGAIN
        self._seen.add(article_id)
        if record.due <= now + LEARN_AHEAD:
            self._learning.append((record.due, article_id))
        self._advance()
        return record

    def summary(self) -> SessionSummary:
        """The session's figures and when the next cards of its scope are due."""
        now = self.clock()
        members = self.scope.members(self.library, self.store)
        cards = self.store.cards(article_id for article_id, _ in members).values()
        next_due = min((card.due for card in cards), default=None)
        soon = sum(1 for card in cards if card.due <= now + timedelta(days=1))
        return SessionSummary(
            self.scope.label,
            len(self._seen),
            self.reviews,
            self.remembered,
            now,
            next_due,
            soon,
        )


# Figures per subject ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    """The reading and study figures of a set of articles (a subject, the bookmarks).

    ``seen``: studied at least once; ``due``: due now; ``due_today``: due before midnight;
    ``learned``: in FSRS's review state; ``new``: never studied; ``reviews`` and
    ``remembered``: reviews of learned cards and those not graded *again*, whose ratio is
    the measured retention; ``mature``: learned cards scheduled 21 days or more apart.
    """

    name: str
    total: int
    read: int
    seen: int
    due: int
    due_today: int
    learned: int
    new: int
    reviews: int
    remembered: int
    mature: int = 0

    @property
    def learning(self) -> int:
        """Studied but not learned yet: in FSRS's (re)learning steps."""
        return self.seen - self.learned

    @property
    def retention(self) -> float | None:
        """The share of reviews of learned cards that were remembered, if there were any."""
        return self.remembered / self.reviews if self.reviews else None


@dataclass(frozen=True, slots=True)
class Overview:
    """Figures of every subject (by subject key), of the bookmarks and of the whole
    library, with the read and bookmarked ids and the new cards the daily limit still
    allows today."""

    subjects: dict[str, Progress]
    bookmarks: Progress
    library: Progress
    read_ids: frozenset[int]
    bookmark_ids: tuple[int, ...]
    new_left_today: int

    def startable_new(self, progress: Progress) -> int:
        """New cards a session over ``progress``'s articles would show now."""
        return min(progress.new, self.new_left_today)


def overview(
    library: Library, store: StateStore, *, now: datetime, new_per_day: int = DEFAULT_NEW_PER_DAY
) -> Overview:
    """Read the state once and sum it up per subject (reads the database: off the loop)."""
    read = store.read_ids()
    cards = store.cards()
    tallies = store.review_tallies(REVIEW_STATE)
    end_of_day = start_of_day(now) + timedelta(days=1)
    bookmark_ids = tuple(
        mark.article_id
        for mark in store.bookmarks()
        if library.article(mark.article_id) is not None
    )

    def figures(name: str, ids: Iterable[int]) -> Progress:
        total = seen = due = due_today = learned = mature = reviews = remembered = reads = 0
        for article_id in ids:
            total += 1
            reads += article_id in read
            card = cards.get(article_id)
            if card is None:
                continue
            seen += 1
            due += card.due <= now
            due_today += card.due < end_of_day
            learned += card.state == REVIEW_STATE
            mature += card.state == REVIEW_STATE and _interval(card) >= MATURE_INTERVAL
            tally = tallies.get(article_id)
            if tally is not None:
                reviews += tally.mature_reviews
                remembered += tally.remembered
        return Progress(
            name,
            total,
            reads,
            seen,
            due,
            due_today,
            learned,
            total - seen,
            reviews,
            remembered,
            mature,
        )

    subjects = {
        subject.key: figures(
            subject.name, (article_id for article_id, _ in library.titles_in(subject.name))
        )
        for subject in library.subjects
    }
    new_left = max(0, new_per_day - store.new_cards_since(start_of_day(now)))
    return Overview(
        subjects=subjects,
        bookmarks=figures("Bookmarks", bookmark_ids),
        library=figures("Whole library", _by_subject(library)),
        read_ids=frozenset(read),
        bookmark_ids=bookmark_ids,
        new_left_today=new_left,
    )


def _interval(card: CardRecord) -> timedelta:
    """The time between a card's last review and the next."""
    return card.due - card.last_review if card.last_review else timedelta(0)


def progress_of(view: Overview, subject: str) -> Progress | None:
    """The figures of a subject by name, in any case."""
    return view.subjects.get(subject_key(subject))
