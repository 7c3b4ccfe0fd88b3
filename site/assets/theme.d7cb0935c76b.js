/* Palace study site: the script every page loads, in its head: the light/dark theme toggle, and
   what a key press means to the pages' keyboard shortcuts.

   The theme toggle.
   Without a choice the site follows the OS (prefers-color-scheme, in the stylesheet). A choice is
   kept in localStorage under a key holding the site root's path: every project site of a GitHub
   account shares one localStorage, so a bare key would leak between them. Pages carry the
   relative URL of the site root in <html data-root>; 404.html sets it once it has found the root
   (notfound.js) and then calls palaceTheme(). */
var palaceTheme = (function () {
  "use strict";
  var html = document.documentElement;

  function storageKey() {
    var root = html.getAttribute("data-root");
    return "palace-theme:" + new URL(root, window.location.href).pathname;
  }

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (error) { return null; }
  }

  function write(key, value) {
    try { window.localStorage.setItem(key, value); } catch (error) { /* private mode: not kept */ }
  }

  function osIsDark() {
    return Boolean(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function current() {
    var chosen = html.getAttribute("data-theme");
    return chosen === "dark" || chosen === "light" ? chosen : (osIsDark() ? "dark" : "light");
  }

  function wireToggle(key) {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) { return; }
    var sync = function () { button.setAttribute("aria-pressed", String(current() === "dark")); };
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      html.setAttribute("data-theme", next);
      write(key, next);
      sync();
    });
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) { query.addEventListener("change", sync); }
    }
    sync();
    button.hidden = false;
  }

  function start() {
    if (html.getAttribute("data-root") === null) { return; }
    var key = storageKey();
    var chosen = read(key);
    if (chosen === "dark" || chosen === "light") { html.setAttribute("data-theme", chosen); }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { wireToggle(key); });
    } else {
      wireToggle(key);
    }
  }

  start();
  return start;
}());

/* What a key press means to a page's keyboard shortcuts (walk, quiz, search): null when it is not
   one (handled already, or with Alt, Ctrl or Meta held); otherwise its key, whether it lands in a
   field where keys are text or choose an option (`typing`: a text box or a list box), whether
   the arrow keys belong to where it lands (`arrows`: those fields, and radio buttons, which
   move between their options with them), and whether it lands on a control that acts on Space
   and Enter itself (`pressing`). A checkbox or a radio button is not typed into: a letter or a
   digit pressed there is a shortcut. */
function palaceShortcut(event) {
  "use strict";
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return null; }
  var target = event.target;
  var tag = target && target.tagName;
  var kind = tag === "INPUT" ? String(target.type).toLowerCase() : "";
  var control = /^(?:checkbox|radio|button|submit|reset|file|range|color|image)$/.test(kind);
  var typing = (tag === "INPUT" && !control) || tag === "SELECT" || tag === "TEXTAREA" ||
    Boolean(target && target.isContentEditable);
  return {
    key: event.key,
    typing: typing,
    arrows: typing || kind === "radio" || kind === "range",
    pressing: typing || tag === "INPUT" || tag === "BUTTON" || tag === "A" || tag === "SUMMARY",
  };
}
