// The task page's 批示与催办 panel is read from its own address (same origin, as the
// Content-Security-Policy requires) so that the task page itself stays within its query budget.
// Without JavaScript the section keeps its link to the same panel as a page of its own.
(function () {
  "use strict";
  var box = document.querySelector("[data-supervision-panel]");
  if (!box) return;
  fetch(box.getAttribute("data-supervision-panel"), { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (response) { return response.ok ? response.text() : null; })
    .then(function (html) {
      if (html === null) return;
      var parsed = new DOMParser().parseFromString(html, "text/html");
      var panel = parsed.querySelector("[data-supervision]");
      if (!panel) return;
      var inserted = document.importNode(panel, true);
      box.replaceWith(inserted);
      // A refused panel form comes back filled in (static/js/refill.js).
      if (window.minhangRefill) window.minhangRefill(inserted);
      if (window.location.hash === "#supervision") {
        var target = document.getElementById("supervision");
        if (target) target.scrollIntoView();
      }
    })
    .catch(function () { /* the link stays */ });
})();
