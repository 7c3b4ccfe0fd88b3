// Scheduling and progress (static/srs.js) with the vendored FSRS, as the site serves them.
// Run by tests/test_study_js.py: `node --test`, PALACE_ASSETS = the served scripts.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const ASSETS = process.env.PALACE_ASSETS;
const FSRS = require(path.join(ASSETS, "ts-fsrs.js"));
const srs = require(path.join(ASSETS, "srs.js"));

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const [AGAIN, HARD, GOOD, EASY] = [1, 2, 3, 4];

// The seed palace's shape in miniature: two rooms, a locus with two steps.
const DATA = {
  palace: "ml-palace",
  title: "Machine learning palace",
  new_per_day: 20,
  rooms: [["kitchen", "Kitchen", "ml-palace/kitchen/index.html", "", -1],
    ["window-room", "View", "ml-palace/window-room/index.html", "", -1]],
  stops: [
    ["stove", 0, 0, "Stove", "Loss Functions", "", "", -1],
    ["filter", 0, 0, "Filter", "Softmax", "", "", -1],
    ["window", 1, 0, "Window", "Core training step", "", "", -1],
    ["window--balcony", 1, 3, "Balcony", "output", "", "", -1],
    ["window--street", 1, 3, "Street", "zero_grad", "", "", -1],
  ],
  pictures: [],
};

function roundTrip(progress) {
  // What storage or an export and an import make of progress: it must lose nothing.
  return srs.parseProgress(srs.serializeProgress(progress), progress.palace);
}

// -- FSRS reference values ------------------------------------------------------------------

test("the served ts-fsrs is the FSRS-6 of ts-fsrs 5.4.2 with its default weights", () => {
  assert.equal(FSRS.FSRSVersion, "v5.4.2 using FSRS-6.0");
  assert.deepEqual(Array.from(FSRS.default_w), [0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334,
    3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425,
    0.0912, 0.0658, 0.1542]);
});

test("intervals match ts-fsrs's FSRS-6 reference, with progress stored after every answer", () => {
  // ts-fsrs packages/fsrs/__tests__/FSRS-6.test.ts, "ivl_history": each review on the due date.
  const s = srs.scheduler(FSRS);
  const ratings = [GOOD, GOOD, GOOD, GOOD, GOOD, GOOD, AGAIN, AGAIN, GOOD, GOOD, GOOD, GOOD, GOOD];
  let progress = srs.emptyProgress("ml-palace");
  let now = new Date(2022, 11, 29, 12, 30, 0, 0).getTime();
  const intervals = [];
  for (const rating of ratings) {
    const state = srs.grade(s, progress.cards["stove:pc"], now, rating);
    progress.cards["stove:pc"] = state;
    progress = roundTrip(progress);
    intervals.push(progress.cards["stove:pc"].scheduled_days);
    now = progress.cards["stove:pc"].due;
  }
  assert.deepEqual(intervals, [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]);
});

test("memory state matches the fsrs-rs reference (short-term scheduling)", () => {
  // fsrs-rs src/inference.rs (037345f, lines 836-841), also in ts-fsrs's FSRS-6 tests:
  // Again, then Good five times, 0, 0, 1, 3, 8 and 21 days apart → S 53.62691, D 6.3574867.
  const s = srs.scheduler(FSRS);
  const ratings = [AGAIN, GOOD, GOOD, GOOD, GOOD, GOOD];
  const days = [0, 0, 1, 3, 8, 21];
  let state;
  let now = new Date(2022, 11, 29, 12, 30, 0, 0).getTime();
  ratings.forEach((rating, index) => {
    now += days[index] * DAY;
    state = srs.grade(s, state, now, rating);
  });
  assert.ok(Math.abs(state.stability - 53.62691) < 1e-4, String(state.stability));
  assert.ok(Math.abs(state.difficulty - 6.3574867) < 1e-4, String(state.difficulty));
});

