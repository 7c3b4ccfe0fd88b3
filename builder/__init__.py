"""Palace: memory-palace notes → an Anki deck and a static study site."""

__version__ = "0.1.0"


def main() -> int:
    """The `palace` command (`cli.main`), loaded here so that a Ctrl-C while Python is still
    loading it ends as any other Ctrl-C does: one line, exit 130.

    A command that finished does not wait for Python to take its objects apart one by one
    (~30 ms after a build of 10,000 loci): everything it wrote is closed by then, and the output
    streams are flushed here. `palace serve` ends as usual, and so does any command under a
    profiler or coverage tool (they write their reports while Python shuts down)."""
    import os
    import sys

    try:
        from builder.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("palace: interrupted\n")
        return 130
    code = run()
    if sys.argv[1:2] == ["serve"] or sys.getprofile() or sys.gettrace():
        return code
    from builder.console import flush_streams

    flush_streams()
    os._exit(code)
