"""qtreader: a terminal reader for libraries of QuickTakes study articles."""

__version__ = "0.1.0"
