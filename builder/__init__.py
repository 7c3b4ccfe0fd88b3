"""Palace: memory-palace notes → an Anki deck and a static study site."""

__version__ = "0.1.0"


def main() -> int:
    """The `palace` command (`cli.main`), loaded here so that a Ctrl-C while Python is still
    loading it ends as any other Ctrl-C does: one line, exit 130."""
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        import sys

        sys.stderr.write("palace: interrupted\n")
        return 130
    return run()
