"""The Jinja2 environment of the study site (stock Jinja2, public API), and rendering one page.

Templates autoescape everything and fail on any undefined name. Notes text reaches HTML only
through filters (`text.py`): `md` (Markdown rendered and made safe by `builder.markup.inline`,
the one place where notes become `Markup`), `link` (the same inside a link of the site, where a
link of the notes would nest) and `plain` (the text without markup, escaped like any other
string, for titles and attributes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup

from builder.site.pages import relative, root_of
from builder.site.text import link_text, markdown, plain_text

if TYPE_CHECKING:
    from builder.cache.memo import Table


def plural(count: int, one: str, many: str) -> str:
    """`1 locus`, `2 loci`."""
    return f"{count} {one if count == 1 else many}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader(__name__.rpartition(".")[0], "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["md"] = markdown
    env.filters["plain"] = plain_text
    env.filters["link"] = link_text
    env.globals["plural"] = plural
    return env


ENVIRONMENT = _environment()  # built once: templates are compiled on first use, then reused


def page_url(path: str) -> Callable[[str], str]:
    """`url(target)` for the page at `path`: the relative URL of a site path from the page.
    Files at the root and under `assets/` and `pictures/` (most links of every page) skip the
    search for a common folder: they are `root_of(path)` plus their path, as `relative` says."""
    root = root_of(path)

    def url(target: str) -> str:
        if "#" not in target and ("/" not in target or target.startswith(_FROM_ROOT)):
            return root + target
        return relative(path, target)

    return url


_FROM_ROOT = ("assets/", "pictures/")


def render_page(template: str, path: str, **context: Any) -> bytes:
    """One page at `path` (from the site root) as UTF-8 bytes.

    Templates get `url(target)`: the relative URL of a site path from this page.
    """
    html = ENVIRONMENT.get_template(template).render(
        page=path, url=page_url(path), root=root_of(path) or "./", **context
    )
    return html.encode("utf-8")


_PART = re.compile(rb"<\x00([a-z_]+)\x00>")


def render_with_parts(
    template: str, path: str, parts: Mapping[str, Iterable[bytes]], **context: Any
) -> Iterator[bytes]:
    """`render_page` as pieces to write one after the other, where each name of `parts` is a
    part of the page already rendered, in pieces: the template writes `{{ name }}` where it
    goes. A palace's big pages are mostly such pieces (one per room, see `memo.Memo`): they
    are never copied through the template, encoded again or joined into one page.

    Each part stands in the template as a marker no text of the notes can produce (`<` is
    always escaped), which is then replaced by the part's pieces.
    """
    marks = {name: Markup(f"<\x00{name}\x00>") for name in parts}
    pieces = _PART.split(render_page(template, path, **context, **marks))
    found = pieces[1::2]
    if sorted(found) != sorted(name.encode() for name in parts):
        raise AssertionError(f"{template}: parts {sorted(parts)}, found {found}")
    for index, piece in enumerate(pieces):
        if index % 2:
            yield from parts[piece.decode()]
        else:
            yield piece


def joined(separator: bytes, pieces: Iterable[bytes]) -> Iterator[bytes]:
    """`separator.join(pieces)`, as pieces: the whole is never held."""
    first = True
    for piece in pieces:
        if not first:
            yield separator
        first = False
        yield piece


class _RememberedCode(BytecodeCache):
    """Compiled templates kept in the memo between builds (by the template's name and source),
    through Jinja's public bytecode cache API: a new process that renders a few pages after an
    edit loads them instead of compiling them. The memo is emptied whenever the builder's code
    or Jinja changes (`memo.stamp`); Jinja checks its own version and Python's in what it
    loads, and compiles again on any mismatch."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        checksum = self.get_source_checksum(source)
        bucket = Bucket(environment, self.get_cache_key(name, filename), checksum)

        def compiled() -> bytes:
            bucket.code = environment.compile(source, name, filename)
            return bucket.bytecode_to_string()

        data = self.table.get((name, checksum), compiled)
        if bucket.code is None:
            bucket.bytecode_from_string(data)  # leaves `code` None if it does not fit
        _COMPILED[(name, checksum)] = data
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        pass  # get_bucket does it

    def dump_bytecode(self, bucket: Bucket) -> None:
        pass  # the memo is saved with the build

    def set_bucket(self, bucket: Bucket) -> None:
        pass


_COMPILED: dict[tuple[str, str], bytes] = {}  # every template this process loaded


@contextmanager
def remembered_templates(table: Table | None) -> Iterator[None]:
    """Within the block, templates are loaded from `table` or compiled into it; those this
    process loaded before (and keeps compiled) are added to it, so that it keeps them."""
    if table is None:
        yield
        return
    for key, data in _COMPILED.items():
        table.get(key, lambda data=data: data)  # type: ignore[misc]
    ENVIRONMENT.bytecode_cache = _RememberedCode(table)
    try:
        yield
    finally:
        ENVIRONMENT.bytecode_cache = None
