// 纪要转事项 review page: link each proposed item to its highlighted source passage,
// and show what "保留" / "并入上一条" will do. No inline scripts (CSP).
(function () {
  "use strict";

  function mark(number) { return document.getElementById("src-" + number); }
  function card(number) { return document.getElementById("row-" + number); }

  function scrollPaneTo(el) {
    var pane = document.getElementById("mn-source");
    if (!pane || !el) return;
    var top = el.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    pane.scrollTo({ top: Math.max(0, top - pane.clientHeight / 4), behavior: "smooth" });
  }

  function activate(number, scroll) {
    document.querySelectorAll(".mn-mark.is-active, .mn-row.is-active").forEach(function (el) {
      el.classList.remove("is-active");
    });
    var m = mark(number), c = card(number);
    if (m) m.classList.add("is-active");
    if (c) c.classList.add("is-active");
    if (scroll && m) scrollPaneTo(m);
  }

  // Keep / merge state shown on the card and on its source passage.
  function syncStates() {
    var lastKept = null;
    document.querySelectorAll(".mn-row").forEach(function (row) {
      var keep = row.querySelector("[data-row-keep]");
      var merge = row.querySelector("[data-row-merge]");
      var dropped = keep && !keep.checked;
      var merged = !dropped && merge && merge.checked;
      row.classList.toggle("is-dropped", dropped);
      row.classList.toggle("is-merged", merged);
      row.querySelector(".mn-dropped-note").hidden = !dropped;
      var note = row.querySelector(".mn-merged-note");
      note.hidden = !merged;
      if (merged && lastKept) note.textContent = note.dataset.into.replace("%(n)s", lastKept);
      if (!dropped && !merged) lastKept = row.dataset.item;
      if (merge) merge.disabled = dropped;
      var m = mark(row.dataset.item);
      if (m) {
        m.classList.toggle("is-dropped", dropped);
        m.classList.toggle("is-merged", merged);
      }
    });
  }

  // The co-units summary lists the ticked units.
  function syncCoUnits(details) {
    var names = [];
    details.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      var label = details.querySelector("label[for='" + box.id + "']") || box.parentElement;
      names.push(label.textContent.trim());
    });
    var summary = details.querySelector(".mn-co-summary");
    summary.textContent = "：" + (names.length ? names.join("、") : summary.dataset.none);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector("[data-review]")) return;
    syncStates();
    document.querySelectorAll(".mn-co").forEach(syncCoUnits);

    document.querySelectorAll(".mn-row").forEach(function (row) {
      row.addEventListener("mouseenter", function () { activate(row.dataset.item, true); });
      row.addEventListener("focusin", function () { activate(row.dataset.item, true); });
      row.addEventListener("click", function () { activate(row.dataset.item, true); });
    });
    document.querySelectorAll(".mn-mark").forEach(function (m) {
      m.addEventListener("click", function () {
        activate(m.dataset.item, false);
        var c = card(m.dataset.item);
        if (c) c.scrollIntoView({ behavior: "smooth", block: "start" });
      });
    });
    document.addEventListener("change", function (event) {
      if (event.target.matches("[data-row-keep], [data-row-merge]")) syncStates();
      var details = event.target.closest(".mn-co");
      if (details) syncCoUnits(details);
    });
  });
})();
