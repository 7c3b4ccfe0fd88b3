/* Palace study site: the search box in the header, on every page.

   The box is an ARIA combobox with a listbox of results (the WAI-ARIA APG "list autocomplete"
   pattern): focus stays in the box, ↓ and ↑ move through the results (aria-activedescendant),
   Enter opens the chosen one (or the first), Esc closes the list and a second Esc clears the
   box; "/" anywhere else brings the focus here. Every result is a link, so a click (or a
   middle click) works too.

   What it searches is every palace's study data (builder/site/study.py: `window.PALACES`, one
   script per palace, the same the walk and the quiz read), loaded the first time the box is
   used. Texts that are not ASCII come folded at build time with the fold that makes ids
   (identity.fold: case and accents away, ß → ss …, see builder/site/search.py); the query is
   folded here the same way (makeFold), so "kuche" finds "Küche". The words found are marked
   in each result (<mark>, `marks`). Results are built with text nodes only: nothing in the
   notes can become markup here. */
var palaceSearch = (function () {
  "use strict";

  var SPECIAL = { "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe",
    "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d" };
  var SPECIALS = /[ßẞæÆøØœŒłŁđĐ]/g;
  var ASCII = /^[\x00-\x7f]*$/;
  // The characters Python's unicodedata.combining counts as combining marks, Unicode 14.0
  // (Python 3.11), as a regular expression class: builder/site/search.py `combining_marks()`
  // makes it, tests/test_study.py checks it. Combining classes never change once assigned, so
  // later Pythons only add marks of characters that Unicode 14 did not have.
  var MARKS =
    "\\u0300-\\u034e\\u0350-\\u036f\\u0483-\\u0487\\u0591-\\u05bd\\u05bf\\u05c1-\\u05c2" +
    "\\u05c4-\\u05c5\\u05c7\\u0610-\\u061a\\u064b-\\u065f\\u0670\\u06d6-\\u06dc" +
    "\\u06df-\\u06e4\\u06e7-\\u06e8\\u06ea-\\u06ed\\u0711\\u0730-\\u074a\\u07eb-\\u07f3" +
    "\\u07fd\\u0816-\\u0819\\u081b-\\u0823\\u0825-\\u0827\\u0829-\\u082d\\u0859-\\u085b" +
    "\\u0898-\\u089f\\u08ca-\\u08e1\\u08e3-\\u08ff\\u093c\\u094d\\u0951-\\u0954\\u09bc\\u09cd" +
    "\\u09fe\\u0a3c\\u0a4d\\u0abc\\u0acd\\u0b3c\\u0b4d\\u0bcd\\u0c3c\\u0c4d\\u0c55-\\u0c56" +
    "\\u0cbc\\u0ccd\\u0d3b-\\u0d3c\\u0d4d\\u0dca\\u0e38-\\u0e3a\\u0e48-\\u0e4b\\u0eb8-\\u0eba" +
    "\\u0ec8-\\u0ecb\\u0f18-\\u0f19\\u0f35\\u0f37\\u0f39\\u0f71-\\u0f72\\u0f74\\u0f7a-\\u0f7d" +
    "\\u0f80\\u0f82-\\u0f84\\u0f86-\\u0f87\\u0fc6\\u1037\\u1039-\\u103a\\u108d\\u135d-\\u135f" +
    "\\u1714-\\u1715\\u1734\\u17d2\\u17dd\\u18a9\\u1939-\\u193b\\u1a17-\\u1a18\\u1a60" +
    "\\u1a75-\\u1a7c\\u1a7f\\u1ab0-\\u1abd\\u1abf-\\u1ace\\u1b34\\u1b44\\u1b6b-\\u1b73" +
    "\\u1baa-\\u1bab\\u1be6\\u1bf2-\\u1bf3\\u1c37\\u1cd0-\\u1cd2\\u1cd4-\\u1ce0" +
    "\\u1ce2-\\u1ce8\\u1ced\\u1cf4\\u1cf8-\\u1cf9\\u1dc0-\\u1dff\\u20d0-\\u20dc\\u20e1" +
    "\\u20e5-\\u20f0\\u2cef-\\u2cf1\\u2d7f\\u2de0-\\u2dff\\u302a-\\u302f\\u3099-\\u309a" +
    "\\ua66f\\ua674-\\ua67d\\ua69e-\\ua69f\\ua6f0-\\ua6f1\\ua806\\ua82c\\ua8c4\\ua8e0-\\ua8f1" +
    "\\ua92b-\\ua92d\\ua953\\ua9b3\\ua9c0\\uaab0\\uaab2-\\uaab4\\uaab7-\\uaab8\\uaabe-\\uaabf" +
    "\\uaac1\\uaaf6\\uabed\\ufb1e\\ufe20-\\ufe2f\\u{101fd}\\u{102e0}\\u{10376}-\\u{1037a}" +
    "\\u{10a0d}\\u{10a0f}\\u{10a38}-\\u{10a3a}\\u{10a3f}\\u{10ae5}-\\u{10ae6}" +
    "\\u{10d24}-\\u{10d27}\\u{10eab}-\\u{10eac}\\u{10f46}-\\u{10f50}\\u{10f82}-\\u{10f85}" +
    "\\u{11046}\\u{11070}\\u{1107f}\\u{110b9}-\\u{110ba}\\u{11100}-\\u{11102}" +
    "\\u{11133}-\\u{11134}\\u{11173}\\u{111c0}\\u{111ca}\\u{11235}-\\u{11236}" +
    "\\u{112e9}-\\u{112ea}\\u{1133b}-\\u{1133c}\\u{1134d}\\u{11366}-\\u{1136c}" +
    "\\u{11370}-\\u{11374}\\u{11442}\\u{11446}\\u{1145e}\\u{114c2}-\\u{114c3}" +
    "\\u{115bf}-\\u{115c0}\\u{1163f}\\u{116b6}-\\u{116b7}\\u{1172b}\\u{11839}-\\u{1183a}" +
    "\\u{1193d}-\\u{1193e}\\u{11943}\\u{119e0}\\u{11a34}\\u{11a47}\\u{11a99}\\u{11c3f}" +
    "\\u{11d42}\\u{11d44}-\\u{11d45}\\u{11d97}\\u{16af0}-\\u{16af4}\\u{16b30}-\\u{16b36}" +
    "\\u{16ff0}-\\u{16ff1}\\u{1bc9e}\\u{1d165}-\\u{1d169}\\u{1d16d}-\\u{1d172}" +
    "\\u{1d17b}-\\u{1d182}\\u{1d185}-\\u{1d18b}\\u{1d1aa}-\\u{1d1ad}\\u{1d242}-\\u{1d244}" +
    "\\u{1e000}-\\u{1e006}\\u{1e008}-\\u{1e018}\\u{1e01b}-\\u{1e021}\\u{1e023}-\\u{1e024}" +
    "\\u{1e026}-\\u{1e02a}\\u{1e130}-\\u{1e136}\\u{1e2ae}\\u{1e2ec}-\\u{1e2ef}" +
    "\\u{1e8d0}-\\u{1e8d6}\\u{1e944}-\\u{1e94a}";
  var SEPARATOR = "\x01";
  var LIMIT = 12;
  var KINDS = ["Room", "Locus", "Step"];

  function makeFold() {
    // builder.identity.fold in JavaScript: special letters, then NFKD without combining marks,
    // then lower case.
    var strip = new RegExp("[" + MARKS + "]", "gu");
    return function (text) {
      if (ASCII.test(text)) { return text.toLowerCase(); }
      var folded = text.replace(SPECIALS, function (c) { return SPECIAL[c]; });
      if (!ASCII.test(folded)) { folded = folded.normalize("NFKD").replace(strip, ""); }
      return folded.toLowerCase();
    };
  }

  function prepare(palaces) {
    // Every room and stop of the palaces, in walk order (each room, then its stops), each with
    // its folded fields [place, concept, description, room] (a room's name is its "place").
    var items = [];
    var lower = function (texts, given) {
      // Python folded the texts that are not ASCII (search.folded); lower-case the others.
      var folded = given ? given.split(SEPARATOR) : [];
      return texts.map(function (text, at) {
        return folded[at] || (ASCII.test(text) ? text.toLowerCase() : "");
      });
    };
    palaces.forEach(function (data, palace) {
      var next = 0;
      data.rooms.forEach(function (room, at) {
        var name = lower([room[1]], room[5])[0];
        items.push({ kind: 0, palace: palace, href: room[2], number: 0, place: room[1],
          concept: "", description: "", room: "", fields: [name, "", "", ""], all: name });
        var first = items[items.length - 1];
        for (; next < data.stops.length && data.stops[next][1] === at; next += 1) {
          var stop = data.stops[next];
          var concept = stop[8] === 0 ? stop[4] : stop[8];
          var description = stop[9] === 0 ? stop[5] : stop[9];
          var fields = lower([stop[3], concept, description], stop[10]);
          fields.push(name);
          if (!first.number) { first.number = next + 1; }
          items.push({ kind: stop[2] ? 2 : 1, palace: palace, href: room[2] + "#" + stop[0],
            number: next + 1, place: stop[3], concept: concept, description: description,
            room: room[1], fields: fields, all: fields.join(" ") });
        }
      });
    });
    items.forEach(function (item, at) { item.order = at; });
    return {
      fold: makeFold(),
      items: items,
      palaces: palaces.map(function (data) { return data.title; }),
    };
  }

  function score(item, query, words) {
    // Lower is better; -1: not a match. Every word must be found somewhere. The whole query at
    // the start of the concept or place ranks first, then inside them; then items whose concept
    // and place hold every word, then with the room's name, then those found by description.
    var w;
    for (w = 0; w < words.length; w += 1) {
      if (item.all.indexOf(words[w]) < 0) { return -1; }
    }
    var place = item.fields[0];
    var concept = item.fields[1];
    if (concept.indexOf(query) === 0) { return 0; }
    if (place.indexOf(query) === 0) { return item.kind === 0 ? 1 : 2; }
    if (concept.indexOf(query) > 0) { return 3; }
    if (place.indexOf(query) > 0) { return 4; }
    var titled = place + " " + concept;
    var named = titled + " " + item.fields[3];
    var rank = 5;
    for (w = 0; w < words.length; w += 1) {
      if (titled.indexOf(words[w]) < 0) { rank = Math.max(rank, named.indexOf(words[w]) < 0 ? 7 : 6); }
    }
    return rank;
  }

  function search(prepared, text, limit) {
    // {results, total}: the best `limit` items for the query, best first, then in walk order.
    var query = prepared.fold(text).replace(/\s+/g, " ").trim();
    if (!query) { return { results: [], total: 0 }; }
    var words = query.split(" ");
    var found = [];
    for (var i = 0; i < prepared.items.length; i += 1) {
      var rank = score(prepared.items[i], query, words);
      if (rank >= 0) { found.push([rank, prepared.items[i]]); }
    }
    found.sort(function (a, b) { return a[0] - b[0] || a[1].order - b[1].order; });
    return { results: found.slice(0, limit).map(function (pair) { return pair[1]; }), total: found.length };
  }

  function marks(text, words, fold) {
    // Where the words of a query (folded) are in `text`: [[start, end], ...] of `text`, in
    // order, overlapping ones joined. The text is folded one character at a time, each folded
    // character remembering the character it came from, so "kuche" marks "Küche" whole and
    // "strasse" marks "Straße".
    var folded = "";
    var from = [];
    var chars = Array.from(text);
    var at = 0;
    for (var c = 0; c < chars.length; c += 1) {
      var piece = fold(chars[c]);
      for (var i = 0; i < piece.length; i += 1) { from.push([at, at + chars[c].length]); }
      // a mark that folds away belongs to the letter before it
      if (!piece.length && from.length) { from[from.length - 1][1] = at + chars[c].length; }
      folded += piece;
      at += chars[c].length;
    }
    var found = [];
    words.forEach(function (word) {
      for (var start = folded.indexOf(word); word && start >= 0; start = folded.indexOf(word, start + word.length)) {
        found.push([from[start][0], from[start + word.length - 1][1]]);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var joined = [];
    found.forEach(function (range) {
      var last = joined[joined.length - 1];
      if (last && range[0] <= last[1]) { last[1] = Math.max(last[1], range[1]); } else { joined.push(range.slice()); }
    });
    return joined;
  }

  function marked(element, text, words, fold) {
    // `text` into `element`, the words of the query in <mark>: text nodes only, never markup.
    var at = 0;
    marks(text, words, fold).forEach(function (range) {
      if (range[0] > at) { element.appendChild(document.createTextNode(text.slice(at, range[0]))); }
      var mark = document.createElement("mark");
      mark.textContent = text.slice(range[0], range[1]);
      element.appendChild(mark);
      at = range[1];
    });
    if (at < text.length) { element.appendChild(document.createTextNode(text.slice(at))); }
  }

  /* -- the box ------------------------------------------------------------------------- */

  function start() {
    var box = document.querySelector("[data-search]");
    if (!box) { return; }
    var input = box.querySelector("input");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-search-status]");
    var root = document.documentElement.getAttribute("data-root") || "./";
    var prepared = null;
    var loading = false;
    var active = -1;
    var shown = [];

    function say(message, visible) {
      status.textContent = message;
      status.classList.toggle("visible", Boolean(visible));
    }

    function load() {
      // Each palace's data, unless the page has it already (walk, quiz, a palace's overview).
      if (prepared || loading) { return; }
      loading = true;
      say("Loading the search…", false);
      var sources = (box.getAttribute("data-index") || "").split(" ").filter(Boolean);
      var ids = (box.getAttribute("data-palaces") || "").split(" ").filter(Boolean);
      var waiting = 0;
      var failed = false;
      var done = function () {
        if (failed || waiting > 0) { return; }
        // A palace whose data is missing is left out rather than breaking the search.
        prepared = prepare(ids.map(function (id) { return window.PALACES[id]; }).filter(Boolean));
        say("", false);
        update();
      };
      window.PALACES = window.PALACES || {};
      sources.forEach(function (src, index) {
        if (window.PALACES[ids[index]]) { return; }
        waiting += 1;
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { waiting -= 1; done(); };
        script.onerror = function () { failed = true; say("Search is not available.", true); };
        document.head.appendChild(script);
      });
      done();
    }

    function open(isOpen) {
      list.hidden = !isOpen;
      input.setAttribute("aria-expanded", String(isOpen));
      if (!isOpen) { choose(-1); }
    }

    function choose(index) {
      var options = list.children;
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (index >= 0 && options[index]) {
        options[index].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(item, index, words) {
      var fold = prepared.fold;
      var link = document.createElement("a");
      link.id = "_search-option-" + index;
      link.className = "search-option";
      link.setAttribute("role", "option");
      link.setAttribute("aria-selected", "false");
      link.tabIndex = -1;
      link.href = root + item.href;
      var title = document.createElement("span");
      title.className = "search-title";
      marked(title, item.kind === 0 ? item.place : item.concept || item.place, words, fold);
      var where = document.createElement("span");
      where.className = "search-where";
      if (item.kind === 0) {
        where.textContent = item.number ? "Room, from stop " + item.number : "Room";
      } else {
        where.appendChild(document.createTextNode(item.number + " · "));
        marked(where, item.place, words, fold);
        where.appendChild(document.createTextNode(" · "));
        marked(where, item.room, words, fold);
      }
      if (prepared.palaces.length > 1) {
        where.appendChild(document.createTextNode(" · " + prepared.palaces[item.palace]));
      }
      link.appendChild(title);
      link.appendChild(where);
      if (item.kind !== 0 && item.description) {
        var description = document.createElement("span");
        description.className = "search-description";
        marked(description, item.description, words, fold);
        link.appendChild(description);
      }
      var kind = document.createElement("span");
      kind.className = "visually-hidden";
      kind.textContent = " (" + KINDS[item.kind] + ")";
      title.appendChild(kind);
      return link;
    }

    function update() {
      if (!prepared) { return; }
      var found = search(prepared, input.value, LIMIT);
      shown = found.results;
      list.textContent = "";
      var words = prepared.fold(input.value).replace(/\s+/g, " ").trim().split(" ").filter(Boolean);
      shown.forEach(function (item, index) { list.appendChild(option(item, index, words)); });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!input.value.trim()) {
        open(false);
        say("", false);
      } else if (!shown.length) {
        open(false);
        say("No matches for “" + input.value.trim() + "”.", true);
      } else {
        open(true);
        say(found.total > shown.length ? "The first " + shown.length + " of " + found.total +
          " matches." : found.total + (found.total === 1 ? " match." : " matches."), false);
      }
    }

    function go(index) {
      var item = shown[index];
      if (!item) { return; }
      open(false);
      window.location.href = root + item.href;
    }

    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load(); update(); });
    input.addEventListener("keydown", function (event) {
      var count = shown.length;
      if (event.key === "ArrowDown") {
        if (list.hidden && count) { open(true); }
        if (count) { choose(active + 1 < count ? active + 1 : 0); }
      } else if (event.key === "ArrowUp") {
        if (list.hidden && count) { open(true); }
        if (count) { choose(active > 0 ? active - 1 : count - 1); }
      } else if (event.key === "Enter") {
        if (!count || list.hidden) { return; }
        go(active >= 0 ? active : 0);
      } else if (event.key === "Escape") {
        if (!list.hidden) { open(false); } else if (input.value) { input.value = ""; update(); } else {
          return;
        }
      } else {
        return;
      }
      event.preventDefault();
    });
    input.addEventListener("blur", function () {
      // after a click on a result has had its chance to navigate
      window.setTimeout(function () { if (document.activeElement !== input) { open(false); } }, 150);
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep focus
    document.addEventListener("keydown", function (event) {
      var press = palaceShortcut(event);
      if (!press || press.key !== "/" || press.typing) { return; }
      event.preventDefault();
      input.focus();
      input.select();
    });
    box.hidden = false;
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { MARKS: MARKS, makeFold: makeFold, prepare: prepare, search: search, marks: marks };
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  return { makeFold: makeFold, prepare: prepare, search: search };
}());
