// Search (static/search.js) over real study data (builder/site/study.py), and the fold it
// shares with Python. Run by tests/test_study_js.py, which writes PALACE_ASSETS/data-<id>.js
// (the seed, German and hostile palaces) and fold-cases.json (strings, Python's fold of them).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ASSETS = process.env.PALACE_ASSETS;
global.window = global;
const IDS = ["ml-palace", "haus", "hostile"];
IDS.forEach((id) => require(path.join(ASSETS, `data-${id}.js`)));
const search = require(path.join(ASSETS, "search.js"));
const prepared = search.prepare(IDS.map((id) => window.PALACES[id]));

function titles(query, limit) {
  return search.search(prepared, query, limit || 5).results.map((item) =>
    (item.kind === 0 ? "room " + item.place : item.number + " " + item.concept));
}

test("JavaScript folds every string exactly as builder.identity.fold does", () => {
  const cases = JSON.parse(fs.readFileSync(path.join(ASSETS, "fold-cases.json"), "utf8"));
  assert.ok(cases.length > 20);
  const fold = search.makeFold();
  const wrong = cases.filter(([text, folded]) => fold(text) !== folded)
    .map(([text, folded]) => `${JSON.stringify(text)}: Python ${JSON.stringify(folded)}, JS ${JSON.stringify(fold(text))}`);
  assert.deepEqual(wrong, []);
});

test("finds concepts, places, rooms and descriptions, ignoring case", () => {
  assert.deepEqual(titles("Softmax"), ["19 Softmax"]);
  assert.deepEqual(titles("softmax"), ["19 Softmax"]);
  assert.deepEqual(titles("torbogen"), ["room Torbogen", "2 Overfitting", "4 Dropout", "5 Lernrate"]);
  assert.deepEqual(titles("mse"), ["11 Loss Functions"], "a description");
  assert.deepEqual(titles("zero_grad"), ["31 optimizer.zero_grad()"], "a step");
});

test("ignores accents both ways: kuche finds Küche, Küche finds kuche", () => {
  assert.deepEqual(titles("kuche", 2), ["room Küche", "1 Gradientenabstieg"]);
  assert.deepEqual(titles("KÜCHE", 1), ["room Küche"]);
  assert.deepEqual(titles("strasse"), ["1 Gradientenabstieg"]);
  assert.deepEqual(titles("Straße"), ["1 Gradientenabstieg"]);
  assert.deepEqual(titles("uberanpassung"), ["2 Überanpassung"]);
  assert.deepEqual(titles("apfel"), ["2 Äpfel"]);
});

test("every word must match; the best match comes first", () => {
  // both words in the concept beat one in the concept and one in the description
  assert.deepEqual(titles("loss back"), ["32 loss.backward()", "5 Backprop"]);
  // concepts starting with the query, then holding it, then descriptions, in walk order
  assert.deepEqual(titles("model", 4), ["34 Model.train()", "35 model.eval()",
    "29 output_batch = model(train_batch)", "1 Transfer learning"]);
  assert.deepEqual(titles("kitchen", 3), ["room Kitchen", "18 Super Convergence", "11 Loss Functions"]);
  assert.deepEqual(titles("   "), []);
  assert.deepEqual(titles("no such thing"), []);
});

test("results link to the stop on its room page, from the site root", () => {
  const found = search.search(prepared, "softmax", 1).results[0];
  assert.equal(found.href, "ml-palace/kitchen/index.html#filter");
  const room = search.search(prepared, "kuche", 1).results[0];
  assert.equal(room.href, "haus/kuche/index.html");
  const counted = search.search(prepared, "e", 3);
  assert.equal(counted.results.length, 3);
  assert.ok(counted.total > 50);
});

test("the words found are marked in the text as it is written, accents and case folded", () => {
  const fold = search.makeFold();
  const at = (text, query) => search.marks(text, fold(query).split(" "), fold)
    .map(([start, end]) => text.slice(start, end));
  assert.deepEqual(at("Küche", "kuche"), ["Küche"]);
  assert.deepEqual(at("Große Straße", "strasse"), ["Straße"]);
  assert.deepEqual(at("Stra\u00dfe", "stras"), ["Stra\u00df"], "ß holds the s the query ends on");
  assert.deepEqual(at("Ku\u0308che", "kü"), ["Ku\u0308"], "a decomposed ü is one letter");
  assert.deepEqual(at("Loss Functions and loss", "loss fun"), ["Loss", "Fun", "loss"]);
  assert.deepEqual(at("aaaa", "aa a"), ["aaaa"], "overlapping matches are one mark");
  assert.deepEqual(at("Stove", "oven"), [], "nothing found, nothing marked");
  assert.deepEqual(at("🍎 apple", "apple"), ["apple"], "astral characters count once");
});
