"""Data for the site's scripts, shipped as `.js` files that assign a global.

Browsers refuse to `fetch()` a JSON file from `file://`, but a `<script src>` loads anywhere,
and the pages' Content-Security-Policy (`script-src 'self'`) allows it where an inline script
would need a hash. So each palace's study data is a file like

    window.PALACES = window.PALACES || {};
    window.PALACES["ml-palace"] = {...};

The JSON is made safe for any script context: `<`, `>` and `&` are escaped (the same text could
sit inside an HTML `<script>` element without ending it), and so are U+2028 and U+2029 (line
terminators in older JavaScript). The value must be made of dicts, lists, strings, numbers and
None; keys and lists come out in the order given, so the same data gives the same bytes.
"""

from __future__ import annotations

import json

_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def script_json(value: object) -> str:
    """`value` as JSON that is also safe inside an HTML `<script>` element."""
    text = _ENCODER.encode(value)
    for character, escaped in _ESCAPES:
        if character in text:
            text = text.replace(character, escaped)
    return text
