/* Palace study site: spaced repetition for the quiz, and the learner's progress.

   Scheduling is FSRS-6, done by the vendored ts-fsrs (the global FSRS, static/ts-fsrs.js) with
   its default parameters (90 % retention wanted, learning steps of 1 and 10 minutes, no fuzz).
   This file is what the site adds around it, free of the page so Node can test it
   (tests/browser/js/srs.test.js):

   - Cards: the deck's four kinds, by stop on the walk (stop ids are the notes' stable ids, so
     progress survives edits): "<locus>:pc" (place → concept, loci only), "<stop>:cp" (concept
     → place, every stop), "<stop>:route" (where next, every stop but the last), "<step>:seq"
     (a step of a sequence) and "<locus>:list" (a locus' steps in order); the kind "seq" is
     both of the last. What each card shows is cards.js.
   - Progress: the FSRS state of each card reviewed, as
       {"format": "palace-progress", "version": 2, "palace": "<palace id>",
        "cards": {"<card id>": {"due": ms, "stability": s, "difficulty": d,
                                "scheduled_days": n, "learning_steps": n, "reps": n,
                                "lapses": n, "state": 1|2|3, "last_review": ms,
                                "first_review": ms}},
        "extra_new": {"day": "YYYY-MM-DD", "count": n}}
     Times are milliseconds since 1970 (UTC). `first_review` is when the card stopped being
     new: the cards first reviewed today are the day's new cards (so an undo, which takes the
     state back, gives the day's count back too). Cards stored by version 1 have none (they
     were new before today, as far as anyone knows). `extra_new` is "learn more" for one
     local day: how many new cards the learner added to that day's limit. Export files have
     the same shape plus "exported" (an ISO date). Cards never reviewed are not stored.
   - Version 1 (before Route and Sequence cards) is read and upgraded: its cards keep their
     states, and a step's place → concept card becomes the step's Sequence card, which asks
     the same fact (a step has no place → concept card any more, as in the deck).
   - Storage: localStorage, key "palace-progress:" + the site root's path + the palace id
     ("palace-progress:/repo/ml-palace"). Every project site of a GitHub account shares one
     localStorage, so the site's path keeps sites apart and the palace id keeps palaces apart.
   - Reading progress (from storage or an imported file) checks every field and says what is
     wrong; nothing half-read is ever used.
   - New cards a day: the study data's `new_per_day` (palace.toml `new_cards_per_day`), for
     the palace as a whole, counted from the learner's local midnight.
   - The session queue: learning cards when due, then reviews due today, then the day's new
     cards in walk order (a stop's other cards a few stops after its first; more on request);
     learning cards due within LEARN_AHEAD come back in the same sitting, as in Anki. The
     answers of a sitting can be undone, last first. */
