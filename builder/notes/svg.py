"""Whether an SVG picture could run script or load anything when opened on its own.

Shown through `<img>`, an SVG is inert; but its file is published on the site's origin (shared
by all of an owner's project sites) and copied into Anki's media folder, and opened directly
it is a document: scripts run, links and references load. Palace refuses such a picture
instead of rewriting it: the notes say which file and why, and the owner exports it again
without scripts. What is refused: a DOCTYPE (entities), script, foreign content and
animation of links, event-handler attributes, references to anything outside the file (except
`data:` raster images), and `javascript:` anywhere. Parsed by a real XML parser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from xml.parsers import expat

_ACTIVE = {
    "script": "a <script> element",
    "foreignobject": "a <foreignObject> element (HTML inside the picture)",
    "iframe": "an <iframe> element",
    "embed": "an <embed> element",
    "object": "an <object> element",
    "handler": "a <handler> element",
    "listener": "a <listener> element",
}
_ANIMATION = {"set", "animate", "animatemotion", "animatetransform", "discard"}
_REFERENCE = {"href", "src", "data", "action", "formaction"}
_RASTER = re.compile(r"data:image/(png|jpeg|gif|webp|avif)[;,]", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)|@import", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def svg_problem(data: bytes) -> str | None:
    """Why the SVG `data` could run script or load something, or None when it cannot."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        return "it declares a DOCTYPE or entities"
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, expat.ExpatError, ValueError) as error:
        return f"it is not well-formed XML ({error})"
    for element in root.iter():
        name = _local(element.tag)
        if name in _ACTIVE:
            return f"it has {_ACTIVE[name]}"
        for attribute, value in element.attrib.items():
            problem = _attribute_problem(name, _local(attribute), value)
            if problem:
                return problem
        if name == "style" and _css_problem(element.text or ""):
            return "its <style> loads something from outside the picture"
    return None


def _attribute_problem(element: str, attribute: str, value: str) -> str | None:
    squeezed = _INVISIBLE.sub("", value).lower()
    if attribute.startswith("on"):
        return f"it has an event handler ({attribute}) on <{element}>"
    if "javascript:" in squeezed or "vbscript:" in squeezed:
        return f"it has a javascript: URL in {attribute} of <{element}>"
    if element in _ANIMATION and attribute == "attributename" and squeezed.endswith("href"):
        return f"it animates a link (<{element} attributeName={value!r}>)"
    if attribute in _REFERENCE and not (squeezed.startswith("#") or _RASTER.match(squeezed)):
        return f"it refers to something outside the picture ({attribute}={value[:60]!r})"
    if attribute == "style" and _css_problem(value):
        return f"its style on <{element}> loads something from outside the picture"
    return None


def _css_problem(css: str) -> bool:
    for match in _CSS_URL.finditer(css):
        target = match.group(1)
        if target is None or not (target.startswith("#") or _RASTER.match(target)):
            return True
    return False


def _local(name: str) -> str:
    """`{http://www.w3.org/2000/svg}foreignObject` → `foreignobject`."""
    return name.rpartition("}")[2].rpartition(":")[2].lower()
