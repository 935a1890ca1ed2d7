/* The national page's tables (the league table, next month's projection) as plain HTML, drawn here from the data
   the server writes (layouts.components.plain_table_data): a caption, column headers, a row per State/UT with
   `data-row-id`, its name the row header and a link to its page, each cell with `data-col-id`. Built with the
   DOM directly: ~700 cells as Dash components cost the renderer more than the AG Grid they replace (issue 15).
   Every text is set as textContent or an attribute value (inert); nothing here parses HTML. A link is followed
   as dcc.Link follows one (history.pushState and Dash's "_dashprivate_pushstate" event: no page reload). */
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
    columns.forEach(function (column) {
      var th = child(head, "th", column.css);
      th.scope = "col";
      th.setAttribute("data-col-id", column.id);
      if (column.tip) { th.title = column.tip; }
      th.textContent = column.header;
    });
    var body = child(table, "tbody");
    rows.forEach(function (row) {
      var tr = child(body, "tr");
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
