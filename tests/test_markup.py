"""Inline Markdown of the notes: what renders, what is escaped, what is dropped."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown import Markdown

from builder import markup

# Examples per property test; PALACE_MARKUP_EXAMPLES=20000 to search harder, locally.
EXAMPLES = int(os.environ.get("PALACE_MARKUP_EXAMPLES", "500"))


def markdown(text: str) -> str:
    """What a new Python-Markdown with our extension makes of a field, as `inline` returns it."""
    parser = Markdown(extensions=[markup.SafeInlineExtension()], output_format="html")
    rendered = parser.convert(text.strip())
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "matrix n * m, use torch.set_default_dtype(torch.flat64)",
            "matrix n * m, use torch.set_default_dtype(torch.flat64)",
        ),
        (
            "function where all activations add to 1 & >0",
            "function where all activations add to 1 &amp; &gt;0",
        ),
        (
            "`a: b` and **bold** and *em*",
            "<code>a: b</code> and <strong>bold</strong> and <em>em</em>",
        ),
        ("`<b>` stays code", "<code>&lt;b&gt;</code> stays code"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("stray </div></main> tags", "stray &lt;/div&gt;&lt;/main&gt; tags"),
        ("[x](javascript:alert(1))", "<a>x</a>"),
        ("[x](JaVa\tScript:alert(1))", "<a>x</a>"),
        ("[x](data:text/html,hi)", "<a>x</a>"),
        ("[a][b], ![x][y], [c] and [d][] stay text", "[a][b], ![x][y], [c] and [d][] stay text"),
        (
            "[docs](https://pytorch.org) [rel](other.html)",
            '<a href="https://pytorch.org">docs</a> <a href="other.html">rel</a>',
        ),
        ("![a cat](cat.png) sits", "a cat sits"),
        ("1. not a list", "1. not a list"),
        ("# not a heading", "# not a heading"),
        ("> not a quote", "&gt; not a quote"),
        ("output_batch = model(train_batch)", "output_batch = model(train_batch)"),
        ("first\n\nsecond", "<p>first</p>\n<p>second</p>"),
    ],
)
def test_inline(text: str, html: str) -> None:
    assert markup.inline(text) == html


def test_plain_drops_markup() -> None:
    assert markup.plain("**Soft**max & `x<y`") == "Softmax & x<y"


@pytest.mark.parametrize("text", ["a\n \nb", "a\n\t\nb", "0000\t\n0", "a\t\nb", "a \t\nb", "a \nb"])
def test_plain_text_shortcut_sees_breaks(text: str) -> None:
    """A tab before a newline may expand to a line break; a line of spaces or tabs is a new
    paragraph."""
    assert markup.inline(text) == markdown(text)


# Text without inline syntax, as people write it and as nobody would: block syntax, space.
PLAIN = [" ", "  ", "\t", "\n", "a", "word", "é", ">", "#", "1.", "-", "+", "=", "|", ":", ";"]
PLAIN += ["(", ")", "{", "}", '"', "'", "http://x.y", "\x0c", "\u00a0", "\u2028", "\ufeff"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.one_of(
        st.text(st.characters(blacklist_characters="\\`*_[]!<&\x02\x03\r"), max_size=60),
        st.lists(st.sampled_from(PLAIN), max_size=20).map("".join),
    )
)
def test_plain_text_shortcut_matches_markdown(text: str) -> None:
    """Text the shortcut escapes without the parser comes out as the parser would make it."""
    if markup._is_plain(text.strip()):
        assert markup.inline(text) == markdown(text)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "model loss with `grad()` and **loss**",
            "model loss with <code>grad()</code> and <strong>loss</strong>",
        ),
        ("``a`b`` and ` spaced `", "<code>a`b</code> and <code>spaced</code>"),
        ("`a < b && c`", "<code>a &lt; b &amp;&amp; c</code>"),
        (
            "__init__, _em_ and *em* and **strong**, done",
            "<strong>init</strong>, <em>em</em> and <em>em</em> and <strong>strong</strong>, done",
        ),
        ("(**x**) a*b*c", "(<strong>x</strong>) a<em>b</em>c"),
        (
            "**`x`** and *a_b* and **a * b**",
            "<strong><code>x</code></strong> and <em>a_b</em> and <strong>a * b</strong>",
        ),
        ("n * m, wd * weights, x_y_z, 2**", "n * m, wd * weights, x_y_z, 2**"),
        ("*unclosed and **", "*unclosed and **"),
        ("\\*not em\\* \\\\ \\a \\# \\>", "*not em* \\ \\a # &gt;"),
        ("&\\#38; & R&D", "&#38; &amp; R&amp;D"),
        ("1 & >0, a<b", "1 &amp; &gt;0, a&lt;b"),
        (
            "[**docs**](https://x.org/a_b?c=1&d=2)",
            '<a href="https://x.org/a_b?c=1&amp;d=2"><strong>docs</strong></a>',
        ),
        ("[run](javascript:alert) [x](JAVASCRIPT:y)", "<a>run</a> <a>x</a>"),
        ("one\nline *two*", "one\nline <em>two</em>"),
        ("tab\t`a\tb`", "tab <code>a  b</code>"),
    ],
)
def test_inline_markdown(text: str, html: str) -> None:
    """Code, strong, emphasis, escapes, entities and links as Python-Markdown renders them."""
    assert markup.inline(text) == html


def test_one_parser_reset_between_fields() -> None:
    """The parser is made once and reused: nothing of one field carries over to the next."""
    assert markup.inline("[a][r] and `x`") == markup.inline("[a][r] and `x`")
    assert markup._parser() is markup._parser()
    markup._inline.cache_clear()
    assert markup.inline("*a*") == "<em>a</em>"
    assert markup.inline("two  \nlines") == "two<br>\nlines"
    assert markup.inline("*b*") == "<em>b</em>"


# Pieces of Markdown-ish text: delimiters, brackets, escapes, entities, HTML, space, unicode.
WORDS = ["a", "b", "word", "x_y", "x1", "é", "日本", "ß", "ſ", "K", "Σ", "٣", "2", "grad()"]
SYNTAX = [
    *("`", "``", "*", "**", "***", "_", "__", "[", "]", "(", ")", "](", "<", ">", "&", "&amp;"),
    *("&#38;", "&x", ";", "\\", "!", "#", ".", "-", "{", '"', "'", ":", "@", "https://x.y/"),
    *("javascript:", "mailto:m@x.y", " ", "  ", "\n", "\t", "\x00", "\x0c", "\x1c", "\u00a0"),
    *("\u2003", "\u2028", "\u0301", "\ufeff", "<b>", "<script>", "![p](a.png)", "[x](data:y)"),
]
soup = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(SYNTAX), st.just(" ")), max_size=25
).map("".join)
OUR_TAGS = re.compile(r'</?(?:code|strong|em|a|p)>|<a href="[^"<>]*">|<br>')


@settings(max_examples=EXAMPLES, deadline=None)
@given(soup)
def test_only_our_tags_and_safe_links(text: str) -> None:
    """Whatever the notes say, the HTML has no tag but those Markdown makes of inline syntax,
    and no link but safe ones."""
    rendered = markup.inline(text)
    assert "<" not in OUR_TAGS.sub("", rendered), text
    for url in re.findall(r'<a href="([^"]*)">', rendered):
        assert markup.is_safe_url(html.unescape(url)), text


class _Hrefs(HTMLParser):
    """Every link target as a browser reads it: references decoded by the HTML parser, then
    what the URL parser drops (leading and trailing C0 controls and spaces, tabs and newlines
    anywhere)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value is not None:
                url = value.strip("".join(map(chr, range(0x21))))
                self.targets.append(re.sub("[\t\n\r]", "", url))


