"""``qtreader serve`` without a browser: its lines, its warning for a public address, its
errors, and which pages may copy (the browser tests are in ``tests/e2e/test_serve_e2e.py``)."""

from __future__ import annotations

import signal
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import make_mocked_request
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.tui.web import may_copy

from .conftest import LIBRARY
from .e2e.browser import QTREADER, Served

WARNING = "anyone who can reach port"


@pytest.fixture
def served() -> Iterator[list[Served]]:
    """The servers a test starts, killed after it if still running."""
    started: list[Served] = []
    yield started
    for server in started:
        server.close()


def test_serve_prints_the_address_and_stops_on_ctrl_c(served: list[Served], tmp_path: Path) -> None:
    served.append(server := Served(LIBRARY, tmp_path))
    # Once the address is printed, it answers (the line came before it listened, once).
    with urllib.request.urlopen(server.url, timeout=30) as page:
        assert b'class="textual-terminal"' in page.read()
    assert server.interrupt() == 0
    out = server.output.read_text()
    assert f"qtreader serve: open http://127.0.0.1:{server.port} in a browser\n" in out
    assert f"library: {LIBRARY} · ctrl+c stops" in out
    assert out.endswith("qtreader serve: stopped\n")
    assert WARNING not in server.errors.read_text()


def test_a_public_address_gets_one_warning_line(served: list[Served], tmp_path: Path) -> None:
    served.append(server := Served(LIBRARY, tmp_path, "--host", "0.0.0.0"))
    # Not 0.0.0.0, which no browser can open: this machine's name stands for it.
    assert server.url == f"http://{socket.gethostname()}:{server.port}"
    assert server.interrupt(number=signal.SIGTERM) == 0
    lines = server.errors.read_text().splitlines()
    assert [line for line in lines if WARNING in line] == [
        f"qtreader: listening on 0.0.0.0: anyone who can reach port {server.port} can read "
        "and study as you; to reach it from another machine, use 127.0.0.1 and an SSH tunnel "
        f"(ssh -L {server.port}:localhost:{server.port} this-host)"
    ]


def test_a_port_in_use_is_named() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(QTREADER), "serve",
             "--library", str(LIBRARY), "--port", str(port)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        f"cannot listen on 127.0.0.1 port {port}: the port is in use"
    ), result.stderr


def test_a_missing_library_is_named_before_serving(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(main, ["serve", "--library", str(missing), "--port", "1"])
    assert result.exit_code == 2
    assert f"library folder not found: {missing}" in result.output


def test_a_bad_port_is_refused() -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert "70000 is not in the range 1<=x<=65535" in result.output


@pytest.mark.parametrize(
    ("url", "copies"),
    [
        ("http://127.0.0.1:8000/ws", True),
        ("http://localhost:8000/ws", True),
        ("http://[::1]:8000/ws", True),
        ("http://reader.localhost:8000/ws", True),
        ("http://127.1.2.3:8000/ws", True),
        ("http://192.168.1.20:8000/ws", False),
        ("http://tablet-host:8000/ws", False),
        ("http://[fe80::1]:8000/ws", False),
    ],
)
def test_only_secure_pages_may_copy(url: str, copies: bool) -> None:
    """Browsers give ``navigator.clipboard`` to https pages and to http ones from a
    loopback address or a localhost name only."""
    host = url.split("/")[2]
    request = make_mocked_request("GET", "/ws", headers={"Host": host})
    assert may_copy(request) is copies
