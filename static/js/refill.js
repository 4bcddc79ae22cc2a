// A refused form comes back as the user left it (minhang_plans/refill.py keeps the fields the
// server refused; the page carries them as JSON in #refused-input). They go back into the form
// that posts to the same address, once; the <details> around it opens. Hidden fields are left as
// the server drew them (they carry its state, such as a report's version). The task page's panel
// arrives later (panel.js), and calls window.minhangRefill again once it is in the page.
(function () {
  "use strict";

  function data() {
    var block = document.getElementById("refused-input");
    if (!block) return null;
    try { return JSON.parse(block.textContent); } catch (e) { return null; }
  }

  function pathOf(form) {
    try { return new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname; }
    catch (e) { return null; }
  }

  function restore(form, fields) {
    var first = null;
    Array.prototype.forEach.call(form.elements, function (el) {
      var values = el.name && fields[el.name];
      if (!values || el.type === "hidden" || el.type === "file" || el.type === "submit" || el.type === "button") return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value || "on") !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (option) { option.selected = values.indexOf(option.value) !== -1; });
      } else {
        el.value = values[0];
      }
      first = first || el;
    });
    for (var node = form; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    return first !== null;
  }

  window.minhangRefill = function (root) {
    var kept = data();
    if (!kept || !kept.fields) return;
    var forms = (root || document).querySelectorAll("form[method=post], form[method=POST]");
    for (var i = 0; i < forms.length; i++) {
      if (pathOf(forms[i]) === kept.action && restore(forms[i], kept.fields)) {
        var block = document.getElementById("refused-input");
        if (block) block.remove();  // once: a later panel load finds nothing to restore
        return;
      }
    }
  };

  document.addEventListener("DOMContentLoaded", function () { window.minhangRefill(document); });
})();
