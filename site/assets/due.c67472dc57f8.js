/* Palace study site: the quiz's "due today" on a palace's overview, from the progress kept in
   this browser (srs.js). Without scripts, or before anything was studied, the link's hint
   says what the quiz is; with progress it also shows what is due. */
(function () {
  "use strict";

  function show() {
    var badge = document.querySelector("[data-due]");
    var data = badge && window.PALACES && window.PALACES[badge.getAttribute("data-due")];
    var srs = window.PalaceSRS;
    if (!data || !srs) { return; }
    var storage = null;
    try { storage = window.localStorage; } catch (error) { return; }
    var key = srs.progressKey(srs.rootPath(document, window.location.href), data.palace);
    var progress = srs.loadProgress(storage, key, data.palace).progress;
    var counts = srs.dueCounts(srs.cardIds(data), progress, Date.now());
    var due = counts.due + counts.learning;
    if (Object.keys(progress.cards).length === 0) {
      badge.textContent = srs.plural(counts.fresh, "new card", "new cards");
    } else {
      badge.textContent = (due ? srs.plural(due, "card", "cards") + " due today" : "nothing due today") +
        (counts.fresh ? " · " + counts.fresh + " new" : "");
    }
    badge.classList.toggle("due-now", due > 0);
    badge.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
}());
