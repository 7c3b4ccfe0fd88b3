// The route of walk mode and its address (static/walk.js). Run by tests/test_study_js.py.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const walk = require(path.join(process.env.PALACE_ASSETS, "walk.js"));

const DATA = {
  rooms: [["hall", "Hall"], ["kitchen", "Kitchen"], ["empty", "Empty"]],
  stops: [["a", 0], ["b", 0], ["c", 1], ["c--1", 1], ["d", 1]],
};

test("a scope is the whole walk, or the stops of one room", () => {
  assert.deepEqual(walk.scopeStops(DATA, ""), [1, 2, 3, 4, 5]);
  assert.deepEqual(walk.scopeStops(DATA, "kitchen"), [3, 4, 5]);
  assert.deepEqual(walk.scopeStops(DATA, "nowhere"), [1, 2, 3, 4, 5]);
  assert.deepEqual(walk.scopeStops(DATA, "empty"), []);
});

test("a room the data does not know or that has no stops is walked as the whole palace", () => {
  // The page and the data may come from different builds (a browser keeps the data a while).
  assert.deepEqual(walk.scope(DATA, "kitchen"), { room: "kitchen", numbers: [3, 4, 5] });
  assert.deepEqual(walk.scope(DATA, "nowhere"), { room: "", numbers: [1, 2, 3, 4, 5] });
  assert.deepEqual(walk.scope(DATA, "empty"), { room: "", numbers: [1, 2, 3, 4, 5] });
  assert.deepEqual(walk.scope(DATA, ""), { room: "", numbers: [1, 2, 3, 4, 5] });
  const one = { rooms: [["hall", "Hall"]], stops: [["a", 0], ["b", 0]] };
  assert.deepEqual(walk.scope(one, "hall"), { room: "", numbers: [1, 2] }, "all of it anyway");
});

test("forward, backward, and from a random point around the route", () => {
  const numbers = [3, 4, 5, 6, 7];
  assert.deepEqual(walk.route(numbers, "forward", 0), [3, 4, 5, 6, 7]);
  assert.deepEqual(walk.route(numbers, "backward", 0), [7, 6, 5, 4, 3]);
  assert.deepEqual(walk.route(numbers, "random", 5), [5, 6, 7, 3, 4]);
  assert.deepEqual(walk.route(numbers, "random", 3), [3, 4, 5, 6, 7]);
  assert.deepEqual(walk.route(numbers, "random", 99), [3, 4, 5, 6, 7]);
  assert.deepEqual(numbers, [3, 4, 5, 6, 7], "the scope itself is left alone");
});

test("the address holds the position and reads back", () => {
  const states = [
    [{ room: "", mode: "forward", from: 0, stop: 12 }, "#stop=12"],
    [{ room: "kitchen", mode: "backward", from: 0, stop: 3 }, "#room=kitchen&mode=backward&stop=3"],
    [{ room: "", mode: "random", from: 14, stop: 17 }, "#mode=random&from=14&stop=17"],
  ];
  for (const [state, hash] of states) {
    assert.equal(walk.formatHash(state), hash);
    assert.deepEqual(walk.parseHash(hash), state);
  }
});

test("a mangled address falls back to the start, forward", () => {
  assert.deepEqual(walk.parseHash(""), { room: "", mode: "forward", from: 0, stop: 0 });
  assert.deepEqual(walk.parseHash("#mode=sideways&stop=-3&from=x"),
    { room: "", mode: "forward", from: 0, stop: 0 });
  assert.deepEqual(walk.parseHash("#stop=07"), { room: "", mode: "forward", from: 0, stop: 0 });
});

test("a step knows its sequence: its locus' concept and its place in it", () => {
  const data = {
    rooms: [["hall", "Hall"], ["kitchen", "Kitchen"], ["empty", "Empty"], ["attic", "Attic"]],
    stops: [
      ["a", 0, 0, "A", "<code>Core</code>", "", "", -1, "Core", 0, 0],
      ["a--x", 0, 1, "X", "x", "", "", -1, 0, 0, 0],
      ["a--y", 0, 1, "Y", "y", "", "", -1, 0, 0, 0],
      ["b", 1, 0, "B", "Plain", "", "", -1, 0, 0, 0],
      ["b--z", 1, 4, "Z", "z", "", "", -1, 0, 0, 0],
      ["c", 3, 0, "C", "c", "", "", -1, 0, 0, 0],
    ],
  };
  assert.equal(walk.sequence(data, 1), null, "a locus");
  assert.deepEqual(walk.sequence(data, 2), { name: "Core", step: 1, steps: 2 }, "the text, not HTML");
  assert.deepEqual(walk.sequence(data, 3), { name: "Core", step: 2, steps: 2 });
  assert.deepEqual(walk.sequence(data, 5), { name: "Plain", step: 1, steps: 1 });
  assert.equal(walk.nextRoom(data, "hall", "forward"), 1);
  assert.equal(walk.nextRoom(data, "kitchen", "forward"), 3, "a room without stops is passed");
  assert.equal(walk.nextRoom(data, "attic", "forward"), -1, "the last room");
  assert.equal(walk.nextRoom(data, "kitchen", "backward"), 0, "backward: the room before");
  assert.equal(walk.nextRoom(data, "", "forward"), -1, "the whole palace was walked");
});