def _spelled(char: str, how: int) -> str:
    """One character of a link target, written one of the ways HTML allows."""
    named = {":": "&colon;", "(": "&lpar;", "/": "&sol;", ",": "&comma;"}
    return [
        char,
        f"&#{ord(char)};",
        f"&#x{ord(char):x};",
        f"&#000{ord(char)}",  # no `;`: browsers still decode it
        named.get(char, char),
        f"&amp;#{ord(char)};",
        char + "\t",
        "\x01" + char,
    ][how]


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.sampled_from(["javascript:", "JavaScript:", "vbscript:", "data:text/html,"]),
    st.lists(st.integers(0, 7), min_size=16, max_size=16),
    st.sampled_from(["[x]({})", "[x]( {} )", "[x](<{}>)", '[x]({} "t")']),
)
def test_no_spelling_of_a_script_link_survives(scheme: str, ways: list[int], form: str) -> None:
    target = "".join(_spelled(c, w) for c, w in zip(scheme, ways, strict=False)) + "alert(1)"
    parser = _Hrefs()
    parser.feed(markup.inline(form.format(target)))
    for url in parser.targets:
        scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)  # none: a relative link
        assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), url


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[x](https://a.example/?q=1&amp;r=2)", "https://a.example/?q=1&amp;r=2"),
        ("[x](https://a.example/a&#x3A;b)", "https://a.example/a:b"),
        ("[x](room.html#stove)", "room.html#stove"),
    ],
)
def test_safe_links_keep_their_target(text: str, href: str) -> None:
    assert f'href="{href}"' in markup.inline(text)


PATHOLOGICAL = ["[a](", "![a](", "[a](b", "[x](<", "[a]( ", "`a", "*a**", "_a", "\\\\", "[a", "&#"]


@pytest.mark.parametrize("piece", PATHOLOGICAL)
def test_pathological_fields_render_in_linear_time(piece: str) -> None:
    """80 kB of one piece took minutes when Markdown met many `](`: a field over MAX_FIELD
    characters or MAX_LINKS links is shown as text (the reader reports it), and a field just
    within both renders in well under a second."""
    import time

    start = time.process_time()
    markup.inline(piece * (80_000 // len(piece)))
    within = piece * (markup.MAX_FIELD // len(piece))
    if within.count("](") > markup.MAX_LINKS:
        within = piece * markup.MAX_LINKS + "x" * (markup.MAX_FIELD - len(piece) * 50)
    markup.inline(within)
    assert time.process_time() - start < 1


def test_a_field_with_links_up_to_the_limit_is_markdown() -> None:
    many = " ".join(["[a](https://a.example)"] * markup.MAX_LINKS)
    assert markup.inline(many).count("<a href") == markup.MAX_LINKS
    assert "<a" not in markup.inline(many + " [b](https://b.example)")
