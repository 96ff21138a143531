"""Benchmark: key to painted, in a real terminal (tmux at 80x24), against a minimal app.

    python bench/bench_paint.py [--runs 20] [--idle 1.0] [--base /tmp/lib50k]
    python bench/bench_paint.py --screens --base /tmp/lib50k [--runs 10]
    python bench/bench_paint.py --versus /tmp/old/src   # another version in the same run

The bench writes its own small library in the real format (answers of about 4 KB and
60 KB, in chains linked by ``n`` and by related link ``1``) into a temporary folder; with
``--base`` that folder also links every subject of another library, so that the articles
are opened in a library of that size. It indexes it once in a temporary cache, then starts
``qtreader read ID`` in one tmux session and, in another, the floor: a minimal Textual app
that swaps a ``Static``'s text (the question and a 4 KB answer as plain text) on the same
keys. Samples alternate between the two sessions. Each one waits ``--idle`` seconds (a
reader reads before pressing a key; work done ahead while idle is the point), sends the key
with ``tmux send-keys``, and polls ``tmux capture-pane`` in a tight loop until a word that
only the new article's first answer line holds is on screen. Nothing is subtracted: the
floor pays the same tmux costs.

``--screens`` times every screen the reader opens (help, search, links, bookmarks,
problems, progress, study, palette) from its key until its frame is painted, against the
same floor, and the reader back after escape against the floor's own escape (both pay
Textual's ESCDELAY: the 100 ms it waits to tell a lone escape key from the start of an
escape sequence). With ``--base /tmp/lib50k`` that is at 50,000 articles. Prints medians,
p95 and the ratio of each median to the floor's.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

SOCKET = f"qtreader-bench-paint-{os.getpid()}"

# Library --------------------------------------------------------------------------------

SECTION = """\
### Part {part}: how the {topic} behaves

The {topic} is described by a rate $r$ and a size $N$; the change over a step is
$\\Delta N = r N (1 - N/K)$, so growth slows as $N$ nears the limit $K$. Three things
decide it:

1. **The starting size.** A small $N_0$ grows almost exponentially at first.
2. **The rate.** For $r > 2$ the steps overshoot and the size oscillates.
3. **The limit.** $K$ is set by what the {topic} can draw on; it moves slowly.

$$
N_{{t+1}} = N_t + r N_t \\left(1 - \\frac{{N_t}}{{K}}\\right)
$$

| step | size | change |
| --- | --- | --- |
| 0 | 10 | 4.5 |
| 1 | 14.5 | 6.2 |
| 2 | 20.7 | 8.2 |

```python
def step(n: float, r: float, k: float) -> float:
    return n + r * n * (1 - n / k)
```

