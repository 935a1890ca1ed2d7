/* When the database cannot be reached the server answers Dash requests with HTTP 503
   ({"unavailable": true}); dash-renderer would fail silently, so show an alert until a later request
   succeeds again (the server reconnects by itself when the database is back). */
(function () {
  "use strict";
  if (!window.fetch || window.__cctnsUnavailableWrapped) { return; }
  window.__cctnsUnavailableWrapped = true;
  var originalFetch = window.fetch;
  var ALERT_ID = "cctns-data-unavailable";
  function show() {
    if (document.getElementById(ALERT_ID)) { return; }
    var box = document.createElement("div");
    box.id = ALERT_ID;
    box.setAttribute("role", "alert");
    box.className = "alert alert-warning shadow position-fixed bottom-0 start-50 translate-middle-x mb-3 z-3";
    var strong = document.createElement("strong");
    strong.textContent = "Data temporarily unavailable. ";
    box.appendChild(strong);
    box.appendChild(document.createTextNode(
      "The database cannot be reached just now; the figures will come back by themselves. " +
      "Please try again in a minute."));
    document.body.appendChild(box);
  }
  function hide() {
    var box = document.getElementById(ALERT_ID);
    if (box) { box.parentNode.removeChild(box); }
  }
  window.fetch = function (input, init) {
    return originalFetch.call(this, input, init).then(function (response) {
      var url = (typeof input === "string") ? input : (input && input.url) || "";
      if (url.indexOf("/_dash-update-component") !== -1) {
        if (response.status === 503) { show(); } else if (response.ok) { hide(); }
      }
      return response;
    });
  };
})();
