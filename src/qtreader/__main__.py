"""``python -m qtreader``."""

from qtreader.launch import main

main()
