/* dash-ag-grid's main bundle (1.3 MB, 284 KB brotli) is not a script of every page (issue 15: the national page,
   everyone's first page, draws plain HTML tables; see dashboard/web/serving.py `defer_grid_bundle`). Until it is
   loaded, window.dash_ag_grid is this stand-in:
   - its AgGrid loads the bundle (the URL Dash would have written, from <meta name="cctns-grid-bundle">) and then
     renders dash-ag-grid's own AgGrid with the same props, so the renderer's resolution of "dash_ag_grid.AgGrid"
     and the grid's own async chunk work as they do when the bundle is a script of the page;
   - it tells dash-renderer that the component is not ready yet (`_dashprivate_isLazyComponentReady`, the flag
     dash-ag-grid's own lazy chunk uses), so callbacks into a grid wait for its code as they wait for that chunk;
   - getApi / getApiAsync answer as dash-ag-grid's once it is there (getApiAsync waits for it).
   The stand-in stays window.dash_ag_grid after the bundle has run (it would replace it with its own), so the
   component type under a drawn grid never changes. It is also loaded when the browser is idle
   after the first page has drawn (no component loading, every graph drawn), and the grid's async chunk then
   prefetched, so that the next page's grid does not wait for them; the grid pages ask for both in their head
   (<link rel=preload>). */
(function () {
  "use strict";

  if (window.dash_ag_grid) { return; }  // the bundle is a script of this page after all
  var React = window.React;
  var meta = document.querySelector('meta[name="cctns-grid-bundle"]');
  var src = meta && meta.getAttribute("content");
  var standIn = {};
  var real = null;  // dash-ag-grid's own namespace, once its bundle has run
  var loading = null;

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (!src) { reject(new Error("cctns: no <meta name=cctns-grid-bundle>")); return; }
        var script = document.createElement("script");
        script.src = src;
        script.async = true;
        script.onload = function () {
          var ns = window.dash_ag_grid;
          if (!ns || ns === standIn || !ns.AgGrid) {
            reject(new Error("cctns: " + src + " did not define dash_ag_grid"));
            return;
          }
          real = ns;
          AgGrid.defaultProps = ns.AgGrid.defaultProps;
          AgGrid.dashPersistence = ns.AgGrid.dashPersistence;
          // the stand-in stays the renderer's component (it renders the real one): were the renderer to find
          // another component type under a drawn grid, React would unmount it and draw it again
          window.dash_ag_grid = standIn;
          resolve(ns);
        };
        script.onerror = function () {
          loading = null;  // a later grid tries again
          reject(new Error("cctns: could not load " + src));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function AgGrid(props) {
    var state = React.useState(real ? {component: real.AgGrid} : null);
    var got = state[0], set = state[1];
    React.useEffect(function () {
      if (!got) {
        load().then(function (ns) { set({component: ns.AgGrid}); });
      }
    }, []);
    return got ? React.createElement(got.component, props) : null;
  }

  Object.defineProperty(AgGrid, "_dashprivate_isLazyComponentReady", {
    get: function () {
      if (real) { return real.AgGrid._dashprivate_isLazyComponentReady; }
      return load().then(function (ns) {
        var ready = ns.AgGrid._dashprivate_isLazyComponentReady;
        return ready === undefined ? true : ready;
      });
    }
  });

  standIn.AgGrid = AgGrid;
  standIn.getApi = function (id) {
    if (!real) { throw new Error("cctns: the grid's code is not loaded yet"); }
    return real.getApi(id);
  };
  standIn.getApiAsync = function (id) {
    return load().then(function (ns) { return ns.getApiAsync(id); });
  };
  standIn.load = load;
  window.dash_ag_grid = standIn;

  /* the grid's async chunk (205 KB brotli) into the HTTP cache at the lowest priority, where the grid's own
     request for it finds it: a drill-down from the national page then waits for neither */
  function prefetchChunk() {
    var chunk = document.querySelector('meta[name="cctns-grid-chunk"]');
    var href = chunk && chunk.getAttribute("content");
    if (!href || document.querySelector('link[href="' + href + '"]')) { return; }
    var link = document.createElement("link");
    link.rel = "prefetch";
    link.href = href;
    document.head.appendChild(link);
  }

  /* after the first page has drawn: its content in, nothing loading, every graph drawn */
  function drawn() {
    var content = document.getElementById("_pages_content");
    if (!content || !content.children.length || document.querySelector('[data-dash-is-loading="true"]')) {
      return false;
    }
    var graphs = content.querySelectorAll(".dash-graph");
    for (var i = 0; i < graphs.length; i++) {
      if (!graphs[i].querySelector(".main-svg")) { return false; }
    }
    return true;
  }

  window.addEventListener("load", function () {
    var checks = 0;
    var timer = window.setInterval(function () {
      checks += 1;
      if (loading || checks > 240) { window.clearInterval(timer); return; }
      if (!drawn()) { return; }
      window.clearInterval(timer);
      var idle = window.requestIdleCallback || function (f) { return window.setTimeout(f, 200); };
      idle(function () {
        load().then(prefetchChunk).catch(function () { /* loaded again when a grid needs it */ });
      }, {timeout: 5000});
    }, 500);
  });
})();
