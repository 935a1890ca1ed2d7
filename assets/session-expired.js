/* When the session has expired (or the user signed out in another tab) Dash requests get a 401 from
   the server's guard; dash-renderer would fail silently, so go to the sign-in page instead. */
(function () {
  "use strict";
  if (!window.fetch || window.__cctnsFetchWrapped) { return; }
  window.__cctnsFetchWrapped = true;
  var originalFetch = window.fetch;
  var redirecting = false;
  window.fetch = function (input, init) {
    return originalFetch.call(this, input, init).then(function (response) {
      var url = (typeof input === "string") ? input : (input && input.url) || "";
      if (response.status === 401 && !redirecting && url.indexOf("/_dash-") !== -1) {
        redirecting = true;
        var here = window.location.pathname + window.location.search;
        window.location.assign("/login?next=" + encodeURIComponent(here));
      }
      return response;
    });
  };
})();
