"""A real terminal for end-to-end tests: the installed ``qtreader`` runs in a tmux pane of a
tmux server of its own (``tmux -L <socket>``), keys go in with ``send-keys``, and the screen
comes back with ``capture-pane``. Waits poll the screen against a deadline; nothing sleeps a
fixed time.

Helpers for the steps still to come:

- study: ``keys("s")`` then :meth:`Terminal.wait_for` on the scope dialog's text, ``Enter``
  to start, the grade keys, and :meth:`Terminal.wait_for` on the summary;
- copy: ``keys("y")`` then :meth:`Terminal.clipboard`, which returns what the app sent with
  OSC 52 (tmux keeps it as a paste buffer: ``set-clipboard on``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

#: The entry point pip installed next to this Python: what a user runs.
QTREADER = Path(sys.executable).with_name("qtreader")
TMUX = shutil.which("tmux")
#: Long enough for a loaded CI machine; a passing wait returns as soon as the text shows.
DEADLINE = 30.0

_CONFIG = """\
set -g status off
set -g remain-on-exit on
set -s escape-time 0
set -s set-clipboard on
set -g history-limit 0
"""


class Terminal:
    """One tmux server with one pane, ``width`` x ``height``, running one command."""

    def __init__(self, folder: Path, *, width: int = 100, height: int = 30) -> None:
        self.folder = folder
        self.width = width
        self.height = height
        self.socket = f"qtreader-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = folder / "tmux.conf"
        self.config.write_text(_CONFIG)
        home = folder / "home"
        home.mkdir(exist_ok=True)
        #: The program's whole environment: a fresh home and XDG folders, UTF-8, a TERM.
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",
            **{f"XDG_{name}_HOME": str(home / name.lower()) for name in ("CONFIG", "DATA",
                                                                         "STATE", "CACHE")},
        }  # fmt: skip
        self.status_file = folder / "exit-status"
        self.started = False

    def tmux(self, *args: str, check: bool = True) -> str:
        environment = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        environment.pop("TMUX", None)  # never talk to a tmux the tests run inside
        result = subprocess.run(
            [TMUX or "tmux", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=DEADLINE,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def start(self, *args: str, **env: str) -> None:
        """Run ``qtreader ARGS`` in the pane with exactly :attr:`env` (plus ``env``)."""
        environment = {**self.env, **env}
        command = shlex.join(
            ["env", "-i", *(f"{k}={v}" for k, v in environment.items()), str(QTREADER), *args]
        )
        # A shell waits for qtreader and writes its exit status: tmux (3.3) now and then
        # marks a pane dead without collecting the status of its process.
        script = f"{command}; echo $? > {shlex.quote(str(self.status_file))}"
        self.tmux(
            "new-session", "-d", "-s", "qt", "-x", str(self.width), "-y", str(self.height),
            "sh", "-c", script,
        )  # fmt: skip
        self.started = True

    def keys(self, *keys: str) -> None:
        """Press keys by tmux's names (``Enter``, ``Down``, ``Escape``, ``C-r``, ``[``)."""
        self.tmux("send-keys", "-t", "qt", *keys)

    def type(self, text: str) -> None:
        """Type ``text`` literally."""
        self.tmux("send-keys", "-t", "qt", "-l", text)

    def screen(self, *, escapes: bool = False) -> str:
        """What the pane shows now; with ``escapes``, with its colours and attributes."""
        return self.tmux("capture-pane", "-p", "-t", "qt", *(["-e"] if escapes else []))

    def wait_until(self, what: str, done: Callable[[str], bool]) -> str:
        """Poll the screen until ``done(screen)``; fail with the screen after the deadline."""
        deadline = time.monotonic() + DEADLINE
        while True:
            screen = self.screen()
            if done(screen):
                return screen
            if self.exit_status() is not None:
                pytest.fail(f"qtreader exited while waiting for {what}:\n{screen}")
            if time.monotonic() > deadline:
                pytest.fail(f"not on screen after {DEADLINE:.0f} s: {what}\n{screen}")
            time.sleep(0.05)

    def wait_for(self, *texts: str) -> str:
        """Wait until every one of ``texts`` is on screen (a long line may wrap: spaces and
        line ends count alike)."""

        def shown(screen: str) -> bool:
            flat = " ".join(screen.split())
            return all(" ".join(text.split()) in flat for text in texts)

        return self.wait_until(" and ".join(map(repr, texts)), shown)

    def wait_gone(self, text: str) -> str:
        return self.wait_until(f"{text!r} gone", lambda screen: text not in screen)

    def exit_status(self) -> int | None:
        """The program's exit status once it has ended, else ``None``."""
        try:
            return int(self.status_file.read_text())
        except (OSError, ValueError):  # not yet written, or being written
            return None

    def wait_exit(self) -> int:
        deadline = time.monotonic() + DEADLINE
        while (status := self.exit_status()) is None:
            if time.monotonic() > deadline:
                pytest.fail(f"qtreader did not exit:\n{self.screen()}")
            time.sleep(0.05)
        return status

    def title(self) -> str:
        """The pane's title: what an OSC 0/2 sequence from the program would set."""
        return self.tmux("display-message", "-p", "-t", "qt", "#{pane_title}").strip()

    def clipboard(self) -> str | None:
        """The text the program last sent with OSC 52, if any."""
        if not self.tmux("list-buffers", check=False).strip():
            return None
        return self.tmux("show-buffer")

    def close(self) -> None:
        """Stop this terminal's tmux server and remove its socket."""
        if self.started:
            socket = self.tmux("display-message", "-p", "#{socket_path}", check=False).strip()
            self.tmux("kill-server", check=False)
            if socket:
                Path(socket).unlink(missing_ok=True)


_SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def colours(screen: str) -> set[str]:
    """The colours in a ``capture-pane -e`` screen, as ``38;5;N``, ``48;2;R;G;B``, ``31``..."""
    found: set[str] = set()
    for match in _SGR.finditer(screen):
        codes = match.group(1).replace(":", ";").split(";")
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in ("38", "48", "58") and i + 1 < len(codes):
                size = 3 if codes[i + 1] == "5" else 5
                found.add(";".join(codes[i : i + size]))
                i += size
                continue
            colour = code.isdigit() and (30 <= int(code) <= 49 or 90 <= int(code) <= 107)
            if colour and code not in ("39", "49"):  # 39 and 49: the default colours
                found.add(code)
            i += 1
    return found
