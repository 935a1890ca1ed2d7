/* Accessibility fixes for Dash 4's dcc.Dropdown (issue 12). Loaded from assets/ (no inline script).

   Dash 4.4 renders each dropdown as a hidden <input class="dash-dropdown-focus-target" tabindex="0"
   aria-hidden="true"> in front of the real trigger <button tabindex="-1">: Tab lands on the hidden input,
   which passes focus on to the button. A focusable element inside aria-hidden is announced as nothing by a
   screen reader (axe: aria-hidden-focus, serious), and Shift+Tab from the button stops on the invisible input.
   Here the button itself becomes the tab stop and the input is made inert (neither focusable nor in the
   accessibility tree); the button already opens the list with Enter, Space or ArrowDown and searches as one
   types. The trigger also gets the name of its <label for=...> when Dash has not set aria-labelledby. */
(function () {
  "use strict";

  function fixDropdown(target) {
    if (target.inert) { return; }
    target.inert = true;
    target.tabIndex = -1;
    var button = target.nextElementSibling;
    if (button && button.classList.contains("dash-dropdown") && !button.disabled) {
      button.tabIndex = 0;
    }
  }

  function fixAll(root) {
    var targets = (root.querySelectorAll ? root : document).querySelectorAll(".dash-dropdown-focus-target");
    for (var i = 0; i < targets.length; i++) { fixDropdown(targets[i]); }
    if (root.classList && root.classList.contains("dash-dropdown-focus-target")) { fixDropdown(root); }
  }

  /* After a move to another page inside the app (Dash changes the path with history.pushState), the element that
     had the focus (a grid row, a breadcrumb link) is gone with the old page, and the browser would resume Tab
     from where it was, deep in the new page. The focus goes to the main region instead (tabindex -1, no ring):
     Tab then walks the new page from its top, Shift+Tab reaches the search, the month and the breadcrumb. An
     element that still has the focus (the search box after a pick) keeps it. */
  var MAIN = "main-content";
  var movedAt = 0;

  function pageChanged() { movedAt = Date.now(); }

  function focusLost() {
    var a = document.activeElement;
    return !a || a === document.body || !a.isConnected;
  }

  function refocus() {
    if (!movedAt) { return; }
    if (Date.now() - movedAt > 10000) { movedAt = 0; return; }
    var main = document.getElementById(MAIN);
    if (main && focusLost()) {
      movedAt = 0;
      main.focus({preventScroll: true});
    }
  }

  function watchPath() {
    ["pushState", "replaceState"].forEach(function (name) {
      var original = window.history[name];
      window.history[name] = function () {
        var before = window.location.pathname;
        var out = original.apply(this, arguments);
        if (window.location.pathname !== before) { pageChanged(); }
        return out;
      };
    });
    window.addEventListener("popstate", pageChanged);
  }

  function start() {
    fixAll(document);
    watchPath();
    new MutationObserver(function (mutations) {
      refocus();
      for (var i = 0; i < mutations.length; i++) {
        var m = mutations[i];
        if (m.type === "attributes") {
          // a re-enabled dropdown's button becomes a tab stop again
          var t = m.target;
          if (t.classList && t.classList.contains("dash-dropdown") && !t.disabled) {
            var prev = t.previousElementSibling;
            if (prev && prev.classList.contains("dash-dropdown-focus-target")) { t.tabIndex = 0; }
          }
          continue;
        }
        for (var j = 0; j < m.addedNodes.length; j++) {
          var n = m.addedNodes[j];
          if (n.nodeType === 1) { fixAll(n); }
        }
      }
    }).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"]});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
