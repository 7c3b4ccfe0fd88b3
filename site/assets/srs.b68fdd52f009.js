/* Palace study site: spaced repetition for the quiz, and the learner's progress.

   Scheduling is FSRS-6, done by the vendored ts-fsrs (the global FSRS, static/ts-fsrs.js) with
   its default parameters (90 % retention wanted, learning steps of 1 and 10 minutes, no fuzz).
   This file is what the site adds around it, free of the page so Node can test it
   (tests/browser/js/srs.test.js):

   - Cards: two per stop on the walk, "<stop id>:pc" (place → concept) and "<stop id>:cp"
     (concept → place). Stop ids are the notes' stable ids, so progress survives edits.
   - Progress: the FSRS state of each card reviewed, as
       {"format": "palace-progress", "version": 1, "palace": "<palace id>",
        "cards": {"<card id>": {"due": ms, "stability": s, "difficulty": d,
                                "scheduled_days": n, "learning_steps": n, "reps": n,
                                "lapses": n, "state": 1|2|3, "last_review": ms}}}
     Times are milliseconds since 1970 (UTC). Export files have the same shape plus
     "exported" (an ISO date). Cards never reviewed are not stored.
   - Storage: localStorage, key "palace-progress:" + the site root's path + the palace id
     ("palace-progress:/repo/ml-palace"). Every project site of a GitHub account shares one
     localStorage, so the site's path keeps sites apart and the palace id keeps palaces apart.
   - Reading progress (from storage or an imported file) checks every field and says what is
     wrong; nothing half-read is ever used.
   - The session queue: learning cards when due, then reviews due today, then new cards in walk
     order (NEW_PER_SESSION a sitting, more on request; a stop's Concept → Place card a few stops
     after its Place → Concept card); learning cards due within LEARN_AHEAD come back in the
     same sitting, as in Anki. */
