"""The Progress report: its series from a small history worked out by hand, through
``qtreader stats`` on the real entry point, and drawn for the shell."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library.config import config_file
from qtreader.library.progress import progress_report, streaks
from qtreader.library.state import open_state
from qtreader.library.store import load_library
from qtreader.library.study import LIBRARY_SCOPE, Scope, overview

from .clock import NOON
from .conftest import LIBRARY
from .progress_history import simple_schedule


@pytest.fixture
def timezone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Days are local days: run in UTC unless a test sets another zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


#: (article, grade, when, days until due): NOON is Wednesday 2025-03-12.
HISTORY = [
    *((507, 3, at(f"2025-02-0{d} 10:00"), 1) for d in range(1, 7)),  # six days in a row
    (501, 4, at("2025-03-05 10:00"), 1),
    (501, 2, at("2025-03-06 10:00"), 2),  # learned
    (501, 3, at("2025-03-08 10:00"), 30),  # learned card remembered; mature, due Apr 7
    (502, 3, at("2025-03-09 10:00"), 1),
    (502, 3, at("2025-03-10 10:00"), 4),  # learned
    (502, 1, at("2025-03-11 10:00"), 2),  # learned card forgotten: learning, due Mar 13
    (504, 3, at("2025-03-11 23:30"), 1),
    (504, 2, at("2025-03-12 08:00"), 10),  # learned, due Mar 22
]


def write_history() -> None:
    store = open_state().store
    for article_id, grade, when, days in HISTORY:
        store.review(article_id, grade, when, "h", simple_schedule(article_id, grade, when, days))
    store.close()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("qtreader.cli.study.utc_now", lambda: NOON)


def test_stats_json_gives_the_series(timezone: None, fixed_now: None) -> None:
    write_history()
    code, out, err = run("stats", "--library", str(LIBRARY), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["scope"] == "Whole library" and report["today"] == "2025-03-12"
    assert report["desired_retention"] == 0.9
    assert report["streak"] == {"current": 5, "longest": 6}  # Mar 8-12; Feb 1-6
    days = {
        d["date"]: (d["reviews"], d["reviews_of_learned_cards"], d["remembered"])
        for d in report["days"]
    }
    assert days == {
        "2025-02-01": (1, 0, 0),
        "2025-02-02": (1, 0, 0),
        **{f"2025-02-0{d}": (1, 1, 1) for d in range(3, 7)},
        "2025-03-05": (1, 0, 0),
        "2025-03-06": (1, 0, 0),
        "2025-03-08": (1, 1, 1),
        "2025-03-09": (1, 0, 0),
        "2025-03-10": (1, 0, 0),
        "2025-03-11": (2, 1, 0),
        "2025-03-12": (1, 0, 0),
    }
    forecast = report["forecast"]
    assert len(forecast) == 30 and forecast[0]["date"] == "2025-03-12"
    # 507 is overdue since Feb 7 (today), 502 due tomorrow, 504 on Mar 22, 501 on Apr 7.
    assert {i: f["due"] for i, f in enumerate(forecast) if f["due"]} == {0: 1, 1: 1, 10: 1, 26: 1}
    assert forecast[26]["date"] == "2025-04-07"
    weeks = report["retention_weeks"]
    assert (
        len(weeks) == 53 and weeks[0]["week"] == "2024-03-11" and weeks[-1]["week"] == "2025-03-10"
    )
    assert {w["week"]: w["retention"] for w in weeks if w["reviews_of_learned_cards"]} == {
        "2025-02-03": 1.0,  # four of four
        "2025-03-03": 1.0,  # 501 on Mar 8
        "2025-03-10": 0.0,  # 502 forgotten on Mar 11
    }
    subjects = {s["subject"]: s for s in report["subjects"]}
    physics = subjects["Physics"]
    assert (physics["new"], physics["learning"], physics["learned"], physics["mature"]) == (
        1,
        1,
        1,
        1,
    )
    assert physics["retention"] == 0.5 and physics["due_today"] == 0
    science = subjects["Computer Science"]
    assert (science["new"], science["learning"], science["learned"], science["mature"]) == (
        2,
        0,
        1,
        0,
    )
    assert science["retention"] is None
    assert subjects["Medicine"]["retention"] == 1.0 and subjects["Medicine"]["due_today"] == 1
    assert report["library"]["due_today"] == forecast[0]["due"]  # the tree agrees


def test_stats_of_a_subject(timezone: None, fixed_now: None) -> None:
    write_history()
    code, out, _ = run("stats", "--library", str(LIBRARY), "--subject", "physics", "--json")
    report = json.loads(out)
    assert code == 0 and report["scope"] == "Physics"
    # Mar 8-11: nothing of Physics yet today, and Medicine's February is not in it.
    assert report["streak"] == {"current": 4, "longest": 4}
    assert [d["date"] for d in report["days"]] == [
        "2025-03-05",
        "2025-03-06",
        *(f"2025-03-{d:02}" for d in range(8, 12)),
    ]
    assert {i: f["due"] for i, f in enumerate(report["forecast"]) if f["due"]} == {1: 1, 26: 1}
    code, _, err = run("stats", "--library", str(LIBRARY), "--subject", "Alchemy")
    assert code == 2 and "qtreader: no subject matches 'Alchemy'" in err


def test_days_are_local_days(monkeypatch: pytest.MonkeyPatch, timezone: None) -> None:
    # New York, on summer time since Mar 9: 03:00 UTC on Mar 12 is 23:00 on Mar 11 there.
    monkeypatch.setenv("TZ", "EST5EDT,M3.2.0,M11.1.0")
    time.tzset()
    library = load_library(LIBRARY)
    store = open_state().store
    for when in (at("2025-03-12 03:00"), at("2025-03-12 05:00")):
        store.review(501, 3, when, "h", simple_schedule(501, 3, when, 1))
    report = progress_report(
        library, store, LIBRARY_SCOPE, overview(library, store, now=NOON), now=NOON
    )
    assert [(d.day.isoformat(), d.reviews) for d in report.days] == [
        ("2025-03-11", 1),
        ("2025-03-12", 1),
    ]
    assert report.forecast[:2] == (0, 1)  # due 05:00 UTC on Mar 13: Mar 13 there
    store.close()


def test_streaks() -> None:
    from datetime import date

    d = date.fromisoformat
    assert streaks([], d("2025-03-12")) == (0, 0)
    days = [d("2025-03-01"), d("2025-03-02"), d("2025-03-03"), d("2025-03-10"), d("2025-03-11")]
    assert streaks(days, d("2025-03-12")) == (2, 3)  # nothing yet today: yesterday's goes on
    assert streaks(days, d("2025-03-13")) == (0, 3)
    assert streaks([*days, d("2025-03-12")], d("2025-03-12")) == (3, 3)


def test_stats_draws_in_a_terminal_and_stays_plain_in_a_pipe(
    timezone: None, fixed_now: None
) -> None:
    write_history()
    code, out, _ = run("stats", "--library", str(LIBRARY))  # CliRunner: not a terminal
    assert code == 0 and "\x1b" not in out
    assert out.splitlines()[0].split()[:3] == ["subject", "articles", "read"]
    code, out, _ = run("stats", "--library", str(LIBRARY), "--format", "rich", "--width", "80")
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()
    assert code == 0 and max(len(line) for line in lines) <= 80
    assert "5 days" in out and "Mon " in lines[3]
    assert any("today" in line and "Mar 19" in line for line in lines)  # the forecast's days
    assert re.search(r"\x1b\[[0-9;]*3[0-9]m", out)  # coloured
    code, out, _ = run(
        "stats",
        "--library",
        str(LIBRARY),
        "--format",
        "rich",
        "--width",
        "80",
        env={"NO_COLOR": "1"},
    )
    assert code == 0 and not re.search(r"\x1b\[[0-9;]*(3|9)[0-9]m", out)
    assert "▓" in out or "█" in out  # the shading is in the characters


def test_desired_retention_is_checked(timezone: None, fixed_now: None) -> None:
    path = config_file()
    path.parent.mkdir(parents=True)
    path.write_text("desired_retention = 0.85\n")
    code, out, _ = run("stats", "--library", str(LIBRARY), "--json")
    assert code == 0 and json.loads(out)["desired_retention"] == 0.85
    path.write_text("desired_retention = 1.5\n")
    code, out, err = run("stats", "--library", str(LIBRARY), "--json")
    assert code == 0 and json.loads(out)["desired_retention"] == 0.9
    assert f"{path}: desired_retention must be a number from 0.7 to 0.99" in err
    assert "not 1.5" in err


def test_study_sessions_schedule_with_the_desired_retention() -> None:
    from qtreader.library.study import StudySession

    path = config_file()
    path.parent.mkdir(parents=True)
    path.write_text("desired_retention = 0.8\n")
    library = load_library(LIBRARY)
    store = open_state().store
    session = StudySession.start(library, store, Scope.of_subject("Physics"))
    assert session.scheduler.desired_retention == 0.8
    store.close()


@pytest.mark.parametrize("width", [40, 80, 120])
def test_the_charts_fit_the_width(timezone: None, width: int) -> None:
    from rich.console import Console

    from qtreader.render.progress import report_renderable

    from .progress_history import write_year

    library = load_library(LIBRARY)
    store = open_state().store
    write_year(store, library, NOON)
    report = progress_report(
        library, store, LIBRARY_SCOPE, overview(library, store, now=NOON), now=NOON
    )
    store.close()
    console = Console(width=width, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(report_renderable(report))
    lines = capture.get().splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    days = [line for line in lines if line[:4] in ("Mon ", "Wed ", "Fri ", "Sun ")]
    assert len(days) == 4
    # As many weeks as fit, a column each (two at 120), the latest on the right.
    cells = len(days[0]) - 4
    assert cells == {40: 36, 80: 53, 120: 106}[width]
    assert "streak 11 days" in capture.get()


def test_stats_in_a_terminal_loads_no_textual(timezone: None) -> None:
    import subprocess
    import sys

    write_history()
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['qtreader', 'stats', '--format', 'rich', '--library', sys.argv[1]]\n"
        "try:\n    runpy.run_module('qtreader', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'NO-TEXTUAL', code, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(LIBRARY)], capture_output=True, text=True, check=False
    )
    assert result.stderr.strip().endswith("NO-TEXTUAL 0"), result.stderr
    assert "streak" in result.stdout
