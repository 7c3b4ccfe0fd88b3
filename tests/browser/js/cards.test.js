// What each quiz card shows (static/cards.js), for every card of real palaces: the deck's rules.
// Run by tests/test_study_js.py: `node --test`, PALACE_ASSETS = the served scripts and the
// study data of the seed, German, hostile and many-scripts palaces.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const ASSETS = process.env.PALACE_ASSETS;
global.window = {};
const IDS = ["ml-palace", "haus", "hostile", "世界"];
IDS.forEach((id) => require(path.join(ASSETS, `data-${id}.js`)));
const srs = require(path.join(ASSETS, "srs.js"));
const cards = require(path.join(ASSETS, "cards.js"));

function text(html) {
  // The text an HTML field shows.
  return String(html).replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&quot;/g, "\"").replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&");
}

function pieces(side, data) {
  // What a side shows, piece by piece: [text, isPlace], where a place is a stop's name.
  const out = [];
  if (side.trail) { out.push([side.trail, false]); }
  const main = side.cue || side.main;
  if (main) {
    const shown = main.text !== undefined ? main.text : text(main.html);
    if (side.cuePlace) {
      out.push([side.cuePlace, true], [shown.replace(side.cuePlace, ""), false]);
    } else {
      out.push([shown, false]);
    }
  }
  (side.where || []).forEach((part) => out.push([part[0], part[1]]));
  if (side.steps) {
    side.steps.items.forEach((item) => {
      out.push([item.place, true]);
      if (item.html !== null) { out.push([text(item.html), false]); }
    });
  }
  if (side.prompt) { out.push([side.prompt, false]); }
  if (side.picture >= 0) { out.push([data.pictures[side.picture][1], false]); }
  return out;
}

function shownText(side, data) {
  return pieces(side, data).map((piece) => piece[0]).join(" | ");
}

function everyCard(data) {
  return srs.cardIds(data).map((id) => cards.card(data, id));
}

function stepsOf(data, locus) {
  return data.stops.filter((stop) => stop[2] === locus + 1);
}

