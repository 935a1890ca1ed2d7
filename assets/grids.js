/* Column sizing for every AG Grid of the app (layouts.components.league_grid), so that a number is never cut
   (issue 12). Each grid is found when it appears on the page and fitted once its API is ready, then again
   after every event that changes its rows, its width, its page or its sort (see EVENTS).

   1. Every column is sized to its cells' content (AG Grid's autoSizeAllColumns, header skipped).
   2. Columns that wrap their text (names, reasons, flags: `wrapText` in the column definition) are capped
      at a readable width (WRAP_MAX px; the pinned name a share of a narrow grid): longer text wraps
      onto more lines of the row, never cut.
   3. A header is at least as wide as its longest word, so "Weight" never breaks into "Weigh t".
   4. If the columns leave room, they are stretched to fill the grid (mostly the text columns; a number column
      grows by half its width at most). If they do not fit, the wrapping columns give up width first, down to
      their longest word (their text wraps onto more lines); if that is still too wide, the grid scrolls
      sideways inside itself and the unit-name column (`context.pinOnNarrow`) is pinned on the left, so a row
      always says which unit it is.
   The widths are computed here and set once per fit (not by AG Grid's sizeColumnsToFit, which could squeeze a
   column below its header's longest word). */
(function () {
  "use strict";

  var WRAP_MAX = 340;       // px: the widest a wrapping text column gets from auto-sizing
  var PINNED_SHARE = 0.42;  // the most of a narrow grid's width the pinned name column may take
  var HEADER_EXTRA = 68;    // px: the least a header cell spends beside its text (padding, sort icon, handle)
  var SORT_ICON = 28;       // px: the sort arrow and its gap, shown beside the text once the column is sorted
  var canvas = null;

  function textWidth(text, font) {
    canvas = canvas || document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    ctx.font = font;
    return ctx.measureText(text).width;
  }

  function headerFont(wrapper) {  // this grid's header font (grids differ in size: actions, lagging, phone)
    var el = (wrapper || document).querySelector(".ag-header-cell-text");
    if (!el) { return "600 13px system-ui, sans-serif"; }
    var s = window.getComputedStyle(el);
    return s.fontWeight + " " + s.fontSize + " " + s.fontFamily;
  }

  /* what a header cell spends beside its text: its padding and the sort arrow shown once it is sorted. (Not the
     cell's width less its text's: the text box is as wide as the text, so that would grow with every fit.) */
  function headerExtra(wrapper, colId) {
    var cell = wrapper && wrapper.querySelector('.ag-header-cell[col-id="' + colId + '"]');
    if (!cell) { return HEADER_EXTRA; }
    var s = window.getComputedStyle(cell);
    var pad = (parseFloat(s.paddingLeft) || 0) + (parseFloat(s.paddingRight) || 0);
    return Math.max(Math.ceil(pad) + SORT_ICON, HEADER_EXTRA);
  }

  function longestWordWidth(text, font, extra) {
    var words = String(text || "").split(/\s+|(?<=\/)/);  // a header may wrap after a slash ("State/ UT")
    var widest = 0;
    for (var i = 0; i < words.length; i++) { widest = Math.max(widest, textWidth(words[i], font)); }
    return Math.ceil(widest) + extra;
  }

  /* the narrowest a wrapping column may get: its longest word in the rendered cells, with the cell's padding */
  function longestCellWord(wrapper, colId) {
    var cells = wrapper ? wrapper.querySelectorAll('.ag-row .ag-cell[col-id="' + colId + '"]') : [];
    var widest = 0;
    for (var i = 0; i < cells.length && i < 200; i++) {
      var s = window.getComputedStyle(cells[i]);
      var font = s.fontWeight + " " + s.fontSize + " " + s.fontFamily;
      var pad = (parseFloat(s.paddingLeft) || 0) + (parseFloat(s.paddingRight) || 0) +
                (parseFloat(s.borderLeftWidth) || 0) + (parseFloat(s.borderRightWidth) || 0);
      widest = Math.max(widest, longestWordWidth(cells[i].textContent, font, Math.ceil(pad) + 2));
    }
    return widest;
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

  function sum(list, key) {
    var total = 0;
    for (var i = 0; i < list.length; i++) { total += list[i][key]; }
    return total;
  }

  /* Give `room` px more to the columns, each up to its `max`, in proportion to their widths. */
  function spread(cols, room) {
    for (var round = 0; round < 4 && room >= 1; round++) {
      var open = cols.filter(function (c) { return c.width < c.max; });
      var base = sum(open, "width");
      if (!open.length || !base) { return room; }
      var given = 0;
      for (var i = 0; i < open.length; i++) {
        var add = Math.min(Math.floor(room * open[i].width / base), open[i].max - open[i].width);
        open[i].width += add;
        given += add;
      }
      room -= given;
      if (!given) { break; }
    }
    return room;
  }

  /* AG Grid's auto-size sets the content widths and then reports them (a columnResized event, source
     "autosizeColumns") a moment later; when the grid's cells are not all drawn yet (the rows of a refreshed grid)
     it measures later still, on a timer. The columns are placed (rules 2-4) only once it has reported, from the
     widths it measured: placed at once, a late auto-size overwrote the placing (the actions grid's "Comments" cut
     to its 80 px minimum after an action was updated). */
  var AUTOSIZE_WAIT_MS = 2000;  // placed anyway if no report comes (nothing measured)
  var awaiting = new WeakMap();  // grid -> timer: its auto-size asked for, its report awaited (a pending fit)
  var holders = new WeakMap();  // grid -> the element with its id (see watch)

  function fit(api) {
    if (!usable(api) || awaiting.has(api)) { return; }
    window.cctnsGridFitsPending += 1;
    awaiting.set(api, window.setTimeout(function () { autoSized(api); }, AUTOSIZE_WAIT_MS));
    api.autoSizeAllColumns(true);  // cells only: a header wraps between its words (rule 3)
  }

  function autoSized(api) {
    if (!awaiting.has(api)) { return; }
    window.clearTimeout(awaiting.get(api));
    awaiting.delete(api);
    try {
      if (usable(api)) {
        place(api);
        var holder = holders.get(api);  // fitted at least once (the browser tests wait for it, not only for 0 pending)
        if (holder) { holder.setAttribute("data-grid-fitted", "1"); }
      }
    } finally {
      window.cctnsGridFitsPending -= 1;
    }
  }

  function onResized(e) {
    if (!e.finished || !e.api) { return; }
    if (e.source === "uiColumnResized") {
      placed.set(e.api, widthsOf(e.api));  // the user's widths stand (not undone by keepPlaced)
      return;
    }
    if (e.source === "api") {
      keepPlaced(e.api);
      return;
    }
    if (e.source !== "autosizeColumns") { return; }
    if (awaiting.has(e.api)) {
      autoSized(e.api);
    } else if (usable(e.api)) {
      place(e.api);  // an auto-size the fit did not ask for: its content widths placed all the same
    }
  }

  /* dash-ag-grid reports the column state to Dash a moment after each resize, and when a callback re-renders the
     grid it applies the state it last reported if that differs from the grid's (applyColumnState, source "api").
     A state reported between an auto-size and its placing brings the content widths back: on a slow machine
     "Comments" at its 80 px minimum, "Numerator / denominator" broken into pieces. The placing is kept: the
     re-applied content widths are placed again (place() from content widths gives the same widths again). */
  var placed = new WeakMap();  // grid -> {colId: width} its last placing (or the user's resizing) set
  var RECHECK_MS = [700, 2500];  // after a placing, its widths are looked at again (cheap: no measuring)

  function widthsOf(api) {
    var out = {};
    var cols = api.getAllDisplayedColumns();
    for (var i = 0; i < cols.length; i++) { out[cols[i].getColId()] = cols[i].getActualWidth(); }
    return out;
  }

  function keepPlaced(api) {
    var want = placed.get(api);
    if (!want || awaiting.has(api) || !usable(api)) { return; }
    var now = widthsOf(api);
    for (var id in now) {
      if (Object.prototype.hasOwnProperty.call(want, id) && Math.abs(want[id] - now[id]) > 1) {
        place(api);
        return;
      }
    }
  }

  function usable(api) {
    if (!api || (api.isDestroyed && api.isDestroyed())) { return false; }
    var cols = api.getAllDisplayedColumns ? api.getAllDisplayedColumns() : [];
    // not on screen (a hidden box): sized when it shows (gridSizeChanged)
    return cols.length > 0 && gridWidth(api) > 0;
  }

  /* Rules 2-4, from the columns' content widths that auto-size has just set. */
  function place(api) {
    var cols = api.getAllDisplayedColumns();
    var viewport = gridWidth(api);
    var wrapper = gridWrapper(api);
    var font = headerFont(wrapper);
    var plan = [];
    var pinnable = null;
    for (var i = 0; i < cols.length; i++) {
      var col = cols[i];
      var def = col.getColDef();
      var id = col.getColId();
      var text = !!(def.wrapText || (def.context && def.context.pinOnNarrow));
      var least = Math.max(longestWordWidth(def.headerName, font, headerExtra(wrapper, id)), col.getMinWidth());
      var want = col.getActualWidth();
      if (def.wrapText) {
        want = Math.min(want, WRAP_MAX);
        least = Math.max(least, longestCellWord(wrapper, id));  // a wrapping column never cuts a word
      }
      // within [minWidth, maxWidth]: AG Grid ignores a width outside them rather than clamping it
      var most = col.getMaxWidth() || Infinity;
      want = Math.ceil(Math.min(Math.max(want, least), most));
      least = Math.ceil(Math.min(def.wrapText ? least : want, want));
      plan.push({key: id, col: col, text: text, wrap: !!def.wrapText, want: want, least: least, width: want,
                 max: text ? most : Math.min(most, Math.ceil(want * 1.5))});
      if (!pinnable && def.context && def.context.pinOnNarrow) { pinnable = col; }
    }
    var wanted = sum(plan, "want");
    var narrow = false;
    if (wanted <= viewport) {
      // room left: mostly to the text columns; a number column grows by half its width at most
      var room = spread(plan.filter(function (c) { return c.text; }), viewport - wanted);
      room = spread(plan, room);
      if (room > 0) { (plan.filter(function (c) { return c.text; })[0] || plan[plan.length - 1]).width += room; }
    } else if (sum(plan, "least") <= viewport) {
      // too wide with every wrapping column at its content width: those wrap more (down to their longest word)
      var wraps = plan.filter(function (c) { return c.wrap; });
      var over = wanted - viewport;
      var slack = 0;
      for (var w = 0; w < wraps.length; w++) { slack += wraps[w].want - wraps[w].least; }
      for (var v = 0; v < wraps.length; v++) {
        var cut = Math.ceil(over * (wraps[v].want - wraps[v].least) / slack);
        wraps[v].width = Math.max(wraps[v].least, wraps[v].want - cut);
      }
    } else {
      narrow = true;  // the grid scrolls sideways inside itself, the unit's name pinned on the left
      for (var n = 0; n < plan.length; n++) {
        var p = plan[n];
        if (p.col === pinnable && p.wrap) {
          p.width = Math.max(Math.min(p.want, Math.floor(viewport * PINNED_SHARE)), p.least);
        }
      }
    }
    if (pinnable) {
      var pin = narrow ? "left" : null;
      if ((pinnable.getPinned() || null) !== pin) { api.setColumnsPinned([pinnable.getColId()], pin); }
    }
    api.setColumnWidths(plan.map(function (c) { return {key: c.key, newWidth: c.width}; }), true);
    placed.set(api, widthsOf(api));  // as set (within each column's limits), so keepPlaced never chases a clamp
    for (var r = 0; r < RECHECK_MS.length; r++) {  // a state re-applied without a resize event reaching us
      window.setTimeout(function () { keepPlaced(api); }, RECHECK_MS[r]);
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
      holders.set(api, holder);
      for (var i = 0; i < EVENTS.length; i++) { api.addEventListener(EVENTS[i], schedule); }
      api.addEventListener("cellKeyDown", selectByKey);
      api.addEventListener("columnResized", onResized);
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
