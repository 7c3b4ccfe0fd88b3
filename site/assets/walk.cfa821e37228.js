/* Palace study site: walk mode. One stop of the walk at a time, its concept hidden until the
   learner reveals it; forward, backward, or from a random point (then on around the route);
   the whole palace or one room. The stops come from the palace's study data (PALACES[id], see
   builder/site/study.py). The address holds the position, so a reload or a shared link comes
   back to the same stop:
     walk.html#room=kitchen&mode=random&from=14&stop=17
   (every part optional: no room is the whole palace, the mode is forward, `from` is where a
   random walk started, `stop` is the stop's number on the walk). */
var PalaceWalk = (function () {
  "use strict";

  var MODES = ["forward", "backward", "random"];

  /* -- the route (pure: tested in Node) ---------------------------------------------------- */

  function scopeStops(data, roomId) {
    // Numbers of the stops to walk: the whole walk, or the stops of one room.
    var numbers = [];
    var room = -1;
    for (var r = 0; r < data.rooms.length; r += 1) {
      if (data.rooms[r][0] === roomId) { room = r; }
    }
    for (var i = 0; i < data.stops.length; i += 1) {
      if (room < 0 || data.stops[i][1] === room) { numbers.push(i + 1); }
    }
    return numbers;
  }

  function scope(data, roomId) {
    // The room to walk and its stops: the whole palace ("") for a room the data does not know
    // or that has no stops (the page and the data may come from different builds: a browser
    // may keep the data of the previous one for a while), or that holds every stop anyway.
    var numbers = scopeStops(data, roomId);
    if (numbers.length && numbers.length < data.stops.length) {
      return { room: roomId, numbers: numbers };
    }
    return { room: "", numbers: scopeStops(data, "") };
  }

  function route(numbers, mode, from) {
    // The stops in the order they are walked: forward, backward, or from `from` forward and on
    // around to the stop before it.
    if (mode === "backward") { return numbers.slice().reverse(); }
    if (mode === "random") {
      var at = numbers.indexOf(from);
      if (at > 0) { return numbers.slice(at).concat(numbers.slice(0, at)); }
    }
    return numbers.slice();
  }

  function parseHash(hash) {
    var params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
    var number = function (name) {
      var value = params.get(name);
      return value !== null && /^[1-9][0-9]*$/.test(value) ? Number(value) : 0;
    };
    var mode = params.get("mode");
    return {
      room: params.get("room") || "",
      mode: MODES.indexOf(mode) >= 0 ? mode : "forward",
      from: number("from"),
      stop: number("stop"),
    };
  }

  function formatHash(state) {
    var parts = [];
    if (state.room) { parts.push("room=" + encodeURIComponent(state.room)); }
    if (state.mode !== "forward") { parts.push("mode=" + state.mode); }
    if (state.mode === "random") { parts.push("from=" + state.from); }
    parts.push("stop=" + state.stop);
    return "#" + parts.join("&");
  }

  function sequence(data, number) {
    // A step's sequence: the concept of its locus (plain text), and its place in the sequence
    // ({name, step, steps}); null for a locus.
    var parent = data.stops[number - 1][2];
    if (!parent) { return null; }
    var locus = data.stops[parent - 1];
    var steps = 0;
    for (var i = parent; i < data.stops.length && data.stops[i][2] === parent; i += 1) { steps += 1; }
    return { name: locus[8] === 0 ? locus[4] : locus[8], step: number - parent, steps: steps };
  }

  function nextRoom(data, roomId, mode) {
    // The room to walk after `roomId` (before it, walking backward) that has stops: its index
    // in data.rooms, or -1 for none (or when the whole palace was walked).
    var at = -1;
    for (var r = 0; r < data.rooms.length; r += 1) {
      if (roomId && data.rooms[r][0] === roomId) { at = r; }
    }
    if (at < 0) { return -1; }
    var step = mode === "backward" ? -1 : 1;
    for (var next = at + step; next >= 0 && next < data.rooms.length; next += step) {
      if (scopeStops(data, data.rooms[next][0]).length) { return next; }
    }
    return -1;
  }

  /* -- the page ---------------------------------------------------------------------------- */

  function unavailable() {
    // The page has stops to walk and the data has none, or did not load (a browser may keep
    // the data of an earlier build for a while, see builder/site/study.py): say so.
    var notice = document.querySelector("[data-unavailable]");
    if (notice) { notice.hidden = false; }
  }

  function start() {
    var app = document.querySelector("[data-walk]");
    var data = app && window.PALACES && window.PALACES[app.getAttribute("data-palace")];
    if (!app) { return; }
    if (!data || !data.stops || !data.stops.length) {
      unavailable();
      return;
    }
    var root = document.documentElement.getAttribute("data-root") || "./";
    var $ = function (name) { return app.querySelector("[data-" + name + "]"); };
    var el = {
      options: $("options"), summary: $("options-summary"),
      scope: $("scope"), card: $("card"), trail: $("trail"), number: $("number"),
      place: $("place"), sequence: $("sequence"), where: $("where"), picture: $("picture"),
      answer: $("answer"), concept: $("concept"), description: $("description"), note: $("note"),
      noteText: $("note-text"), reveal: $("reveal"), previous: $("previous"), next: $("next"),
      progress: $("progress"), bar: $("bar"), shuffle: $("shuffle"), status: $("status"),
      end: $("end"), again: $("again"), nextRoom: $("next-room"), nextRoomName: $("next-room-name"),
    };
    var modes = app.querySelectorAll("[data-mode]");
    var state = { room: "", mode: "forward", from: 0, stop: 1 };
    var order = [];
    var position = 0;
    var revealed = false;
    var pointer = false; // the last thing the learner did was with a mouse, a pen or a finger

    function randomStop(numbers) {
      return numbers[Math.floor(Math.random() * numbers.length)];
    }

    function apply(wanted, announce) {
      // Take a state from the address (or the controls), correcting what does not fit.
      var chosen = scope(data, wanted.room);
      var room = chosen.room;
      var numbers = chosen.numbers;
      var from = numbers.indexOf(wanted.from) >= 0 ? wanted.from : randomStop(numbers);
      state = { room: room, mode: wanted.mode, from: wanted.mode === "random" ? from : 0, stop: 0 };
      order = route(numbers, state.mode, from);
      position = Math.max(0, order.indexOf(wanted.stop));
      el.scope.value = room;
      for (var i = 0; i < modes.length; i += 1) { modes[i].checked = modes[i].value === state.mode; }
      var scopeName = el.scope.selectedIndex >= 0 ? el.scope.options[el.scope.selectedIndex].text : "";
      var modeName = { forward: "forward", backward: "backward", random: "from a random point" };
      el.summary.textContent = scopeName.replace(/ \(.*\)$/, "") + " · " + modeName[state.mode];
      show(announce);
    }

    function showWhere(number, stop) {
      // "Stop 30 of 35 · you came from Balcony", and for a step its sequence:
      // "Core training step · step 2 of 5".
      var steps = sequence(data, number);
      el.sequence.hidden = !steps;
      el.sequence.textContent = "";
      if (steps) {
        var name = document.createElement("span");
        name.className = "sequence-name";
        name.textContent = steps.name;
        el.sequence.appendChild(name);
        el.sequence.appendChild(document.createTextNode(" · step " + steps.step + " of " + steps.steps));
      }
      el.where.textContent = "Stop " + number + " of " + data.stops.length + " · ";
      if (position > 0) {
        var came = document.createElement("span");
        came.className = "from";
        came.textContent = data.stops[order[position - 1] - 1][3];
        el.where.appendChild(document.createTextNode("you came from "));
        el.where.appendChild(came);
      } else {
        el.where.appendChild(document.createTextNode("the start of your walk"));
      }
      return steps;
    }

    function show(announce) {
      var number = order[position];
      var stop = data.stops[number - 1];
      var room = data.rooms[stop[1]];
      state.stop = number;
      revealed = false;

      el.trail.textContent = data.title + " › " + room[1] + (stop[2] ? " › " + data.stops[stop[2] - 1][3] : "");
      el.number.textContent = String(number);
      el.place.textContent = stop[3];
      var steps = showWhere(number, stop);
      var picture = stop[7] >= 0 ? stop[7] : room[4];
      el.picture.textContent = "";
      el.picture.hidden = picture < 0;
      if (picture >= 0) {
        var image = document.createElement("img");
        image.src = root + data.pictures[picture][0];
        image.alt = data.pictures[picture][1];
        el.picture.appendChild(image);
      }
      el.concept.innerHTML = stop[4]; // the notes' HTML, made safe at build time (markup.inline)
      el.description.innerHTML = stop[5];
      el.description.hidden = !stop[5];
      el.noteText.innerHTML = stop[6];
      el.note.hidden = !stop[6];
      el.answer.hidden = true;
      el.reveal.hidden = false;
      el.end.hidden = true;
      el.next.classList.add("secondary");

      var last = position === order.length - 1;
      el.progress.textContent = (position + 1) + " / " + order.length + (last ? " · the end of the walk" : "");
      el.bar.max = order.length;
      el.bar.value = position + 1;
      el.previous.disabled = position === 0;
      el.next.disabled = last;
      el.shuffle.hidden = state.mode !== "random";
      var hash = formatHash(state);
      if (window.location.hash !== hash) { window.history.replaceState(null, "", hash); }
      if (announce) {
        el.status.textContent = "Stop " + number + ", " + (position + 1) + " of " + order.length +
          ": " + stop[3] + (steps ? ", " + steps.name + ", step " + steps.step + " of " + steps.steps : "");
      }
      keepFocus();
    }

    function keepFocus() {
      // A button that was just disabled or hidden would drop the focus to the page.
      var active = document.activeElement;
      if (!active || !app.contains(active) || !(active.disabled || active.hidden)) { return; }
      var next = [el.reveal, el.next, el.again, el.previous].filter(function (b) {
        return !b.hidden && !b.disabled && !(b.parentNode && b.parentNode.hidden);
      });
      if (next.length) { next[0].focus(); }
    }

    function showEnd() {
      // At the last stop, once revealed: walk again, or on to the next room.
      var following = nextRoom(data, state.room, state.mode);
      el.nextRoom.hidden = following < 0;
      if (following >= 0) {
        el.nextRoom.setAttribute("data-room", data.rooms[following][0]);
        el.nextRoomName.textContent = data.rooms[following][1];
      }
      el.end.hidden = false;
    }

    function uncover() {
      // The answer may open below the bar of buttons (a phone): bring the card up to show it.
      var bar = el.reveal.parentNode.getBoundingClientRect();
      var answer = el.answer.getBoundingClientRect();
      if (answer.bottom > bar.top && el.card.getBoundingClientRect().top > 0) {
        el.card.scrollIntoView({ block: "start" });
      }
    }

    function reveal() {
      if (revealed) { return; }
      revealed = true;
      el.answer.hidden = false;
      el.reveal.hidden = true;
      el.next.classList.remove("secondary");
      var last = position === order.length - 1;
      if (last) { showEnd(); }
      uncover();
      el.status.textContent = el.answer.textContent.replace(/\s+/g, " ").trim() +
        (last ? ". The end of the walk." : "");
      keepFocus();
    }

    function move(to) {
      if (to < 0 || to >= order.length || to === position) { return; }
      position = to;
      show(true);
    }

    function fromControls(mode, room) {
      // Another room, direction or random point: a new walk, from its first stop.
      var wanted = room === undefined ? el.scope.value : room;
      apply({ room: wanted, mode: mode || state.mode, from: 0, stop: 0 }, true);
    }

    el.reveal.addEventListener("click", reveal);
    el.next.addEventListener("click", function () { move(position + 1); });
    el.previous.addEventListener("click", function () { move(position - 1); });
    el.shuffle.addEventListener("click", function () { fromControls("random"); });
    el.again.addEventListener("click", function () { fromControls(); });
    el.nextRoom.addEventListener("click", function () {
      fromControls(state.mode === "random" ? "forward" : state.mode, el.nextRoom.getAttribute("data-room"));
    });
    el.scope.addEventListener("change", function () {
      fromControls();
      if (pointer) { el.card.focus({ preventScroll: true }); }
    });
    for (var i = 0; i < modes.length; i += 1) {
      modes[i].addEventListener("change", function (event) { fromControls(event.target.value); });
    }

    // The keys do what the hints say whatever was clicked last: a control used with the mouse
    // (or a finger) anywhere on the page hands the focus back to the card, so that Space, the
    // arrows and R are the walk's again, not the control's. Controls reached with the keyboard
    // keep their own keys (arrows choose a direction, Space presses a button), as everywhere.
    document.addEventListener("pointerdown", function () { pointer = true; }, true);
    document.addEventListener("click", function (event) {
      // any control of the page (the theme's too), but the search box, which is typed into
      var control = event.target.closest && event.target.closest("button, input, label, summary");
      if (pointer && control && !control.closest("[data-search]")) {
        el.card.focus({ preventScroll: true });
      }
    });

    document.addEventListener("keydown", function (event) {
      var clicked = pointer;
      pointer = false;
      var press = palaceShortcut(event);
      if (!press) { return; }
      var key = press.key, typing = press.typing, pressing = press.pressing, arrows = press.arrows;
      if (clicked && event.target === el.scope) {
        // a room chosen with a click (or the list opened and left as it was): the walk's keys
        el.card.focus({ preventScroll: true });
        typing = pressing = arrows = false;
      }
      if (key === "ArrowRight" && !arrows) { move(position + 1); } else if (key === "ArrowLeft" && !arrows) {
        move(position - 1);
      } else if (key === "Home" && !typing) { move(0); } else if (key === "End" && !typing) {
        move(order.length - 1);
      } else if ((key === " " || key === "Enter") && !pressing) {
        if (revealed) { move(position + 1); } else { reveal(); }
      } else if ((key === "r" || key === "R") && !typing) {
        fromControls("random");
      } else {
        return;
      }
      event.preventDefault();
    });

    window.addEventListener("hashchange", function () {
      if (window.location.hash !== formatHash(state)) { apply(parseHash(window.location.hash), true); }
    });

    // The options are open where there is room for them; on a phone the card comes first.
    el.options.open = Boolean(window.matchMedia && window.matchMedia("(min-width: 48rem)").matches);
    app.hidden = false;
    apply(parseHash(window.location.hash), false);
  }

  if (typeof module === "object" && module.exports) {
    module.exports = {
      scopeStops: scopeStops, scope: scope, route: route, parseHash: parseHash, formatHash: formatHash,
      sequence: sequence, nextRoom: nextRoom,
    };
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  return { scopeStops: scopeStops, scope: scope, route: route, parseHash: parseHash, formatHash: formatHash };
}());
