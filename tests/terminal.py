"""A real ``qtreader`` process in a pseudo-terminal, driven with keys and read through a VT
emulator (pyte): what a person at a terminal would see and do."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pyte


class Terminal:
    """``python -m qtreader ARGS`` on a pty of ``columns`` x ``rows``."""

    def __init__(self, *args: str, columns: int = 100, rows: int = 30) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns)}
        env.pop("TEXTUAL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qtreader", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)

    @property
    def text(self) -> str:
        """The screen as it stands, line by line."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the process is gone
            time.sleep(timeout)
            return
        self.stream.feed(data)

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        """Read the terminal until ``text`` is on screen."""
        deadline = time.monotonic() + timeout
        while text not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never showed; the screen:\n{self.text}")
            if self.process.poll() is not None:
                self._read(0.05)
                if text in self.text:
                    return
                raise AssertionError(
                    f"qtreader exited ({self.process.returncode}) before {text!r}:\n{self.text}"
                )
            self._read(0.05)

    def wait_exit(self, timeout: float = 30.0) -> int:
        """Wait for the process to end, reading what it writes meanwhile (a process that
        writes to a full pty would never end)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"qtreader did not exit; the screen:\n{self.text}")
            self._read(0.05)
        return self.process.returncode

    def press(self, keys: str) -> None:
        """Type ``keys`` as they are (``" "`` is space, ``"\\x1b"`` escape)."""
        os.write(self.master, keys.encode())

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        with contextlib.suppress(OSError):
            os.close(self.master)
