"""What `palace serve` adds to the pages it serves: the reload script, and a stand-in page.

Neither is ever written to the output folder (see `devserver`).
"""

from __future__ import annotations

PLACEHOLDER = b"""<!doctype html>
<html lang="en"><meta charset="utf-8"><title>palace serve</title>
<body><p>No site yet: the first build has not succeeded. Fix what is shown below; this page
reloads by itself.</p></body></html>
"""

# Runs in the served pages only. Builds the overlay with createElement and textContent (never
# innerHTML: the messages quote the notes) and styles it through the CSSOM, which the pages'
# policy allows (it forbids inline style attributes and elements).
RELOAD_JS = """\
// palace serve: reload after a rebuild, show the notes' problems over the page.
(function () {
  "use strict";
  var me = document.currentScript;
  var seen = me ? me.getAttribute("data-generation") : null;
  var ID = "palace-serve-overlay";
  var shown = "null";
  var failures = 0;
  var version = ""; // the state this page has seen: none yet
  var RETRY = 500; // ms before asking again after a failed answer, times the failures

  function el(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (style) Object.assign(node.style, style);
    return node;
  }

  function overlay(state) {
    var old = document.getElementById(ID);
    if (old) old.remove();
    if (!state.problems) return;
    var box = el("section", "", {
      position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "2147483647",
      maxHeight: "60vh", overflow: "auto", margin: "0", padding: "12px 16px",
      background: "#fff4f4", color: "#1a1a1a", borderTop: "4px solid #c62828",
      font: "14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      boxShadow: "0 -4px 16px rgba(0,0,0,.25)", textAlign: "left"
    });
    box.id = ID;
    box.setAttribute("role", "alert");
    var close = el("button", "\\u00d7", {
      float: "right", font: "inherit", fontSize: "20px", lineHeight: "1", border: "0",
      background: "transparent", color: "inherit", cursor: "pointer"
    });
    close.setAttribute("aria-label", "Hide until the next build");
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    box.appendChild(el("p", state.title, { margin: "0 0 8px", fontWeight: "bold" }));
    state.problems.forEach(function (problem) {
      var item = el("div", "", { margin: "0 0 8px" });
      if (problem.where) item.appendChild(el("strong", problem.where + ": "));
      item.appendChild(el("span", problem.severity + ": ", {
        color: problem.severity === "error" ? "#b71c1c" : "#8a5a00", fontWeight: "bold"
      }));
      item.appendChild(el("span", problem.message));
      if (problem.text !== null && problem.text !== undefined) {
        item.appendChild(el("pre", problem.line + " | " + problem.text, {
          margin: "4px 0 0", whiteSpace: "pre-wrap", color: "#444"
        }));
      }
      box.appendChild(item);
    });
    document.body.appendChild(box);
  }

  window.__palaceServe = function (state) {
    failures = 0;
    version = state.version;
    if (!state.problems && seen !== null && state.generation !== seen) {
      location.reload();
      return;
    }
    var now = JSON.stringify(state.problems);
    if (now !== shown) {
      shown = now;
      overlay(state);
    }
  };

  // Each answer is held by the server until there is news (or 20 s pass): ask again at once.
  function poll() {
    var script = document.createElement("script");
    script.src = "/__palace__/state.js?after=" + version + "&t=" + Date.now();
    script.onload = function () { script.remove(); setTimeout(poll, 0); };
    script.onerror = function () {
      script.remove();
      failures += 1;
      setTimeout(poll, Math.min(RETRY * failures, 5000));
    };
    document.head.appendChild(script);
  }
  // After the page's load event: a script still loading would hold that event back.
  if (document.readyState === "complete") poll();
  else window.addEventListener("load", poll);
})();
"""
