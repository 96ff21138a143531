"""``python -m qtreader``."""

from qtreader.cli.launch import main

main()
