/* Palace study site: what each quiz card shows, front and back, following the deck's rules
   (builder/deck): one fact per card, never the answer on the front, no two cards with the same
   cue and answer. Free of the page, so Node can test every card of a palace
   (tests/browser/js/cards.test.js); quiz.js puts it on the page.

   The kinds (card ids and which stops have them: srs.js):
   - pc, Place → Concept (loci only: a step is asked by its Sequence card): palace › room, the
     place, where you came from → the concept, its description, the mnemonic;
   - cp, Concept → Place (every stop): the concept → room, place, and for a step its sequence
     and "step k of n";
   - route (every stop but the last): at this place, coming from the one before, where next? →
     the next place only (its concept is another card's answer), with the mnemonic of the place
     asked at. The room is not on the front: the next place may be named like it;
   - seq (a step): the sequence's name and place, "step k of n", the (up to) two steps before it
     and this step's place with a blank, never a later step → the whole sequence with this
     step filled in;
   - list (a locus with steps): the sequence's name and place, "n steps in order?" → the list.
   Every back shows the mnemonic note and picture of the locus it is about (a step's: its
   locus'), where there is one.

   A card is {id, kind, label, front, back, answer}; `front.cuePlace` is the place the cue names
   (pc, route), for the tests. Text is {text} (set as text) or {html} (the
   notes' HTML, made safe at build time: builder/site/study.py); a line of words is a list of
   [text, isPlace] parts; `steps` is {start, items: [{place, html, asked}]} where html null is
   the blank; `picture` indexes data.pictures (-1: none). `answer` is the asked fact as plain
   text (for the tests: never on the front). */
