// Moves focus to what a re-rendered page wants read first (an error summary, or the field a row
// error belongs to), so keyboard and screen-reader users do not start over at the top (WCAG 3.3.1).
// A file, not an inline script: the Content-Security-Policy allows scripts from this site only.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
  }
});
