// Unit assessment and typical-example forms. No inline scripts (CSP): behaviour hangs on data attributes.
(function () {
  "use strict";

  // Unit checkboxes grouped by kind: "全选职能部门", "清除", "全选", "全不选", and a count.
  function unitBoxes(kind) {
    var selector = "[data-unit-picker] " + (kind ? "[data-kind='" + kind + "'] " : "") + "input[type=checkbox]";
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }
  function countUnits() {
    var out = document.querySelector("[data-unit-count]");
    if (!out) return;
    var checked = unitBoxes().filter(function (box) { return box.checked; }).length;
    out.textContent = "已选 " + checked + " 个单位";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-check-kind], [data-uncheck-kind], [data-check-all]");
    if (!button) return;
    var on, boxes;
    if (button.dataset.checkAll !== undefined) {
      on = button.dataset.checkAll === "1";
      boxes = unitBoxes();
    } else {
      on = button.dataset.checkKind !== undefined;
      boxes = unitBoxes(button.dataset.checkKind || button.dataset.uncheckKind);
    }
    boxes.forEach(function (box) { box.checked = on; });
    countUnits();
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest("[data-unit-picker]")) countUnits();
  });

  // <input data-filter-for="id"> filters the options of a multiple select; the chosen ones
  // stay listed under it, so a filter never hides what is selected.
  function summary(select) {
    var out = document.querySelector("[data-selected-for='" + select.id + "']");
    if (!out) {
      out = document.createElement("div");
      out.className = "form-text pe-chosen";
      out.dataset.selectedFor = select.id;
      select.insertAdjacentElement("afterend", out);
    }
    var names = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return o.textContent.trim(); });
    out.textContent = names.length ? "已选（" + names.length + "）：" + names.join("；") : "尚未选择";
  }
  function filterOptions(input) {
    var select = document.getElementById(input.dataset.filterFor);
    if (!select) return;
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      var text = option.textContent.toLowerCase();
      option.hidden = !option.selected && words.some(function (w) { return text.indexOf(w) === -1; });
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-filter-for]")) filterOptions(event.target);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[multiple]") && document.querySelector("[data-filter-for='" + event.target.id + "']")) {
      summary(event.target);
    }
  });

  // Example form: the public text matters only when the example is published.
  function syncPublic() {
    var box = document.querySelector("[data-example-form] input[name=published]");
    var field = document.querySelector("[data-example-form] [data-field=published_summary]");
    if (box && field) field.hidden = !box.checked;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-example-form] input[name=published]")) syncPublic();
  });

  document.addEventListener("DOMContentLoaded", function () {
    countUnits();
    syncPublic();
    document.querySelectorAll("[data-filter-for]").forEach(function (input) {
      var select = document.getElementById(input.dataset.filterFor);
      if (select) summary(select);
    });
  });
})();
