/* A heat-map's values as a table (State and district pages), drawn in the browser from the compact data the
   server sends (layouts.components.marks_lost_table_data): a "Show as table" disclosure, a row per unit (its
   name a row header), a column per parameter, the unit's total; without ~120-180 KB of component JSON in a
   big State's or district's answer (issue 15). Every text is a React text child (inert); nothing here is HTML. */
(function () {
  "use strict";

  function el(type, props, children) {
    var p = props || {};
    if (children !== undefined) { p.children = children; }
    return {type: type, namespace: "dash_html_components", props: p};
  }

  function marksLost(data) {
    if (!data || !data.rows || !data.params) { return null; }
    var head = el("Thead", {}, el("Tr", {}, [el("Th", {scope: "col"}, data.unit_label)]
      .concat(data.params.map(function (name) { return el("Th", {scope: "col", className: "text-end"}, name); }))
      .concat([el("Th", {scope: "col", className: "text-end"}, data.total)])));
    var body = el("Tbody", {}, data.rows.map(function (row) {
      var last = row.length - 1;
      return el("Tr", {}, row.map(function (cell, i) {
        if (i === 0) { return el("Th", {scope: "row"}, cell); }
        return el("Td", {className: i === last ? "text-end fw-semibold" : "text-end"}, cell);
      }));
    }));
    var table = el("Table", {className: "table table-sm table-hover heat-table mb-0"},
                   [el("Caption", {}, data.caption), head, body]);
    var region = el("Div", {className: "table-responsive heat-table-wrap", tabIndex: "0", role: "region",
                            "aria-label": data.caption}, table);
    return el("Details", {className: "heat-table-details mt-2"},
              [el("Summary", {}, data.summary), region,
               el("P", {className: "graph-note mt-1 mb-0"}, data.note)]);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cctns_tables: {marksLost: marksLost}
  });
})();