test("a new card's four options match the FSRS-6 reference", () => {
  // ts-fsrs FSRS-6 tests, "first repeat": the initial stability is w0..w3.
  const s = srs.scheduler(FSRS);
  const now = new Date(2022, 11, 29, 12, 30, 0, 0).getTime();
  const options = srs.preview(s, undefined, now).slice(1);
  assert.deepEqual(options.map((o) => o.state.stability), [0.212, 1.2931, 2.3065, 8.2956]);
  assert.deepEqual(options.map((o) => o.state.difficulty), [6.4133, 5.11217071, 2.11810397, 1]);
  assert.deepEqual(options.map((o) => o.state.state), [srs.LEARNING, srs.LEARNING, srs.LEARNING, srs.REVIEW]);
  // learning steps of 1 and 10 minutes; Hard waits between them; Easy graduates at once
  assert.deepEqual(options.map((o) => o.wait), [MINUTE, 6 * MINUTE, 10 * MINUTE, 8 * DAY]);
  assert.deepEqual(options.map((o) => srs.formatWait(o.wait)), ["1 min", "6 min", "10 min", "8 days"]);
});

// -- cards, keys ----------------------------------------------------------------------------

test("the deck's cards, in walk order, for the palace or one room, of the chosen kinds", () => {
  assert.deepEqual(srs.cardIds(DATA), [
    "stove:pc", "stove:cp", "stove:route",
    "filter:pc", "filter:cp", "filter:route",
    "window:pc", "window:cp", "window:route", "window:list", // a locus with steps: the whole list
    "window--balcony:cp", "window--balcony:route", "window--balcony:seq", // a step: no pc
    "window--street:cp", "window--street:seq", // the last stop: no route
  ]);
  assert.deepEqual(srs.cardIds(DATA, "window-room", ["cp"]),
    ["window:cp", "window--balcony:cp", "window--street:cp"]);
  assert.deepEqual(srs.cardIds(DATA, "kitchen", ["route", "seq"]), ["stove:route", "filter:route"]);
  assert.deepEqual(srs.cardIds(DATA, "window-room", ["seq"]),
    ["window:list", "window--balcony:seq", "window--street:seq"]);
  assert.deepEqual(srs.cardIds(DATA, "no-such-room"), []);
  assert.equal(srs.kindOf("window:list"), "seq");
});

test("without a choice, the quiz asks the kinds the deck makes (card_kinds), all four by default", () => {
  assert.deepEqual(srs.defaultKinds(DATA), ["pc", "cp", "route", "seq"]); // data of 0.2.0: none named
  const deck = { ...DATA, kinds: ["route", "cp"] };
  assert.deepEqual(srs.defaultKinds(deck), ["cp", "route"]); // in the deck's order
  assert.deepEqual(srs.cardIds(deck, "kitchen"),
    ["stove:cp", "stove:route", "filter:cp", "filter:route"]);
  assert.deepEqual(srs.cardIds(deck, "kitchen", ["pc"]), ["stove:pc", "filter:pc"]); // a choice wins
  for (const odd of [[], ["nonsense"], "pc", null, 7]) {
    assert.deepEqual(srs.defaultKinds({ ...DATA, kinds: odd }), ["pc", "cp", "route", "seq"]);
  }
});

test("new cards come in walk order, a stop's other cards after the next stops' first", () => {
  const session = new srs.Session(srs.cardIds(DATA), srs.emptyProgress("ml-palace"), 0, 100,
    srs.newRanks(DATA));
  assert.deepEqual(session.fresh, ["stove:pc", "filter:pc", "stove:route", "window:pc",
    "filter:route", "window--balcony:seq", "window:route", "window--street:seq",
    "window--balcony:route", "window:list", "stove:cp", "filter:cp", "window:cp",
    "window--balcony:cp", "window--street:cp"]);
});

test("the storage key holds the site's path and the palace", () => {
  assert.equal(srs.progressKey("/repo/", "ml-palace"), "palace-progress:/repo/ml-palace");
  const page = (root) => ({ documentElement: { getAttribute: () => root } });
  const here = "https://owner.github.io/repo/ml-palace/kitchen/index.html";
  assert.equal(srs.rootPath(page("../../"), here), "/repo/");
  assert.equal(srs.rootPath(page("./"), "file:///home/me/site/index.html"), "/home/me/site/");
});

// -- reading and checking progress -----------------------------------------------------------

function reviewed(overrides) {
  return Object.assign({ due: Date.UTC(2026, 0, 10), stability: 3.2, difficulty: 5.1,
    scheduled_days: 3, learning_steps: 0, reps: 2, lapses: 0, state: srs.REVIEW,
    last_review: Date.UTC(2026, 0, 7) }, overrides);
}

