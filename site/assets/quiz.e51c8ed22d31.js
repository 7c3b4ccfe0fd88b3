/* Palace study site: the quiz. Flashcards of the deck's four kinds (cards.js: Place → Concept,
   Concept → Place, Route, Sequence), graded Again / Hard / Good / Easy and scheduled by FSRS
   (srs.js, ts-fsrs), with a daily limit of new cards and undo of the last answers. Progress is
   saved in this browser after every answer (and undo) and can be exported and imported as a
   JSON file. The address holds the choice of cards: quiz.html#room=kitchen&cards=pc,route
   (both optional; without `cards`, the kinds the deck makes, palace.toml `card_kinds`).

   The keys the page hints at work whatever was clicked last: a control that got the focus by
   a click (a kind of card, a grade, the options) does not keep Space and Enter for itself;
   one reached with Tab does, as everywhere. */
(function () {
  "use strict";

  function start() {
    var app = document.querySelector("[data-quiz]");
    var data = app && window.PALACES && window.PALACES[app.getAttribute("data-palace")];
    var srs = window.PalaceSRS;
    var cards = window.PalaceCards;
    if (!app) { return; }
    if (!data || !data.stops || !srs || !cards || typeof FSRS === "undefined") {
      // A script or the data did not load: say so (the page and the data may also come from
      // different builds for a while, see builder/site/study.py; rooms and stops the data
      // does not know are left out below).
      var notice = document.querySelector("[data-unavailable]");
      if (notice) { notice.hidden = false; }
      return;
    }
    var KINDS = srs.KINDS;
    var root = document.documentElement.getAttribute("data-root") || "./";
    var $ = function (name) { return app.querySelector("[data-" + name + "]"); };
    var el = {
      options: $("options"), optionsSummary: $("options-summary"), scope: $("scope"),
      counts: $("counts"), card: $("card"), label: $("label"), trail: $("trail"), cue: $("cue"),
      where: $("where"), steps: $("steps"), picture: $("picture"), prompt: $("prompt"),
      answer: $("answer"), answerTrail: $("answer-trail"), answerMain: $("answer-main"),
      answerWhere: $("answer-where"), answerSteps: $("answer-steps"),
      answerDescription: $("answer-description"), answerNote: $("answer-note"),
      answerNoteText: $("answer-note-text"), answerPicture: $("answer-picture"),
      actions: $("actions"), undo: $("undo"), reveal: $("reveal"), grades: $("grades"),
      done: $("done"), doneTitle: $("done-title"), doneText: $("done-text"), more: $("more"),
      exportButton: $("export"), importFile: $("import-file"), message: $("message"),
      status: $("status"),
    };
    var kindBoxes = app.querySelectorAll("[data-kind]");
    var gradeButtons = el.grades.querySelectorAll("[data-grade]");

    var storage = null;
    try { storage = window.localStorage; } catch (error) { storage = null; }
    var key = srs.progressKey(srs.rootPath(document, window.location.href), data.palace);
    var loaded = srs.loadProgress(storage, key, data.palace);
    var progress = loaded.progress;
    var scheduler = srs.scheduler();
    var limit = srs.dailyLimit(data);
    var ranks = srs.newRanks(data);

    var DEFAULT_KINDS = srs.defaultKinds(data); // the deck's kinds (`card_kinds`)
    var choice = { room: "", kinds: DEFAULT_KINDS.slice() };
    var session = null;
    var current = null;
    var revealed = false;
    var studied = 0;

    /* -- the address and the controls ------------------------------------------------------ */

    function knownRoom(room) {
      // A room of the data with stops: the page may name rooms the data has not (or not yet).
      var index = srs.roomIndex(data, room);
      return index >= 0 && data.stops.some(function (stop) { return stop[1] === index; }) ? room : "";
    }

    function readHash() {
      var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
      var asked = (params.get("cards") || "").split(",");
      var kinds = KINDS.filter(function (kind) { return asked.indexOf(kind) >= 0; });
      choice = { room: knownRoom(params.get("room") || ""), kinds: kinds.length ? kinds : DEFAULT_KINDS.slice() };
    }

    function writeHash() {
      var parts = [];
      if (choice.room) { parts.push("room=" + encodeURIComponent(choice.room)); }
      if (choice.kinds.join(",") !== DEFAULT_KINDS.join(",")) { parts.push("cards=" + choice.kinds.join(",")); }
      var hash = parts.length ? "#" + parts.join("&") : "";
      if (window.location.hash !== hash) {
        window.history.replaceState(null, "", hash || window.location.pathname + window.location.search);
      }
    }

    function syncControls() {
      el.scope.value = choice.room;
      for (var i = 0; i < kindBoxes.length; i += 1) {
        kindBoxes[i].checked = choice.kinds.indexOf(kindBoxes[i].value) >= 0;
      }
      var room = el.scope.options[el.scope.selectedIndex];
      var where = choice.room && room ? room.textContent.replace(/\s*\(.*\)$/, "").replace(/^Room \d+: /, "") : "Whole palace";
      el.optionsSummary.textContent = where + " · " + (choice.kinds.length === KINDS.length ? "all cards" :
        choice.kinds.map(function (kind) { return cards.LABELS[kind]; }).join(", "));
    }

    /* -- showing cards ------------------------------------------------------------------- */

    function fill(node, content) {
      // {text} as text; {html}: the notes' HTML, made safe at build time (markup.inline)
      if (content && content.html !== undefined) { node.innerHTML = content.html; } else {
        node.textContent = content ? content.text : "";
      }
      node.hidden = !content || !(content.html || content.text);
    }

    function words(node, parts) {
      // A line of [text, isPlace] parts: places stand out (span.from), all as text.
      node.textContent = "";
      parts.forEach(function (part) {
        if (!part[1]) { node.appendChild(document.createTextNode(part[0])); return; }
        var span = document.createElement("span");
        span.className = "from";
        span.textContent = part[0];
        node.appendChild(span);
      });
      node.hidden = parts.length === 0;
    }

    function steps(node, list) {
      node.textContent = "";
      node.hidden = !list;
      if (!list) { return; }
      node.start = list.start;
      list.items.forEach(function (item) {
        var li = document.createElement("li");
        var place = document.createElement("span");
        place.className = "step-place";
        place.textContent = item.place;
        li.appendChild(place);
        li.appendChild(document.createTextNode(": "));
        var concept = document.createElement("span");
        if (item.html === null) {
          concept.className = "blank";
          concept.textContent = "[…]";
        } else {
          concept.className = "step-concept";
          concept.innerHTML = item.html; // made safe at build time
        }
        li.appendChild(concept);
        if (item.asked) { li.className = "asked"; }
        node.appendChild(li);
      });
    }

    function picture(node, index) {
      node.textContent = "";
      node.hidden = index < 0;
      if (index >= 0) {
        var image = document.createElement("img");
        image.src = root + data.pictures[index][0];
        image.alt = data.pictures[index][1];
        node.appendChild(image);
      }
    }

    function plainText(node) {
      return node.textContent.replace(/\s+/g, " ").trim();
    }

    function updateCounts() {
      var counts = session.counts();
      el.counts.textContent = "New " + counts.fresh + " · Learning " + counts.learning +
        " · Due " + counts.review;
      el.undo.disabled = !session.canUndo();
    }

    function show(id) {
      var shown = cards.card(data, id);
      var front = shown.front;
      var back = shown.back;
      current = id;
      revealed = false;
      el.card.hidden = false;
      el.done.hidden = true;
      el.card.setAttribute("data-kind", shown.kind);
      el.label.textContent = shown.label;
      fill(el.trail, { text: front.trail });
      fill(el.cue, front.cue);
      el.cue.className = "cue " + front.cueClass;
      words(el.where, front.where);
      steps(el.steps, front.steps);
      picture(el.picture, front.picture);
      fill(el.prompt, { text: front.prompt });
      fill(el.answerTrail, { text: back.trail });
      fill(el.answerMain, back.main);
      el.answerMain.className = back.mainClass;
      words(el.answerWhere, back.where);
      steps(el.answerSteps, back.steps);
      fill(el.answerDescription, { html: back.description });
      el.answerNoteText.innerHTML = back.note; // made safe at build time
      el.answerNote.hidden = !back.note;
      picture(el.answerPicture, back.picture);
      el.answer.hidden = true;
      el.grades.hidden = true;
      el.reveal.hidden = false;
      if (el.card.getBoundingClientRect().top < 0) { el.card.scrollIntoView(); } // the new cue in view
      updateCounts();
      el.status.textContent = shown.label + ": " + plainText(el.cue) + ". " +
        [el.where, el.steps, el.prompt].filter(function (node) { return !node.hidden; })
          .map(plainText).join(". ");
    }

    function reveal() {
      if (!current || revealed) { return; }
      revealed = true;
      var options = srs.preview(scheduler, progress.cards[current], Date.now());
      for (var i = 0; i < gradeButtons.length; i += 1) {
        var rating = Number(gradeButtons[i].getAttribute("data-grade"));
        gradeButtons[i].querySelector("[data-interval]").textContent = srs.formatWait(options[rating].wait);
      }
      var focused = document.activeElement === el.reveal;
      el.answer.hidden = false;
      el.grades.hidden = false;
      el.reveal.hidden = true;
      el.status.textContent = plainText(el.answer);
      if (focused) { gradeButtons[2].focus(); }
      showAnswer();
    }

    function showAnswer() {
      // On a small screen the answer may open below the action bar: scroll as far as it takes
      // to show it whole, but never the top of the answer out of view.
      var rect = el.answer.getBoundingClientRect();
      var limit = el.actions.getBoundingClientRect().top - 8;
      var by = Math.min(rect.bottom - limit, rect.top - 8);
      if (by > 0) { window.scrollBy(0, by); }
    }

    function save() {
      var problem = storage ? srs.saveProgress(storage, key, progress) :
        "This browser does not let the site keep your progress. Export it to keep it.";
      if (problem) { say(problem, true); }
    }

    function answer(rating) {
      if (!current || !revealed) { return; }
      var focused = el.actions.contains(document.activeElement);
      var now = Date.now();
      var next = srs.grade(scheduler, progress.cards[current], now, rating);
      session.answered(current, next, now);
      studied += 1;
      save();
      advance(focused);
    }

    function undo() {
      // The last answer taken back: the card as it was (and, a new card, new again today).
      if (!session || !session.canUndo()) { return; }
      var focused = el.actions.contains(document.activeElement) || el.done.contains(document.activeElement);
      var id = session.undo();
      studied = Math.max(0, studied - 1);
      save();
      show(id);
      el.status.textContent = "Took back your last answer. " + el.status.textContent;
      if (focused) { el.reveal.focus(); }
    }

    function advance(moveFocus) {
      var id = session.next(Date.now());
      if (id) {
        show(id);
        if (moveFocus) { el.reveal.focus(); }
      } else {
        finish(moveFocus);
      }
    }

    function finish(moveFocus) {
      current = null;
      revealed = false;
      el.card.hidden = true;
      el.done.hidden = false;
      el.reveal.hidden = true;
      el.grades.hidden = true;
      updateCounts();
      var counts = session.counts();
      var parts = [];
      if (studied) { parts.push("You answered " + srs.plural(studied, "card", "cards") + "."); }
      if (counts.waiting) {
        var today = limit + srs.extraNew(progress, Date.now());
        parts.push(today ? "That is all of today's " + srs.plural(today, "new card", "new cards") + "." :
          "No new cards today (the site's daily limit is 0).");
      }
      var soonest = session.nextDue();
      if (soonest !== null && soonest > Date.now()) {
        parts.push("The next card is due in " + srs.formatWait(soonest - Date.now()) + ".");
      } else if (soonest === null && !counts.waiting) {
        parts.push("There are no cards to study here.");
      }
      el.doneText.textContent = parts.join(" ");
      var more = Math.min(counts.waiting, limit || srs.NEW_PER_DAY);
      el.more.hidden = counts.waiting === 0;
      el.more.textContent = "Learn " + srs.plural(more, "more new card", "more new cards") +
        " today (" + counts.waiting + " not seen yet)";
      el.status.textContent = "All done for now. " + el.doneText.textContent;
      if (moveFocus) { el.doneTitle.focus(); }
    }

    function begin(moveFocus) {
      var ids = srs.cardIds(data, choice.room, choice.kinds);
      var now = Date.now();
      session = new srs.Session(ids, progress, now, srs.newLeft(progress, now, limit), ranks);
      studied = 0;
      writeHash();
      advance(moveFocus);
    }

    /* -- progress files ------------------------------------------------------------------ */

    function say(message, isError) {
      el.message.textContent = message;
      el.message.classList.toggle("error", Boolean(isError));
    }

    function exportProgress() {
      var now = new Date();
      var day = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
        String(now.getDate()).padStart(2, "0");
      var blob = new Blob([srs.serializeProgress(progress, now.getTime()) + "\n"], { type: "application/json" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "palace-progress-" + data.palace + "-" + day + ".json";
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      say("Exported the progress of " + srs.plural(Object.keys(progress.cards).length, "card", "cards") +
        " to " + link.download + ".");
    }

    function importProgress(file) {
      var reader = new FileReader();
      reader.onload = function () {
        var incoming;
        try {
          incoming = srs.parseProgress(String(reader.result), data.palace);
        } catch (error) {
          if (!(error instanceof srs.ProgressError)) { throw error; }
          say("Nothing was imported from " + file.name + ": " + error.message, true);
          return;
        }
        var merged = srs.mergeProgress(progress, incoming);
        progress = merged.progress;
        var problem = storage ? srs.saveProgress(storage, key, progress) : "";
        var message = "Imported " + srs.plural(merged.taken, "card", "cards") + " from " + file.name + ".";
        if (merged.kept) {
          message += " " + srs.plural(merged.kept, "card here was", "cards here were") +
            " reviewed more recently and kept.";
        }
        say(problem || message, Boolean(problem));
        begin(false);
      };
      reader.onerror = function () { say("Could not read " + file.name + ".", true); };
      reader.readAsText(file);
    }

    /* -- wiring -------------------------------------------------------------------------- */

    el.reveal.addEventListener("click", reveal);
    el.undo.addEventListener("click", undo);
    for (var g = 0; g < gradeButtons.length; g += 1) {
      gradeButtons[g].addEventListener("click", function (event) {
        answer(Number(event.currentTarget.getAttribute("data-grade")));
      });
    }
    el.more.addEventListener("click", function () {
      var moved = session.moreNew(limit || srs.NEW_PER_DAY);
      srs.addExtraNew(progress, Date.now(), moved); // today's limit, on every page
      save();
      advance(true);
    });
    el.scope.addEventListener("change", function () {
      choice.room = knownRoom(el.scope.value);
      syncControls();
      begin(false);
    });
    for (var k = 0; k < kindBoxes.length; k += 1) {
      kindBoxes[k].addEventListener("change", function (event) {
        var kinds = KINDS.filter(function (kind, index) { return kindBoxes[index].checked; });
        if (!kinds.length) { event.target.checked = true; return; } // at least one kind
        choice.kinds = kinds;
        syncControls();
        begin(false);
      });
    }
    el.exportButton.addEventListener("click", exportProgress);
    el.importFile.addEventListener("change", function () {
      if (el.importFile.files && el.importFile.files[0]) { importProgress(el.importFile.files[0]); }
      el.importFile.value = "";
    });

    // What was clicked last: a control focused by a click leaves Space and Enter to the quiz.
    var clicked = null;
    document.addEventListener("pointerdown", function (event) { clicked = event.target; }, true);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Tab") { clicked = null; } // moving on by keyboard: controls act as usual
    }, true);

    function focusedByClick(target) {
      if (!clicked || !target || target === document.body || !target.contains) { return false; }
      if (target.contains(clicked) || (clicked.contains && clicked.contains(target))) { return true; }
      var label = clicked.closest ? clicked.closest("label") : null;
      return Boolean(label && label.control === target);
    }

    function isText(target) {
      // A field where keys are text: digits, U and Space belong to it.
      var tag = target && target.tagName;
      if (tag === "TEXTAREA" || (target && target.isContentEditable)) { return true; }
      if (tag !== "INPUT") { return false; }
      return !/^(?:checkbox|radio|button|submit|reset|file|range|color)$/.test(target.type);
    }

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var text = isText(target) || (target.tagName === "SELECT" && !focusedByClick(target));
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey &&
          (event.key === "z" || event.key === "Z")) {
        if (!text && !event.defaultPrevented && session && session.canUndo()) {
          undo();
          event.preventDefault();
        }
        return;
      }
      var press = palaceShortcut(event);
      if (!press || text) { return; }
      var key = press.key;
      if ((key === " " || key === "Enter") && current && (!press.pressing || focusedByClick(target))) {
        if (revealed) { answer(3); } else { reveal(); }
      } else if (/^[1-4]$/.test(key) && revealed) {
        answer(Number(key));
      } else if ((key === "u" || key === "U") && session && session.canUndo()) {
        undo();
      } else {
        return;
      }
      event.preventDefault();
    });

    window.addEventListener("hashchange", function () {
      readHash();
      syncControls();
      begin(false);
    });

    readHash();
    syncControls();
    // Options open where there is room for them; on a phone the card comes first.
    el.options.open = Boolean(window.matchMedia && window.matchMedia("(min-width: 48rem)").matches);
    app.hidden = false;
    if (loaded.error) {
      say("Your saved progress could not be read (" + loaded.error + ") It was set aside, and " +
        "the quiz starts afresh.", true);
    }
    begin(false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
