/* A heat-map's values as a table (State and district pages), drawn in the browser from the compact data the
   server sends (layouts.components.marks_lost_table_data): a "Show as table" disclosure, a row per unit (its
   name a row header), a column per parameter, the unit's total.

   Drawn as plain DOM, not as Dash components (issue 15): as ~2,900 Dash components (Prakasam, 108 stations) the
   table cost ~10 s of the browser's main thread (every component wrapper's selector walks the whole layout on
   each store update). The clientside callback `marksLost` puts the disclosure into the (childless) Dash
   container and returns the number of rows for the container's `data-units`; the table itself is built only
   when the disclosure is opened, and built again from the new data when the store changes. Every text is set
   with textContent (inert): nothing here is parsed as HTML. */
(function () {
  "use strict";

  var DRAWN = "heatTableDrawn";  // the container's property holding what was drawn there (the <details>)

  function node(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function th(scope, className, text) {
    var e = node("th", className, text);
    e.setAttribute("scope", scope);
    return e;
  }

  /* the <table> of `data`: caption, a header row (the unit label, the parameters, the total), a row per unit */
  function table(data) {
    var t = node("table", "table table-sm table-hover heat-table mb-0");
    t.appendChild(node("caption", null, data.caption));
    var head = node("tr");
    head.appendChild(th("col", null, data.unit_label));
    data.params.forEach(function (name) { head.appendChild(th("col", "text-end", name)); });
    head.appendChild(th("col", "text-end", data.total));
    t.appendChild(node("thead")).appendChild(head);
    var body = node("tbody");
    data.rows.forEach(function (row) {
      var tr = node("tr");
      var last = row.length - 1;
      row.forEach(function (cell, i) {
        tr.appendChild(i === 0 ? th("row", null, cell)
                               : node("td", i === last ? "text-end fw-semibold" : "text-end", cell));
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  /* the disclosure: its summary and note now, its table on the first opening */
  function disclosure(data, open) {
    var details = node("details", "heat-table-details mt-2");
    details.appendChild(node("summary", null, data.summary));
    var region = node("div", "table-responsive heat-table-wrap");
    region.tabIndex = 0;
    region.setAttribute("role", "region");
    region.setAttribute("aria-label", data.caption);
    details.appendChild(region);
    details.appendChild(node("p", "graph-note mt-1 mb-0", data.note));
    function fill() {
      if (details.open && !region.firstChild) { region.appendChild(table(data)); }
    }
    details.addEventListener("toggle", fill);
    if (open) { details.open = true; fill(); }
    return details;
  }

  function draw(container, data) {
    var old = container[DRAWN];
    var open = !!(old && old.open);
    if (old && old.parentNode === container) { container.removeChild(old); }
    container[DRAWN] = null;
    if (!data || !data.rows || !data.params) { return ""; }
    container[DRAWN] = container.appendChild(disclosure(data, open));
    return String(data.rows.length);
  }

  /* clientside callback: Output(container, "data-units"), Input(store, "data"), State(container, "id") */
  function marksLost(data, containerId) {
    var container = document.getElementById(containerId);
    if (!container) { return window.dash_clientside.no_update; }
    return draw(container, data);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cctns_tables: {marksLost: marksLost}
  });
})();
