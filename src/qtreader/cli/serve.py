"""``qtreader serve``: the reader in a browser, through textual-serve. Each tab runs the
real ``qtreader read`` (same app, keys, state and index); :mod:`qtreader.tui.web` is the
server (the app's, as the reader's screens are), imported only when the command runs."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click

from qtreader.cli.common import LibraryError, library_option, warn
from qtreader.library.config import ConfigError, choose_library
from qtreader.library.decode import escape_controls

__all__ = ["LOOPBACK", "address", "serve"]

#: The hosts only this machine can reach.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def address(host: str, port: int) -> str:
    """The address to open for a server on ``host``: a wildcard host is no address a
    browser can use, so this machine's name stands for it."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@click.command()
@library_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on. Any other than 127.0.0.1, localhost or ::1 lets "
    "whoever reaches the port read and study as you.",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The port."
)
def serve(library_path: Path | None, host: str, port: int) -> None:
    """Serve the reader to a browser: every tab gets the full reader, with the same state
    and index as in the terminal. Ctrl+C stops the server and the readers of its tabs.

    From another machine, keep 127.0.0.1 and tunnel: ssh -L 8000:localhost:8000 host,
    run qtreader serve there, and open http://localhost:8000 here.

    \b
    Examples:
      qtreader serve --library ~/quicktakes
      qtreader serve --port 8080
    """
    try:
        choice = choose_library(library_path)
    except ConfigError as error:
        raise LibraryError(str(error)) from None
    if host not in LOOPBACK:
        warn(
            f"listening on {host}: anyone who can reach port {port} can read and study as "
            f"you; to reach it from another machine, use 127.0.0.1 and an SSH tunnel "
            f"(ssh -L {port}:localhost:{port} this-host)"
        )
    from qtreader.tui.web import ReaderServer, reader_argv

    def announce() -> None:
        click.echo(f"qtreader serve: open {address(host, port)} in a browser", err=False)
        click.echo(f"library: {escape_controls(choice.path)} · ctrl+c stops")

    server = ReaderServer(reader_argv(str(choice.path)), host=host, port=port, announce=announce)
    try:
        server.serve()
    except OSError as error:
        why = "the port is in use" if error.errno == errno.EADDRINUSE else error.strerror
        raise LibraryError(f"cannot listen on {host} port {port}: {why}") from None
    click.echo("qtreader serve: stopped")
