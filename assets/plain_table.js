/* The national page's tables (the league table, next month's projection) as plain HTML, drawn here from the data
   the server writes (layouts.components.plain_table_data): a caption, column headers, a row per State/UT with
   `data-row-id`, its name the row header and a link to its page, each cell with `data-col-id`. Built with the
   DOM directly: ~700 cells as Dash components cost the renderer more than the AG Grid they replace (issue 15).
   Every text is set as textContent or an attribute value (inert); nothing here parses HTML. A link is followed
   as dcc.Link follows one (history.pushState and Dash's "_dashprivate_pushstate" event: no page reload).
   Each column header is a button that sorts the rows by that column (the cell's number where the server sent
   one, else its text; blanks last; a second press reverses), announced with aria-sort as the grid did. */
(function () {
  "use strict";

  function child(parent, tag, className) {
    var node = parent.appendChild(document.createElement(tag));
    if (className) { node.className = className; }
    return node;
  }

  function internal(href) {
    return typeof href === "string" && href.charAt(0) === "/" && href.charAt(1) !== "/";
  }

  function draw(data, id) {
    var holder = document.getElementById(id);
    if (!holder) { return window.dash_clientside.no_update; }
    var table = document.createElement("table");
    table.className = "table table-sm table-hover align-middle mb-0 league-table";
    var rows = (data && data.rows) || [];
    var columns = (data && data.columns) || [];
    child(table, "caption", "visually-hidden").textContent = (data && data.caption) || "";
    var head = child(child(table, "thead"), "tr");
    var body = child(table, "tbody");
    var entries = [];
    columns.forEach(function (column, i) {
      var th = child(head, "th", column.css);
      th.scope = "col";
      th.setAttribute("data-col-id", column.id);
      th.setAttribute("aria-sort", "none");
      if (column.tip) { th.title = column.tip; }
      var button = child(th, "button", "sort-button");
      button.type = "button";
      button.textContent = column.header;
      button.addEventListener("click", function () { sortBy(head, body, entries, th, i); });
    });
    rows.forEach(function (row, position) {
      var tr = child(body, "tr");
      entries.push({tr: tr, cells: row.cells, position: position});
      tr.setAttribute("data-row-id", row.id);
      row.cells.forEach(function (cell, i) {
        var column = columns[i] || {};
        var name = column.id === "name";
        var td = child(tr, name ? "th" : "td", cell[2]);
        if (name) { td.scope = "row"; }
        td.setAttribute("data-col-id", column.id);
        if (cell[1]) { td.title = cell[1]; }
        if (name && internal(row.href)) {
          var link = child(td, "a");
          link.href = row.href;
          link.setAttribute("data-dash-link", "");
          link.textContent = cell[0];
        } else {
          td.textContent = cell[0];
        }
      });
    });
    holder.replaceChildren(table);
    return rows.length;
  }

  /* the value a cell sorts by: its number, else its text (null when blank: blanks go last either way) */
  function sortKey(cell) {
    if (!cell) { return null; }
    if (typeof cell[3] === "number") { return cell[3]; }
    return cell[0] === "" || cell[0] === undefined || cell[0] === null ? null : String(cell[0]);
  }

  function compare(a, b, collator) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    if (typeof a === "number") { return -1; }  // numbers before texts (a "—" among scores)
    if (typeof b === "number") { return 1; }
    return collator.compare(a, b);
  }

  function sortBy(head, body, entries, th, column) {
    var descending = th.getAttribute("aria-sort") === "ascending";
    Array.prototype.forEach.call(head.children, function (other) { other.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var collator = new Intl.Collator(document.documentElement.lang || undefined, {numeric: true});
    var sorted = entries.slice().sort(function (x, y) {
      var a = sortKey(x.cells[column]);
      var b = sortKey(y.cells[column]);
      if (a === null || b === null) {
        return a === b ? x.position - y.position : (a === null ? 1 : -1);
      }
      var order = compare(a, b, collator);
      return (descending ? -order : order) || x.position - y.position;
    });
    sorted.forEach(function (entry) { body.appendChild(entry.tr); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-dash-link]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.shiftKey || event.altKey ||
        event.ctrlKey || !internal(link.getAttribute("href"))) {
      return;
    }
    event.preventDefault();
    window.history.pushState({}, "", link.getAttribute("href"));
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {cctns_plain: {draw: draw}});
})();
