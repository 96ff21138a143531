"""``python -m qtreader``."""

from qtreader.cli import main

main()
