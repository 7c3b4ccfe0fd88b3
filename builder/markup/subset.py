"""The common, simple inline Markdown of the notes (code spans, strong and emphasis that do not
nest, backslash escapes, plain links) rendered here, byte for byte as Python-Markdown with the
extension of `markup.py` renders it, at a tenth of the cost. Anything else, and anything
ambiguous, is refused (None) and goes to Python-Markdown: tests/test_markup.py compares both
over generated Markdown. The steps follow Python-Markdown's own order: code spans, escapes,
links, then strong and emphasis. Each finished piece becomes an "atom", one character of the
private use area standing for it, as Python-Markdown puts a placeholder in its place: it is
punctuation to the rules of `*` and `_`, and is expanded when the text is written.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from builder.markup import LINE_BREAKS, is_safe_url

_ATOM_FIRST = 0xE000  # to U+F8FF: 6,400 atoms; each stands for 2 characters or more of the text
_ESCAPED = frozenset("\\`*_{}[]()>#+-.!")  # Python-Markdown's ESCAPED_CHARS
Atoms = list[tuple[bool, str]]  # (is text, its text or HTML) of each atom, in order


class _Refused(Exception):
    """The text needs Python-Markdown."""


def render(text: str) -> str | None:
    """`text` (stripped) as Python-Markdown renders it, or None where that needs the parser."""
    return _fast_path().render(text)


@lru_cache(maxsize=1)
def _fast_path() -> _FastPath:
    """Made on first use: its patterns take milliseconds to compile, which a build whose fields
    are plain text, or remembered, need not spend."""
    return _FastPath()


class _FastPath:
    def __init__(self) -> None:
        self.atom = re.compile("([\ue000-\uf8ff])")
        self.refused = re.compile(r"[\x02\x03\r]")  # placeholders of Markdown; carriage returns
        # The serializer keeps an `&` that starts an entity (case-blind), and so does `entity`.
        self.entity = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
        self.amp = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);)", re.IGNORECASE)
        self.ticks = re.compile(r"`+")
        self.escape = re.compile(r"\\(.)", re.DOTALL)
        self.link = re.compile(r"\[([^\[\]\n]*)\]\(([^\s()<>\"'\[\]\\`]*)\)")
        self.run = re.compile(r"\*+|_+")

    def render(self, text: str) -> str | None:
        if (
            len(text) > 12_000
            or self.refused.search(text)
            or (not text.isascii() and self.atom.search(text))  # our own placeholders
            or "\\`" in text  # a code span, or an escaped backtick, depending on what is before
            or "![" in text  # pictures
            or ("<" in text and ">" in text[text.index("<") :])  # `<http://…>`, `<me@x.org>`
            or ("&" in text and self.entity.search(text))
            or ("\n" in text and LINE_BREAKS.search(text))
        ):
            return None
        if "\t" in text:
            text = text.expandtabs(4)
        atoms: Atoms = []
        try:
            if "`" in text:
                text = self.code_spans(text, atoms)
            if "\\" in text:
                text = self.escape.sub(lambda m: self.escaped(m, atoms), text)
            if "[" in text:
                text = self.links(text, atoms)
            return self.write(self.emphasis(text, atoms), atoms)
        except _Refused:
            return None

    def write(self, data: str, atoms: Atoms) -> str:
        """`data` as HTML: atoms expanded, text escaped as Python-Markdown's serializer does it
        (an escaped character is text, so `&\\#38;` is the entity `&#38;`)."""
        if data.isascii():
            return self.escaped_text(data)
        html: list[str] = []
        text: list[str] = []
        for index, piece in enumerate(self.atom.split(data)):
            if not index % 2:
                text.append(piece)
                continue
            is_text, value = atoms[ord(piece) - _ATOM_FIRST]
            if is_text:
                text.append(value)
            else:
                html += (self.escaped_text("".join(text)), value)
                text.clear()
        html.append(self.escaped_text("".join(text)))
        return "".join(html)

    def escaped_text(self, text: str) -> str:
        if "&" in text:
            text = self.amp.sub("&amp;", text)
        return text.replace("<", "&lt;").replace(">", "&gt;")

    def code_spans(self, text: str, atoms: Atoms) -> str:
        """Each code span as an atom: a run of backticks up to the next run as long."""
        if "``" not in text:  # single backticks: every other piece is code
            pieces = text.split("`")
            if not len(pieces) % 2:
                raise _Refused  # one left open: Markdown shows it as it is
            for index in range(1, len(pieces), 2):
                pieces[index] = _code(pieces[index], atoms)
            return "".join(pieces)
        done: list[str] = []
        position = 0
        while (opening := self.ticks.search(text, position)) is not None:
            width = opening.end() - opening.start()
            closing = self.ticks.search(text, opening.end())
            while closing is not None and closing.end() - closing.start() != width:
                closing = self.ticks.search(text, closing.end())
            if closing is None:
                raise _Refused  # Markdown pairs it with a shorter run, or shows it as it is
            code = _code(text[opening.end() : closing.start()], atoms)
            done += (text[position : opening.start()], code)
            position = closing.end()
        done.append(text[position:])
        return "".join(done)

    @staticmethod
    def escaped(match: re.Match[str], atoms: Atoms) -> str:
        """A backslash escape as an atom; a backslash before any other character stays."""
        return _atom(atoms, True, match[1]) if match[1] in _ESCAPED else match[0]

    def links(self, text: str, atoms: Atoms) -> str:
        """Each `[text](url)` as an atom; any other `[` (references, nested brackets, a code
        span or escape in the URL) is refused."""
        done: list[str] = []
        position = 0
        for link in self.link.finditer(text):
            url = link[2]
            if "[" in text[position : link.start()] or (
                not url.isascii() and self.atom.search(url)
            ):
                raise _Refused
            label = self.write(self.emphasis(link[1], atoms), atoms)
            if is_safe_url(url):
                link_html = '<a href="' + url.replace("&", "&amp;") + '">' + label + "</a>"
            else:
                link_html = "<a>" + label + "</a>"
            done += (text[position : link.start()], _atom(atoms, False, link_html))
            position = link.end()
        if "[" in text[position:]:
            raise _Refused
        done.append(text[position:])
        return "".join(done)

    def emphasis(self, data: str, atoms: Atoms) -> str:
        """Strong (`**x**`, `__x__`) and emphasis (`*x*`, `_x_`) that do not nest, as atoms.

        Python-Markdown's delimiter rules, for a run of `*` or `_` between the characters before
        and after it (an atom counts as punctuation): a run can open when a non-space follows
        it, close when a non-space precedes it; `_` also only opens after, and closes before, a
        non-word character. An opener pairs with the next run of its kind that can close and is
        as long."""
        if "*" not in data and "_" not in data:
            return data
        done: list[str] = []
        position = 0
        opener: re.Match[str] | None = None
        closed_at = -1
        for run in self.run.finditer(data):
            start, end = run.span()
            before = "\ue000" if start == closed_at else data[start - 1] if start else ""
            after = data[end] if end < len(data) else ""
            opens = after != "" and not after.isspace()
            closes = before != "" and not before.isspace()
            if data[start] == "_":
                opens = opens and not (before.isalnum() or before == "_")
                closes = closes and not (after.isalnum() or after == "_")
            if opener is None:
                if opens:
                    if end - start > 2:
                        raise _Refused
                    opener = run
                continue
            if data[start] != data[opener.start()] or not closes:
                if opens:
                    raise _Refused  # it would open inside: nested, or crossed
                continue
            if end - start != opener.end() - opener.start():
                raise _Refused  # `*a**`, `**a*`: Markdown's rules for splitting runs
            tag = "strong" if end - start == 2 else "em"
            element = f"<{tag}>{self.write(data[opener.end() : start], atoms)}</{tag}>"
            done += (data[position : opener.start()], _atom(atoms, False, element))
            position = closed_at = end
            opener = None
        done.append(data[position:])
        return "".join(done)


def _atom(atoms: Atoms, is_text: bool, value: str) -> str:
    atoms.append((is_text, value))
    return chr(_ATOM_FIRST + len(atoms) - 1)


def _code(code: str, atoms: Atoms) -> str:
    return _atom(atoms, False, "<code>" + html.escape(code.strip(), quote=False) + "</code>")
