"""The Jinja2 environment of the study site, and rendering one page to text.

Templates autoescape everything and fail on any undefined name. Notes text reaches HTML only
through filters (`text.py`): `md` (Markdown rendered and made safe by `builder.markup.inline`,
the one place where notes become `Markup`), `link` (the same inside a link of the site, where a
link of the notes would nest) and `plain` (the text without markup, escaped like any other
string, for titles and attributes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined, nodes
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup, escape

from builder.site.pages import relative, root_of
from builder.site.text import link_text, markdown, plain_text

if TYPE_CHECKING:
    from builder.build.memo import Table


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def escape_output(value: Any) -> str:
    """What `{{ value }}` writes: exactly markupsafe's `escape`, minus its copies.

    A big palace's pages hold hundreds of thousands of `{{ }}`; `escape` turns each into a new
    `Markup`, even one that already is (the rendered notes), a number or a string with nothing
    to escape (ids, paths). Same text, less work.
    """
    kind = type(value)
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if kind is str and not _NEEDS_ESCAPING.search(value):
        return value  # type: ignore[no-any-return]  # ids, paths: escaping changes nothing
    return escape(value)


_NEEDS_ESCAPING = re.compile("[&<>\"']")


class _CodeGenerator(CodeGenerator):
    """Compiles autoescaped `{{ x }}` to `environment.escape_output(x)` instead of `escape(x)`,
    and a run of text and `{{ }}` to one `yield "".join((...))` instead of one `yield` each
    (a room of 30 loci is otherwise a thousand trips through the template's generator).

    Jinja's documented hook for changing compiled code is `Environment.code_generator_class`;
    the methods overridden and called are internal. Should a Jinja release rename them,
    templates compile as Jinja does by default: the same output, only slower (test_site_safety
    checks that the output is the same).
    """

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        finalize = self._make_finalize()
        body: list[list[Any] | nodes.Expr] = []
        for child in node.nodes:  # constants folded as Jinja's own visit_Output does
            try:
                if not (finalize.const or isinstance(child, nodes.TemplateData)):
                    raise nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except Exception:  # Impossible, or an error better raised when rendering
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        self.writeline('yield "".join((')
        self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(self._output_const_repr(item) + ",")
            else:
                self.newline(item)
                self._output_child_pre(item, frame, finalize)
                self.visit(item, frame)
                self._output_child_post(item, frame, finalize)
                self.write(",")
        self.outdent()
        self.writeline("))")

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)


class SiteEnvironment(Environment):
    """Jinja2 as the site uses it: see `escape_output`."""

    code_generator_class = _CodeGenerator
    escape_output = staticmethod(escape_output)


def _environment() -> Environment:
    env = SiteEnvironment(
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
    template: str, path: str, parts: Mapping[str, Sequence[bytes]], **context: Any
) -> bytes:
    """`render_page`, where each name of `parts` is a piece of the page already rendered, as
    bytes to join: the template writes `{{ name }}` where it goes. A palace's big pages are
    mostly such pieces (one per room, see `memo.Memo`); joining bytes spares copying them
    through the template and encoding them again.

    Each piece stands in the template as a marker no text of the notes can produce (`<` is
    always escaped), which is then replaced by the piece's bytes.
    """
    marks = {name: Markup(f"<\x00{name}\x00>") for name in parts}
    pieces = _PART.split(render_page(template, path, **context, **marks))
    found = pieces[1::2]
    if sorted(found) != sorted(name.encode() for name in parts):
        raise AssertionError(f"{template}: parts {sorted(parts)}, found {found}")
    joined: list[bytes] = []
    for index, piece in enumerate(pieces):
        joined += parts[piece.decode()] if index % 2 else (piece,)
    return b"".join(joined)


class _RememberedCode(BytecodeCache):
    """Compiled templates kept in the memo between builds (by the template's name and source):
    a new process loads them instead of compiling them (~3–10 ms a template). The memo is
    empty whenever the builder's code or Jinja changes (`memo.stamp`), so the code generator
    (`_CodeGenerator`) that compiled them is always this one; Jinja checks its own version and
    Python's in what it loads, and compiles again on any mismatch."""

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