for (const id of IDS) {
  const data = window.PALACES[id];
  const places = new Set(data.stops.map((stop) => stop[3]));
  const index = (card) => data.stops.findIndex((stop) => stop[0] === card.id.slice(0, card.id.lastIndexOf(":")));

  test(`${id}: no card shows its answer on its front`, () => {
    let checked = 0;
    for (const card of everyCard(data)) {
      for (const answer of card.answer.filter(Boolean)) {
        for (const [piece, isPlace] of pieces(card.front, data)) {
          // The answer may be part of another stop's name ("Silo" of "Stefan Silo"), never the
          // name itself nor part of any other text on the front.
          const otherPlace = isPlace && places.has(piece) && piece !== answer;
          assert.ok(!piece.includes(answer) || otherPlace, `${card.id}: "${answer}" in "${piece}"`);
          checked += 1;
        }
      }
    }
    assert.ok(checked > data.stops.length * 3);
  });

  test(`${id}: one fact per card, each asked once: no two cards with the same cue and answer`, () => {
    const seen = new Map();
    for (const card of everyCard(data)) {
      const key = shownText(card.front, data) + " => " + card.answer.join(" / ");
      assert.ok(!seen.has(key), `${card.id} and ${seen.get(key)}: ${key}`);
      seen.set(key, card.id);
    }
  });

  test(`${id}: the deck's kinds: pc for loci, seq for steps, list for loci with steps, route but at the end`, () => {
    const all = everyCard(data);
    const last = data.stops[data.stops.length - 1][0];
    for (const card of all) {
      const stop = data.stops[index(card)];
      if (card.kind === "pc" || card.kind === "list") { assert.equal(stop[2], 0, card.id); }
      if (card.kind === "seq") { assert.ok(stop[2] > 0, card.id); }
      if (card.kind === "route") { assert.notEqual(stop[0], last, card.id); }
    }
    const count = (kind) => all.filter((card) => card.kind === kind).length;
    const steps = data.stops.filter((stop) => stop[2]).length;
    assert.equal(count("pc"), data.stops.length - steps);
    assert.equal(count("cp"), data.stops.length);
    assert.equal(count("route"), data.stops.length - 1);
    assert.equal(count("seq"), steps);
    assert.equal(count("list"), new Set(data.stops.filter((stop) => stop[2]).map((stop) => stop[2])).size);
    assert.equal(cards.card(data, last + ":route"), null);
    assert.equal(cards.card(data, "no-such-stop:pc"), null);
  });

  test(`${id}: a sequence card shows the steps before its step only, then the whole list`, () => {
    for (const card of everyCard(data).filter((c) => c.kind === "seq")) {
      const stop = data.stops[index(card)];
      const sequence = stepsOf(data, stop[2] - 1);
      const k = sequence.indexOf(stop) + 1;
      const front = card.front.steps;
      assert.deepEqual(front.items.map((item) => item.place),
        sequence.slice(Math.max(0, k - 1 - cards.PREVIOUS_STEPS), k).map((step) => step[3]), card.id);
      assert.equal(front.start, Math.max(1, k - cards.PREVIOUS_STEPS));
      assert.equal(front.items[front.items.length - 1].html, null, "the asked step is blank");
      for (const later of sequence.slice(k)) {
        assert.ok(!shownText(card.front, data).includes(text(later[4])) || !text(later[4]), `${card.id} shows ${later[3]}`);
      }
      assert.ok(shownText(card.front, data).includes(`step ${k} of ${sequence.length}`));
      assert.deepEqual(card.back.steps.items.map((item) => item.asked), sequence.map((step) => step === stop));
      assert.deepEqual(card.back.steps.items.map((item) => item.html), sequence.map((step) => step[4]));
    }
  });

  test(`${id}: a route card names neither the room nor the next stop's concept`, () => {
    for (const card of everyCard(data).filter((c) => c.kind === "route")) {
      const at = index(card);
      assert.equal(card.front.trail, data.title, card.id);
      assert.ok(!pieces(card.front, data).some(([piece]) => piece === data.rooms[data.stops[at][1]][1] && piece !== data.stops[at][3] && piece !== data.title));
      assert.deepEqual(card.answer, [data.stops[at + 1][3]]);
      assert.ok(!shownText(card.back, data).includes(text(data.stops[at + 1][4])) || !text(data.stops[at + 1][4]), card.id);
    }
  });

  test(`${id}: every back shows the mnemonic of the locus it is about, where there is one`, () => {
    for (const card of everyCard(data)) {
      const stop = data.stops[index(card)];
      const locus = stop[2] ? data.stops[stop[2] - 1] : stop;
      assert.equal(card.back.note, locus[6], card.id);
    }
  });
}

test("the seed's Sequence cards in full", () => {
  const data = window.PALACES["ml-palace"];
  const card = cards.card(data, "window--silo:seq");
  assert.equal(card.label, "Sequence");
  assert.equal(shownText(card.front, data), "Machine learning palace | Core training step | at  | " +
    "Window |  · step 4 of 5 | Stefan Silo | loss = loss_fn(output_batch, labels_batch) | Street | " +
    "optimizer.zero_grad() | Silo | What comes at this step?");
  assert.deepEqual(card.answer, ["loss.backward()"]);
  assert.equal(card.back.description, "calc grads wrt to inputs + params");
  const list = cards.card(data, "window:list");
  assert.equal(list.front.prompt, "5 steps in order?");
  assert.equal(list.back.steps.items.length, 5);
  const route = cards.card(data, "toilette:route");
  assert.equal(route.front.cue.text, "At Toilette, where next?");
  assert.deepEqual(route.answer, ["Bathroom"], "named like its room, which the front leaves out");
  const step = cards.card(data, "window--street:cp");
  assert.equal(shownText(step.back, data), "View from the window | Street | Core training step at  | " +
    "Window |  · step 3 of 5 · stop 31");
});
