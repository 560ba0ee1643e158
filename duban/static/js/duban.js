// duban page behaviour. No inline scripts anywhere (CSP): behaviour hangs on data attributes.
(function () {
  "use strict";
  // <form data-confirm="…"> and <button data-confirm="…"> ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  // <select data-autosubmit> submits its form when changed (list filters).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });
  // <button data-copy="#id"> copies the text of an element (tokens, passwords shown once).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = "已复制";
    }
  });
  // Tree: expand or collapse everything.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tree-toggle]");
    if (!button) return;
    var open = button.dataset.treeToggle === "open";
    document.querySelectorAll(".db-tree details").forEach(function (d) { d.open = open; });
  });
  // Unit form: the covered-units checklist only matters for a grid group (联络组).
  function syncGridFields() {
    var kind = document.querySelector("form[data-unit-form] select[name=kind]");
    var covered = document.querySelector("form[data-unit-form] [data-field=covered_units]");
    if (kind && covered) covered.hidden = kind.value !== "grid_group";
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("form[data-unit-form] select[name=kind]")) syncGridFields();
  });
  document.addEventListener("DOMContentLoaded", syncGridFields);

  // Bars and markers sized from data attributes (no inline styles under the CSP).
  function sizeBars(root) {
    (root || document).querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, parseFloat(el.dataset.width) || 0)) + "%";
    });
    (root || document).querySelectorAll("[data-left]").forEach(function (el) {
      el.style.left = Math.max(0, Math.min(100, parseFloat(el.dataset.left) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.addEventListener("htmx:afterSwap", function (event) { sizeBars(event.target); });
})();