function file(cards, overrides) {
  return JSON.stringify(Object.assign({ format: "palace-progress", version: 2,
    palace: "ml-palace", exported: "2026-01-07T10:00:00.000Z", cards: cards }, overrides));
}

test("progress files are read back exactly", () => {
  const progress = srs.parseProgress(file({ "filter:cp": reviewed(), "stove:pc": reviewed({ reps: 5 }) }), "ml-palace");
  assert.deepEqual(Object.keys(progress.cards), ["filter:cp", "stove:pc"]);
  assert.deepEqual(progress.cards["stove:pc"], reviewed({ reps: 5 }));
  const text = srs.serializeProgress(progress, Date.UTC(2026, 0, 8));
  assert.equal(JSON.parse(text).exported, "2026-01-08T00:00:00.000Z");
  assert.deepEqual(srs.parseProgress(text, "ml-palace"), progress);
});

test("a bad progress file is refused with a reason", () => {
  const cases = [
    ["{not json", "This file is not a progress file: it is not valid JSON."],
    ["[]", "This is not a Palace progress file."],
    [JSON.stringify({ cards: {} }), "This is not a Palace progress file."],
    [file({}, { version: 3 }), "This progress file has version 3; this site reads versions 1 and 2."],
    [file({ "stove:route": reviewed() }, { version: 1 }), "Card \"stove:route\" is not a card of a palace."],
    [file({ "stove:pc": reviewed({ first_review: 3 }) }, { version: 1 }), "Card \"stove:pc\" has an unknown field \"first_review\"."],
    [file({ "stove:pc": reviewed({ first_review: "today" }) }), "Card \"stove:pc\" has no valid first review time."],
    [file({}, { extra_new: { day: "today", count: 3 } }), "This progress file's extra_new is not {\"day\": \"YYYY-MM-DD\", \"count\": n}."],
    [file({}, { palace: "other" }), "This file holds progress for the palace \"other\", not for \"ml-palace\"."],
    [file(null), "This progress file has no cards."],
    [file({ "Stove:pc": reviewed() }), "Card \"Stove:pc\" is not a card of a palace."],
    [file({ "stove:xx": reviewed() }), "Card \"stove:xx\" is not a card of a palace."],
    [file({ "stove:pc": "soon" }), "Card \"stove:pc\" is not an object."],
    [file({ "stove:pc": reviewed({ state: 0 }) }), "Card \"stove:pc\" has no valid state (1, 2 or 3)."],
    [file({ "stove:pc": reviewed({ due: "2026-01-10" }) }), "Card \"stove:pc\" has no valid due time."],
    [file({ "stove:pc": reviewed({ difficulty: 11 }) }), "Card \"stove:pc\" has no valid difficulty (1 to 10)."],
    [file({ "stove:pc": reviewed({ stability: -1 }) }), "Card \"stove:pc\" has no valid stability."],
    [file({ "stove:pc": reviewed({ reps: 1.5 }) }), "Card \"stove:pc\" has no valid reps."],
    [file({ "stove:pc": reviewed({ last_review: null }) }), "Card \"stove:pc\" has no valid last review time."],
    [file({ "stove:pc": reviewed({ extra: 1 }) }), "Card \"stove:pc\" has an unknown field \"extra\"."],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => srs.parseProgress(text, "ml-palace"),
      (error) => error instanceof srs.ProgressError && error.message === message, text);
  }
});

function memoryStorage(initial, failing) {
  const items = Object.assign({}, initial);
  return {
    items: items,
    getItem: (key) => (key in items ? items[key] : null),
    setItem: (key, value) => {
      if (failing) { throw new Error("QuotaExceededError"); }
      items[key] = String(value);
    },
  };
}

test("storage: missing progress is empty, unreadable progress is set aside, not lost", () => {
  const key = "palace-progress:/repo/ml-palace";
  assert.deepEqual(srs.loadProgress(memoryStorage(), key, "ml-palace"),
    { progress: srs.emptyProgress("ml-palace"), error: "" });
  const storage = memoryStorage({ [key]: "{broken" });
  const loaded = srs.loadProgress(storage, key, "ml-palace");
  assert.deepEqual(loaded.progress, srs.emptyProgress("ml-palace"));
  assert.equal(loaded.error, "This file is not a progress file: it is not valid JSON.");
  assert.equal(storage.items[key + ":unreadable"], "{broken");
  const progress = srs.parseProgress(file({ "stove:pc": reviewed() }), "ml-palace");
  assert.equal(srs.saveProgress(storage, key, progress), "");
  assert.deepEqual(srs.loadProgress(storage, key, "ml-palace").progress, progress);
  assert.match(srs.saveProgress(memoryStorage({}, true), key, progress), /could not be saved.*Export it/);
});

