"""A real browser on ``qtreader serve``: the installed ``qtreader serve`` runs as a process of
its own (its own process group, as a shell runs it), and Debian's Chromium, driven by
Playwright (never a downloaded browser), opens its page in tabs.

The page draws the terminal on a canvas (xterm.js), so its text is read from xterm.js's
own buffer (``buffer.active.getLine(y).translateToString()``, its public API): a script
that runs before the page's keeps each terminal object textual-serve's page makes (it is
the one object given a ``fitAddon``). Waits poll that text against a deadline in the
browser (Playwright's ``wait_for_function``); nothing sleeps a fixed time.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright

#: The entry point pip installed next to this Python: what a user runs.
QTREADER = Path(sys.executable).with_name("qtreader")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Long enough for a loaded CI machine; a passing wait returns as soon as the text shows.
DEADLINE = 30.0
#: Debian's Chromium, headless, quiet: no first-run page, no network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    if not Path(CHROMIUM).is_file():
        return "chromium is not installed (.ci/run installs it: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -c requirements.lock -e '.[test]')"
    return None


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: Keeps the terminal objects of textual-serve's page as they are made.
_KEEP_TERMINALS = """
window.__qtreaderTerminals = [];
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "fitAddon", {value, writable: true, configurable: true});
    window.__qtreaderTerminals.push(this);
  },
});
"""

#: The rows the page's terminal shows, one string, or null before it exists.
_SCREEN = """() => {
  const page = (window.__qtreaderTerminals || [])[0];
  if (!page || !page.terminal) return null;
  const terminal = page.terminal, rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = terminal.buffer.active.getLine(y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""

#: True when every one of the texts is on the screen, spaces and line ends alike.
_SHOWN = (
    "(texts) => { const screen = (" + _SCREEN + ")(); if (screen === null) return false;"
    " const flat = screen.split(/\\s+/).join(' ');"
    " return texts.every((t) => flat.includes(t.split(/\\s+/).join(' '))); }"
)
_GONE = (
    "(text) => { const screen = ("
    + _SCREEN
    + ")(); return screen !== null && !screen.includes(text); }"
)


class Served:
    """``qtreader serve --library LIBRARY --port PORT`` as a process group of its own."""

    def __init__(self, library: Path, folder: Path, *args: str) -> None:
        self.port = free_port()
        self.output = folder / f"serve-{self.port}.out"
        self.errors = folder / f"serve-{self.port}.err"
        command = [str(QTREADER), "serve", "--library", str(library), "--port", str(self.port)]
        #: In the environment of the server and of every process it starts, and no other.
        self.mark = f"QTREADER_SERVE_TEST={uuid.uuid4().hex}"
        environment = {**os.environ, "QTREADER_SERVE_TEST": self.mark.split("=")[1]}
        with self.output.open("wb") as out, self.errors.open("wb") as err:
            self.process = subprocess.Popen(
                [*command, *args], stdout=out, stderr=err, env=environment,
                start_new_session=True,
            )  # fmt: skip
        self.url = self.wait_for_address()

    def wait_for_address(self) -> str:
        deadline = time.monotonic() + DEADLINE
        while True:
            found = re.search(r"open (http://\S+) in a browser", self.output.read_text())
            if found:
                return found.group(1)
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"qtreader serve did not start:\n{self.log()}")
            time.sleep(0.05)

    def wait_for_line(self, start: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not any(line.startswith(start) for line in self.output.read_text().splitlines()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no line {start!r}:\n{self.log()}")
            time.sleep(0.01)

    def log(self) -> str:
        return f"stdout:\n{self.output.read_text()}\nstderr:\n{self.errors.read_text()}"

    def app_pids(self) -> list[int]:
        """The processes the server started (its tabs' readers), from ``/proc``."""
        return [pid for pid in _pids() if _parent(pid) == self.process.pid]

    def left_behind(self) -> list[int]:
        """The running processes that have :attr:`mark` in their environment."""
        return [pid for pid in _pids() if alive(pid) and _marked(pid, self.mark.encode())]

    def interrupt(self, *, group: bool = True, number: int = signal.SIGINT, times: int = 1) -> int:
        """Ctrl+C as a terminal sends it (SIGINT to the process group), or with ``group``
        false a signal to the server alone (``kill PID``), ``times`` times; the exit
        status."""
        for time_ in range(times):
            if time_:  # again once it is stopping its readers
                self.wait_for_line("qtreader serve: stopping")
            if group:
                os.killpg(self.process.pid, number)
            else:
                self.process.send_signal(number)
        try:
            return self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"qtreader serve did not stop:\n{self.log()}") from None

    def close(self) -> None:
        """Kill what is left after a failed test: the server and its readers' groups."""
        if self.process.poll() is None:
            for pid in [self.process.pid, *self.app_pids()]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            self.process.wait()


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # ended meanwhile
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the name, in parentheses, may hold spaces


def _marked(pid: int, mark: bytes) -> bool:
    try:
        return mark in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet collected, does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Tab:
    """One browser tab on the served page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def screen(self) -> str:
        text: str | None = self.page.evaluate(_SCREEN)
        return text or ""

    def wait_for(self, *texts: str) -> None:
        """Wait until every one of ``texts`` is on the page's terminal."""
        self._wait(_SHOWN, list(texts), " and ".join(map(repr, texts)))

    def wait_gone(self, text: str) -> None:
        self._wait(_GONE, text, f"{text!r} gone")

    def _wait(self, function: str, arg: Any, what: str) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(function, arg=arg, timeout=DEADLINE * 1000)
        except PlaywrightTimeout:
            raise AssertionError(
                f"not on the page after {DEADLINE:.0f} s: {what}\n{self.screen()}"
            ) from None

    def keys(self, *keys: str) -> None:
        """Press keys by Playwright's names (``Enter``, ``ArrowDown``, ``Escape``, ``1``)."""
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path))
        return path


class Browser:
    """Headless Chromium with a fresh profile in ``folder``; tabs on served pages."""

    def __init__(
        self, folder: Path, *, width: int = 1100, height: int = 640, args: tuple[str, ...] = ()
    ) -> None:
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._playwright: Playwright = self._manager.start()
        self.context: BrowserContext = self._playwright.chromium.launch_persistent_context(
            str(folder / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, *args],
            viewport={"width": width, "height": height},
            permissions=["clipboard-read", "clipboard-write"],
        )
        self.context.add_init_script(_KEEP_TERMINALS)
        # No request leaves the machine in a test (names under .test are mapped to this
        # machine by --host-resolver-rules).
        local = r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/]|[a-z.]+\.test[:/])"
        #: The addresses the pages asked for outside this machine (refused).
        self.refused: list[str] = []
        self.context.route(re.compile(local), self._refuse)

    def open(self, url: str) -> Tab:
        """A new tab on ``url``, its terminal focused so that keys reach the app."""
        page = self.context.new_page()
        page.goto(url)
        page.wait_for_function(_SCREEN, timeout=DEADLINE * 1000)
        page.locator(".xterm-helper-textarea").focus()
        return Tab(page)

    def _refuse(self, route: Any) -> None:
        self.refused.append(route.request.url)
        route.abort()

    def close(self) -> None:
        self.context.close()
        self._manager.__exit__(None, None, None)

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