var PalaceSRS = (function () {
  "use strict";

  var FORMAT = "palace-progress";
  var VERSION = 2;
  var KEY_PREFIX = "palace-progress:";
  var KINDS = ["pc", "cp", "route", "seq"]; // the kinds a learner chooses from
  var KIND_OF = { pc: "pc", cp: "cp", route: "route", seq: "seq", list: "seq" };
  var NEW_STATE = 0;
  var LEARNING = 1;
  var REVIEW = 2;
  var RELEARNING = 3;
  var MINUTE = 60 * 1000;
  var DAY = 24 * 60 * MINUTE;
  var LEARN_AHEAD = 20 * MINUTE;
  var NEW_PER_DAY = 20; // when the data does not say (palace.toml's default)
  // New cards in walk order: a stop's first card (place → concept, or a step's sequence card)
  // at its stop, its route card just after the next stop's, its concept → place card a few
  // stops later (right after, the answer would still be in view), the whole sequence after
  // its last step.
  var RANK = { pc: 0, seq: 0, route: 1.25, cp: 5.5 };
  var LATEST = 8.64e15; // the largest time a JavaScript Date can hold
  // Ids are lower-case letters of any script, digits and hyphens (a step's: "<locus>--<place>")
  var CARD_ID = /^[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}\p{Nl}\p{No}]+(?:--?[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}\p{Nl}\p{No}]+)*:(?:pc|cp|route|seq|list)$/u;
  var FIELDS = ["due", "stability", "difficulty", "scheduled_days", "learning_steps", "reps",
    "lapses", "state", "last_review", "first_review"];
  var DAY_KEY = /^\d{4}-\d\d-\d\d$/;

  function ProgressError(message) {
    this.name = "ProgressError";
    this.message = message;
  }
  ProgressError.prototype = Object.create(Error.prototype);
  ProgressError.prototype.constructor = ProgressError;

  /* -- cards and keys --------------------------------------------------------------------- */

  function roomIndex(data, roomId) {
    // The index of a room of the data, -1 for none (the palace), -2 for one it does not know.
    if (!roomId) { return -1; }
    for (var r = 0; r < data.rooms.length; r += 1) {
      if (data.rooms[r][0] === roomId) { return r; }
    }
    return -2;
  }

  function stepCount(data, index) {
    // How many steps the locus at stops[index] has (0 for a step, or a locus without).
    var count = 0;
    if (data.stops[index][2]) { return 0; }
    while (index + count + 1 < data.stops.length && data.stops[index + count + 1][2] === index + 1) {
      count += 1;
    }
    return count;
  }

  function stopCards(data, index) {
    // The cards of the stop at stops[index] (its suffixes), as the deck has them.
    var cards = data.stops[index][2] ? ["cp"] : ["pc", "cp"];
    if (index + 1 < data.stops.length) { cards.push("route"); }
    if (data.stops[index][2]) { cards.push("seq"); } else if (stepCount(data, index)) { cards.push("list"); }
    return cards;
  }

  function defaultKinds(data) {
    // The kinds the quiz asks unless the learner chooses: the deck's (`card_kinds`), all
    // four when the data names none it knows.
    var named = data && Array.isArray(data.kinds) ? data.kinds : [];
    var kinds = KINDS.filter(function (kind) { return named.indexOf(kind) >= 0; });
    return kinds.length ? kinds : KINDS.slice();
  }

  function cardIds(data, roomId, kinds) {
    // Every card of the palace (or of one room) of the chosen kinds (the default ones when
    // none are given), in walk order: a stop's cards side by side.
    var wanted = kinds || defaultKinds(data);
    var ids = [];
    var room = roomIndex(data, roomId);
    if (room === -2) { return ids; }
    for (var i = 0; i < data.stops.length; i += 1) {
      if (room >= 0 && data.stops[i][1] !== room) { continue; }
      var cards = stopCards(data, i);
      for (var k = 0; k < cards.length; k += 1) {
        if (wanted.indexOf(KIND_OF[cards[k]]) >= 0) { ids.push(data.stops[i][0] + ":" + cards[k]); }
      }
    }
    return ids;
  }

  function newRanks(data) {
    // Where each card comes in the order new cards are learnt (see RANK): id → number.
    var ranks = {};
    for (var i = 0; i < data.stops.length; i += 1) {
      var cards = stopCards(data, i);
      for (var k = 0; k < cards.length; k += 1) {
        ranks[data.stops[i][0] + ":" + cards[k]] = i +
          (cards[k] === "list" ? stepCount(data, i) + 0.75 : RANK[cards[k]]);
      }
    }
    return ranks;
  }

  function kindOf(id) {
    return KIND_OF[id.slice(id.lastIndexOf(":") + 1)];
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

  function extraProblem(extra) {
    if (extra === null || typeof extra !== "object" || Array.isArray(extra) ||
        Object.keys(extra).some(function (key) { return key !== "day" && key !== "count"; }) ||
        typeof extra.day !== "string" || !DAY_KEY.test(extra.day) || !isInteger(extra.count, 0, 1e9)) {
      return "This progress file's extra_new is not {\"day\": \"YYYY-MM-DD\", \"count\": n}.";
    }
    return "";
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
    if (card.first_review !== undefined && !isInteger(card.first_review, 0, LATEST)) {
      return "has no valid first review time";
    }
    return "";
  }

  function checkProgress(value, palaceId) {
    // A copy of `value` if it is progress of this palace; otherwise a ProgressError saying why.
    if (value === null || typeof value !== "object" || Array.isArray(value) ||
        value.format !== FORMAT) {
      throw new ProgressError("This is not a Palace progress file.");
    }
    if (value.version !== VERSION && value.version !== 1) {
      throw new ProgressError("This progress file has version " + JSON.stringify(value.version) +
        "; this site reads versions 1 and " + VERSION + ".");
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
    var upgrade = value.version === 1;
    for (var i = 0; i < ids.length; i += 1) {
      if (!CARD_ID.test(ids[i]) || (upgrade && !/:(?:pc|cp)$/.test(ids[i]))) {
        throw new ProgressError("Card " + JSON.stringify(ids[i]) + " is not a card of a palace.");
      }
      var problem = cardProblem(cards[ids[i]]);
      if (!problem && upgrade && cards[ids[i]].first_review !== undefined) {
        problem = "has an unknown field \"first_review\"";
      }
      if (problem) { throw new ProgressError("Card " + JSON.stringify(ids[i]) + " " + problem + "."); }
      var card = {};
      for (var f = 0; f < FIELDS.length; f += 1) {
        if (cards[ids[i]][FIELDS[f]] !== undefined) { card[FIELDS[f]] = cards[ids[i]][FIELDS[f]]; }
      }
      checked.cards[ids[i]] = card;
    }
    if (upgrade) { upgradeSteps(checked.cards); }
    if (value.extra_new !== undefined && !upgrade) {
      var wrong = extraProblem(value.extra_new);
      if (wrong) { throw new ProgressError(wrong); }
      checked.extra_new = { day: value.extra_new.day, count: value.extra_new.count };
    }
    return checked;
  }

  function upgradeSteps(cards) {
    // Version 1 had a place → concept card for steps; the Sequence card asks that fact now.
    Object.keys(cards).forEach(function (id) {
      if (id.indexOf("--") >= 0 && id.slice(-3) === ":pc") {
        var sequence = id.slice(0, -3) + ":seq";
        if (!cards[sequence]) { cards[sequence] = cards[id]; }
        delete cards[id];
      }
    });
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
    if (progress.extra_new) { out.extra_new = progress.extra_new; }
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
    if (current.extra_new) { merged.extra_new = current.extra_new; }
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
    var next = fromCard(s.fsrs.next(toCard(s, state, now), new Date(now), rating).card);
    var first = state ? state.first_review : now;
    if (first !== undefined) { next.first_review = first; }
    return next;
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

  function startOfDay(now) {
    var start = new Date(now);
    start.setHours(0, 0, 0, 0);
    return start.getTime();
  }

  function dayKey(now) {
    // The learner's local date, "YYYY-MM-DD".
    var day = new Date(now);
    return day.getFullYear() + "-" + String(day.getMonth() + 1).padStart(2, "0") + "-" +
      String(day.getDate()).padStart(2, "0");
  }

  function isDueToday(state, now) {
    return state.due < endOfDay(now);
  }

  function newToday(progress, now) {
    // How many cards of the palace were new until today: first reviewed since local midnight.
    var start = startOfDay(now);
    var count = 0;
    Object.keys(progress.cards).forEach(function (id) {
      var first = progress.cards[id].first_review;
      if (first !== undefined && first >= start) { count += 1; }
    });
    return count;
  }

  function extraNew(progress, now) {
    var extra = progress.extra_new;
    return extra && extra.day === dayKey(now) ? extra.count : 0;
  }

  function addExtraNew(progress, now, count) {
    // "Learn more": today's limit grows by `count` (kept with the progress, for today only).
    progress.extra_new = { day: dayKey(now), count: extraNew(progress, now) + count };
  }

  function newLeft(progress, now, limit) {
    // How many new cards are left for today: the limit (plus "learn more") less those studied.
    return Math.max(0, limit + extraNew(progress, now) - newToday(progress, now));
  }

  function dailyLimit(data) {
    var limit = data && data.new_per_day;
    return typeof limit === "number" && Number.isInteger(limit) && limit >= 0 ? limit : NEW_PER_DAY;
  }

  function dueCounts(ids, progress, now, limit) {
    // {due, learning, fresh, unseen}: cards due today (reviews, and learning cards), the new
    // cards left for today among `ids` (all of them without a `limit`), and those never seen.
    var counts = { due: 0, learning: 0, fresh: 0, unseen: 0 };
    for (var i = 0; i < ids.length; i += 1) {
      var state = progress.cards[ids[i]];
      if (!state) {
        counts.unseen += 1;
      } else if (isDueToday(state, now)) {
        if (state.state === REVIEW) { counts.due += 1; } else { counts.learning += 1; }
      }
    }
    counts.fresh = limit === undefined ? counts.unseen :
      Math.min(counts.unseen, newLeft(progress, now, limit));
    return counts;
  }

  function Session(ids, progress, now, newLimit, ranks) {
    // One sitting: `ids` in walk order. Reviews due today by due time (then walk order); new
    // cards by `ranks` (newRanks; without them, walk order), `newLimit` of them; cards in
    // learning by due time.
    this.learning = [];
    this.review = [];
    this.fresh = [];
    this.waiting = []; // new cards beyond the limit
    this.undone = []; // what each answer changed, last answer last (see undo)
    var self = this;
    var order = {};
    var fresh = [];
    ids.forEach(function (id, index) {
      order[id] = index;
      var state = progress.cards[id];
      if (!state) {
        fresh.push([ranks && id in ranks ? ranks[id] : index, index, id]);
      } else if (isDueToday(state, now)) {
        (state.state === REVIEW ? self.review : self.learning).push(id);
      }
    });
    fresh.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    fresh.forEach(function (item) { (self.fresh.length < newLimit ? self.fresh : self.waiting).push(item[2]); });
    var byDue = function (a, b) {
      return progress.cards[a].due - progress.cards[b].due || order[a] - order[b];
    };
    this.review.sort(byDue);
    this.learning.sort(byDue);
    this.progress = progress;
    this.order = order;
  }

  var QUEUES = ["learning", "review", "fresh", "waiting"];

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
    var before = { id: id, state: this.progress.cards[id] };
    QUEUES.forEach(function (queue) { before[queue] = self[queue].slice(); });
    this.undone.push(before);
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

  Session.prototype.undo = function () {
    // Take the last answer back: the card's state before it (none for a new card, which so
    // counts as new today again) and the queues. The card's id, or null when there is none.
    var last = this.undone.pop();
    if (!last) { return null; }
    var self = this;
    if (last.state) { this.progress.cards[last.id] = last.state; } else { delete this.progress.cards[last.id]; }
    QUEUES.forEach(function (queue) { self[queue] = last[queue]; });
    return last.id;
  };

  Session.prototype.canUndo = function () {
    return this.undone.length > 0;
  };

  Session.prototype.moreNew = function (count) {
    // Move up to `count` waiting new cards into the session; how many were moved. Answers
    // before it can no longer be undone (their queues did not have these cards).
    var moved = this.waiting.splice(0, count);
    this.fresh = this.fresh.concat(moved);
    this.undone = [];
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
    NEW_PER_DAY: NEW_PER_DAY,
    ProgressError: ProgressError,
    cardIds: cardIds,
    defaultKinds: defaultKinds,
    newRanks: newRanks,
    kindOf: kindOf,
    stepCount: stepCount,
    roomIndex: roomIndex,
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
    startOfDay: startOfDay,
    dayKey: dayKey,
    newToday: newToday,
    newLeft: newLeft,
    addExtraNew: addExtraNew,
    extraNew: extraNew,
    dailyLimit: dailyLimit,
    dueCounts: dueCounts,
    Session: Session,
    plural: plural,
    formatWait: formatWait,
  };
}());

if (typeof module === "object" && module.exports) { module.exports = PalaceSRS; }