test("importing keeps, for each card, the state reviewed last", () => {
  const here = srs.parseProgress(file({ "stove:pc": reviewed({ last_review: 5, reps: 9 }),
    "filter:pc": reviewed({ last_review: 1 }) }), "ml-palace");
  const incoming = srs.parseProgress(file({ "stove:pc": reviewed({ last_review: 3 }),
    "filter:pc": reviewed({ last_review: 2, reps: 7 }), "window:cp": reviewed() }), "ml-palace");
  const merged = srs.mergeProgress(here, incoming);
  assert.equal(merged.taken, 2);
  assert.equal(merged.kept, 1);
  assert.equal(merged.progress.cards["stove:pc"].reps, 9);
  assert.equal(merged.progress.cards["filter:pc"].reps, 7);
  assert.ok(merged.progress.cards["window:cp"]);
});

// -- what is due, and the session --------------------------------------------------------------

test("today ends at the next local midnight", () => {
  const now = new Date(2026, 2, 14, 23, 59).getTime();
  assert.equal(srs.endOfDay(now), new Date(2026, 2, 15, 0, 0).getTime());
  assert.equal(srs.endOfDay(new Date(2026, 2, 15, 0, 0).getTime()), new Date(2026, 2, 16).getTime());
});

test("due today counts reviews and learning cards due before midnight, and new cards", () => {
  const now = new Date(2026, 0, 10, 9, 0).getTime();
  const progress = srs.emptyProgress("ml-palace");
  progress.cards["stove:pc"] = reviewed({ due: now - DAY });
  progress.cards["stove:cp"] = reviewed({ due: new Date(2026, 0, 10, 22, 0).getTime() });
  progress.cards["filter:pc"] = reviewed({ due: new Date(2026, 0, 11, 1, 0).getTime() });
  progress.cards["filter:cp"] = reviewed({ state: srs.LEARNING, due: now + 10 * MINUTE });
  progress.cards["gone:pc"] = reviewed({ due: now - DAY }); // a stop no longer in the notes
  assert.deepEqual(srs.dueCounts(srs.cardIds(DATA), progress, now),
    { due: 2, learning: 1, fresh: 11, unseen: 11 });
  assert.equal(srs.dueCounts(srs.cardIds(DATA), progress, now, 4).fresh, 4, "the day's limit");
});

test("a session: learning cards when due, then reviews, then new cards in walk order", () => {
  const s = srs.scheduler(FSRS);
  const now = new Date(2026, 0, 10, 9, 0).getTime();
  const progress = srs.emptyProgress("ml-palace");
  progress.cards["window:pc"] = reviewed({ due: now - 2 * DAY });
  progress.cards["filter:pc"] = reviewed({ due: now - DAY });
  progress.cards["stove:cp"] = reviewed({ state: srs.LEARNING, due: now + 5 * MINUTE });
  const ids = srs.cardIds(DATA);
  const session = new srs.Session(ids, progress, now, 3, srs.newRanks(DATA));
  assert.deepEqual(session.counts(), { fresh: 3, learning: 1, review: 2, waiting: 9 });
  assert.deepEqual(session.fresh, ["stove:pc", "stove:route", "filter:route"]);

  const seen = [];
  let time = now;
  for (let id = session.next(time); id && seen.length < 50; id = session.next(time)) {
    const rating = id === "stove:route" && !seen.includes(id) ? AGAIN : GOOD;
    seen.push(id);
    const state = srs.grade(s, progress.cards[id], time, rating);
    session.answered(id, state, time);
    time += 30 * 1000;
  }
  // the learning card due in 5 minutes comes after the reviews and new cards, learnt ahead;
  // new cards answered Good come back after their 10-minute step, learnt ahead too
  assert.deepEqual(seen.slice(0, 5), ["window:pc", "filter:pc", "stove:pc", "stove:route", "filter:route"]);
  assert.equal(seen[5], "stove:route", "Again: back after a minute, before the others");
  assert.ok(seen.includes("stove:cp"));
  assert.deepEqual(session.counts(), { fresh: 0, learning: 0, review: 0, waiting: 9 });
  for (const id of ["window:pc", "filter:pc", "stove:pc", "stove:route", "filter:route", "stove:cp"]) {
    assert.equal(progress.cards[id].state, srs.REVIEW, id);
    assert.ok(progress.cards[id].due > srs.endOfDay(now), id);
  }
  assert.ok(session.nextDue() > time);
  assert.equal(session.moreNew(3), 3);
  assert.equal(session.next(time), "window--balcony:seq");
});

