// The job page follows its job without a reload: it polls the job's status (same origin, as the
// Content-Security-Policy requires) and updates the bar and the text; when the job has finished
// it reloads once, so the page shows the download link or the error. Without JavaScript the
// page's <noscript> refresh does the same, more coarsely.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) return;
  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-job-text]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (s.finished) { window.location.reload(); return; }
        if (bar) { bar.max = s.total || 1; bar.value = s.done; }
        if (text) {
          text.textContent = s.state_label + (s.total ? "：" + s.done + " / " + s.total + "（" + s.percent + "%）" : "") +
            (s.message ? "，" + s.message : "");
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