In practice the {topic} is measured at fixed times, and the *observed* rate mixes the true
rate with the error of each count: averaging over several steps, or fitting the whole
curve at once, gives a steadier figure than any single pair of counts.
"""

TOPICS = ("population", "reaction", "queue", "market", "colony", "signal", "network", "tissue")


def answer_text(token: str, size: int) -> str:
    """An answer of about ``size`` bytes whose first line holds ``token`` and nothing else
    on screen does."""
    parts = [f"Answer {token} opens with a short summary of what follows.\n"]
    part = 0
    while sum(map(len, parts)) < size:
        part += 1
        parts.append(SECTION.format(part=part, topic=TOPICS[part % len(TOPICS)]))
    return "\n".join(parts)


@dataclass(frozen=True)
class Chain:
    """Articles opened one after another by ``key``: the first is opened at start."""

    name: str
    key: str
    size: int
    first_id: int
    count: int

    def token(self, index: int) -> str:
        return f"zq{self.name[0]}{self.size // 1000}x{index:03d}"


def write_chain(root: Path, chain: Chain) -> None:
    slug_subject = f"paint-{chain.name}-{chain.size // 1000}k"
    subject = f"Paint {chain.name.title()} {chain.size // 1000}K"
    folder = root / "learn" / slug_subject
    folder.mkdir(parents=True)
    for index in range(chain.count):
        article_id = chain.first_id + index
        title = f"{subject} article {index:03d}"
        slug = f"article-{article_id}"
        meta: dict[str, object] = {
            "_schema": "default",
            "id": article_id,
            "date": "2025-03-14",
            "title": title,
            "article_title": title,
            "date_format": "MMM DD, YYYY",
            "post_on_text": "Posted on",
            "seo": {
                "title": f"QuickTakes | {subject}",
                "page_description": "An article written for the paint benchmark.",
                "page_keywords": "benchmark, paint",
            },
            "author": "QuickTakes",
            "question": f"How does step {index} of the {chain.name} chain behave?",
            "answer": answer_text(chain.token(index), chain.size).replace("\n", "\\n"),
            "subject": subject,
            "file_name": f"{slug}.md",
            "url": f"/learn/{slug_subject}/questions/{slug}",
            "score": -1.0,
        }
        if chain.key == "1" and index + 1 < chain.count:
            meta["related_article1"] = {
                "id": article_id + 1,
                "title": f"{subject} article {index + 1:03d}",
                "subject": subject,
                "url": f"/learn/{slug_subject}/questions/article-{article_id + 1}",
            }
        dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
        (folder / f"{slug}.md").write_text(f"---\n{dumped}---\n\n&nbsp;\n", encoding="utf-8")


def make_library(root: Path, chains: list[Chain], base: Path | None) -> None:
    if root.exists():  # kept from an earlier run (--keep)
        return
    for chain in chains:
        write_chain(root, chain)
    if base is not None:  # the base library's subjects beside ours, by folder symlinks
        for folder in sorted((base / "learn").iterdir()):
            if folder.is_dir():
                (root / "learn" / folder.name).symlink_to(folder.absolute())


# tmux -----------------------------------------------------------------------------------


#: A pane whose program ended stays, so that its last screen (a traceback) can be read.
CONFIG = Path(tempfile.gettempdir()) / f"{SOCKET}.conf"


def tmux(*args: str) -> str:
    if not CONFIG.exists():
        CONFIG.write_text("set -g remain-on-exit on\n", encoding="utf-8")
    return subprocess.run(
        ["tmux", "-L", SOCKET, "-f", str(CONFIG), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


class Pane:
    """A program running in its own tmux session at 80x24."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        # Not stderr to a file: Textual writes the screen to stderr.
        line = f"env {exports} {shlex.join(command)}"
        tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", name, line)

    def text(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.name)

    def send(self, key: str) -> None:
        tmux("send-keys", "-t", self.name, key)

    def wait_for(self, test: Callable[[str], bool], timeout: float = 30.0) -> float:
        """Poll the pane until ``test`` holds for its text; the time it was seen."""
        deadline = time.perf_counter() + timeout
        while True:
            text = self.text()
            now = time.perf_counter()
            if test(text):
                return now
            if "Pane is dead" in text:  # the program ended: its last screen says why
                raise RuntimeError(f"{self.name} ended:\n{text}")
            if now > deadline:
                raise TimeoutError(f"{self.name}: not seen in {timeout} s; the pane:\n{text}")

    def timed_key(self, key: str, test: Callable[[str], bool]) -> float:
        """Seconds from sending ``key`` until ``test`` holds for the pane's text."""
        start = time.perf_counter()
        self.send(key)
        return self.wait_for(test) - start


def shows(*words: str) -> Callable[[str], bool]:
    return lambda text: all(word in text for word in words)


def lacks(*words: str) -> Callable[[str], bool]:
    return lambda text: not any(word in text for word in words)


@contextmanager
def server() -> Iterator[None]:
    try:
        yield
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True, check=False)
        CONFIG.unlink(missing_ok=True)
        # The server leaves its socket behind when a pane's program was still running.
        Path(tempfile.gettempdir(), f"tmux-{os.getuid()}", SOCKET).unlink(missing_ok=True)