var PalaceCards = (function () {
  "use strict";

  var LABELS = {
    pc: "Place → Concept",
    cp: "Concept → Place",
    route: "Route",
    seq: "Sequence",
    list: "Whole sequence",
  };
  var PREVIOUS_STEPS = 2;

  function plain(stop, field) {
    // A field as plain text: its text column, or the HTML itself when it has no markup (0).
    var text = stop[field === 4 ? 8 : 9];
    return text === 0 || text === undefined ? stop[field] : text;
  }

  function Stops(data) {
    this.data = data;
    this.at = {};
    for (var i = 0; i < data.stops.length; i += 1) { this.at[data.stops[i][0]] = i; }
  }

  Stops.prototype.steps = function (locusIndex) {
    var steps = [];
    var stops = this.data.stops;
    for (var i = locusIndex + 1; i < stops.length && stops[i][2] === locusIndex + 1; i += 1) {
      steps.push(i);
    }
    return steps;
  };

  Stops.prototype.about = function (index) {
    // The locus a stop is about: itself, or a step's locus.
    var parent = this.data.stops[index][2];
    return parent ? parent - 1 : index;
  };

  Stops.prototype.picture = function (index, roomToo) {
    var stops = this.data.stops;
    var own = stops[this.about(index)][7];
    return own >= 0 || !roomToo ? own : this.data.rooms[stops[index][1]][4];
  };

  var known = null; // the Stops of the data asked about last: one palace per page

  function stopsOf(data) {
    if (!known || known.data !== data) { known = new Stops(data); }
    return known;
  }

  function cameFrom(stops, index) {
    if (index === 0) { return [["the start of the walk", false]]; }
    return [["you came from ", false], [stops[index - 1][3], true]];
  }

  function stepList(stops, steps, asked, upTo) {
    // The steps (indices) as a list: up to the asked one only on a front (`upTo`), else all.
    var first = upTo ? Math.max(0, steps.indexOf(asked) - PREVIOUS_STEPS) : 0;
    var last = upTo ? steps.indexOf(asked) : steps.length - 1;
    var items = [];
    for (var k = first; k <= last; k += 1) {
      var stop = stops[steps[k]];
      items.push({ place: stop[3], html: upTo && steps[k] === asked ? null : stop[4], asked: steps[k] === asked });
    }
    return { start: first + 1, items: items };
  }

  function card(data, id) {
    // The card `id` of the palace in `data`, or null when the data has no such card.
    var cut = id.lastIndexOf(":");
    var kind = id.slice(cut + 1);
    var walk = stopsOf(data);
    var index = walk.at[id.slice(0, cut)];
    if (index === undefined || !LABELS[kind]) { return null; }
    var stops = data.stops;
    var stop = stops[index];
    var number = index + 1;
    var about = stops[walk.about(index)];
    var room = data.rooms[stop[1]] ? data.rooms[stop[1]][1] : "";
    var front = { trail: data.title, cue: null, cuePlace: "", cueClass: "cue-concept", where: [], picture: -1, steps: null, prompt: "" };
    var back = { trail: "", main: null, mainClass: "concept", where: [], description: "", steps: null, note: about[6], picture: walk.picture(index, false) };
    var answer = [];
    if (kind === "pc") {
      front.trail = data.title + " › " + room;
      front.cue = { text: stop[3] };
      front.cuePlace = stop[3];
      front.cueClass = "cue-place";
      front.where = [["stop " + number + " · ", false]].concat(cameFrom(stops, index));
      front.picture = walk.picture(index, true);
      front.prompt = "What lives here?";
      back.main = { html: stop[4] };
      back.description = stop[5];
      back.picture = -1; // on the front, still in view
      answer = [plain(stop, 4)];
    } else if (kind === "cp") {
      front.cue = { html: stop[4] };
      front.prompt = "Where does it live on the walk?";
      back.trail = room;
      back.main = { text: stop[3] };
      back.mainClass = "place";
      if (stop[2]) {
        var steps = walk.steps(stop[2] - 1);
        back.where = [[plain(about, 4) + " at ", false], [about[3], true],
          [" · step " + (steps.indexOf(index) + 1) + " of " + steps.length + " · stop " + number, false]];
      } else {
        back.where = [["stop " + number, false]];
        if (index > 0) { back.where.push([" · after ", false], [stops[index - 1][3], true]); }
      }
      back.description = stop[5];
      back.picture = walk.picture(index, true);
      answer = [stop[3]];
    } else if (kind === "route") {
      if (index + 1 >= stops.length) { return null; }
      front.cue = { text: "At " + stop[3] + ", where next?" };
      front.cuePlace = stop[3];
      front.cueClass = "cue-place";
      front.where = cameFrom(stops, index);
      back.main = { text: stops[index + 1][3] };
      back.mainClass = "place";
      back.where = [["stop " + (number + 1), false]];
      answer = [stops[index + 1][3]];
    } else if (kind === "seq") {
      if (!stop[2]) { return null; }
      var sequence = walk.steps(stop[2] - 1);
      front.cue = { html: about[4] };
      front.where = [["at ", false], [about[3], true],
        [" · step " + (sequence.indexOf(index) + 1) + " of " + sequence.length, false]];
      front.steps = stepList(stops, sequence, index, true);
      front.prompt = "What comes at this step?";
      back.steps = stepList(stops, sequence, index, false);
      back.description = stop[5];
      answer = [plain(stop, 4)];
    } else {
      var all = walk.steps(index);
      if (stop[2] || !all.length) { return null; }
      front.cue = { html: stop[4] };
      front.where = [["at ", false], [stop[3], true]];
      front.prompt = all.length + " steps in order?";
      back.steps = stepList(stops, all, -1, false);
      answer = all.map(function (step) { return plain(stops[step], 4); });
    }
    return { id: id, kind: kind, label: LABELS[kind], front: front, back: back, answer: answer };
  }

  return { LABELS: LABELS, PREVIOUS_STEPS: PREVIOUS_STEPS, card: card, plain: plain };
}());

if (typeof module === "object" && module.exports) { module.exports = PalaceCards; }
