"""The Jinja2 environment of the study site, and rendering one page to text.

Templates autoescape everything and fail on any undefined name. Notes text reaches HTML only
through filters (`text.py`): `md` (Markdown rendered and made safe by `builder.markup.inline`,
the one place where notes become `Markup`), `link` (the same inside a link of the site, where a
link of the notes would nest) and `plain` (the text without markup, escaped like any other
string, for titles and attributes).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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
    `Markup`, even one that already is (the rendered notes) or a number. Same text, less work.
    """
    kind = type(value)
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    return escape(value)


class _CodeGenerator(CodeGenerator):
    """Compiles autoescaped `{{ x }}` to `environment.escape_output(x)` instead of `escape(x)`.

    Jinja's documented hook for changing compiled code is `Environment.code_generator_class`;
    the method overridden is internal. Should a Jinja release rename it, templates compile to
    the standard `escape` again: the same output, only slower (test_site checks both).
    """

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


def render_page(template: str, path: str, **context: Any) -> bytes:
    """One page at `path` (from the site root) as UTF-8 bytes.

    Templates get `url(target)`: the relative URL of a site path from this page.
    """
    url: Callable[[str], str] = partial(relative, path)
    html = ENVIRONMENT.get_template(template).render(
        page=path, url=url, root=root_of(path) or "./", **context
    )
    return html.encode("utf-8")
