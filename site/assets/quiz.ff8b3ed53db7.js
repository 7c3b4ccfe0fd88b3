/* Palace study site: the quiz. Flashcards Place → Concept and Concept → Place with the cue
   design of the Anki cards (palace › room › locus, the stop's number, the locus you came from),
   graded Again / Hard / Good / Easy and scheduled by FSRS (srs.js, ts-fsrs). Progress is saved
   in this browser after every answer and can be exported and imported as a JSON file. The
   address holds the choice of cards: quiz.html#room=kitchen&cards=pc (both optional). */
(function () {
  "use strict";

  var KINDS = ["pc", "cp"];

  function start() {
    var app = document.querySelector("[data-quiz]");
    var data = app && window.PALACES && window.PALACES[app.getAttribute("data-palace")];
    var srs = window.PalaceSRS;
    if (!app) { return; }
    if (!data || !data.stops || !srs || typeof FSRS === "undefined") {
      // A script or the data did not load: say so (the page and the data may also come from
      // different builds for a while, see builder/site/study.py; rooms and stops the data
      // does not know are left out below).
      var notice = document.querySelector("[data-unavailable]");
      if (notice) { notice.hidden = false; }
      return;
    }
    var root = document.documentElement.getAttribute("data-root") || "./";
    var $ = function (name) { return app.querySelector("[data-" + name + "]"); };
    var el = {
      scope: $("scope"), counts: $("counts"), card: $("card"), trail: $("trail"), cue: $("cue"),
      where: $("where"), picture: $("picture"), prompt: $("prompt"), answer: $("answer"),
      answerTrail: $("answer-trail"), answerMain: $("answer-main"), answerWhere: $("answer-where"),
      answerDescription: $("answer-description"), answerNote: $("answer-note"),
      answerNoteText: $("answer-note-text"), answerPicture: $("answer-picture"),
      reveal: $("reveal"), grades: $("grades"), done: $("done"), doneTitle: $("done-title"),
      doneText: $("done-text"), more: $("more"), exportButton: $("export"),
      importFile: $("import-file"), message: $("message"),
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
    var numberOf = {};
    data.stops.forEach(function (stop, index) { numberOf[stop[0]] = index + 1; });

    var choice = { room: "", kinds: KINDS.slice() };
    var session = null;
    var current = null;
    var revealed = false;
    var studied = 0;

    /* -- the address and the controls ------------------------------------------------------ */

    function knownRoom(room) {
      // A room of the data with stops: the page may name rooms the data has not (or not yet).
      for (var r = 0; r < data.rooms.length; r += 1) {
        if (data.rooms[r][0] === room) {
          return data.stops.some(function (stop) { return stop[1] === r; }) ? room : "";
        }
      }
      return "";
    }

    function readHash() {
      var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
      var cards = params.get("cards");
      choice = {
        room: knownRoom(params.get("room") || ""),
        kinds: KINDS.indexOf(cards) >= 0 ? [cards] : KINDS.slice(),
      };
    }

    function writeHash() {
      var parts = [];
      if (choice.room) { parts.push("room=" + encodeURIComponent(choice.room)); }
      if (choice.kinds.length === 1) { parts.push("cards=" + choice.kinds[0]); }
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
    }

    /* -- showing cards ------------------------------------------------------------------- */

    function html(node, content) {
      node.innerHTML = content; // the notes' HTML, made safe at build time (markup.inline)
      node.hidden = !content;
    }

    function text(node, content) {
      node.textContent = content;
      node.hidden = !content;
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

    function appendPlace(node, before, place) {
      node.appendChild(document.createTextNode(before));
      var span = document.createElement("span");
      span.className = "from";
      span.textContent = place;
      node.appendChild(span);
    }

    function trail(node, withPalace, stop) {
      node.textContent = (withPalace ? data.title + " › " : "") + data.rooms[stop[1]][1] +
        (stop[2] ? " › " + data.stops[stop[2] - 1][3] : "");
      node.hidden = false;
    }

    function plainText(node) {
      return node.textContent.replace(/\s+/g, " ").trim();
    }

    function updateCounts() {
      var counts = session.counts();
      el.counts.textContent = "New " + counts.fresh + " · Learning " + counts.learning +
        " · Due " + counts.review;
    }

    function show(id) {
      var parts = id.split(":");
      var number = numberOf[parts[0]];
      var stop = data.stops[number - 1];
      var previous = number > 1 ? data.stops[number - 2] : null;
      var pictureIndex = stop[7] >= 0 ? stop[7] : data.rooms[stop[1]][4];
      current = id;
      revealed = false;
      el.card.hidden = false;
      el.done.hidden = true;
      el.card.setAttribute("data-kind", parts[1]);
      el.where.textContent = "";
      if (parts[1] === "pc") {
        trail(el.trail, true, stop);
        text(el.cue, stop[3]);
        el.where.textContent = "stop " + number + " · ";
        if (previous) { appendPlace(el.where, "you came from ", previous[3]); } else {
          el.where.appendChild(document.createTextNode("the start of the walk"));
        }
        el.where.hidden = false;
        picture(el.picture, pictureIndex);
        el.prompt.textContent = "What lives here?";
        text(el.answerTrail, "");
        html(el.answerMain, stop[4]);
        el.answerMain.className = "concept";
        text(el.answerWhere, "");
        picture(el.answerPicture, -1);
      } else {
        text(el.trail, data.title);
        html(el.cue, stop[4]);
        text(el.where, "");
        picture(el.picture, -1);
        el.prompt.textContent = "Where does it live on the walk?";
        trail(el.answerTrail, false, stop);
        text(el.answerMain, stop[3]);
        el.answerMain.className = "place";
        el.answerWhere.textContent = "stop " + number;
        if (previous) { appendPlace(el.answerWhere, " · after ", previous[3]); }
        el.answerWhere.hidden = false;
        picture(el.answerPicture, pictureIndex);
      }
      el.cue.className = "cue " + (parts[1] === "pc" ? "cue-place" : "cue-concept");
      html(el.answerDescription, stop[5]);
      el.answerNoteText.innerHTML = stop[6];
      el.answerNote.hidden = !stop[6];
      el.answer.hidden = true;
      el.grades.hidden = true;
      el.reveal.hidden = false;
      updateCounts();
      el.status.textContent = (parts[1] === "pc" ? "Place to concept: " : "Concept to place: ") +
        plainText(el.cue) + ". " + el.prompt.textContent;
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
    }

    function answer(rating) {
      if (!current || !revealed) { return; }
      var focused = el.grades.contains(document.activeElement);
      var now = Date.now();
      var next = srs.grade(scheduler, progress.cards[current], now, rating);
      session.answered(current, next, now);
      studied += 1;
      var problem = storage ? srs.saveProgress(storage, key, progress) :
        "This browser does not let the site keep your progress. Export it to keep it.";
      if (problem) { say(problem, true); }
      advance(focused);
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
      el.card.hidden = true;
      el.done.hidden = false;
      updateCounts();
      var counts = session.counts();
      var parts = [];
      if (studied) { parts.push("You answered " + srs.plural(studied, "card", "cards") + "."); }
      var soonest = session.nextDue();
      if (soonest !== null && soonest > Date.now()) {
        parts.push("The next card is due in " + srs.formatWait(soonest - Date.now()) + ".");
      } else if (soonest === null && !counts.waiting) {
        parts.push("There are no cards to study here.");
      }
      el.doneText.textContent = parts.join(" ");
      el.more.hidden = counts.waiting === 0;
      el.more.textContent = "Learn " + srs.plural(Math.min(counts.waiting, srs.NEW_PER_SESSION),
        "more new card", "more new cards") + " (" + counts.waiting + " not seen yet)";
      el.status.textContent = "All done for now. " + el.doneText.textContent;
      if (moveFocus) { el.doneTitle.focus(); }
    }

    function begin(moveFocus) {
      var ids = srs.cardIds(data, choice.room, choice.kinds);
      session = new srs.Session(ids, progress, Date.now(), srs.NEW_PER_SESSION);
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
    for (var g = 0; g < gradeButtons.length; g += 1) {
      gradeButtons[g].addEventListener("click", function (event) {
        answer(Number(event.currentTarget.getAttribute("data-grade")));
      });
    }
    el.more.addEventListener("click", function () {
      session.moreNew(srs.NEW_PER_SESSION);
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
        begin(false);
      });
    }
    el.exportButton.addEventListener("click", exportProgress);
    el.importFile.addEventListener("change", function () {
      if (el.importFile.files && el.importFile.files[0]) { importProgress(el.importFile.files[0]); }
      el.importFile.value = "";
    });

    document.addEventListener("keydown", function (event) {
      var press = palaceShortcut(event);
      if (!press) { return; }
      var key = press.key, typing = press.typing, pressing = press.pressing;
      if ((key === " " || key === "Enter") && !pressing && current) {
        if (revealed) { answer(3); } else { reveal(); }
      } else if (/^[1-4]$/.test(key) && !typing && revealed) {
        answer(Number(key));
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
