/* The ballot on a phone: progress and quota in the sticky footer, checks before submit.
   The server checks everything again; this only saves the voter a round trip. */
(function () {
  "use strict";

  // A second tap on a submit button must not send the ballot twice (the second answer would be
  // "already used" and hide the receipt). Listening on the document runs after the form's own
  // checks, so a submit they stopped does not count.
  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.hasAttribute("data-once") || event.defaultPrevented) return;
    if (f.dataset.sent) { event.preventDefault(); return; }
    f.dataset.sent = "1";
  });

  var errors = document.getElementById("v-errors");
  if (errors) {
    errors.focus();
    errors.scrollIntoView({ block: "start" });
  }

  var form = document.getElementById("v-ballot");
  if (!form) return;
  var d = form.dataset;
  var total = Number(d.total);
  var minimum = Number(d.min);
  var requireAll = d.requireAll === "1";
  var topOrder = d.topOrder;
  var topLabel = d.topLabel;
  var topMax = d.topMax === undefined ? null : Number(d.topMax);
  var subjects = Array.prototype.slice.call(form.querySelectorAll("[data-subject]"));
  var rated = form.querySelector("[data-rated]");
  var top = form.querySelector("[data-top]");
  var quota = form.querySelector("[data-quota]");
  var progress = form.querySelector("[data-progress]");
  var msg = form.querySelector("[data-msg]");

  function isRated(li) {
    var sets = li.querySelectorAll("fieldset");
    for (var i = 0; i < sets.length; i++) {
      if (!sets[i].querySelector("input:checked")) return false;
    }
    return sets.length > 0;
  }

  function topCount() {
    // The quota holds per dimension: the most top grades on one dimension.
    var per = {};
    form.querySelectorAll("fieldset[data-cell]").forEach(function (fs) {
      var checked = fs.querySelector("input:checked");
      var dim = fs.dataset.cell.split(":")[1] || "";
      if (checked && checked.value === topOrder) per[dim] = (per[dim] || 0) + 1;
    });
    return Object.keys(per).reduce(function (m, k) { return Math.max(m, per[k]); }, 0);
  }

  function state() {
    var done = 0;
    subjects.forEach(function (li) {
      var ok = isRated(li);
      li.classList.toggle("is-rated", ok);
      if (ok) li.classList.remove("is-missing");
      if (ok) done++;
    });
    return { done: done, top: topCount() };
  }

  function overMessage(n) {
    return "评为“" + topLabel + "”的已有 " + n + " 人，超过上限 " + topMax + " 人，请改评其他等次。";
  }

  function update() {
    var s = state();
    rated.textContent = s.done;
    progress.value = s.done;
    progress.textContent = s.done + "/" + total;
    if (quota) {
      top.textContent = s.top;
      quota.classList.toggle("is-over", s.top > topMax);
      quota.classList.toggle("is-full", s.top === topMax);
    }
    msg.textContent = topMax !== null && s.top > topMax ? overMessage(s.top) : "";
    return s;
  }

  form.addEventListener("change", update);

  // Without the "every subject" rule a choice may be taken back: tap the chosen grade again.
  if (!requireAll) {
    var before = null;
    form.addEventListener("pointerdown", function (event) {
      var option = event.target.closest(".v-opt");
      var input = option && option.querySelector("input");
      before = input && input.checked ? input : null;
    });
    form.addEventListener("click", function (event) {
      if (before && event.target === before) {
        before.checked = false;
        before = null;
        update();
      }
    });
  }

  form.addEventListener("submit", function (event) {
    var s = update();
    var missing = subjects.filter(function (li) { return !isRated(li); });
    var over = topMax !== null && s.top > topMax;
    var problem = "";
    if (over) {
      problem = overMessage(s.top);
    } else if (requireAll && missing.length) {
      problem = "还有 " + missing.length + " 人未评（已标红），须对全部 " + total + " 人作出评价。";
    } else if (!requireAll && s.done < minimum) {
      problem = "至少须评价 " + minimum + " 人，目前已评 " + s.done + " 人。";
    }
    if (!problem) return;
    event.preventDefault();
    msg.textContent = problem;
    if (!over && requireAll && missing.length) {
      missing.forEach(function (li) { li.classList.add("is-missing"); });
      missing[0].scrollIntoView({ block: "center" });
    }
  });

  update();
})();