// -- new cards a day, undo --------------------------------------------------------------------

function answerNew(s, progress, ids, now) {
  // Answer the first new cards of `ids` Good at `now`, as the quiz does.
  for (const id of ids) { progress.cards[id] = srs.grade(s, progress.cards[id], now, GOOD); }
}

test("new cards a day: first reviews since local midnight count, and the limit is the palace's", () => {
  const s = srs.scheduler(FSRS);
  const evening = new Date(2026, 0, 10, 23, 30).getTime();
  const progress = srs.emptyProgress("ml-palace");
  const ids = srs.cardIds(DATA);
  answerNew(s, progress, ["stove:pc", "filter:pc"], evening);
  assert.equal(progress.cards["stove:pc"].first_review, evening);
  assert.equal(srs.newToday(progress, evening), 2);
  assert.equal(srs.newLeft(progress, evening, 5), 3);
  assert.deepEqual(srs.dueCounts(ids, progress, evening, 5),
    { due: 0, learning: 2, fresh: 3, unseen: 13 });
  // a later review keeps the first review's time
  const later = evening + 10 * MINUTE;
  progress.cards["stove:pc"] = srs.grade(s, progress.cards["stove:pc"], later, GOOD);
  assert.equal(progress.cards["stove:pc"].first_review, evening);
  assert.equal(srs.newToday(progress, later), 2);
  // after local midnight, a new day: the whole limit again
  const morning = new Date(2026, 0, 11, 0, 5).getTime();
  assert.equal(srs.newToday(progress, morning), 0);
  assert.equal(srs.newLeft(progress, morning, 5), 5);
  assert.equal(srs.dueCounts(ids, progress, morning, 5).fresh, 5);
  assert.equal(srs.dueCounts(ids, progress, morning, 50).fresh, 13, "never more than there are");
  assert.equal(srs.newLeft(progress, evening, 0), 0);
  assert.equal(srs.dailyLimit(DATA), 20);
  assert.equal(srs.dailyLimit({}), srs.NEW_PER_DAY, "data of an older build");
});

test("learn more: today's limit grows, is kept with the progress, and is gone tomorrow", () => {
  const evening = new Date(2026, 0, 10, 23, 30).getTime();
  const progress = srs.emptyProgress("ml-palace");
  srs.addExtraNew(progress, evening, 4);
  srs.addExtraNew(progress, evening, 2);
  assert.deepEqual(progress.extra_new, { day: "2026-01-10", count: 6 });
  assert.equal(srs.newLeft(progress, evening, 5), 11);
  assert.deepEqual(roundTrip(progress).extra_new, progress.extra_new);
  assert.equal(srs.newLeft(progress, new Date(2026, 0, 11, 8).getTime(), 5), 5);
});

test("a reload comes back with the day's new cards less those answered", () => {
  const s = srs.scheduler(FSRS);
  const now = new Date(2026, 0, 10, 9, 0).getTime();
  const ids = srs.cardIds(DATA);
  let progress = srs.emptyProgress("ml-palace");
  let session = new srs.Session(ids, progress, now, srs.newLeft(progress, now, 8), srs.newRanks(DATA));
  assert.equal(session.counts().fresh, 8);
  for (let n = 0; n < 5; n += 1) {
    const id = session.next(now);
    session.answered(id, srs.grade(s, progress.cards[id], now, EASY), now);
  }
  assert.equal(session.counts().fresh, 3);
  progress = roundTrip(progress); // saved, then read again by a new page
  session = new srs.Session(ids, progress, now + MINUTE, srs.newLeft(progress, now + MINUTE, 8), srs.newRanks(DATA));
  assert.equal(session.counts().fresh, 3);
  assert.equal(srs.dueCounts(ids, progress, now + MINUTE, 8).fresh, 3, "what the palace page says");
});

