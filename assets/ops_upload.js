/* Import page (/data/import): files chosen or dropped on #import-drop are posted to /upload/import with the
   session's CSRF token, with a progress bar; the server keeps them privately and answers with a token, which
   is handed to the page's Dash store (import-uploaded) to check them. Nothing here reads the files. */
(function () {
  "use strict";
  var ZONE = "import-drop", INPUT = "import-file-input", BAR = "import-progress", STATUS = "import-upload-status";
  var SUFFIXES = [".csv", ".xlsx"];

  function csrf() {
    var m = document.cookie.match(/(?:^|; )_csrf_token=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  // the page's words (data-words on the drop zone, in the page's language); English when absent
  var ENGLISH = {
    too_many: "At most {n} files at a time.",
    wrong_kind: "{name}: only .csv and .xlsx files can be imported.",
    too_big: "The files are {size} together; the limit is {limit}: split the import.",
    progress: "Uploading {n} file: {percent} of {size}",
    progress_many: "Uploading {n} files: {percent} of {size}",
    uploaded: "Uploaded. Checking the files on the server\u2026",
    failed: "The upload failed ({status}).",
    unreachable: "The upload failed: the server could not be reached.",
    uploading: "Uploading\u2026",
    input: "Files to import"
  };
  function words(key, values) {
    var zone = document.getElementById(ZONE), table = {};
    try { table = JSON.parse((zone && zone.getAttribute("data-words")) || "{}"); } catch (err) { table = {}; }
    var text = table[key] || ENGLISH[key];
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }
  function mb(n) { return (n / 1048576).toFixed(n < 10485760 ? 1 : 0) + " MB"; }
  function say(text, bad) {
    var el = document.getElementById(STATUS);
    if (!el) { return; }
    el.textContent = text;
    el.className = "small mt-1 " + (bad ? "text-danger fw-semibold" : "text-body-secondary");
  }
  function bar(percent) {
    var el = document.getElementById(BAR);
    if (!el) { return; }
    el.hidden = percent === null;
    if (percent !== null) { el.value = percent; }
  }
  function hand(data) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("import-uploaded", {data: data});
    }
  }

  function send(files) {
    var zone = document.getElementById(ZONE);
    if (!zone || !files || !files.length) { return; }
    var limit = +zone.getAttribute("data-upload-limit"), most = +zone.getAttribute("data-upload-files");
    var total = 0, i, name;
    if (files.length > most) { say(words("too_many", {n: most}), true); return; }
    for (i = 0; i < files.length; i++) {
      name = files[i].name.toLowerCase();
      if (!SUFFIXES.some(function (s) { return name.slice(-s.length) === s; })) {
        say(words("wrong_kind", {name: files[i].name}), true);
        return;
      }
      total += files[i].size;
    }
    if (total > limit) {
      say(words("too_big", {size: mb(total), limit: mb(limit)}), true);
      return;
    }
    var form = new FormData();
    for (i = 0; i < files.length; i++) { form.append("files", files[i], files[i].name); }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload/import");
    xhr.setRequestHeader("X-CSRFToken", csrf());
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        var p = Math.round(100 * e.loaded / e.total);
        bar(p);
        say(words(files.length > 1 ? "progress_many" : "progress", {n: files.length, percent: p + "%", size: mb(e.total)}));
      }
    };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText || "{}"); } catch (err) { body = {}; }
      bar(null);
      if (xhr.status === 200 && body.token) {
        say(words("uploaded"));
        hand({token: body.token, files: body.files, at: Date.now()});
      } else {
        say(body.error || words("failed", {status: xhr.status}), true);
      }
    };
    xhr.onerror = function () { bar(null); say(words("unreachable"), true); };
    bar(0);
    say(words("uploading"));
    xhr.send(form);
  }

  function input() {
    var el = document.getElementById(INPUT);
    if (!el) {
      el = document.createElement("input");
      el.type = "file";
      el.id = INPUT;
      el.multiple = true;
      el.accept = SUFFIXES.join(",");
      el.hidden = true;
      el.tabIndex = -1;
      el.setAttribute("aria-label", words("input"));
      el.addEventListener("change", function () {
        if (el.files && el.files.length) { send(el.files); }
        el.value = "";
      });
      document.body.appendChild(el);
    }
    return el;
  }

  function zoneOf(e) { return e.target && e.target.closest ? e.target.closest("#" + ZONE) : null; }
  document.addEventListener("click", function (e) { if (zoneOf(e)) { input().click(); } });
  document.addEventListener("keydown", function (e) {
    if (zoneOf(e) && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); input().click(); }
  });
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var z = zoneOf(e);
      if (z) { e.preventDefault(); z.classList.add("upload-zone-over"); }
    });
  });
  document.addEventListener("dragleave", function (e) {
    var z = zoneOf(e);
    if (z) { z.classList.remove("upload-zone-over"); }
  });
  document.addEventListener("drop", function (e) {
    var z = zoneOf(e);
    if (z) {
      e.preventDefault();
      z.classList.remove("upload-zone-over");
      send(e.dataTransfer && e.dataTransfer.files);
    }
  });
  if (document.body) { input(); } else { document.addEventListener("DOMContentLoaded", input); }
}());
