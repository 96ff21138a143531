"""The Progress report drawn with Rich: a year of reviews as a calendar, the cards due in
the next 30 days as bars, retention week by week against the aim, and the counts per
subject. The shell prints these; the Progress screen shows the same in the app. No Textual.

Shading is carried by the characters (``·░▒▓█`` and the eighth blocks), so the charts read
the same without colour (``NO_COLOR``, a monochrome terminal); colour only adds to them.
Each chart measures the width it is given and narrows (one column a day or a week instead
of two, the older weeks left out) to fit an 80-column terminal and smaller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from qtreader.library.progress import CALENDAR_WEEKS, ProgressReport

__all__ = [
    "SHELL_PALETTE",
    "Calendar",
    "Forecast",
    "Palette",
    "RetentionChart",
    "report_renderable",
    "subjects_table",
]

#: Reviews in a day, from none to the most: the character of each level.
HEAT = ("·", "░", "▒", "▓", "█")

#: Eighths of a cell, for bars.
EIGHTHS = " ▁▂▃▄▅▆▇█"

DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")

#: Retention charts show this range: below it a week is drawn as its lowest bar.
RETENTION_FLOOR = 0.6


@dataclass(frozen=True, slots=True)
class Palette:
    """Styles of the charts: the four heat levels (fewest reviews first), bars, a week at
    or above the aimed retention and one below it, labels and the aim's line."""

    heat: tuple[str, str, str, str]
    bar: str
    good: str
    bad: str
    label: str
    aim: str


#: The shell's colours (the terminal's own palette, so they follow its theme).
SHELL_PALETTE = Palette(
    heat=("green", "green", "bright_green", "bold bright_green"),
    bar="cyan",
    good="green",
    bad="yellow",
    label="dim",
    aim="magenta",
)


