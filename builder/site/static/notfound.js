/* 404.html: GitHub Pages serves it for a missing path at any depth (/repo/a/b/missing), so its
   links can't be relative to where it was built. It finds the site root by asking parent folders
   of the address for the site's stylesheet (its name holds a content hash, so only the real root
   has it), then points its links there and starts the theme toggle. Folders followed by one of
   the site's own top-level folders (a palace, assets, pictures) are asked first, so the usual
   case costs one request and logs no failed one; then the others, deepest first. */
(function () {
  "use strict";
  var html = document.documentElement;
  var script = document.currentScript;
  var marker = script && script.getAttribute("data-marker");
  if (!marker || !window.fetch || !/^https?:$/.test(window.location.protocol)) { return; }

  var known = (script.getAttribute("data-folders") || "").split(" ");
  var folders = window.location.pathname.split("/");
  var likely = [];
  var others = [];
  for (var depth = folders.length - 1; depth >= 1; depth -= 1) {
    var folder = folders.slice(0, depth).join("/") + "/";
    (known.indexOf(folders[depth]) >= 0 ? likely : others).push(folder);
  }
  var candidates = likely.concat(others);

  function found(root) {
    html.setAttribute("data-root", root);
    var links = document.querySelectorAll("a[data-site-link]");
    for (var i = 0; i < links.length; i += 1) {
      links[i].setAttribute("href", root + links[i].getAttribute("data-site-link"));
    }
    if (typeof palaceTheme === "function") { palaceTheme(); }
  }

  function whenParsed(callback) {
    // the stylesheet may come from the cache before the body (and its links) is parsed
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function probe(index) {
    if (index >= candidates.length) { return; }
    window.fetch(candidates[index] + marker).then(
      function (response) {
        if (response.ok) {
          whenParsed(function () { found(candidates[index]); });
        } else {
          probe(index + 1);
        }
      },
      function () { probe(index + 1); }
    );
  }

  probe(0);
}());
