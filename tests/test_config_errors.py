"""A config.toml that is not UTF-8, not TOML, or holds a value of the wrong type: one line
naming the file and what is wrong, then exit 2 for the library setting (the commands do not
go on with another library than the one configured), or the default and a warning for
new_cards_per_day; the reader never crashes on it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qtreader.cli import main
from qtreader.library.config import config_file
from qtreader.tui.app import QTReaderApp

from .conftest import LIBRARY
from .pilot import loaded

BROKEN_CONFIGS = {
    b'library = "caf\xe9"\n': "not valid UTF-8 (byte 0xe9 at offset 14)",
    b"library = [\n": "not valid TOML",
    b"library = 5\n": "library must be a folder path in quotes, not 5",
    b'library = "a\\u0000b"\n': "library must be a folder path in quotes",
    b'library = "~no-such-user-here/x"\n': "library folder not found: ~no-such-user-here/x",
}


@pytest.mark.parametrize("content", BROKEN_CONFIGS)
def test_a_broken_config_is_one_line_and_exit_2(content: bytes) -> None:
    config = config_file()
    config.parent.mkdir(parents=True)
    config.write_bytes(content)
    result = CliRunner().invoke(main, ["subjects"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("qtreader: ")
    assert BROKEN_CONFIGS[content] in line
    assert str(config) in line


@pytest.mark.parametrize(
    "content", [b"new_cards_per_day = 'x'\n", b"new_cards_per_day = 1e3\n", b"\xff\n"]
)
def test_a_broken_setting_is_said_and_stats_goes_on(content: bytes) -> None:
    config = config_file()
    config.parent.mkdir(parents=True)
    config.write_bytes(content)
    result = CliRunner().invoke(main, ["stats", "--library", str(LIBRARY)])
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"qtreader: config.toml ({config}): ")
    assert line.endswith("; using 20 new cards a day")
    assert "Whole library" in result.stdout


async def test_the_app_says_what_is_wrong_with_config_and_goes_on() -> None:
    config = config_file()
    config.parent.mkdir(parents=True)
    config.write_bytes(b"new_cards_per_day = '\xff'\n")
    app = QTReaderApp(LIBRARY, start_article="501")
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        for _ in range(20):
            await pilot.pause()
            notices = [n.message for n in app._notifications]
            if notices:
                break
        assert any("config.toml" in n and "not valid UTF-8" in n for n in notices), notices
        assert app.is_running
