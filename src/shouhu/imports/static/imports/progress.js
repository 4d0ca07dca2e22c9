// Keeps an import job's progress bar up to date from its status endpoint while the job runs, and
// reloads the page (which then shows the report) when it ends. Without JavaScript the page still
// says what the job is doing; reloading it shows the result.
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box || box.dataset.running !== "1" || !window.fetch) return;
  var url = box.dataset.statusUrl;
  var bar = document.getElementById("import-progress");
  var label = document.getElementById("import-label");
  var rows = document.getElementById("import-rows");
  var rowsText = rows ? rows.textContent.replace(/\d+/, "{n}") : "";

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (!s.running) { window.location.reload(); return; }
        if (label) label.textContent = s.label;
        if (rows) rows.textContent = rowsText.replace("{n}", s.rows_done);
        if (bar && s.progress !== null && s.status === "importing") {
          bar.value = s.progress;
          bar.textContent = s.progress + "%";
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