var PalaceSRS = (function () {
  "use strict";

  var FORMAT = "palace-progress";
  var VERSION = 1;
  var KEY_PREFIX = "palace-progress:";
  var KINDS = ["pc", "cp"];
  var NEW_STATE = 0;
  var LEARNING = 1;
  var REVIEW = 2;
  var RELEARNING = 3;
  var MINUTE = 60 * 1000;
  var DAY = 24 * 60 * MINUTE;
  var LEARN_AHEAD = 20 * MINUTE;
  var NEW_PER_SESSION = 20;
  var SIBLING_GAP = 5;
  var LATEST = 8.64e15; // the largest time a JavaScript Date can hold
  var CARD_ID = /^[a-z0-9]+(?:--?[a-z0-9]+)*:(?:pc|cp)$/;
  var FIELDS = ["due", "stability", "difficulty", "scheduled_days", "learning_steps", "reps",
    "lapses", "state", "last_review"];

  function ProgressError(message) {
    this.name = "ProgressError";
    this.message = message;
  }
  ProgressError.prototype = Object.create(Error.prototype);
  ProgressError.prototype.constructor = ProgressError;

  /* -- cards and keys --------------------------------------------------------------------- */

  function cardIds(data, roomId, kinds) {
    // Every card of the palace (or of one room) in walk order: a stop's cards side by side.
    var wanted = kinds || KINDS;
    var ids = [];
    var room = -1;
    if (roomId) {
      for (var r = 0; r < data.rooms.length; r += 1) {
        if (data.rooms[r][0] === roomId) { room = r; }
      }
      if (room < 0) { return ids; }
    }
    for (var i = 0; i < data.stops.length; i += 1) {
      if (room >= 0 && data.stops[i][1] !== room) { continue; }
      for (var k = 0; k < wanted.length; k += 1) { ids.push(data.stops[i][0] + ":" + wanted[k]); }
    }
    return ids;
  }

  function progressKey(rootPath, palaceId) {
    return KEY_PREFIX + rootPath + palaceId;
  }

  function rootPath(doc, href) {
    // The path of the site root, from the relative URL every page carries in <html data-root>.
    var root = doc.documentElement.getAttribute("data-root") || "./";
    return new URL(root, href).pathname;
  }

  /* -- progress: reading, checking, writing ----------------------------------------------- */

  function emptyProgress(palaceId) {
    return { format: FORMAT, version: VERSION, palace: palaceId, cards: {} };
  }

  function isInteger(value, low, high) {
    return typeof value === "number" && Number.isInteger(value) && value >= low && value <= high;
  }

  function isNumber(value, low, high) {
    return typeof value === "number" && Number.isFinite(value) && value >= low && value <= high;
  }

  function cardProblem(card) {
    // What is wrong with a stored card state, or "" when nothing is.
    if (card === null || typeof card !== "object" || Array.isArray(card)) { return "is not an object"; }
    for (var key in card) {
      if (Object.prototype.hasOwnProperty.call(card, key) && FIELDS.indexOf(key) < 0) {
        return "has an unknown field \"" + key + "\"";
      }
    }
    if (!isInteger(card.state, LEARNING, RELEARNING)) { return "has no valid state (1, 2 or 3)"; }
    if (!isInteger(card.due, 0, LATEST)) { return "has no valid due time"; }
    if (!isInteger(card.last_review, 0, LATEST)) { return "has no valid last review time"; }
    if (!isNumber(card.stability, 0, 1e6) || card.stability === 0) { return "has no valid stability"; }
    if (!isNumber(card.difficulty, 1, 10)) { return "has no valid difficulty (1 to 10)"; }
    if (!isInteger(card.scheduled_days, 0, 1e6)) { return "has no valid scheduled_days"; }
    if (!isInteger(card.learning_steps, 0, 1000)) { return "has no valid learning_steps"; }
    if (!isInteger(card.reps, 1, 1e9)) { return "has no valid reps"; }
    if (!isInteger(card.lapses, 0, 1e9)) { return "has no valid lapses"; }
    return "";
  }

  function checkProgress(value, palaceId) {
    // A copy of `value` if it is progress of this palace; otherwise a ProgressError saying why.
    if (value === null || typeof value !== "object" || Array.isArray(value) ||
        value.format !== FORMAT) {
      throw new ProgressError("This is not a Palace progress file.");
    }
    if (value.version !== VERSION) {
      throw new ProgressError("This progress file has version " + JSON.stringify(value.version) +
        "; this site reads version " + VERSION + ".");
    }
    if (value.palace !== palaceId) {
      throw new ProgressError("This file holds progress for the palace " +
        JSON.stringify(value.palace) + ", not for " + JSON.stringify(palaceId) + ".");
    }
    var cards = value.cards;
    if (cards === null || typeof cards !== "object" || Array.isArray(cards)) {
      throw new ProgressError("This progress file has no cards.");
    }
    var checked = emptyProgress(palaceId);
    var ids = Object.keys(cards);
    for (var i = 0; i < ids.length; i += 1) {
      if (!CARD_ID.test(ids[i])) {
        throw new ProgressError("Card " + JSON.stringify(ids[i]) + " is not a card of a palace.");
      }
      var problem = cardProblem(cards[ids[i]]);
      if (problem) { throw new ProgressError("Card " + JSON.stringify(ids[i]) + " " + problem + "."); }
      var card = {};
      for (var f = 0; f < FIELDS.length; f += 1) { card[FIELDS[f]] = cards[ids[i]][FIELDS[f]]; }
      checked.cards[ids[i]] = card;
    }
    return checked;
  }

  function parseProgress(text, palaceId) {
    var value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ProgressError("This file is not a progress file: it is not valid JSON.");
    }
    return checkProgress(value, palaceId);
  }

  function serializeProgress(progress, exportedAt) {
    // Cards sorted by id: the same progress always gives the same text.
    var out = { format: FORMAT, version: VERSION, palace: progress.palace };
    if (exportedAt !== undefined) { out.exported = new Date(exportedAt).toISOString(); }
    out.cards = {};
    Object.keys(progress.cards).sort().forEach(function (id) { out.cards[id] = progress.cards[id]; });
    return JSON.stringify(out, null, exportedAt !== undefined ? 1 : undefined);
  }

  function loadProgress(storage, key, palaceId) {
    // {progress, error}: unreadable progress is kept aside (key + ":unreadable") and replaced by
    // an empty one, so a damaged entry can't stop the quiz, and is not lost either.
    var text = null;
    try { text = storage ? storage.getItem(key) : null; } catch (error) { text = null; }
    if (text === null) { return { progress: emptyProgress(palaceId), error: "" }; }
    try {
      return { progress: parseProgress(text, palaceId), error: "" };
    } catch (error) {
      try { storage.setItem(key + ":unreadable", text); } catch (ignored) { /* full: keep as is */ }
      return { progress: emptyProgress(palaceId), error: error.message };
    }
  }

  function saveProgress(storage, key, progress) {
    // "" when saved, else why not.
    try {
      storage.setItem(key, serializeProgress(progress));
      return "";
    } catch (error) {
      return "Your progress could not be saved in this browser (its storage is full or turned " +
        "off). Export it to keep it.";
    }
  }

  function mergeProgress(current, incoming) {
    // Both progresses' cards; a card in both keeps the state reviewed last (a tie: incoming).
    var merged = emptyProgress(current.palace);
    var taken = 0;
    var kept = 0;
    Object.keys(current.cards).forEach(function (id) { merged.cards[id] = current.cards[id]; });
    Object.keys(incoming.cards).forEach(function (id) {
      var mine = merged.cards[id];
      if (mine && mine.last_review > incoming.cards[id].last_review) {
        kept += 1;
      } else {
        merged.cards[id] = incoming.cards[id];
        taken += 1;
      }
    });
    return { progress: merged, taken: taken, kept: kept };
  }

  /* -- scheduling with FSRS --------------------------------------------------------------- */

  function scheduler(library) {
    var fsrsLibrary = library || (typeof FSRS !== "undefined" ? FSRS : null);
    if (!fsrsLibrary) { throw new Error("the FSRS scheduler (ts-fsrs) is not loaded"); }
    return { library: fsrsLibrary, fsrs: fsrsLibrary.fsrs({ enable_fuzz: false }) };
  }

  function toCard(s, state, now) {
    if (!state) { return s.library.createEmptyCard(new Date(now)); }
    return {
      due: new Date(state.due),
      stability: state.stability,
      difficulty: state.difficulty,
      elapsed_days: 0, // FSRS works it out from last_review
      scheduled_days: state.scheduled_days,
      learning_steps: state.learning_steps,
      reps: state.reps,
      lapses: state.lapses,
      state: state.state,
      last_review: new Date(state.last_review),
    };
  }

  function fromCard(card) {
    return {
      due: card.due.getTime(),
      stability: card.stability,
      difficulty: card.difficulty,
      scheduled_days: card.scheduled_days,
      learning_steps: card.learning_steps,
      reps: card.reps,
      lapses: card.lapses,
      state: card.state,
      last_review: card.last_review.getTime(),
    };
  }

  function grade(s, state, now, rating) {
    // The card's next state after answering it with rating 1 (Again) to 4 (Easy) at `now`.
    return fromCard(s.fsrs.next(toCard(s, state, now), new Date(now), rating).card);
  }

  function preview(s, state, now) {
    // What each rating would do: [null, again, hard, good, easy], each {state, wait (ms)}.
    var options = s.fsrs.repeat(toCard(s, state, now), new Date(now));
    var out = [null];
    for (var rating = 1; rating <= 4; rating += 1) {
      var next = fromCard(options[rating].card);
      out.push({ state: next, wait: next.due - now });
    }
    return out;
  }

  /* -- what is due ------------------------------------------------------------------------ */

  function endOfDay(now) {
    // The next local midnight: "today" as the learner's clock sees it.
    var end = new Date(now);
    end.setHours(24, 0, 0, 0);
    return end.getTime();
  }

  function isDueToday(state, now) {
    return state.due < endOfDay(now);
  }

  function dueCounts(ids, progress, now) {
    // {due, learning, fresh}: cards due today (reviews, and learning cards), and never seen.
    var counts = { due: 0, learning: 0, fresh: 0 };
    for (var i = 0; i < ids.length; i += 1) {
      var state = progress.cards[ids[i]];
      if (!state) {
        counts.fresh += 1;
      } else if (isDueToday(state, now)) {
        if (state.state === REVIEW) { counts.due += 1; } else { counts.learning += 1; }
      }
    }
    return counts;
  }

  function Session(ids, progress, now, newLimit) {
    // One sitting: `ids` in walk order. Reviews due today by due time (then walk order); new
    // cards in walk order, `newLimit` of them, each stop's Concept → Place card SIBLING_GAP stops
    // after its Place → Concept card (right after it, the answer would still be in view);
    // cards in learning by due time.
    this.learning = [];
    this.review = [];
    this.fresh = [];
    this.waiting = []; // new cards beyond the limit
    var self = this;
    var order = {};
    var stopRank = {};
    var fresh = [];
    ids.forEach(function (id, index) {
      order[id] = index;
      var stop = id.slice(0, id.lastIndexOf(":"));
      if (!(stop in stopRank)) { stopRank[stop] = Object.keys(stopRank).length; }
      var state = progress.cards[id];
      if (!state) {
        fresh.push([stopRank[stop] + (id.slice(-3) === ":cp" ? SIBLING_GAP + 0.5 : 0), id]);
      } else if (isDueToday(state, now)) {
        (state.state === REVIEW ? self.review : self.learning).push(id);
      }
    });
    fresh.sort(function (a, b) { return a[0] - b[0]; });
    fresh.forEach(function (pair) { (self.fresh.length < newLimit ? self.fresh : self.waiting).push(pair[1]); });
    var byDue = function (a, b) {
      return progress.cards[a].due - progress.cards[b].due || order[a] - order[b];
    };
    this.review.sort(byDue);
    this.learning.sort(byDue);
    this.progress = progress;
    this.order = order;
  }

  Session.prototype.next = function (now) {
    // The card to show at `now`, or null when the session is done.
    var cards = this.progress.cards;
    if (this.learning.length && cards[this.learning[0]].due <= now) { return this.learning[0]; }
    if (this.review.length) { return this.review[0]; }
    if (this.fresh.length) { return this.fresh[0]; }
    if (this.learning.length && cards[this.learning[0]].due <= now + LEARN_AHEAD) {
      return this.learning[0];
    }
    return null;
  };

  Session.prototype.answered = function (id, state, now) {
    // Take a graded card out of its queue; a card still in (re)learning today comes back.
    var self = this;
    ["learning", "review", "fresh"].forEach(function (queue) {
      var at = self[queue].indexOf(id);
      if (at >= 0) { self[queue].splice(at, 1); }
    });
    this.progress.cards[id] = state;
    if (state.state !== REVIEW && isDueToday(state, now)) {
      this.learning.push(id);
      var cards = this.progress.cards;
      var order = this.order;
      this.learning.sort(function (a, b) { return cards[a].due - cards[b].due || order[a] - order[b]; });
    }
  };

  Session.prototype.moreNew = function (count) {
    // Move up to `count` waiting new cards into the session; how many were moved.
    var moved = this.waiting.splice(0, count);
    this.fresh = this.fresh.concat(moved);
    return moved.length;
  };

  Session.prototype.counts = function () {
    return { fresh: this.fresh.length, learning: this.learning.length, review: this.review.length,
      waiting: this.waiting.length };
  };

  Session.prototype.nextDue = function () {
    // When the next card of the scope comes due after this session (ms), or null.
    var soonest = null;
    var cards = this.progress.cards;
    Object.keys(this.order).forEach(function (id) {
      if (cards[id] && (soonest === null || cards[id].due < soonest)) { soonest = cards[id].due; }
    });
    return soonest;
  };

  /* -- words ------------------------------------------------------------------------------ */

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function formatWait(ms) {
    // "1 min", "10 min", "3 h", "1 day", "12 days", "2.5 months", "1.2 years"
    var minutes = Math.max(1, Math.round(ms / MINUTE));
    if (minutes < 60) { return minutes + " min"; }
    var hours = Math.round(ms / (60 * MINUTE));
    if (hours < 24) { return hours + " h"; }
    var days = Math.round(ms / DAY);
    if (days < 31) { return plural(days, "day", "days"); }
    var months = Math.round(ms / (DAY * 30.4375) * 10) / 10;
    if (months < 12) { return months + " months"; }
    return Math.round(ms / (DAY * 365.25) * 10) / 10 + " years";
  }

  return {
    FORMAT: FORMAT,
    VERSION: VERSION,
    KINDS: KINDS,
    NEW_STATE: NEW_STATE,
    LEARNING: LEARNING,
    REVIEW: REVIEW,
    RELEARNING: RELEARNING,
    LEARN_AHEAD: LEARN_AHEAD,
    NEW_PER_SESSION: NEW_PER_SESSION,
    ProgressError: ProgressError,
    cardIds: cardIds,
    progressKey: progressKey,
    rootPath: rootPath,
    emptyProgress: emptyProgress,
    checkProgress: checkProgress,
    parseProgress: parseProgress,
    serializeProgress: serializeProgress,
    loadProgress: loadProgress,
    saveProgress: saveProgress,
    mergeProgress: mergeProgress,
    scheduler: scheduler,
    grade: grade,
    preview: preview,
    endOfDay: endOfDay,
    dueCounts: dueCounts,
    Session: Session,
    plural: plural,
    formatWait: formatWait,
  };
}());

if (typeof module === "object" && module.exports) { module.exports = PalaceSRS; }