test("undo takes answers back, last first: the card's state, the queues and the day's count", () => {
  const s = srs.scheduler(FSRS);
  const now = new Date(2026, 0, 10, 9, 0).getTime();
  const progress = srs.emptyProgress("ml-palace");
  progress.cards["filter:pc"] = reviewed({ due: now - DAY });
  const before = JSON.parse(JSON.stringify(progress));
  const ids = srs.cardIds(DATA);
  const session = new srs.Session(ids, progress, now, srs.newLeft(progress, now, 3), srs.newRanks(DATA));
  const counts = session.counts();
  assert.equal(session.canUndo(), false);
  assert.equal(session.undo(), null);
  const first = session.next(now);
  assert.equal(first, "filter:pc", "the review first");
  session.answered(first, srs.grade(s, progress.cards[first], now, AGAIN), now);
  const second = session.next(now);
  assert.equal(second, "stove:pc");
  session.answered(second, srs.grade(s, progress.cards[second], now, GOOD), now);
  assert.equal(srs.newToday(progress, now), 1);
  assert.equal(session.undo(), "stove:pc");
  assert.equal(progress.cards["stove:pc"], undefined, "new again");
  assert.equal(srs.newToday(progress, now), 0);
  assert.equal(session.next(now), "stove:pc", "and first in line again");
  assert.equal(session.undo(), "filter:pc");
  assert.deepEqual(progress, before);
  assert.deepEqual(session.counts(), counts);
  assert.equal(session.canUndo(), false);
  session.answered("filter:pc", srs.grade(s, progress.cards["filter:pc"], now, GOOD), now);
  session.moreNew(2);
  assert.equal(session.canUndo(), false, "not across learn more");
});

test("progress of version 1 is read as it was, a step's place → concept card as its sequence card", () => {
  const v1 = file({ "stove:pc": reviewed({ reps: 4 }), "window:cp": reviewed(),
    "window--balcony:pc": reviewed({ reps: 7 }), "window--street:cp": reviewed({ reps: 2 }) },
    { version: 1 });
  const progress = srs.parseProgress(v1, "ml-palace");
  assert.equal(progress.version, 2);
  assert.deepEqual(Object.keys(progress.cards).sort(),
    ["stove:pc", "window--balcony:seq", "window--street:cp", "window:cp"]);
  assert.deepEqual(progress.cards["stove:pc"], reviewed({ reps: 4 }));
  assert.equal(progress.cards["window--balcony:seq"].reps, 7);
  assert.equal(progress.cards["window--street:cp"].reps, 2);
  assert.equal(srs.newToday(progress, Date.UTC(2026, 0, 7, 12)), 0, "no first review: not today's");
  assert.equal(JSON.parse(srs.serializeProgress(progress)).version, 2);
  const storage = memoryStorage({ "palace-progress:/repo/ml-palace": v1 });
  const loaded = srs.loadProgress(storage, "palace-progress:/repo/ml-palace", "ml-palace");
  assert.equal(loaded.error, "");
  assert.deepEqual(loaded.progress, progress);
});

test("card ids of any script are read back", () => {
  const progress = srs.parseProgress(file({ "кухня:pc": reviewed(), "台所--テーブル:seq": reviewed(),
    "u1f34e-2:route": reviewed(), "window:list": reviewed() }), "ml-palace");
  assert.equal(Object.keys(progress.cards).length, 4);
});

test("a session stops when nothing is due within the learn-ahead limit", () => {
  const now = Date.UTC(2026, 0, 10, 9);
  const progress = srs.emptyProgress("ml-palace");
  progress.cards["stove:pc"] = reviewed({ state: srs.RELEARNING, due: now + srs.LEARN_AHEAD + MINUTE });
  const session = new srs.Session(["stove:pc"], progress, now, 20);
  assert.equal(session.next(now), null);
  assert.equal(session.next(now + 2 * MINUTE), "stove:pc");
});

test("waits read as words", () => {
  const cases = [[20 * 1000, "1 min"], [6 * MINUTE, "6 min"], [90 * MINUTE, "2 h"], [DAY, "1 day"],
    [12 * DAY, "12 days"], [45 * DAY, "1.5 months"], [400 * DAY, "1.1 years"]];
  for (const [ms, words] of cases) { assert.equal(srs.formatWait(ms), words); }
});
