"""Benchmark: the reader in a browser (``qtreader serve``, headless Chromium) against the
same reader in a terminal (tmux), the same actions in the same run.

    python bench/bench_serve.py --runs 10 [--library PATH] [--screenshot docs/serve.png]

Two times each way, on the shipped library by default (index warmed once, state fresh for
every run so that each start shows the tree, not the article read last):

- start: from opening the page (``page.goto``) / starting ``qtreader`` in the pane, to the
  subject tree and the status line shown; in the browser this includes the tab's reader
  process starting, as the terminal's does;
- open: from the key (enter on "What are Newton's three laws of motion?") to its answer
  shown.

The browser's text is xterm.js's buffer, polled every animation frame; the terminal's is
``tmux capture-pane``, polled every 10 ms (each poll is a process: a few ms more). Runs
alternate which way goes first; medians, and the ratio browser / terminal.
``--screenshot`` keeps the browser's page with the article open (the README's picture).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from tests.e2e.browser import QTREADER, Browser, Served  # noqa: E402
from tests.e2e.terminal import Terminal  # noqa: E402

#: Physics is the eighth subject of the shipped library (enter expands it, its articles
#: show); Newton's laws is its fourth article.
TO_PHYSICS = ["ArrowDown"] * 7 + ["Enter"]
TO_ARTICLE = ["ArrowDown"] * 4
TREE = "Biology"
STATUS = "articles · 8 subjects"
ANSWER = "Newton's laws of motion, published by Isaac Newton in the Principia"
TMUX_KEYS = {"ArrowDown": "Down", "Enter": "Enter"}


def fresh_state(home: Path) -> dict[str, str]:
    """XDG folders with no reading state, sharing the warm index of ``home``."""
    state = Path(tempfile.mkdtemp(dir=home))
    return {
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(state / "config"),
        "XDG_DATA_HOME": str(state / "data"),
        "XDG_STATE_HOME": str(state / "state"),
    }


def in_browser(
    browser: Browser, library: Path, home: Path, screenshot: Path | None
) -> tuple[float, float, tuple[int, int]]:
    os.environ.update(fresh_state(home))  # the server and its readers inherit it
    served = Served(library, home)
    try:
        start = time.perf_counter()
        tab = browser.open(served.url)
        tab.wait_for(TREE, STATUS)
        shown = time.perf_counter() - start
        tab.keys(*TO_PHYSICS)
        tab.wait_for("What are Newton's")
        tab.keys(*TO_ARTICLE)
        start = time.perf_counter()
        tab.keys("Enter")
        tab.wait_for(ANSWER)
        opened = time.perf_counter() - start
        if screenshot is not None:
            tab.wait_for("Search", "^p palette")  # the footer, redrawn after the key
            tab.screenshot(screenshot)
        size = tab.page.evaluate(
            "[window.__qtreaderTerminals[0].terminal.cols,"
            " window.__qtreaderTerminals[0].terminal.rows]"
        )
        tab.page.close()
        assert served.interrupt() == 0
    finally:
        served.close()
    return shown, opened, (int(size[0]), int(size[1]))


def in_terminal(library: Path, home: Path, size: tuple[int, int]) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp(dir=home))
    term = Terminal(folder, width=size[0], height=size[1])
    term.env.update(fresh_state(home))
    try:
        start = time.perf_counter()
        term.start("--library", str(library))
        poll(term, TREE, STATUS)
        shown = time.perf_counter() - start
        term.keys(*(TMUX_KEYS[key] for key in TO_PHYSICS))
        poll(term, "What are Newton's")
        term.keys(*(TMUX_KEYS[key] for key in TO_ARTICLE))
        start = time.perf_counter()
        term.keys("Enter")
        poll(term, ANSWER)
        opened = time.perf_counter() - start
        term.keys("q")
        term.wait_exit()
    finally:
        term.close()
    return shown, opened


def poll(term: Terminal, *texts: str) -> None:
    """Wait for ``texts`` on the pane, polling every 10 ms, for at most 60 s."""
    deadline = time.monotonic() + 60
    wanted = [" ".join(text.split()) for text in texts]
    while True:
        flat = " ".join(term.screen().split())
        if all(text in flat for text in wanted):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"not on screen after 60 s: {texts}\n{term.screen()}")
        time.sleep(0.01)


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--library", type=Path, default=REPOSITORY / "content")
    parser.add_argument("--screenshot", type=Path, help="Keep the browser's page here (PNG).")
    options = parser.parse_args()
    library = options.library.resolve()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        home = Path(folder)
        os.environ.update(fresh_state(home))
        subprocess.run([str(QTREADER), "index", "--library", str(library)], check=True)
        times: dict[str, list[float]] = {
            key: [] for key in ("browser start", "terminal start", "browser open", "terminal open")
        }
        with Browser(home) as browser:
            # One run each way first, unmeasured: caches warm, and the terminal's size.
            _, _, size = in_browser(browser, library, home, options.screenshot)
            in_terminal(library, home, size)
            runs: list[tuple[str, Callable[[], tuple[float, float]]]] = [
                ("browser", lambda: in_browser(browser, library, home, None)[:2]),
                ("terminal", lambda: in_terminal(library, home, size)),
            ]
            for run in range(options.runs):
                for way, measure in runs if run % 2 == 0 else runs[::-1]:
                    shown, opened = measure()
                    times[f"{way} start"].append(shown)
                    times[f"{way} open"].append(opened)
    print(f"{options.runs} runs, {size[0]}x{size[1]} cells, library {library}")
    for name, values in times.items():
        print(f"{name:<16} median {median_ms(values)}")
    for action in ("start", "open"):
        ratio = statistics.median(times[f"browser {action}"]) / statistics.median(
            times[f"terminal {action}"]
        )
        print(f"{action}: browser / terminal {ratio:.2f}")
    if options.screenshot is not None:
        print(f"screenshot: {options.screenshot}")


if __name__ == "__main__":
    main()
