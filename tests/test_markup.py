"""Inline Markdown of the notes: what renders, what is escaped, what is dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder import markup


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


@given(st.text(st.characters(blacklist_characters="\\`*_[]!<&\r"), max_size=60))
def test_plain_text_fast_path_matches_markdown(text: str) -> None:
    markup._inline.cache_clear()
    assert markup.inline(text) == markdown(text)
