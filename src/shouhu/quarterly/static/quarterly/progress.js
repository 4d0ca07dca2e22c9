// Polls the report's status while it is generated in the background, moves the progress bar, and
// reloads the page when the job has finished (or failed) so the downloads or the reason show.
(function () {
  "use strict";
  var bar = document.getElementById("job-progress");
  if (!bar) return;
  var text = document.getElementById("job-progress-text");
  var url = bar.getAttribute("data-status-url");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        bar.value = data.progress;
        if (text) text.textContent = String(data.progress);
        if (data.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
