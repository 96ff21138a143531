"""User configuration and the choice of library.

The library is, in order: ``--library PATH``, ``$QTREADER_LIBRARY``, ``library = "..."`` in
``config.toml`` in the user config dir, else the library that ships with qtreader.
``config.toml`` also sets ``new_cards_per_day`` for study sessions (default 20) and
``new_card_order``, the order new cards come in (default ``interleaved``).
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
    "new_card_order",
    "new_cards_per_day",
]

ENV_LIBRARY = "QTREADER_LIBRARY"


class ConfigError(Exception):
    """The configuration file or a chosen library is not usable; the message says why."""


class LibraryChoice(NamedTuple):
    """The library folder to open and where that choice came from."""

    path: Path
    source: str


#: New cards a day unless ``config.toml`` says otherwise (``new_cards_per_day``).
DEFAULT_NEW_PER_DAY = 20


#: The orders new cards may come in (``new_card_order``), the default first: interleaved
#: across the subjects of the scope, shuffled, or by the articles' dates.
NEW_CARD_ORDERS = ("interleaved", "random", "date")


def config_file() -> Path:
    """``config.toml`` in the user config dir (it need not exist)."""
    return user_config_path("qtreader", appauthor=False) / "config.toml"


def _settings() -> dict[str, object]:
    """The settings of ``config.toml``; none when it does not exist."""
    path = config_file()
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"{path}: {error}") from None
    import tomllib  # only when there is a file to read

    try:
        with handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None


def _configured_library() -> Path | None:
    path = config_file()
    value = _settings().get("library")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: library must be a folder path in quotes, not {value!r}")
    return Path(value).expanduser()


def choose_library(option: str | os.PathLike[str] | None = None) -> LibraryChoice:
    """Decide which library to open; raise :class:`ConfigError` if it is not a folder."""
    if option is not None:
        choice = LibraryChoice(Path(option).expanduser(), "--library")
    elif os.environ.get(ENV_LIBRARY):
        choice = LibraryChoice(Path(os.environ[ENV_LIBRARY]).expanduser(), ENV_LIBRARY)
    elif (configured := _configured_library()) is not None:
        choice = LibraryChoice(configured, str(config_file()))
    else:
        from qtreader.resources import shipped_library  # a module load spared when not used

        return LibraryChoice(shipped_library(), "shipped library")
    if not choice.path.is_dir():
        raise ConfigError(f"library folder not found: {choice.path} (from {choice.source})")
    return choice


def new_cards_per_day(default: int = DEFAULT_NEW_PER_DAY) -> int:
    """How many new cards study sessions may show a day: ``new_cards_per_day`` in
    ``config.toml``, else ``default``."""
    value = _settings().get("new_cards_per_day", default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"{config_file()}: new_cards_per_day must be a whole number of 0 or more, not {value!r}"
        )
    return value


def new_card_order(default: str = NEW_CARD_ORDERS[0]) -> str:
    """The order new cards come in: ``new_card_order`` in ``config.toml``, else ``default``."""
    value = _settings().get("new_card_order", default)
    if value not in NEW_CARD_ORDERS:
        choices = ", ".join(f'"{order}"' for order in NEW_CARD_ORDERS)
        raise ConfigError(
            f"{config_file()}: new_card_order must be one of {choices}, not {value!r}"
        )
    return str(value)
