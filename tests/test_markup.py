"""Inline Markdown of the notes: what renders, what is escaped, what is dropped."""

from __future__ import annotations

import os
import re
from itertools import product

import pytest
from conftest import REPO, SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import markup
from builder.notes.load import load_notes

# Examples per property test; PALACE_MARKUP_EXAMPLES=20000 to search harder, locally.
EXAMPLES = int(os.environ.get("PALACE_MARKUP_EXAMPLES", "500"))


def markdown(text: str) -> str:
    """What Python-Markdown (with our extension) makes of a field, as `inline` returns it."""
    parser = markup._parser()
    parser.reset()
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
def test_plain_text_fast_path_sees_breaks(text: str) -> None:
    """A tab before a newline may expand to a line break; a line of spaces or tabs is a new
    paragraph."""
    markup._inline.cache_clear()
    assert markup.inline(text) == markdown(text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(st.characters(blacklist_characters="\\`*_[]!<&\r"), max_size=60))
def test_plain_text_fast_path_matches_markdown(text: str) -> None:
    markup._inline.cache_clear()
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
def test_fast_path(text: str, html: str) -> None:
    """Fields the fast path renders itself, exactly as Python-Markdown does."""
    assert markup._fast_inline(text) == html == markdown(text)


@pytest.mark.parametrize(
    "text",
    [
        "**a *b* c**",  # nested
        "**a*b**",  # runs of different lengths
        "***both***",
        "`unclosed",
        "```a``",  # Markdown pairs it with a shorter run
        "\\`not code`",
        "[ref] and [x][y]",
        "[a [b]](c)",
        '[a](b c) [a](<b>) [a](b "t") [a](b(c))',
        "![pic](a.png)",
        "<https://x.org> <me@x.org>",
        "&amp; &#38; &x;",
        "two  \nlines",
        "two\n\nparagraphs",
        "\x02\x03\r",
    ],
)
def test_fast_path_refuses(text: str) -> None:
    """What the fast path leaves to Python-Markdown (which still renders it)."""
    assert markup._fast_inline(text) is None
    markup._inline.cache_clear()
    assert markup.inline(text) == markdown(text)


def test_real_notes_take_the_fast_path() -> None:
    """Every field of the real notes with Markdown syntax is rendered without the parser."""
    notes = load_notes([str(SEED), str(REPO / "source" / "ml-palace.md")])
    fields = [
        text
        for palace in notes.palaces
        for room in palace.rooms
        for locus in room.loci
        for text in (
            room.note or "",
            locus.concept,
            locus.description,
            locus.note or "",
            *(part for step in locus.steps for part in (step.concept, step.description)),
        )
    ]
    syntax = [text for text in fields if not markup._is_plain(text)]
    assert len(syntax) >= 10
    for text in syntax:
        assert markup._fast_inline(text.strip()) == markdown(text), text


# Pieces of Markdown-ish text: delimiters, brackets, escapes, entities, HTML, space, unicode.
WORDS = ["a", "b", "word", "x_y", "x1", "é", "日本", "ß", "ſ", "K", "Σ", "٣", "2", "grad()"]
SYNTAX = [
    *("`", "``", "*", "**", "***", "_", "__", "[", "]", "(", ")", "](", "<", ">", "&", "&amp;"),
    *("&#38;", "&x", ";", "\\", "!", "#", ".", "-", "{", '"', "'", ":", "@", "https://x.y/"),
    *("javascript:", "mailto:m@x.y", " ", "  ", "\n", "\t", "\x00", "\x0c", "\x1c", "\u00a0"),
    *("\u2003", "\u2028", "\u0301", "\ufeff"),
]
word = st.sampled_from(WORDS)
soup = st.lists(st.one_of(word, st.sampled_from(SYNTAX), st.just(" ")), max_size=25).map("".join)
# Fields as people write them: words with code, strong, emphasis, links and escapes between,
# some of them with soup inside.
words = st.lists(st.one_of(word, st.just(" ")), min_size=1, max_size=6).map("".join)
inner = st.one_of(words, words, soup)
written = st.lists(
    st.one_of(
        word,
        st.sampled_from([" ", " ", ", ", ". ", " (", ") ", " & ", " * ", " > ", " < ", "\n"]),
        st.builds("`{}`".format, inner),
        st.builds("``{}``".format, inner),
        st.builds(lambda d, t: f"{d}{t}{d}", st.sampled_from(["*", "**", "_", "__"]), inner),
        st.builds(
            "[{}]({})".format,
            inner,
            st.sampled_from(["https://x.y/a_b?c=1&d=2", "p.html", "", "javascript:x"]),
        ),
        st.builds("\\{}".format, st.characters(codec="ascii")),
    ),
    max_size=12,
).map("".join)


OUR_TAGS = re.compile(r'</?(?:code|strong|em|a)>|<a href="[^"<>]*">')


@pytest.mark.parametrize(("strategy", "share"), [(soup, 0.5), (written, 0.4)])
def test_fast_path_matches_markdown(strategy: st.SearchStrategy[str], share: float) -> None:
    """Whatever the fast path accepts, it renders byte for byte as Python-Markdown; and it
    accepts a good share (so this tests something)."""
    accepted: list[bool] = []

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def compare(text: str) -> None:
        fast = markup._fast_inline(text.strip())
        accepted.append(fast is not None)
        if fast is not None:
            assert fast == markdown(text), text
            assert "<" not in OUR_TAGS.sub("", fast), text  # no HTML but ours

    compare()
    assert sum(accepted) >= share * len(accepted), (sum(accepted), len(accepted))


@pytest.mark.parametrize(
    ("pieces", "length"),
    [
        (["*", "**", "_", "a", " ", "`", "\\", "[", "](u)", "é", ".", "&", "\n"], 4),
        (["*", "_", "a", " ", ".", "`"], 5),
    ],
)
def test_fast_path_matches_markdown_on_every_short_text(pieces: list[str], length: int) -> None:
    """Every text of up to `length` pieces: what the fast path accepts, it renders as Markdown."""
    texts = {"".join(p).strip() for n in range(length) for p in product(pieces, repeat=n + 1)}
    rendered = {text: markup._fast_inline(text) for text in texts if text}
    assert [
        text for text, html in rendered.items() if html is not None and html != markdown(text)
    ] == []
    assert sum(html is not None for html in rendered.values()) >= len(rendered) / 4