FLOOR_APP = """
import sys
from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

ANSWER = open(sys.argv[1], encoding="utf-8").read()

class Floor(App[None]):
    BINDINGS = [Binding(key, "swap", "Swap", id=f"swap-{n}") for n, key in enumerate(
        ["n", "1", "question_mark", "slash", "l", "b", "e", "P", "s", "ctrl+p", "escape"])]
    count = 0
    def compose(self):
        yield Static(Text("Floor: waiting zfloor000"), id="text")
    def action_swap(self):
        self.count += 1
        text = f"Question {self.count}\\nAnswer zfloor{self.count:03d} begins.\\n\\n{ANSWER}"
        self.query_one(Static).update(Text(text))

Floor().run()
"""


class Floor:
    """The minimal app: each key shows a new text whose token says which press it was."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        script = folder / "floor_app.py"
        script.write_text(FLOOR_APP, encoding="utf-8")
        answer = folder / "floor_answer.md"
        answer.write_text(answer_text("zfloor", 4000), encoding="utf-8")
        self.pane = Pane("floor", [sys.executable, str(script), str(answer)], env)
        self.pane.wait_for(shows("zfloor000"))
        self.count = 0

    def sample(self, key: str) -> float:
        self.count += 1
        return self.pane.timed_key(key, shows(f"zfloor{self.count:03d}"))


# Figures --------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(name: str, values: list[float], floor: float) -> str:
    median = statistics.median(values)
    return (
        f"  {name:<34} median {median * 1000:6.1f} ms   p95 {p95(values) * 1000:6.1f} ms   "
        f"{median / floor:5.2f}x"
    )


def index(root: Path, env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qtreader", "--library", str(root), "index"],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"library {root}: indexed in {time.perf_counter() - started:.1f} s")


def qtreader(root: Path, article_id: int, env: dict[str, str], name: str = "") -> Pane:
    command = [sys.executable, "-m", "qtreader", "--library", str(root), "read", str(article_id)]
    return Pane(f"reader{name}{article_id}", command, env)


def articles(options: argparse.Namespace, root: Path, env: dict[str, str], floor: Floor) -> None:
    count = options.runs + 1
    chains = [
        Chain("next", "n", 4000, 9_100_000, count),
        Chain("next", "n", 60000, 9_200_000, count),
        Chain("related", "1", 4000, 9_300_000, count),
        Chain("related", "1", 60000, 9_400_000, count),
    ]
    make_library(root, chains, options.base)
    index(root, env)
    # This version, and with --versus another one (its source folder first on the path),
    # each in its own pane: samples alternate between the floor and every version.
    versions = [("", env)]
    if options.versus is not None:
        other = {**env, "PYTHONPATH": str(options.versus.absolute())}
        versions.append((" [versus]", other))
        print(f"[versus]: {options.versus}")
    floors: list[float] = []
    results: list[tuple[str, list[float]]] = []
    for chain in chains:
        panes = [
            qtreader(root, chain.first_id, version_env, f"v{number}-")
            for number, (_label, version_env) in enumerate(versions)
        ]
        for pane in panes:
            pane.wait_for(shows(chain.token(0)), timeout=120)
        samples: list[list[float]] = [[] for _ in panes]
        for step in range(1, count):
            time.sleep(options.idle)
            floors.append(floor.sample(chain.key))
            for pane, pane_times in zip(panes, samples, strict=True):
                time.sleep(options.idle)
                pane_times.append(pane.timed_key(chain.key, shows(chain.token(step))))
        for pane in panes:
            tmux("kill-session", "-t", pane.name)
        for (label, _env), pane_times in zip(versions, samples, strict=True):
            name = f"{chain.key!r} to a {chain.size // 1000} KB answer{label}"
            results.append((name, pane_times))
    floor_median = statistics.median(floors)
    print(f"key to painted at 80x24, {options.runs} opens each, {options.idle} s idle before each")
    print(line("floor (Static text swapped)", floors, floor_median))
    for name, times in results:
        print(line(name, times, floor_median))


@dataclass(frozen=True)
class ScreenCase:
    name: str
    key: str
    painted: tuple[str, ...]


SCREENS = (
    ScreenCase("help ?", "?", ("Keys", "escape to close")),
    ScreenCase("search /", "/", ("Search every article",)),
    ScreenCase("links l", "l", ("Links in this answer",)),
    ScreenCase("bookmarks b", "b", ("enter to open · escape to close",)),
    ScreenCase("problems e", "e", ("Problems (",)),
    ScreenCase("progress P", "P", ("Progress ·",)),
    ScreenCase("study s", "s", ("enter to start · escape to cancel",)),
    ScreenCase("palette ctrl+p", "C-p", ("Search for commands",)),
)


def screens(options: argparse.Namespace, root: Path, env: dict[str, str], floor: Floor) -> None:
    chain = Chain("links", "n", 4000, 9_500_000, 2)
    make_library(root, [chain], options.base)
    # One link in the first answer, so that the links screen has something to list.
    path = root / "learn" / "paint-links-4k" / f"article-{chain.first_id}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("short summary", "[short summary](https://example.org/a)"))
    index(root, env)
    pane = qtreader(root, chain.first_id, env)
    home = chain.token(0)
    pane.wait_for(shows(home), timeout=120)
    time.sleep(3 * options.idle)  # the refresh after start
    floors: list[float] = []
    #: Escape against the floor's own escape: a terminal sends a lone ESC byte, which
    #: Textual reports only after ESCDELAY (100 ms) without a following byte.
    escape_floors: list[float] = []
    results: dict[str, list[float]] = {case.name: [] for case in SCREENS}
    closed: dict[str, list[float]] = {case.name: [] for case in SCREENS}
    for _ in range(options.runs):
        for case in SCREENS:
            time.sleep(options.idle)
            floors.append(floor.sample("n"))
            time.sleep(options.idle)
            results[case.name].append(pane.timed_key(case.key, shows(*case.painted)))
            time.sleep(options.idle / 2)
            escape_floors.append(floor.sample("Escape"))
            time.sleep(options.idle / 2)
            closed[case.name].append(pane.timed_key("Escape", lacks(case.painted[0])))
            pane.wait_for(shows(home))
    tmux("kill-session", "-t", pane.name)
    floor_median = statistics.median(floors)
    print(f"screens, key to painted at 80x24, {options.runs} opens each")
    print(line("floor (Static text swapped)", floors, floor_median))
    for case in SCREENS:
        print(line(case.name, results[case.name], floor_median))
    escape_median = statistics.median(escape_floors)
    print("  escape back to the reader (ratios against the floor's own escape):")
    print(line("floor, escape", escape_floors, escape_median))
    for case in SCREENS:
        print(line(case.name, closed[case.name], escape_median))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--idle", type=float, default=1.0, help="seconds before each key")
    parser.add_argument("--base", type=Path, help="a library whose subjects are added")
    parser.add_argument("--screens", action="store_true", help="time the screens instead")
    parser.add_argument(
        "--versus",
        type=Path,
        help="the src folder of another version of qtreader, timed in the same run",
    )
    parser.add_argument(
        "--keep", type=Path, help="keep the library and its index in this folder for the next run"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-paint-") as temporary, server():
        folder = options.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        root = folder / ("screens" if options.screens else "library")
        env = {
            "XDG_CACHE_HOME": str(folder / "cache"),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_STATE_HOME": str(folder / "state"),
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),  # to time another version
            "HOME": os.environ.get("HOME", temporary),
            "TERM": "tmux-256color",
            "COLORTERM": "truecolor",
        }
        os.environ.update({key: env[key] for key in env if key.startswith("XDG")})
        floor = Floor(folder, env)
        if options.screens:
            screens(options, root, env, floor)
        else:
            articles(options, root, env, floor)
    print(textwrap.fill(f"tmux {tmux_version()}, python {sys.version.split()[0]}", 88))


def tmux_version() -> str:
    return subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.split()[-1]


if __name__ == "__main__":
    main()
