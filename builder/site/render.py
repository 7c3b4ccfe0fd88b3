"""The Jinja2 environment of the study site, and rendering one page to text.

Templates autoescape everything and fail on any undefined name. Notes text reaches HTML only
through filters (`text.py`): `md` (Markdown rendered and made safe by `builder.markup.inline`,
the one place where notes become `Markup`), `link` (the same inside a link of the site, where a
link of the notes would nest) and `plain` (the text without markup, escaped like any other
string, for titles and attributes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup, escape

from .pages import relative, root_of
from .text import link_text, markdown, plain_text


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
