"""Palace: memory-palace notes → an Anki deck and a static study site."""

__version__ = "0.1.0"


def main() -> int:
    """The `palace` command; `builder.cli.main` is the entry point, this one stays for
    installs made before it moved."""
    from builder.cli import main as run

    return run()
