/* Conference mode (/present): slide navigation with the keyboard and presenter clickers
   (←/→, ↑/↓, PageUp/PageDown, Space, Home/End; B or . blanks the screen), slide counter,
   auto-advance, theme and full screen. Runs entirely in the browser: once the deck has loaded,
   presenting makes no request to the server (no network needed, no session needed).
   Loaded from assets/ on every page; does nothing unless #deck is on the page. */
(function () {
  "use strict";
  var current = 0;
  var timer = null;
  var observed = null;
  var count = 0;

  function deck() { return document.getElementById("deck"); }
  function slides() {
    var d = deck();
    return d ? d.querySelectorAll(".deck-stage > .deck-slide, .deck-stage > .deck-part > .deck-slide") : [];
  }

  function show(index, announce) {
    var list = slides();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(index, list.length - 1));
    for (var i = 0; i < list.length; i++) {
      var on = i === current;
      list[i].classList.toggle("is-active", on);
      list[i].setAttribute("aria-hidden", on ? "false" : "true");
    }
    var counter = document.getElementById("deck-counter");
    if (counter) { counter.textContent = (current + 1) + " / " + list.length; }
    var live = document.getElementById("deck-live");
    if (live && announce !== false) {
      // the sentence comes from the server in the page's language: "Slide {n} of {total}: {title}"
      var words = live.getAttribute("data-template") || "Slide {n} of {total}: {title}";
      live.textContent = words.replace("{n}", String(current + 1)).replace("{total}", String(list.length))
        .replace("{title}", list[current].getAttribute("data-title") || "");
    }
    // plotly sizes a graph when it is drawn; nudge graphs on the shown slide in case the window changed
    if (window.Plotly && window.Plotly.Plots) {
      var graphs = list[current].querySelectorAll(".js-plotly-plot");
      for (var g = 0; g < graphs.length; g++) {
        try { window.Plotly.Plots.resize(graphs[g]); } catch (e) { /* not drawn yet */ }
      }
    }
  }

  function go(action) {
    var n = slides().length;
    if (!n) { return; }
    if (action === "next") { show(current + 1); }
    else if (action === "prev") { show(current - 1); }
    else if (action === "first") { show(0); }
    else if (action === "last") { show(n - 1); }
    else if (action === "auto") { toggleAuto(); return; }
    else if (action === "theme") { toggleTheme(); return; }
    else if (action === "fullscreen") { toggleFullscreen(); return; }
    else if (action === "blank") { var d = deck(); if (d) { d.classList.toggle("is-blank"); } return; }
    if (timer) { restartAuto(); }
  }

  function seconds() {
    var sel = document.getElementById("deck-auto-seconds");
    var s = sel ? parseInt(sel.value, 10) : 20;
    return (isFinite(s) && s >= 3) ? s : 20;
  }

  function setAutoButton(on) {
    var btn = document.getElementById("deck-auto");
    if (btn) {
      btn.setAttribute("aria-pressed", on ? "true" : "false");
      btn.textContent = on ? (btn.getAttribute("data-label-on") || "Auto: on")
                           : (btn.getAttribute("data-label-off") || "Auto: off");
    }
  }

  function tick() {
    var n = slides().length;
    if (!n) { return; }
    show(current + 1 >= n ? 0 : current + 1, false);  // loops, for a kiosk screen
  }

  function restartAuto() {
    if (timer) { window.clearInterval(timer); }
    timer = window.setInterval(tick, seconds() * 1000);
  }

  function toggleAuto() {
    if (timer) {
      window.clearInterval(timer);
      timer = null;
      setAutoButton(false);
    } else {
      restartAuto();
      setAutoButton(true);
    }
  }

  function toggleTheme() {
    // the shell's switch drives the theme (and the charts' templates) through clientside callbacks
    var sw = document.getElementById("shell-theme-switch");
    if (sw) { sw.click(); return; }
    var root = document.documentElement;
    root.setAttribute("data-bs-theme", root.getAttribute("data-bs-theme") === "dark" ? "light" : "dark");
  }

  function toggleFullscreen() {
    var d = deck();
    if (!d) { return; }
    if (document.fullscreenElement) {
      if (document.exitFullscreen) { document.exitFullscreen(); }
    } else if (d.requestFullscreen) {
      d.requestFullscreen().catch(function () { /* refused: stay windowed */ });
    }
  }

  var KEYS = {
    ArrowRight: "next", ArrowDown: "next", PageDown: "next", " ": "next", Spacebar: "next",
    ArrowLeft: "prev", ArrowUp: "prev", PageUp: "prev", Backspace: "prev",
    Home: "first", End: "last", b: "blank", B: "blank", ".": "blank",
    a: "auto", A: "auto", t: "theme", T: "theme", f: "fullscreen", F: "fullscreen"
  };

  document.addEventListener("keydown", function (ev) {
    if (!deck() || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if ((ev.key === " " || ev.key === "Enter") && (tag === "BUTTON" || tag === "A")) { return; }
    var action = KEYS[ev.key];
    if (!action) { return; }
    ev.preventDefault();
    go(action);
  });

  document.addEventListener("click", function (ev) {
    var el = ev.target && ev.target.closest ? ev.target.closest("[data-deck-action]") : null;
    if (!el || !deck()) { return; }
    ev.preventDefault();
    go(el.getAttribute("data-deck-action"));
  });

  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.id === "deck-auto-seconds" && timer) { restartAuto(); }
  });

  document.addEventListener("fullscreenchange", function () {
    var d = deck();
    if (d) { d.classList.toggle("is-fullscreen", !!document.fullscreenElement); }
    show(current, false);
  });

  // The slides arrive in a few callbacks after the page opens (and Dash pages can come and go without a
  // reload): watch the DOM, start at slide 1 whenever a new set of slides appears.
  function sync() {
    var d = deck();
    document.documentElement.classList.toggle("present-mode", !!d);
    if (!d) {
      if (timer) { window.clearInterval(timer); timer = null; }
      observed = null;
      return;
    }
    var list = slides();
    var first = list.length ? list[0] : null;
    if (first !== observed) {
      observed = first;
      count = list.length;
      current = 0;
      show(0, false);
      if (!d.contains(document.activeElement)) { d.focus({preventScroll: true}); }
    } else if (list.length !== count) {  // a later part of the deck arrived: the counter and aria-hidden
      count = list.length;
      show(current, false);
    }
  }

  function start() {
    sync();
    new MutationObserver(function () { sync(); }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
