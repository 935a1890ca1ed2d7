/* Shell behaviour that needs no server: theme (Bootstrap 5.3 colour modes + AG Grid theme mode,
   persisted in localStorage), links that carry ?month=, navbar toggle, figure template swap.
   Loaded from assets/ (no inline scripts, so the CSP needs no hashes for these). */
(function () {
  "use strict";
  var KEY = "cctns-theme";

  function storedTheme() {
    try {
      var t = window.localStorage.getItem(KEY);
      if (t === "dark" || t === "light") { return t; }
    } catch (e) { /* private mode */ }
    return (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) ? "dark" : "light";
  }

  function setTheme(theme) {
    var root = document.documentElement;
    root.setAttribute("data-bs-theme", theme);
    root.setAttribute("data-ag-theme-mode", theme);
    if (document.body) { document.body.setAttribute("data-ag-theme-mode", theme); }
  }

  // Apply before the first paint of the Dash layout (no flash of the wrong theme).
  setTheme(storedTheme());
  document.addEventListener("DOMContentLoaded", function () { setTheme(storedTheme()); });

  function monthFrom(search) {
    var m = /[?&]month=(\d{4}-\d{2})(?:&|$)/.exec(search || "");
    return m ? m[1] : null;
  }

  function schemeFrom(search) {
    var m = /[?&]scheme=([a-z][a-z0-9_]{1,19})(?:&|$)/.exec(search || "");
    return m ? m[1] : null;
  }

  var templates = null;

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cctns_shell: {
      navHrefs: function (search) {
        var month = monthFrom(search);
        var scheme = schemeFrom(search);
        var parts = [];
        if (month) { parts.push("month=" + month); }
        if (scheme) { parts.push("scheme=" + scheme); }
        var q = parts.length ? "?" + parts.join("&") : "";
        return ["/" + q, "/lagging" + q, "/actions" + q, "/methodology" + q, "/data" + q, "/" + q];
      },
      applyTheme: function (value) {
        var theme;
        if (value === null || value === undefined) {
          theme = storedTheme();
        } else {
          theme = value ? "dark" : "light";
          try { window.localStorage.setItem(KEY, theme); } catch (e) { /* ignore */ }
        }
        setTheme(theme);
        return [theme === "dark", theme];
      },
      toggleNav: function (n, isOpen) { return !isOpen; },
      themeFigure: function (theme, figure, tmpl) {
        if (!figure) { return window.dash_clientside.no_update; }
        var store = tmpl || templates;
        if (!store) { return window.dash_clientside.no_update; }
        templates = store;
        var layout = Object.assign({}, figure.layout || {}, {template: store[theme === "dark" ? "dark" : "light"]});
        return Object.assign({}, figure, {layout: layout});
      }
    }
  });
})();
