"""The web server of ``qtreader serve``: textual-serve's server, with one ``qtreader read``
process per browser tab, which the server ends when it stops.

textual-serve (Textualize's package) gives the page (xterm.js) and the websocket protocol;
what changes here:

- each tab's app runs as ``python -m qtreader --library PATH read`` from an argument list
  (no shell to quote a folder name for), in a session of its own: ctrl+c in the terminal
  reaches the server only, which then asks every app to quit (so each saves as on ``q``)
  and kills the process group of any app still running after :data:`QUIT_GRACE` seconds
  (with the indexing workers it may have started);
- the page's websocket and static addresses come from the address the browser used, not
  from ``--host``: through ``ssh -L 9000:localhost:8000`` the page must talk to
  ``localhost:9000``, and ``--host 0.0.0.0`` is no address a browser can reach;
- the page is qtreader's (``tui/page/app_index.html``): textual-serve's asks a font service
  for its font on every load; this one uses the copy textual-serve ships, so it works
  offline;
- the server's own lines are plain ``qtreader serve: ...`` lines, without a log per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from qtreader.library.config import ENV_PAGE_CLIPBOARD

__all__ = ["QUIT_GRACE", "ReaderServer", "ReaderService", "may_copy", "reader_argv"]

#: The folder of the page's template (textual-serve's script and styles, a bundled font).
PAGE = Path(__file__).with_name("page")

#: Seconds an app has to quit when asked before its process group is killed.
QUIT_GRACE = 5.0

log = logging.getLogger("qtreader.serve")


class ReaderService(AppService):
    """One browser tab's app process, started from an argument list in a new session.

    ``clipboard``: whether the tab's page may write to the browser's clipboard; when not,
    the reader is told so (``y`` then says why it cannot copy).
    """

    def __init__(self, argv: list[str], *, clipboard: bool, **kwargs: Any) -> None:
        super().__init__(argv[0], **kwargs)
        self.argv = argv
        self.clipboard = clipboard

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment[ENV_PAGE_CLIPBOARD] = "yes" if self.clipboard else "no"
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,  # its own process group: ctrl+c reaches the server only
        )
        self._process = process
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit; kill its process group if it has not ended in time."""
        process = self._process
        try:
            await asyncio.wait_for(super().stop(), QUIT_GRACE)
            if process is not None:
                await asyncio.wait_for(process.wait(), QUIT_GRACE)
        except TimeoutError:
            pass
        if process is not None and process.returncode is None:
            log.warning("a reader (pid %d) did not quit in %g s: killed", process.pid, QUIT_GRACE)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


class ReaderServer(Server):
    """textual-serve's server, running ``argv`` for each tab and ending them all on exit."""

    def __init__(
        self, argv: list[str], *, host: str, port: int, announce: Callable[[], None]
    ) -> None:
        super().__init__(
            " ".join(argv), host=host, port=port, title="qtreader", templates_path=PAGE
        )
        self.argv = argv
        self.announce = announce
        self.services: set[ReaderService] = set()
        self.stopping = False

    def request_exit(self) -> None:
        """Stop on the first SIGINT or SIGTERM; a second one, while the readers are asked
        to quit, must not cut that short (it would leave the server's exit half done)."""
        if self.stopping:
            return
        self.stopping = True
        super().request_exit()

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.WARNING, format="qtreader serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: startup runs before the server listens; :meth:`serve` announces."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Before aiohttp waits for the websockets' handlers: end every app, which closes
        its tab's websocket, so that the handlers return."""
        if self.services:
            readers = len(self.services)
            print(f"qtreader serve: stopping {readers} reader{'s' * (readers > 1)}", flush=True)
        await asyncio.gather(*(service.stop() for service in list(self.services)))

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM; OSError when the address cannot be listened on."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        loop.add_signal_handler(signal.SIGINT, self.request_exit)
        loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            # Called once every address listens (on_startup comes before): the address is
            # printed when a browser can open it.
            print=lambda _running: self.announce(),
            access_log=None,
            shutdown_timeout=QUIT_GRACE,
        )

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, its addresses taken from the one the browser asked for."""
        origin = f"{request.scheme}://{request.host}"
        websocket = ("wss" if request.secure else "ws") + f"://{request.host}/ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket,
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A tab connected: start its app and pass messages until either side closes."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        service = ReaderService(
            self.argv,
            clipboard=may_copy(request),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self.services.add(service)
        try:
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("a tab's connection failed")
        finally:
            await service.stop()
            self.services.discard(service)
            await websocket.close()
        return websocket


def may_copy(request: web.Request) -> bool:
    """Whether the browser lets the page of ``request`` write to its clipboard (xterm.js
    copies with ``navigator.clipboard``, which browsers give only to secure pages: https,
    or http from a loopback address or a ``localhost`` name)."""
    if request.secure:
        return True
    host = (request.url.host or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def reader_argv(library: str) -> list[str]:
    """The command each tab runs: this Python's qtreader, on ``library``."""
    return [sys.executable, "-m", "qtreader", "--library", library, "read"]
