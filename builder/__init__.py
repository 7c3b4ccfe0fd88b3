"""Palace: memory-palace notes → an Anki deck and a static study site."""

__version__ = "0.2.0"
