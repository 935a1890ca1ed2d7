/* Column sizing for every AG Grid of the app (layouts.components.league_grid), so that a number is never cut
   (issue 12). Each grid is found when it appears on the page and fitted once its API is ready, then again
   after every event that changes its rows, its width, its page or its sort (see EVENTS).

   1. Every column is sized to its cells' content (AG Grid's autoSizeAllColumns, header skipped).
   2. Columns that wrap their text (names, reasons, flags: `wrapText` in the column definition) are capped
      at a readable width (WRAP_MAX px; the pinned name a share of a narrow grid): longer text wraps
      onto more lines of the row, never cut.
   3. A header is at least as wide as its longest word, so "Weight" never breaks into "Weigh t".
   4. If the columns leave room, they are stretched to fill the grid (sizeColumnsToFit with each column's
      content width as its minimum); if they do not fit, the grid scrolls sideways inside itself and the
      unit-name column (`context.pinOnNarrow`) is pinned on the left, so a row always says which unit it is. */
(function () {
  "use strict";

  var WRAP_MAX = 340;       // px: the widest a wrapping text column gets from auto-sizing
  var PINNED_SHARE = 0.42;  // the most of a narrow grid's width the pinned name column may take
  var HEADER_EXTRA = 68;    // px: the least a header cell spends beside its text (padding, sort icon, handle)
  var canvas = null;

  function textWidth(text, font) {
    canvas = canvas || document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    ctx.font = font;
    return ctx.measureText(text).width;
  }

  function headerFont() {
    var el = document.querySelector(".ag-header-cell-text");
    if (!el) { return "600 13px system-ui, sans-serif"; }
    var s = window.getComputedStyle(el);
    return s.fontWeight + " " + s.fontSize + " " + s.fontFamily;
  }

  /* what a header cell spends beside its text (padding, sort icon, resize handle), measured on the page */
  function headerExtra(wrapper, colId) {
    var cell = wrapper && wrapper.querySelector('.ag-header-cell[col-id="' + colId + '"]');
    var text = cell && cell.querySelector(".ag-header-cell-text");
    if (!cell || !text || !text.clientWidth) { return HEADER_EXTRA; }
    return Math.max(cell.clientWidth - text.clientWidth + 4, HEADER_EXTRA);
  }

  function longestWordWidth(name, font, extra) {
    var words = String(name || "").split(/\s+|(?<=\/)/);  // a header may wrap after a slash ("State/ UT")
    var widest = 0;
    for (var i = 0; i < words.length; i++) { widest = Math.max(widest, textWidth(words[i], font)); }
    return Math.ceil(widest) + extra;
  }

  /* the width the grid's columns have: its wrapper less a vertical scrollbar (0 when not displayed) */
  function gridWrapper(api) {
    return document.querySelector('.ag-root-wrapper[grid-id="' + api.getGridId() + '"]');
  }

  function gridWidth(api) {
    var wrapper = gridWrapper(api);
    if (!wrapper || !wrapper.offsetParent) { return 0; }
    var bar = wrapper.querySelector(".ag-body-vertical-scroll:not(.ag-hidden)");
    return wrapper.clientWidth - (bar ? bar.offsetWidth : 0);
  }

  function fit(api) {
    if (!api || (api.isDestroyed && api.isDestroyed())) { return; }
    var cols = api.getAllDisplayedColumns ? api.getAllDisplayedColumns() : [];
    if (!cols.length) { return; }
    var viewport = gridWidth(api);
    if (!viewport) { return; }  // not on screen (a hidden box): sized when it shows (gridSizeChanged)
    var wrapper = gridWrapper(api);
    var font = headerFont();
    var headerMin = {};
    for (var k = 0; k < cols.length; k++) {
      headerMin[cols[k].getColId()] = longestWordWidth(cols[k].getColDef().headerName, font,
                                                       headerExtra(wrapper, cols[k].getColId()));
    }
    api.autoSizeAllColumns(true);  // cells only: a header wraps between its words (rule 3)
    var widths = [];
    var pinnable = null;
    var total = 0;
    for (var i = 0; i < cols.length; i++) {
      var col = cols[i];
      var def = col.getColDef();
      var w = col.getActualWidth();
      if (def.wrapText) { w = Math.min(w, WRAP_MAX); }
      // within [minWidth, maxWidth]: AG Grid ignores a width outside them rather than clamping it
      w = Math.min(Math.max(w, headerMin[col.getColId()], col.getMinWidth()), col.getMaxWidth() || Infinity);
      widths.push({key: col.getColId(), newWidth: Math.ceil(w)});
      if (!pinnable && def.context && def.context.pinOnNarrow) { pinnable = col; }
      total += Math.ceil(w);
    }
    var narrow = viewport > 0 && total > viewport;
    if (pinnable) {
      var want = narrow ? "left" : null;
      if ((pinnable.getPinned() || null) !== want) { api.setColumnsPinned([pinnable.getColId()], want); }
      if (narrow && pinnable.getColDef().wrapText) {
        for (var j = 0; j < widths.length; j++) {
          if (widths[j].key === pinnable.getColId()) {
            // never below the column's minWidth: AG Grid ignores a width under it rather than clamping
            widths[j].newWidth = Math.max(Math.min(widths[j].newWidth, Math.floor(viewport * PINNED_SHARE)),
                                          headerMin[pinnable.getColId()], pinnable.getMinWidth());
          }
        }
      }
    }
    api.setColumnWidths(widths, true);
    if (!narrow) {
      // the room goes mostly to the text columns: a number column grows by half its width at most
      api.sizeColumnsToFit({columnLimits: widths.map(function (c) {
        var def = api.getColumn(c.key).getColDef();
        var text = def.wrapText || (def.context && def.context.pinOnNarrow);
        return text ? {key: c.key, minWidth: c.newWidth} : {key: c.key, minWidth: c.newWidth, maxWidth: Math.ceil(c.newWidth * 1.5)};
      })});
    }
    if (api.resetRowHeights) { api.resetRowHeights(); }
  }

  var pending = new WeakMap();
  // fits scheduled and not yet done, page-wide (the browser tests wait for 0 before measuring the cells)
  window.cctnsGridFitsPending = 0;

  var lastWidth = new WeakMap();

  function schedule(params) {
    var api = params && params.api;
    if (!api || pending.get(api)) { return; }
    if (params.type === "gridSizeChanged") {
      // only a change of width matters (rows growing taller as text wraps change the height only)
      if (lastWidth.get(api) === params.clientWidth) { return; }
      lastWidth.set(api, params.clientWidth);
    }
    pending.set(api, true);
    window.cctnsGridFitsPending += 1;
    // after the grid has rendered the new rows (their cells are what auto-size measures)
    window.requestAnimationFrame(function () {
      pending.delete(api);
      try { fit(api); } finally { window.cctnsGridFitsPending -= 1; }
    });
  }

  /* Keyboard: Enter or Space on a row selects it, as a click does, so the drill-down (a selected row opens
     that unit's page) works without a mouse. */
  function selectByKey(e) {
    var ev = e.event;
    if (!ev || (ev.key !== "Enter" && ev.key !== " ") || !e.node) { return; }
    if (!e.api.getGridOption("rowSelection") || e.node.rowPinned || e.node.group) { return; }
    ev.preventDefault();
    e.node.setSelected(true, true);
  }

  // (not the column events: a fit resizes and pins columns itself)
  var EVENTS = ["firstDataRendered", "rowDataUpdated", "gridSizeChanged", "paginationChanged", "sortChanged"];
  var watched = new WeakSet();

  /* every grid that appears on the page: once its API is ready, fit it now and on each event that can change
     what its cells hold or how wide it is */
  function watch(wrapper) {
    var holder = wrapper.closest(".league-grid[id], [id]");
    if (!holder || !window.dash_ag_grid || !window.dash_ag_grid.getApiAsync) { return; }
    window.dash_ag_grid.getApiAsync(holder.id).then(function (api) {
      if (!api || watched.has(api)) { return; }
      watched.add(api);
      for (var i = 0; i < EVENTS.length; i++) { api.addEventListener(EVENTS[i], schedule); }
      api.addEventListener("cellKeyDown", selectByKey);
      schedule({api: api});
    }).catch(function () { /* the grid went away before it was ready */ });
  }

  function scan(root) {
    if (root.classList && root.classList.contains("ag-root-wrapper")) { watch(root); }
    var found = root.querySelectorAll ? root.querySelectorAll(".ag-root-wrapper") : [];
    for (var i = 0; i < found.length; i++) { watch(found[i]); }
  }

  function start() {
    scan(document);
    new MutationObserver(function (mutations) {
      for (var i = 0; i < mutations.length; i++) {
        var added = mutations[i].addedNodes;
        for (var j = 0; j < added.length; j++) { if (added[j].nodeType === 1) { scan(added[j]); } }
      }
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
