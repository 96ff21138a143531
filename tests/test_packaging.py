"""Packaged files (stylesheet, shipped library) resolve from a wheel and from a checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qtreader.library import resources

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, qtreader, qtreader.library.resources as r
from qtreader.library.store import load_library
library = load_library(r.shipped_library())
print(json.dumps({
    "package": qtreader.__file__,
    "content": str(r.shipped_library()),
    "stylesheet": str(r.stylesheet()),
    "stylesheet_exists": r.stylesheet().is_file(),
    "articles": len(library),
    "problems": len(library.problems),
}))
"""


def test_checkout_resolves_the_top_level_folders() -> None:
    assert resources.shipped_library() == ROOT / "content"
    assert resources.stylesheet() == ROOT / "styles" / "qtreader.tcss"


@pytest.mark.slow
def test_wheel_carries_styles_and_content(tmp_path: Path) -> None:
    """Build the wheel, install it with pip, and run it from an unrelated folder."""
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("qtreader-*.whl")
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # PYTHONPATH comes before site-packages (and the editable install's path), so the
    # installed wheel is what gets imported; its dependencies come from this environment.
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=elsewhere, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["package"].startswith(str(target))
    assert found["content"] == str(target / "qtreader" / "_data" / "content")
    assert found["stylesheet"] == str(target / "qtreader" / "_data" / "styles" / "qtreader.tcss")
    assert found["stylesheet_exists"]
    assert found["articles"] >= 60 and found["problems"] == 0
