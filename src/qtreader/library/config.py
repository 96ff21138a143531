"""User configuration and the choice of library.

The library is, in order: ``--library PATH``, ``$QTREADER_LIBRARY``, ``library = "..."`` in
``config.toml`` in the user config dir, else the library that ships with qtreader.
``config.toml`` also sets ``new_cards_per_day`` for study sessions (default 20) and
``desired_retention``, the share of reviews FSRS schedules cards to be remembered at
(default 0.9), and ``new_card_order``, the order new cards come in (default
``interleaved``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from platformdirs import user_config_path

__all__ = [
    "ConfigError",
    "LibraryChoice",
    "choose_library",
    "config_file",
    "desired_retention",
    "new_card_order",
    "new_cards_per_day",
]

ENV_LIBRARY = "QTREADER_LIBRARY"
#: Set to "no" by ``qtreader serve`` for a reader whose page the browser lets no script copy
#: to its clipboard (plain http on an address other than localhost).
ENV_PAGE_CLIPBOARD = "QTREADER_PAGE_CLIPBOARD"


class ConfigError(Exception):
    """The configuration file or a chosen library is not usable; the message says why."""


class LibraryChoice(NamedTuple):
    """The library folder to open and where that choice came from."""

    path: Path
    source: str


#: New cards a day unless ``config.toml`` says otherwise (``new_cards_per_day``).
DEFAULT_NEW_PER_DAY = 20
#: More than any day could hold; a larger number is a mistake (and SQLite's integers end).
MAX_NEW_PER_DAY = 100_000

#: The retention FSRS aims for unless ``config.toml`` says otherwise (FSRS's own default).
DEFAULT_DESIRED_RETENTION = 0.9

#: The range FSRS is meant for: below it intervals grow huge, near 1 they shrink to nothing.
RETENTION_RANGE = (0.7, 0.99)


#: The orders new cards may come in (``new_card_order``), the default first: interleaved
#: across the subjects of the scope, shuffled, or by the articles' dates.
NEW_CARD_ORDERS = ("interleaved", "random", "date")


def config_file() -> Path:
    """``config.toml`` in the user config dir (it need not exist)."""
    return user_config_path("qtreader", appauthor=False) / "config.toml"


def _settings() -> dict[str, object]:
    """The settings of ``config.toml``; none when it does not exist.

    Raises :class:`ConfigError` naming the file and what is wrong with it: the commands
    stop with that one line (exit 2) rather than go on with another library than the one
    the user configured; the reader, which reads it again for study, says so and goes on.
    """
    path = config_file()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise _error(f"cannot read it: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _error(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    import tomllib  # only when there is a file to read

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _error(f"not valid TOML: {error}") from None


def _error(what: str) -> ConfigError:
    """An error about ``config.toml``: ``config.toml (its path): what is wrong``."""
    return ConfigError(f"config.toml ({config_file()}): {what}")


def _configured_library() -> Path | None:
    value = _settings().get("library")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise _error(f"library must be a folder path in quotes, not {_shown(value)}")
    return _expanded(value, str(config_file()))


def _expanded(path: str | os.PathLike[str], source: str) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # ~user of no such user
        raise ConfigError(f"library folder not found: {path} (from {source})") from None


def _shown(value: object) -> str:
    """A value from the file as the message shows it: short, one line."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def choose_library(option: str | os.PathLike[str] | None = None) -> LibraryChoice:
    """Decide which library to open; raise :class:`ConfigError` if it is not a folder."""
    if option is not None:
        choice = LibraryChoice(_expanded(option, "--library"), "--library")
    elif os.environ.get(ENV_LIBRARY):
        choice = LibraryChoice(_expanded(os.environ[ENV_LIBRARY], ENV_LIBRARY), ENV_LIBRARY)
    elif (configured := _configured_library()) is not None:
        choice = LibraryChoice(configured, str(config_file()))
    else:
        from qtreader.library.resources import shipped_library  # a module load spared when not used

        return LibraryChoice(shipped_library(), "shipped library")
    if not choice.path.is_dir():
        raise ConfigError(f"library folder not found: {choice.path} (from {choice.source})")
    return choice


def new_cards_per_day(default: int = DEFAULT_NEW_PER_DAY) -> int:
    """How many new cards study sessions may show a day: ``new_cards_per_day`` in
    ``config.toml``, else ``default``."""
    value = _settings().get("new_cards_per_day", default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NEW_PER_DAY:
        raise _error(
            "new_cards_per_day must be a whole number from 0 to "
            f"{MAX_NEW_PER_DAY}, not {_shown(value)}"
        )
    return value


def desired_retention(default: float = DEFAULT_DESIRED_RETENTION) -> float:
    """The share of reviews FSRS schedules cards to be remembered at: ``desired_retention``
    in ``config.toml``, else ``default``."""
    value = _settings().get("desired_retention", default)
    low, high = RETENTION_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(
            f"{config_file()}: desired_retention must be a number from {low} to {high} "
            f"(such as 0.9), not {value!r}"
        )
    return float(value)


def new_card_order(default: str = NEW_CARD_ORDERS[0]) -> str:
    """The order new cards come in: ``new_card_order`` in ``config.toml``, else ``default``."""
    value = _settings().get("new_card_order", default)
    if value not in NEW_CARD_ORDERS:
        choices = ", ".join(f'"{order}"' for order in NEW_CARD_ORDERS)
        raise ConfigError(
            f"{config_file()}: new_card_order must be one of {choices}, not {value!r}"
        )
    return str(value)
