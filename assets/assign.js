/* Assign buttons in tables (any element with data-assign="CODE[,CODE...]"): one delegated click handler
   writes the station codes to the assign dialog's request store ("assign-request"); the server checks the
   request against the signed-in user's scope before it shows anything. No inline script (CSP). */
(function () {
  "use strict";

  document.addEventListener("click", function (ev) {
    var el = ev.target && ev.target.closest ? ev.target.closest("[data-assign]") : null;
    if (!el) { return; }
    var dc = window.dash_clientside;
    if (!dc || typeof dc.set_props !== "function") { return; }
    ev.preventDefault();
    var codes = (el.getAttribute("data-assign") || "").split(",").filter(function (c) { return c; });
    if (!codes.length) { return; }
    dc.set_props("assign-request", {data: {stations: codes, month: el.getAttribute("data-month") || null,
                                           scheme: el.getAttribute("data-scheme") || null, at: Date.now()}});
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cctns_assign: {
      close: function () { return false; },
      deselect: function (changed) { return changed ? true : window.dash_clientside.no_update; }
    }
  });
})();
