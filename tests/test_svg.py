"""SVG pictures: any way a picture could run script or load something is found."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from builder.notes.svg import svg_problem

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'

HOSTILE = [
    "<script>alert(1)</script>",
    '<SCRIPT xlink:href="x.js"/>',
    '<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>',
    '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="x"/></foreignObject>',
    '<rect onload="alert(1)"/>',
    '<g ONMOUSEOVER="alert(1)"/>',
    '<a href="javascript:alert(1)"><text>x</text></a>',
    '<a xlink:href="java&#x09;script:alert(1)"><text>x</text></a>',
    '<a href=" &#106;avascript:alert(1)"><text>x</text></a>',
    '<a><set attributeName="href" to="javascript:alert(1)"/></a>',
    '<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>',
    '<image href="https://tracker.example/pixel.png"/>',
    '<image xlink:href="//tracker.example/pixel.png"/>',
    '<use href="other.svg#shape"/>',
    '<image href="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/>',
    "<style>@import url(https://x.example/a.css);</style>",
    "<style>rect { fill: url(https://x.example/p.svg#p) }</style>",
    '<rect style="fill: url(&quot;https://x.example/p&quot;)"/>',
    '<embed src="x.swf"/>',
]


@pytest.mark.parametrize("body", HOSTILE)
def test_a_picture_that_could_run_or_load_anything_is_refused(body: str) -> None:
    assert svg_problem(SVG.format(body).encode()) is not None


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "x">]><svg>&a;</svg>',
        b"<svg><rect></svg>",
        b"not xml at all",
        b"",
    ],
)
def test_entities_and_broken_files_are_refused(data: bytes) -> None:
    assert svg_problem(data) is not None


@pytest.mark.parametrize(
    "body",
    [
        '<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/>',
        '<use href="#shape"/><use xlink:href="#shape"/>',
        '<image href="data:image/png;base64,iVBORw0KGgo="/>',
        "<style>rect { fill: url(#g); stroke: red }</style>",
        "<title>A door, with &lt;hinges&gt;</title><text>onload is just a word</text>",
    ],
)
def test_ordinary_pictures_pass(body: str) -> None:
    assert svg_problem(SVG.format(body).encode()) is None


def test_the_pictures_palace_ships_pass() -> None:
    shipped = [*(REPO / "builder").rglob("*.svg"), *(REPO / "source").rglob("*.svg")]
    assert shipped
    for picture in shipped:
        assert svg_problem(Path(picture).read_bytes()) is None, picture
