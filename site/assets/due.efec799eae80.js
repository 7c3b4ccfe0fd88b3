/* Palace study site: the quiz's "due today" beside each link to it (a palace's overview, a
   room's "Quiz this room"), from the progress kept in this browser (srs.js). The counts are
   the quiz's own for the same cards: due today, and the new cards left of today's limit (the
   study data's new_per_day), so a page and the quiz never disagree. Without scripts, or before
   anything was studied, the link's hint says what the quiz is; with progress it also shows
   what is due. A badge is <span data-due="<palace id>" data-due-room="<room id>"> (the room
   optional: the whole palace). */
(function () {
  "use strict";

  function text(srs, counts, studied) {
    var due = counts.due + counts.learning;
    if (!studied) { return srs.plural(counts.fresh, "new card", "new cards") + " today"; }
    return (due ? srs.plural(due, "card", "cards") + " due today" : "nothing due today") +
      (counts.fresh ? " · " + counts.fresh + " new" : "");
  }

  function show() {
    var srs = window.PalaceSRS;
    var badges = document.querySelectorAll("[data-due]");
    if (!srs || !badges.length) { return; }
    var storage = null;
    try { storage = window.localStorage; } catch (error) { return; }
    var now = Date.now();
    var root = srs.rootPath(document, window.location.href);
    for (var i = 0; i < badges.length; i += 1) {
      var badge = badges[i];
      var data = window.PALACES && window.PALACES[badge.getAttribute("data-due")];
      if (!data) { continue; }
      var room = badge.getAttribute("data-due-room") || "";
      if (room && srs.roomIndex(data, room) < 0) { continue; } // a room the data does not know
      var progress = srs.loadProgress(storage, srs.progressKey(root, data.palace), data.palace).progress;
      var counts = srs.dueCounts(srs.cardIds(data, room), progress, now, srs.dailyLimit(data));
      badge.textContent = text(srs, counts, Object.keys(progress.cards).length > 0);
      badge.classList.toggle("due-now", counts.due + counts.learning > 0);
      badge.hidden = false;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
}());