def _level(count: int, most: int) -> int:
    """0 for no review, else 1-4 by the share of the busiest day."""
    if count <= 0 or most <= 0:
        return 0
    return min(4, max(1, -(-4 * count // most)))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class Calendar:
    """The last year day by day: a column a week (Monday on top), shaded by reviews."""

    def __init__(self, report: ProgressReport, palette: Palette) -> None:
        self.report = report
        self.palette = palette

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        report, palette = self.report, self.palette
        room = options.max_width - 4
        cell = 2 if room >= 2 * CALENDAR_WEEKS else 1
        weeks = max(1, min(CALENDAR_WEEKS, room // cell))
        first = report.first_day + timedelta(weeks=CALENDAR_WEEKS - weeks)
        counts = report.reviews_on()
        most = max(counts.values(), default=0)

        months = Text("    ")
        for week in range(weeks):
            monday = first + timedelta(weeks=week)
            start = 4 + week * cell
            # A month is named above its first Monday, when the name fits before the next.
            if monday.day <= 7 and start >= len(months) + (1 if week else 0):
                months.append(" " * (start - len(months)))
                months.append(f"{monday:%b}", palette.label)
        months.truncate(options.max_width)
        yield months
        for weekday in range(7):
            line = Text(f"{DAY_LABELS[weekday]:<3} ", palette.label)
            for week in range(weeks):
                day = first + timedelta(weeks=week, days=weekday)
                if day > report.today:
                    line.append(" " * cell)
                    continue
                level = _level(counts.get(day, 0), most)
                mark = HEAT[level] * cell
                line.append(mark, palette.label if level == 0 else palette.heat[level - 1])
            yield line
        legend = Text("    less ", palette.label)
        for level, mark in enumerate(HEAT):
            legend.append(mark, palette.label if level == 0 else palette.heat[level - 1])
        legend.append(" more", palette.label)
        if most:
            legend.append(f"  (█ {most} a day)", palette.label)
        yield legend


def streak_line(report: ProgressReport) -> Text:
    """Reviews in the year, and the streaks."""
    line = Text()
    line.append(_plural(report.reviews_in_year, "review"), "bold")
    line.append(f" on {_plural(report.active_days, 'day')} in the last year · streak ")
    line.append(_plural(report.current_streak, "day"), "bold")
    line.append(" · longest ")
    line.append(_plural(report.longest_streak, "day"), "bold")
    return line


class Forecast:
    """Cards due each of the next days (today's with the overdue ones) as vertical bars."""

    HEIGHT = 4

    def __init__(self, report: ProgressReport, palette: Palette) -> None:
        self.report = report
        self.palette = palette

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        forecast, palette = self.report.forecast, self.palette
        most = max(forecast, default=0)
        axis = max(len(str(most)), 1) + 1
        room = options.max_width - axis
        cell = 2 if room >= 2 * len(forecast) else 1
        days = forecast[: max(1, room // cell)]
        eighths = [round(8 * self.HEIGHT * count / most) if most else 0 for count in days]
        eighths = [max(e, 1) if count else 0 for e, count in zip(eighths, days, strict=True)]
        for row in range(self.HEIGHT, 0, -1):
            label = str(most) if row == self.HEIGHT and most else ""
            if row == 1 and not most:
                label = "0"
            line = Text(f"{label:>{axis - 1}} ", palette.label)
            for filled in eighths:
                part = min(8, max(0, filled - 8 * (row - 1)))
                line.append(EIGHTHS[part], palette.bar)
                line.append(" " * (cell - 1))
            yield line
        ticks = Text(" " * axis)
        for offset in range(0, len(days), 7):
            start = axis + offset * cell
            name = "today" if offset == 0 else _short(self.report.today + timedelta(days=offset))
            if start >= len(ticks) and start + len(name) <= options.max_width:
                ticks.append(" " * (start - len(ticks)))
                ticks.append(name, palette.label)
                ticks.append(" ")
        yield ticks


def _short(day: date) -> str:
    return f"{day:%b} {day.day}"


def forecast_line(report: ProgressReport) -> Text:
    forecast = report.forecast
    line = Text("Due: ")
    line.append(str(forecast[0]), "bold")
    line.append(" today · ")
    line.append(str(sum(forecast[:7])), "bold")
    line.append(" this week · ")
    line.append(str(sum(forecast)), "bold")
    line.append(f" in {len(forecast)} days")
    return line


class RetentionChart:
    """Retention week by week (the calendar's weeks, in its columns) from 60% to 100%,
    with the aimed retention as a dotted line through the weeks below it."""

    HEIGHT = 4

    def __init__(self, report: ProgressReport, palette: Palette) -> None:
        self.report = report
        self.palette = palette

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        report, palette = self.report, self.palette
        room = options.max_width - 5
        cell = 2 if room >= 2 * CALENDAR_WEEKS else 1
        weeks = report.weeks[-max(1, min(CALENDAR_WEEKS, room // cell)) :]
        span = 1 - RETENTION_FLOOR
        aim = report.desired_retention
        aim_row = min(self.HEIGHT, max(1, round((aim - RETENTION_FLOOR) / span * self.HEIGHT)))
        for row in range(self.HEIGHT, 0, -1):
            top = RETENTION_FLOOR + span * row / self.HEIGHT
            line = Text(f"{top:>4.0%} ", palette.label)
            for week in weeks:
                share = week.retention
                if share is None:
                    mark, style = ("┄" if row == aim_row else " "), palette.aim
                else:
                    filled = max(1, round((share - RETENTION_FLOOR) / span * 8 * self.HEIGHT))
                    part = min(8, max(0, filled - 8 * (row - 1)))
                    style = palette.good if share >= aim else palette.bad
                    mark = EIGHTHS[part]
                    if part == 0 and row == aim_row:
                        mark, style = "┄", palette.aim
                line.append(mark, style)
                line.append(("┄" if row == aim_row else " ") * (cell - 1), palette.aim)
            yield line


def retention_line(report: ProgressReport) -> Text:
    """Retention of the last four weeks against the aim."""
    line = Text("Remembered: ")
    recent = report.retention_since(4)
    line.append("-" if recent is None else f"{recent:.0%}", "bold")
    line.append(" in 4 weeks · aim ")
    line.append(f"{report.desired_retention:.0%}", "bold")
    line.append(" · learned cards graded hard or better", "dim")
    return line


def subjects_table(report: ProgressReport) -> Table:
    """New, learning, review (mature among them) cards, due today and retention."""
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    table.add_column("subject", overflow="ellipsis", no_wrap=True, max_width=28)
    for name in ("new", "learning", "review", "mature", "due today", "retention"):
        table.add_column(name, justify="right", no_wrap=True)
    rows = list(report.subjects)
    if report.scope.kind == "library":
        rows.append(report.total)
    for progress in rows:
        retention = progress.retention
        table.add_row(
            Text(progress.name, "bold" if progress is report.total else ""),
            str(progress.new),
            str(progress.learning),
            str(progress.learned),
            str(progress.mature),
            str(progress.due_today),
            "-" if retention is None else f"{retention:.0%}",
        )
    return table


def report_renderable(report: ProgressReport, palette: Palette = SHELL_PALETTE) -> Group:
    """The whole report, as ``qtreader stats`` prints it in a terminal."""
    heading = Text(report.scope.label, "bold")
    heading.append(f" · {report.today:%a %d %b %Y}", palette.label)
    parts: list[RenderableType] = [
        heading,
        Text(""),
        Calendar(report, palette),
        streak_line(report),
        Text(""),
        Text("Cards due in the next 30 days", "bold"),
        Forecast(report, palette),
        forecast_line(report),
        Text(""),
        Text("Retention per week", "bold"),
        RetentionChart(report, palette),
        retention_line(report),
        Text(""),
        subjects_table(report),
    ]
    return Group(*parts)
